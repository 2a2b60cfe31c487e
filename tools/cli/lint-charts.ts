/**
 * npm run lint-charts [-- --env E] [--chart C] [--json] [--root DIR]
 * (--root lints another checkout of this repository, e.g. a test fixture.)
 * Lints every profile (HelmRelease of this repo's charts) of every environment; one line per
 * profile with status and duration, each finding below it, then a summary. Exit 1 on any error.
 */
import { resolve } from "node:path";
import { parseCli, runMain } from "../lib/cli.ts";
import { formatReport } from "../lint/format.ts";
import { lintEnvironment } from "../lint/run.ts";

const USAGE = "usage: npm run lint-charts [-- --env E] [--chart C] [--json] [--root DIR]";

await runMain(async () => {
  const { values } = parseCli({
    options: { env: { type: "string" }, chart: { type: "string" }, json: { type: "boolean", default: false }, root: { type: "string" } },
    strict: true,
  }, USAGE);
  const report = await lintEnvironment({ env: values.env, chart: values.chart, root: values.root ? resolve(values.root) : undefined });
  if (values.json) {
    const { profiles, ...rest } = report;
    console.log(JSON.stringify({ ...rest, profiles: profiles.map(({ objects, profile, ...p }) => ({ ...p, objects: objects?.length, source: profile?.file })) }, null, 2));
  } else {
    console.log(formatReport(report));
  }
  return report.ok ? 0 : 1;
});
