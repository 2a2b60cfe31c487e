/**
 * npm run simulate -- --env <env> [--scenario NAME] [--json] [--root DIR]
 * Places every pod of the environment on its inventory's nodes (tools/scheduling) and runs the
 * failure scenarios (w1-down, w1-back, w1-cordoned, w3-down, w2-down) with timelines taken from
 * the rendered manifests. Exit code 1 when a placement or a scenario violates its expectation,
 * 2 on bad arguments.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { formatReport, SCENARIOS, simulateEnvironment, type ScenarioName } from "../simulate/index.ts";

const USAGE = `Usage: npm run simulate -- --env <env> [--scenario ${SCENARIOS.join("|")}] [--json]`;

await runMain(async () => {
  const { values } = parseCli({
    options: { env: { type: "string" }, scenario: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
    strict: true,
  }, USAGE);
  if (!values.env) throw new UsageError(`--env is required. ${USAGE}`);
  if (values.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(values.scenario)) {
    throw new UsageError(`--scenario ${JSON.stringify(values.scenario)} is not a scenario; known: ${SCENARIOS.join(", ")}`);
  }
  const report = await simulateEnvironment(values.env, { scenario: values.scenario as ScenarioName | undefined, root: values.root ? resolve(values.root) : undefined });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
});
