/**
 * npm run explain -- --env <env> --pod <name> [--json] [--root DIR]
 * For every node: which rule admits or rejects the pod (nodeSelector and node affinity term by
 * term, each taint and the toleration that matches it, cordon, inter-pod anti-affinity, the
 * preferred-affinity score). <name> is a pod (decypharr-streaming-0) or a workload
 * (decypharr-streaming: all its pods). Unknown name: exit 1 with the known pods.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { loadInventory } from "../lib/inventory.ts";
import { renderEnvironment } from "../lib/render.ts";
import { explainPod, formatExplanation, resolvePods } from "../simulate/explain.ts";
import { buildContext } from "../simulate/index.ts";

const USAGE = "Usage: npm run explain -- --env <env> --pod <name> [--json]";

await runMain(async () => {
  const { values } = parseCli({ options: { env: { type: "string" }, pod: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } }, strict: true }, USAGE);
  if (!values.env || !values.pod) throw new UsageError(`--env and --pod are required. ${USAGE}`);
  const root = values.root ? resolve(values.root) : undefined;
  const inventory = loadInventory(values.env, root);
  const releases = await renderEnvironment(values.env, { root });
  const ctx = buildContext(values.env, releases, inventory, { root });
  const explanations = resolvePods(ctx, values.pod).map((p) => explainPod(ctx, p));
  process.stdout.write(values.json ? `${JSON.stringify(explanations, null, 2)}\n` : `${explanations.map((e) => formatExplanation(e, ctx)).join("\n\n")}\n`);
  return 0;
});
