/**
 * npm run failover -- --env <env> --dfs-server <node id> [--dry-run] [--root DIR]
 * Points ClusterPlex's DFS mount at another storage node: edits dfs.server in
 * values/<env>/clusterplex.yaml (comments kept, written atomically), prints the diff and the
 * host-side steps (the NFS export on the new server, its removal on the old one, the Flux
 * reconcile, and how to fail back). --dry-run prints without writing.
 */
import { resolve } from "node:path";
import { parseCli, runMain, UsageError } from "../lib/cli.ts";
import { applyFailover, planFailover } from "../failover/failover.ts";

const USAGE = "usage: npm run failover -- --env <env> --dfs-server <storage node id> [--dry-run] [--root DIR]";

await runMain(async () => {
  const { values } = parseCli({
    options: {
      env: { type: "string" },
      "dfs-server": { type: "string" },
      "dry-run": { type: "boolean", default: false },
      root: { type: "string" },
    },
    strict: true,
  }, USAGE);
  if (!values.env || !values["dfs-server"]) throw new UsageError(`--env and --dfs-server are required. ${USAGE}`);
  const plan = planFailover({ env: values.env, server: values["dfs-server"], root: values.root ? resolve(values.root) : undefined });
  if (!plan.changed) {
    console.log(`INFO - ${plan.relFile}: dfs.server is already ${plan.to}; nothing to change.`);
  } else {
    process.stdout.write(plan.diff);
    if (values["dry-run"]) console.log(`INFO - dry run: ${plan.relFile} not written`);
    else {
      applyFailover(plan);
      console.log(`INFO - wrote ${plan.relFile}: dfs.server ${plan.from ?? "(unset)"} -> ${plan.to}`);
    }
  }
  console.log("\nHost-side steps:\n");
  process.stdout.write(plan.steps);
  return 0;
});
