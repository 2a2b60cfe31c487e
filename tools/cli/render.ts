/**
 * npm run render -- --env <env> [--chart <name>] [--out DIR]
 * The multi-document YAML Flux would apply for the environment's chart releases: on stdout, or
 * one file per release in DIR (written atomically).
 */
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { writeFilesAtomic } from "../lib/atomic.ts";
import { parseCli, UsageError, runMain } from "../lib/cli.ts";
import { renderEnvironment, type RenderedRelease } from "../lib/render.ts";

const USAGE = "usage: npm run render -- --env <env> [--chart <name>] [--out DIR] [--root DIR]";

/** The YAML stream of one release, each object headed by its source. */
export function releaseYaml(r: RenderedRelease): string {
  return r.objects.map((o) => `---\n# Source: ${r.source} (release ${r.namespace}/${r.release}, chart ${r.chart})\n${stringify(o)}`).join("");
}

await runMain(async () => {
  const { values } = parseCli({
    options: { env: { type: "string" }, chart: { type: "string" }, out: { type: "string" }, root: { type: "string" } },
    strict: true,
  }, USAGE);
  if (!values.env) throw new UsageError(`--env is required. ${USAGE}`);
  const releases = await renderEnvironment(values.env, { chart: values.chart, root: values.root ? resolve(values.root) : undefined });
  if (values.chart && releases.length === 0) throw new Error(`environment ${values.env} has no HelmRelease of chart ${values.chart}`);
  if (values.out) {
    const dir = resolve(values.out);
    writeFilesAtomic(new Map(releases.map((r) => [join(dir, `${r.namespace}-${r.release}.yaml`), releaseYaml(r)])));
    for (const r of releases) console.error(`INFO - wrote ${join(values.out, `${r.namespace}-${r.release}.yaml`)} (${r.objects.length} objects)`);
  } else {
    process.stdout.write(releases.map(releaseYaml).join(""));
  }
  return 0;
});
