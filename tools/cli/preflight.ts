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
import { defineCli, InputFindingError, readArgument, runCli, UsageError } from "../lib/cli.ts";
import { loadInventory } from "../lib/inventory.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";
import { formatReport, preflight, type PreflightResult } from "../preflight/compare.ts";
import { NodeListError, parseNodeList } from "../preflight/nodes.ts";
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
  usage: "npm run preflight -- --env <env> --nodes FILE|- [--json] [--root DIR]   (FILE: kubectl get nodes -o json)",
  description: `Compares a live cluster's nodes (kubectl get nodes -o json, a file or - for stdin) with the
environment's inventory values/<env>/cluster.yaml: labels, taints, addresses, with fix commands.`,
  options: { env: { type: "string" }, nodes: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
}, async (ctx) => {
  const { values, json, out, emit, path, usage } = ctx;
  const { env, nodes: source } = values;
  if (!env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(env, root);
  if (!source) throw new UsageError(`--nodes is required. usage: ${usage}`);
  let text: string;
  let label: string;
  try {
    ({ text, label } = await readArgument(ctx, "--nodes ", source, path(source)));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Fix: kubectl get nodes -o json > nodes.json and pass --nodes nodes.json (or pipe it with --nodes -)`, { cause: err });
  }
  const inventory = loadInventory(env, root);
  let nodes;
  try {
    nodes = parseNodeList(text, label);
  } catch (err) {
    if (err instanceof NodeListError) throw new InputFindingError(err.message, { cause: err });
    throw err;
  }
  const result = preflight(inventory, nodes);
  const summary = `preflight ${env}: ${result.errors} errors, ${result.warnings} warnings (${result.inventoryNodes} inventory nodes, ${result.clusterNodes} cluster nodes)`;
  if (json) emit({ ok: result.errors === 0, summary, findings: findings(result), data: result });
  else out(formatReport(result));
  return result.errors > 0 ? 1 : 0;
});

await runCli(main, import.meta.url);
