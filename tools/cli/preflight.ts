/**
 * npm run preflight -- --env <env> --nodes FILE|- [--json] [--root DIR]
 *
 * Compares a live cluster's nodes with the environment's inventory (values/<env>/cluster.yaml).
 * FILE (or stdin with `-`) is the output of `kubectl get nodes -o json`:
 *
 *   kubectl get nodes -o json | npm run --silent preflight -- --env homelab --nodes -
 *
 * Prints one `ERROR -` / `WARNING -` / `INFO -` line per finding (node, key, expected, actual, fix
 * command), then a summary line. Exit codes: tools/lib/cli.ts (1: drift, or an invalid nodes file
 * or inventory; 2: an unreadable FILE or unknown environment).
 */
import { k3sFindings } from "../preflight/k3s.ts";
import { defineCli, InputFindingError, readArgument, runCli, UsageError } from "../lib/cli.ts";
import { loadInventory } from "../lib/inventory.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";
import { formatReport, preflight, type PreflightResult } from "../preflight/compare.ts";
import { withDatastoreCheck } from "../preflight/datastore.ts";
import { NodeListError, parseNodeList } from "../preflight/nodes.ts";
import { checkLonghornNodes, parseLonghornNodes } from "../preflight/longhorn.ts";
import { requireEnv } from "./names.ts";

function findings(r: PreflightResult): Finding[] {
  return r.findings.map((f) => ({
    severity: f.severity,
    object: `Node/${f.node}`,
    rule: `preflight/${f.kind}`,
    message: `${f.message}${f.fix ? `. Fix: ${f.fix}` : ""}`,
  }));
}

export const main = defineCli({
  tool: "preflight",
  usage: "npm run preflight -- --env <env> (--nodes FILE|- | --longhorn-nodes FILE|-) [--objects FILE] [--json] [--root DIR]   (--nodes: kubectl get nodes -o json; --objects: kubectl get storageclasses,deployments,daemonsets,helmcharts -A -o json; --longhorn-nodes: kubectl -n longhorn-system get nodes.longhorn.io -o json)",
  description: `Compares a live cluster's nodes (kubectl get nodes -o json, a file or - for stdin) with the
environment's inventory values/<env>/cluster.yaml: labels, taints, addresses, GPU resources and vendor
labels, with fix commands. With --longhorn-nodes: Longhorn's Node objects (registered on every
Longhorn node, disks only on the storage nodes, required packages present). Also reports k3s's packaged Traefik, ServiceLB and local-path storage
when enabled (the server node's k3s.io/node-args in --nodes, or the objects of --objects).`,
  options: { env: { type: "string" }, nodes: { type: "string" }, "longhorn-nodes": { type: "string" }, objects: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
}, async (ctx) => {
  const { values, json, out, emit, path, usage } = ctx;
  const { env, nodes: nodesArg, "longhorn-nodes": longhornArg } = values;
  if (!env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(env, root);
  if (!nodesArg && !longhornArg) throw new UsageError(`--nodes is required. usage: ${usage}`);
  if (nodesArg && longhornArg) throw new UsageError(`pass either --nodes or --longhorn-nodes, not both. usage: ${usage}`);
  const source = (nodesArg ?? longhornArg) as string;
  const flag = longhornArg ? "--longhorn-nodes " : "--nodes ";
  let text: string;
  let label: string;
  try {
    ({ text, label } = await readArgument(ctx, flag, source, path(source)));
  } catch (err) {
    const fix = longhornArg
      ? "kubectl -n longhorn-system get nodes.longhorn.io -o json > lh.json and pass --longhorn-nodes lh.json (or pipe it with --longhorn-nodes -)"
      : "kubectl get nodes -o json > nodes.json and pass --nodes nodes.json (or pipe it with --nodes -)";
    throw new UsageError(`${(err as Error).message}. Fix: ${fix}`, { cause: err });
  }
  const inventory = loadInventory(env, root);
  let result: PreflightResult;
  try {
    if (longhornArg) {
      const lh = parseLonghornNodes(text, label);
      const fs = checkLonghornNodes(inventory, lh);
      result = { env, findings: fs, errors: fs.filter((f) => f.severity === "error").length, warnings: fs.filter((f) => f.severity === "warning").length, inventoryNodes: Object.keys(inventory.nodes).length, clusterNodes: lh.length };
    } else {
      result = preflight(inventory, parseNodeList(text, label));
    }
  } catch (err) {
    if (err instanceof NodeListError) throw new InputFindingError(err.message, { cause: err });
    throw err;
  }
  if (!longhornArg) result = withDatastoreCheck(result, inventory);
  // k3s's packaged components (tools/preflight/k3s.ts): from the nodes' k3s.io/node-args and --objects.
  const dumps: unknown[] = longhornArg ? [] : [JSON.parse(text)];
  if (values.objects) {
    const o = await readArgument(ctx, "--objects ", values.objects, path(values.objects));
    try {
      dumps.push(JSON.parse(o.text));
    } catch (err) {
      throw new InputFindingError(`${o.label}: not valid JSON (${(err as Error).message}). Fix: kubectl get storageclasses,deployments,daemonsets,helmcharts -A -o json > objects.json`, { cause: err });
    }
  }
  const k3s = k3sFindings(dumps);
  result.findings.push(...k3s);
  result.errors += k3s.length;
  const summary = `preflight ${env}: ${result.errors} errors, ${result.warnings} warnings (${result.inventoryNodes} inventory nodes, ${result.clusterNodes} cluster nodes)`;
  if (json) emit({ ok: result.errors === 0, summary, findings: findings(result), data: result });
  else out(formatReport(result));
  return result.errors > 0 ? 1 : 0;
});

await runCli(main, import.meta.url);
