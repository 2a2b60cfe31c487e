/**
 * npm run simulate -- --env <env> [--scenario NAME] [--mode availability|safety] [--json] [--root DIR]
 * Places every pod of the environment on its inventory's nodes (tools/scheduling), follows the
 * first install in Flux's order (first-install: tools/simulate/first-install.ts) and runs the
 * failure scenarios with timelines taken from the rendered manifests (w1-down, w1-back,
 * w1-cordoned, w3-down, w2-down, and the partitions w1-partitioned, w1-partitioned-from-cp1,
 * w1-kubelet-crashed); --mode simulates the other fencing mode (FENCING_MODE and Longhorn's
 * nodeDownPodDeletionPolicy together). Exit codes: tools/lib/cli.ts (1: a placement or a
 * scenario violates its expectation).
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, requireName, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";
import { formatReport, SCENARIOS, simulateEnvironment, type ScenarioName, type SimulationReport } from "../simulate/index.ts";
import { FENCING_MODES, type FencingMode } from "../fencing/decide.ts";
import { requireEnv } from "./names.ts";

function findings(r: SimulationReport): Finding[] {
  return [
    ...r.placementViolations.map((message): Finding => ({ severity: "error", rule: "simulate/placement", message })),
    ...r.scenarios.flatMap((s) => s.violations.map((message): Finding => ({ severity: "error", rule: `simulate/${s.name}`, message }))),
  ];
}

export const main = defineCli({
  tool: "simulate",
  usage: `npm run simulate -- --env <env> [--scenario ${SCENARIOS.join("|")}] [--mode ${FENCING_MODES.join("|")}] [--json] [--root DIR] [--chart-mirror DIR]`,
  description: `Places every pod of the environment on its inventory's nodes, follows the first install in Flux's order
(first-install: order, waits, manual steps, time to a working cluster) and runs the failure scenarios
(timelines from the rendered manifests): where every pod lands, failover, failback and partitions
(who deletes which pod when, where each volume is attached, whether two writers are possible).
--mode simulates the other fencing mode: the fencing job's mode and Longhorn's node-down policy together.`,
  options: { env: { type: "string" }, scenario: { type: "string" }, mode: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  if (!values.env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(values.env, root);
  if (values.scenario !== undefined) requireName("scenario", "a scenario", values.scenario, SCENARIOS);
  if (values.mode !== undefined) requireName("mode", "a fencing mode", values.mode, FENCING_MODES);
  const report = await simulateEnvironment(values.env, {
    scenario: values.scenario as ScenarioName | undefined,
    root,
    ...(values.mode ? { mode: values.mode as FencingMode } : {}),
  });
  const all = findings(report);
  if (json) emit({ ok: report.ok, summary: `simulate ${values.env}: ${report.placement.length} pods placed, ${report.scenarios.length} scenarios, ${all.length} violations`, findings: all, data: report });
  else out(formatReport(report));
  return report.ok ? 0 : 1;
});

await runCli(main, import.meta.url);
