/**
 * npm run lint-charts [-- --env E] [--chart C] [--json] [--root DIR]
 * (--root lints another checkout of this repository, e.g. a test fixture.)
 * Lints every profile (HelmRelease of this repo's charts) of every environment; one line per
 * profile with status and duration, each finding below it, then a summary. Exit codes: see
 * tools/lib/cli.ts (1 on any error finding).
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, runCli } from "../lib/cli.ts";
import { listEnvironments } from "../lib/flux.ts";
import { resolveHelm } from "../lib/helm.ts";
import { repoRoot } from "../lib/paths.ts";
import { spawner } from "../lib/spawner.ts";
import { formatReport, reportSummary } from "../lint/format.ts";
import { lintEnvironment } from "../lint/run.ts";
import { requireChart, requireEnv } from "./names.ts";

export const main = defineCli({
  tool: "lint-charts",
  usage: "npm run lint-charts [-- --env E] [--chart C] [--json] [--root DIR] [--chart-mirror DIR]",
  description: `Lints every chart release of every environment (or one): values against the chart schema
(and values files as Flux reads them, YAML 1.1),
helm template (one helm process per release) with helm lint --strict's checks, every rendered object against its Kubernetes/CRD schema, the
chart and inventory rules, the Flux objects and the security policy. One line per release, its
findings below, then a summary. --root lints another checkout of this repository.`,
  options: { env: { type: "string" }, chart: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, emit, path }) => {
  // helm's helper process boots while the environments load (tools/lib/spawner.ts)
  spawner.warm();
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  const root = values.root ? path(values.root) : repoRoot;
  if (values.env) requireEnv(values.env, root);
  if (values.chart) requireChart(values.chart, values.env ? [values.env] : listEnvironments(root), root);
  // helm missing or broken is the tool's environment failing (exit 3), not a finding of a chart.
  const helm = await resolveHelm();
  const report = await lintEnvironment({ env: values.env, chart: values.chart, root, helm });
  if (json) {
    const profiles = report.profiles.map(({ objects, profile, ...p }) => ({ ...p, objects: objects?.length, source: profile?.file }));
    emit({ ok: report.ok, summary: reportSummary(report), findings: report.profiles.flatMap((p) => p.findings), data: { ms: report.ms, profiles } });
  } else {
    out(formatReport(report));
  }
  return report.ok ? 0 : 1;
});

await runCli(main, import.meta.url);
