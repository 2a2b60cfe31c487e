/**
 * npm run render -- --env <env> [--chart <name>] [--out DIR] [--json] [--root DIR]
 * The multi-document YAML Flux would apply for the environment's chart releases: on stdout, or
 * one file per release in DIR (written atomically; DIR relative to where npm was run).
 */
import { join } from "node:path";
import { stringify } from "yaml";
import { writeFilesAtomic } from "../lib/atomic.ts";
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment, type RenderedRelease } from "../lib/render.ts";
import { requireChart, requireEnv } from "./names.ts";

/** The YAML stream of one release, each object headed by its source. */
export function releaseYaml(r: RenderedRelease): string {
  return r.objects.map((o) => `---\n# Source: ${r.source} (release ${r.namespace}/${r.release}, chart ${r.chart})\n${stringify(o)}`).join("");
}

export const main = defineCli({
  tool: "render",
  usage: "npm run render -- --env <env> [--chart <name>] [--out DIR] [--json] [--root DIR] [--chart-mirror DIR]",
  description: `Prints the YAML Flux would apply for the environment's chart releases (or writes one file per
release into DIR). --json prints the objects as data in the common envelope.`,
  options: { env: { type: "string" }, chart: { type: "string" }, out: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, err, emit, path, usage }) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  if (!values.env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(values.env, root);
  if (values.chart) requireChart(values.chart, [values.env], root);
  const releases = await renderEnvironment(values.env, { chart: values.chart, root });
  if (values.chart && releases.length === 0) throw new UsageError(`environment ${values.env} has no HelmRelease of chart ${values.chart} that this repository renders`);
  const summary = `render: ${releases.length} releases, ${releases.reduce((n, r) => n + r.objects.length, 0)} objects`;
  if (values.out) {
    const dir = path(values.out);
    writeFilesAtomic(new Map(releases.map((r) => [join(dir, `${r.namespace}-${r.release}.yaml`), releaseYaml(r)])));
    for (const r of releases) err(`INFO - wrote ${join(values.out, `${r.namespace}-${r.release}.yaml`)} (${r.objects.length} objects)`);
  }
  if (json) emit({ ok: true, summary, findings: [], data: { releases } });
  else if (!values.out) out(releases.map(releaseYaml).join(""));
  return 0;
});

await runCli(main, import.meta.url);
