/**
 * npm run runbook -- --env <env> [--json] [--root DIR]
 *
 * Prints the node setup runbook of an environment as Markdown, generated from its inventory
 * (values/<env>/cluster.yaml): host packages per role, kubectl label/taint commands per node, the
 * DFS NFS export on the storage nodes, verification commands, and where it differs from the
 * seed's hand-written runbook. --json: the same runbook as the envelope's data.
 * Exit codes: tools/lib/cli.ts (1: the inventory has errors).
 */
import { defineCli, runCli, UsageError } from "../lib/cli.ts";
import { inventoryPath, loadInventory } from "../lib/inventory.ts";
import { repoRoot } from "../lib/paths.ts";
import { displayPath } from "../lib/yaml.ts";
import { buildRunbook, renderRunbook } from "../runbook/runbook.ts";
import { requireEnv } from "./names.ts";

export const main = defineCli({
  tool: "runbook",
  usage: "npm run runbook -- --env <env> [--json] [--root DIR]",
  description: `Prints the node setup runbook of an environment, generated from its inventory
values/<env>/cluster.yaml: host packages, label/taint commands, the DFS NFS export, checks.`,
  options: { env: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  const { env } = values;
  if (!env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(env, root);
  const inventory = loadInventory(env, root);
  const runbook = buildRunbook(inventory, { source: displayPath(inventoryPath(env, root), root) });
  if (json) emit({ ok: true, summary: `runbook ${env}: ${Object.keys(inventory.nodes).length} nodes`, findings: [], data: runbook });
  else out(renderRunbook(runbook));
  return 0;
});

await runCli(main, import.meta.url);
