/**
 * npm run simulate -- --env <env> [--scenario NAME] [--mode availability|safety] [--json] [--root DIR]
 * Places every pod of the environment on its inventory's nodes (tools/scheduling) and runs the
 * failure scenarios (w1-down, w1-back, w1-cordoned, w3-down, w2-down, and the partitions
 * w1-partitioned, w1-partitioned-from-cp1, w1-kubelet-crashed) with timelines taken from the
 * rendered manifests; --mode simulates the other fencing mode (FENCING_MODE and Longhorn's
 * nodeDownPodDeletionPolicy together). Exit code 1 when a placement or a scenario violates its expectation,
 * 2 on bad arguments.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { formatReport, SCENARIOS, simulateEnvironment, type ScenarioName } from "../simulate/index.ts";
import { FENCING_MODES, type FencingMode } from "../fencing/decide.ts";

const USAGE = `Usage: npm run simulate -- --env <env> [--scenario ${SCENARIOS.join("|")}] [--mode ${FENCING_MODES.join("|")}] [--json]`;

await runMain(async () => {
  const { values } = parseCli({
    options: { env: { type: "string" }, scenario: { type: "string" }, mode: { type: "string" }, json: { type: "boolean" }, root: { type: "string" } },
    strict: true,
  }, USAGE);
  if (!values.env) throw new UsageError(`--env is required. ${USAGE}`);
  if (values.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(values.scenario)) {
    throw new UsageError(`--scenario ${JSON.stringify(values.scenario)} is not a scenario; known: ${SCENARIOS.join(", ")}`);
  }
  if (values.mode !== undefined && !(FENCING_MODES as readonly string[]).includes(values.mode)) {
    throw new UsageError(`--mode ${JSON.stringify(values.mode)} is not a fencing mode; known: ${FENCING_MODES.join(", ")}`);
  }
  const report = await simulateEnvironment(values.env, {
    scenario: values.scenario as ScenarioName | undefined,
    root: values.root ? resolve(values.root) : undefined,
    ...(values.mode ? { mode: values.mode as FencingMode } : {}),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
});
