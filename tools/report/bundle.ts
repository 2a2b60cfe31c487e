/**
 * Compiles the report job (tools/report/main.ts) into one ESM file plain `node` runs, as
 * tools/fencing/bundle.ts does for the fencing job (same esbuild options, deterministic output):
 * charts/ha-jobs/files/report.mjs, written and drift-checked by `npm run gen-schema`.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export const BUNDLE_BANNER = "/*! report-job: GENERATED from tools/report/ by tools/report/bundle.ts. Do not edit: change the TypeScript source and regenerate. */";

export async function bundleReport(): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["tools/report/main.ts"],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: false,
    sourcemap: false,
    legalComments: "inline",
    charset: "utf8",
    banner: { js: BUNDLE_BANNER },
    logLevel: "silent",
    outfile: "report-job.mjs",
  });
  const file = result.outputFiles?.[0];
  if (!file || result.outputFiles.length !== 1) throw new Error(`esbuild produced ${result.outputFiles?.length ?? 0} files for the report job, expected 1`);
  return file.text;
}
