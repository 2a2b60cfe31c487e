/**
 * npm run runbook -- --env <env> [--json] [--root DIR]
 *
 * Prints the node setup runbook of an environment as Markdown, generated from its inventory
 * (values/<env>/cluster.yaml): host packages per role, kubectl label/taint commands per node, the
 * DFS NFS export on the storage nodes, verification commands, and where it differs from the
 * seed's hand-written runbook. --json prints the same runbook as data.
 *
 * Exit codes: 0 printed, 2 a usage error or an unusable inventory.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { inventoryPath, loadInventory } from "../lib/inventory.ts";
import { displayPath } from "../lib/yaml.ts";
import { buildRunbook, renderRunbook } from "../runbook/runbook.ts";

const USAGE = "usage: npm run runbook -- --env <env> [--json] [--root DIR]";


await runMain(async () => {
  const parsed = parseCli({
    options: { env: { type: "string" }, json: { type: "boolean", default: false }, root: { type: "string" } },
    strict: true,
  }, USAGE);
  const { env, json, root: rootArg } = parsed.values;
  if (!env) throw new UsageError(`--env is required. ${USAGE}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) throw new UsageError(`--env ${JSON.stringify(env)} is not an environment name. ${USAGE}`);
  const root = rootArg ? resolve(rootArg) : undefined;
  let runbook;
  try {
    const inventory = loadInventory(env, root);
    runbook = buildRunbook(inventory, { source: displayPath(inventoryPath(env, root), root) });
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  process.stdout.write(json ? `${JSON.stringify(runbook, null, 2)}\n` : renderRunbook(runbook));
  return 0;
});
