/**
 * npm run failover -- --env <env> --dfs-server <node id> [--dry-run] [--json] [--root DIR]
 * Points ClusterPlex's DFS mount at another storage node: edits dfs.server in
 * values/<env>/clusterplex.yaml (comments kept, written atomically), prints the diff and the
 * host-side steps (the NFS export on the new server, its removal on the old one, the Flux
 * reconcile, and how to fail back). --dry-run prints without writing.
 * Exit codes: tools/lib/cli.ts (2: --dfs-server names no storage node with a DFS export).
 */
import { defineCli, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import { applyFailover, FailoverError, planFailover } from "../failover/failover.ts";
import { requireEnv } from "./names.ts";

export const main = defineCli({
  tool: "failover",
  usage: "npm run failover -- --env <env> --dfs-server <storage node id> [--dry-run] [--json] [--root DIR]",
  description: `Switches the storage node that exports the DFS to ClusterPlex: edits dfs.server in
values/<env>/clusterplex.yaml (comments kept), prints the diff and the host-side steps.`,
  options: { env: { type: "string" }, "dfs-server": { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" }, root: { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  if (!values.env || !values["dfs-server"]) throw new UsageError(`--env and --dfs-server are required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(values.env, root);
  let plan;
  try {
    plan = planFailover({ env: values.env, server: values["dfs-server"], root });
  } catch (err) {
    // planFailover's own refusals name a server that is not a DFS exporter: a bad name (exit 2).
    if (err instanceof FailoverError && err.message.startsWith("--dfs-server")) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const lines: string[] = [];
  let summary: string;
  if (!plan.changed) {
    summary = `${plan.relFile}: dfs.server is already ${plan.to}; nothing to change.`;
  } else if (values["dry-run"]) {
    summary = `dry run: ${plan.relFile} not written (dfs.server ${plan.from ?? "(unset)"} -> ${plan.to})`;
    lines.push(plan.diff.replace(/\n$/, ""));
  } else {
    applyFailover(plan);
    summary = `wrote ${plan.relFile}: dfs.server ${plan.from ?? "(unset)"} -> ${plan.to}`;
    lines.push(plan.diff.replace(/\n$/, ""));
  }
  if (json) {
    const { before: _b, after: _a, file: _f, ...data } = plan;
    emit({ ok: true, summary, findings: [], data });
  } else {
    out([...lines, `INFO - ${summary}`, "", "Host-side steps:", "", plan.steps].join("\n"));
  }
  return 0;
});

await runCli(main, import.meta.url);
