/**
 * Compiles a job of charts/ha-jobs (tools/fencing/main.ts, tools/report/main.ts and what they
 * import) into one ESM file that plain `node` runs: no tsx, no node_modules at runtime. The chart
 * ships the result as a ConfigMap, drift-checked like the schemas (`npm run gen-schema`), so the
 * output must be byte-for-byte deterministic: esbuild is, given the same input, options and
 * version, and `absWorkingDir` is pinned to the repository root so the path comments esbuild
 * writes (`// tools/fencing/decide.ts`) do not depend on the caller's working directory.
 *
 * esbuild comes in through tsx (esbuild 0.28.x). npm did not run esbuild's postinstall script
 * here, which only matters for the `esbuild` CLI shim: the JS API finds the native binary of the
 * optional dependency `@esbuild/linux-x64` itself and works without it.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

/** Repository root (two levels above tools/lib). */
const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** First line of a job's bundle. A `/*!` comment is a legal comment: minifiers keep it. */
export function bundleBanner(job: string): string {
  return `/*! ${job}-job: GENERATED from tools/${job}/ by tools/${job}/bundle.ts. Do not edit: change the TypeScript source and regenerate. */`;
}

/** Bundles tools/<job>/main.ts into one ESM file (Node 22+) and returns its code. */
export async function bundleJob(job: string): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`tools/${job}/main.ts`],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: false,
    sourcemap: false,
    legalComments: "inline",
    charset: "utf8",
    banner: { js: bundleBanner(job) },
    logLevel: "silent",
    outfile: `${job}-job.mjs`,
  });
  const file = result.outputFiles?.[0];
  if (!file || result.outputFiles.length !== 1) {
    throw new Error(`esbuild produced ${result.outputFiles?.length ?? 0} files for the ${job} job, expected 1`);
  }
  return file.text;
}
