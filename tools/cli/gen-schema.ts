/**
 * npm run gen-schema [-- --check] [--root DIR]
 * Regenerates values.schema.json, the README values tables and the shared templates from schema/
 * and tools/templates/. With --check, writes nothing and exits 1 naming each drifted file.
 */
import { join, resolve } from "node:path";
import { generateAll, drifted } from "../gen/index.ts";
import { writeFilesAtomic } from "../lib/atomic.ts";
import { repoRoot } from "../lib/paths.ts";
import { parseCli, runMain } from "../lib/cli.ts";

const USAGE = "usage: npm run gen-schema [-- --check] [--root DIR]";

await runMain(async () => {
  const { values } = parseCli({ options: { check: { type: "boolean", default: false }, root: { type: "string" } }, strict: true }, USAGE);
  // --root: another checkout of this repository (tests use throw-away copies).
  const root = values.root ? resolve(values.root) : repoRoot;
  const files = await generateAll(root);
  const stale = drifted(files, root);
  if (values.check) {
    for (const path of stale) console.error(`ERROR - ${path} is out of date. Fix: run \`npm run gen-schema\` and commit the result.`);
    console.log(`${stale.length === 0 ? "INFO" : "ERROR"} - gen-schema --check: ${files.size} generated files, ${stale.length} drifted`);
    return stale.length === 0 ? 0 : 1;
  }
  writeFilesAtomic(new Map(stale.map((p) => [join(root, p), files.get(p)!])));
  for (const path of stale) console.log(`INFO - wrote ${path}`);
  console.log(`INFO - gen-schema: ${files.size} generated files, ${stale.length} updated`);
  return 0;
});
