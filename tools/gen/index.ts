/**
 * Every generated file of the repo, computed in memory: `npm run gen-schema` writes them
 * (atomically, all or nothing) and `npm run gen-schema -- --check` fails on any drift.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../lib/paths.ts";
import { generateSchemas, jsonText, listCharts, schemaTargets } from "./schemas.ts";
import { withValuesTable } from "./values-table.ts";

/** Generates every file; returns repo-relative path → content. */
export async function generateAll(root = repoRoot): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const schemas = generateSchemas(schemaTargets(root), root);
  for (const [path, schema] of schemas) files.set(path, jsonText(schema));

  const shared = readFileSync(join(root, "tools/templates/shared.tpl"), "utf8");
  for (const chart of listCharts(root)) {
    files.set(`charts/${chart}/templates/_shared.tpl`, shared.replaceAll("CHARTNAME", chart));
    const readmePath = `charts/${chart}/README.md`;
    const current = existsSync(join(root, readmePath)) ? readFileSync(join(root, readmePath), "utf8") : `# ${chart}\n`;
    files.set(readmePath, withValuesTable(current, schemas.get(`charts/${chart}/values.schema.json`)!));
  }
  return files;
}

/** Paths (relative) whose committed content differs from what the generators produce. */
export function drifted(files: ReadonlyMap<string, string>, root = repoRoot): string[] {
  const out: string[] = [];
  for (const [path, content] of files) {
    const abs = join(root, path);
    if (!existsSync(abs) || readFileSync(abs, "utf8") !== content) out.push(path);
  }
  return out;
}
