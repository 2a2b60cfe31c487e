/**
 * npm run bench [-- --runs N]
 * How long the main job takes: render and full lint per environment, N runs each (after one
 * warm-up run that extracts helm and fills caches), printing min / median / max in milliseconds.
 * A script with numbers, not a timed test: compare its output before and after a change.
 */
import { availableParallelism, cpus } from "node:os";
import { listEnvironments } from "../lib/flux.ts";
import { parseCli, runMain } from "../lib/cli.ts";
import { resolveHelm } from "../lib/helm.ts";
import { renderEnvironment } from "../lib/render.ts";
import { lintEnvironment } from "../lint/run.ts";

const USAGE = "usage: npm run bench [-- --runs N]";

async function time(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

await runMain(async () => {
  const { values } = parseCli({ options: { runs: { type: "string", default: "5" } }, strict: true }, USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs}). ${USAGE}`);
  const helm = await resolveHelm();
  console.log(`INFO - helm ${helm.version} (${helm.source}), node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), ${runs} runs`);
  await lintEnvironment({ helm });
  const rows: string[][] = [["what", "min ms", "median ms", "max ms"]];
  const add = (what: string, t: number[]) => rows.push([what, ...[t[0], t[Math.floor(t.length / 2)], t[t.length - 1]].map((x) => x.toFixed(0))]);
  for (const env of listEnvironments()) {
    add(`render ${env}`, await time(() => renderEnvironment(env, { helm }), runs));
    add(`lint ${env}`, await time(() => lintEnvironment({ env, helm }), runs));
  }
  add("lint all environments", await time(() => lintEnvironment({ helm }), runs));
  const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  "));
  return 0;
});
