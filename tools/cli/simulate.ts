/**
 * npm run simulate -- --env <env> [--scenario NAME] [--json] [--root DIR]
 * Places every pod of the environment on its inventory's nodes (tools/scheduling) and runs the
 * failure scenarios with timelines taken from the rendered manifests. Exit codes: tools/lib/cli.ts
 * (1: a placement or a scenario violates its expectation).
 */
import { defineCli, requireName, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";
import { formatReport, SCENARIOS, simulateEnvironment, type ScenarioName, type SimulationReport } from "../simulate/index.ts";
import { requireEnv } from "./names.ts";

function findings(r: SimulationReport): Finding[] {
  return [
    ...r.placementViolations.map((message): Finding => ({ severity: "error", rule: "simulate/placement", message })),
    ...r.scenarios.flatMap((s) => s.violations.map((message): Finding => ({ severity: "error", rule: `simulate/${s.name}`, message }))),
  ];
}

export const main = defineCli({
  tool: "simulate",
  usage: `npm run simulate -- --env <env> [--scenario ${SCENARIOS.join("|")}] [--json] [--root DIR]`,
  description: `Places every pod of the environment on its inventory's nodes and runs the failure scenarios
(timelines from the rendered manifests): where every pod lands, failover and failback.`,
  options: { env: { type: "string" }, scenario: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  if (!values.env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(values.env, root);
  if (values.scenario !== undefined) requireName("scenario", "a scenario", values.scenario, SCENARIOS);
  const report = await simulateEnvironment(values.env, { scenario: values.scenario as ScenarioName | undefined, root });
  const all = findings(report);
  if (json) emit({ ok: report.ok, summary: `simulate ${values.env}: ${report.placement.length} pods placed, ${report.scenarios.length} scenarios, ${all.length} violations`, findings: all, data: report });
  else out(formatReport(report));
  return report.ok ? 0 : 1;
});

await runCli(main, import.meta.url);
