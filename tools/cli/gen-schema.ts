/**
 * npm run gen-schema [-- --check] [--json] [--root DIR]
 * Regenerates values.schema.json, the README values tables and the shared templates from schema/
 * and tools/templates/. With --check, writes nothing and exits 1 naming each drifted file.
 */
import { join } from "node:path";
import { generateAll, drifted } from "../gen/index.ts";
import { writeFilesAtomic } from "../lib/atomic.ts";
import { defineCli, runCli } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";

export const main = defineCli({
  tool: "gen-schema",
  usage: "npm run gen-schema [-- --check] [--json] [--root DIR]",
  description: `Regenerates the values schemas, editor schemas, README values tables, shared templates and the
fencing bundle from schema/ and tools/. --check writes nothing and fails on drift.`,
  options: { check: { type: "boolean" }, json: { type: "boolean" }, root: { type: "string" } },
}, async ({ values, json, out, err, emit, path }) => {
  // --root: another checkout of this repository (tests use throw-away copies).
  const root = values.root ? path(values.root) : repoRoot;
  const files = await generateAll(root);
  const stale = drifted(files, root);
  if (values.check) {
    const findings = stale.map((p): Finding => ({ severity: "error", location: { file: p, line: 0, col: 0 }, rule: "gen-schema/drift", message: "is out of date. Fix: run `npm run gen-schema` and commit the result." }));
    const summary = `gen-schema --check: ${files.size} generated files, ${stale.length} drifted`;
    if (json) emit({ ok: stale.length === 0, summary, findings });
    else {
      for (const p of stale) err(`ERROR - ${p} is out of date. Fix: run \`npm run gen-schema\` and commit the result.`);
      out(`${stale.length === 0 ? "INFO" : "ERROR"} - ${summary}`);
    }
    return stale.length === 0 ? 0 : 1;
  }
  writeFilesAtomic(new Map(stale.map((p) => [join(root, p), files.get(p)!])));
  const summary = `gen-schema: ${files.size} generated files, ${stale.length} updated`;
  if (json) emit({ ok: true, summary, findings: [], data: { written: stale } });
  else out([...stale.map((p) => `INFO - wrote ${p}`), `INFO - ${summary}`].join("\n"));
  return 0;
});

await runCli(main, import.meta.url);
