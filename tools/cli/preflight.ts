/**
 * npm run preflight -- --env <env> --nodes FILE|- [--json] [--root DIR]
 *
 * Compares a live cluster's nodes with the environment's inventory (values/<env>/cluster.yaml).
 * FILE (or stdin with `-`) is the output of `kubectl get nodes -o json`:
 *
 *   kubectl get nodes -o json | npm run --silent preflight -- --env homelab --nodes -
 *
 * Prints one `ERROR -` / `WARNING -` / `INFO -` line per finding (node, key, expected, actual, fix
 * command), then a summary line. --json prints the result as data instead.
 *
 * Exit codes: 0 the nodes match (warnings allowed), 1 drift, 2 a usage error, an unreadable or
 * invalid nodes file, or an unusable inventory.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { loadInventory } from "../lib/inventory.ts";
import { formatReport, preflight } from "../preflight/compare.ts";
import { withDatastoreCheck } from "../preflight/datastore.ts";
import { parseNodeList } from "../preflight/nodes.ts";

const USAGE = "usage: npm run preflight -- --env <env> --nodes FILE|- [--json] [--root DIR]   (FILE: kubectl get nodes -o json)";


await runMain(async () => {
  const parsed = parseCli({
    options: {
      env: { type: "string" },
      nodes: { type: "string" },
      json: { type: "boolean", default: false },
      root: { type: "string" },
    },
    strict: true,
  }, USAGE);
  const { env, nodes: source, json, root: rootArg } = parsed.values;
  if (!env) throw new UsageError(`--env is required. ${USAGE}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) throw new UsageError(`--env ${JSON.stringify(env)} is not an environment name. ${USAGE}`);
  if (!source) throw new UsageError(`--nodes is required. ${USAGE}`);

  const label = source === "-" ? "(stdin)" : source;
  let text: string;
  try {
    text = readFileSync(source === "-" ? 0 : source, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String(code ?? err);
    throw new UsageError(`--nodes ${label}: cannot read: ${why}. Fix: kubectl get nodes -o json > nodes.json and pass --nodes nodes.json (or pipe it with --nodes -)`, { cause: err });
  }
  let result;
  try {
    const inventory = loadInventory(env, rootArg ? resolve(rootArg) : undefined);
    result = withDatastoreCheck(preflight(inventory, parseNodeList(text, label)), inventory);
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
  return result.errors > 0 ? 1 : 0;
});
