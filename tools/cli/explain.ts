/**
 * npm run explain -- --env <env> --pod <name> [--json] [--root DIR]
 * For every node: which rule admits or rejects the pod (nodeSelector and node affinity term by
 * term, each taint and the toleration that matches it, cordon, inter-pod anti-affinity, the
 * preferred-affinity score). <name> is a pod (decypharr-streaming-0) or a workload
 * (decypharr-streaming: all its pods). Unknown name: exit 2 with the known pods and the nearest.
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, runCli, unknownName, UsageError } from "../lib/cli.ts";
import { loadEnvironment } from "../lib/flux.ts";
import { loadInventory } from "../lib/inventory.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment } from "../lib/render.ts";
import { explainPod, formatExplanation, podNames, resolvePods, UnknownPodError } from "../simulate/explain.ts";
import { buildContext } from "../simulate/index.ts";
import { requireEnv } from "./names.ts";

export const main = defineCli({
  tool: "explain",
  usage: "npm run explain -- --env <env> --pod <name> [--json] [--root DIR] [--chart-mirror DIR]",
  description: `Why a pod lands where it does, or is Pending: for every node, each scheduling rule that admits
or rejects it. <name> is a pod (decypharr-streaming-0) or a workload (all its pods).`,
  options: { env: { type: "string" }, pod: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  if (!values.env || !values.pod) throw new UsageError(`--env and --pod are required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(values.env, root);
  const inventory = loadInventory(values.env, root);
  const flux = loadEnvironment(values.env, root);
  const releases = await renderEnvironment(values.env, { root, environment: flux });
  const ctx = buildContext(values.env, releases, inventory, { root, flux });
  let pods;
  try {
    pods = resolvePods(ctx, values.pod);
  } catch (err) {
    if (err instanceof UnknownPodError) throw unknownName("pod", `a pod or workload of environment ${values.env}`, values.pod, podNames(ctx));
    throw err;
  }
  const explanations = pods.map((p) => explainPod(ctx, p));
  if (json) emit({ ok: true, summary: `explain ${values.env}: ${explanations.length} pods`, findings: [], data: explanations });
  else out(explanations.map((e) => formatExplanation(e, ctx)).join("\n\n"));
  return 0;
});

await runCli(main, import.meta.url);
