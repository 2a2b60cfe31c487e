/**
 * Every generated file of the repo, computed in memory: `npm run gen-schema` writes them
 * (atomically, all or nothing) and `npm run gen-schema -- --check` fails on any drift.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../lib/paths.ts";
import { generateSchemas, jsonText, listCharts, schemaTargets } from "./schemas.ts";
import { sharedFor } from "./shared.ts";
import { withValuesTable } from "./values-table.ts";

/** Generates every file; returns repo-relative path → content. */
export async function generateAll(root = repoRoot): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const schemas = generateSchemas(schemaTargets(root), root);
  for (const [path, schema] of schemas) files.set(path, jsonText(schema));

  for (const [path, schema] of editorSchemas(schemas)) files.set(path, jsonText(schema));
  for (const [path, schema] of overlaySchemas(schemas)) files.set(path, jsonText(schema));

  const shared = readFileSync(join(root, "tools/templates/shared.tpl"), "utf8");
  for (const chart of listCharts(root)) {
    files.set(`charts/${chart}/templates/_shared.tpl`, sharedFor(chart, join(root, "charts", chart), shared));
    const readmePath = `charts/${chart}/README.md`;
    const current = existsSync(join(root, readmePath)) ? readFileSync(join(root, readmePath), "utf8") : `# ${chart}\n`;
    files.set(readmePath, withValuesTable(current, schemas.get(`charts/${chart}/values.schema.json`)!));
  }

  // The fencing job's bundle, shipped by charts/ha-jobs as a ConfigMap. Built from this checkout's
  // tools/fencing/ (whatever root), only where the chart exists and once the bundler has landed.
  const bundler = join(repoRoot, "tools/fencing/bundle.ts");
  if (listCharts(root).includes("ha-jobs") && existsSync(bundler)) {
    const { bundleFencing } = (await import(bundler)) as { bundleFencing: () => Promise<string> };
    files.set("charts/ha-jobs/files/fencing.mjs", await bundleFencing());
  }
  // The report job's bundle (Longhorn volume health and the jobs' events to Flux's alerts).
  const reportBundler = join(repoRoot, "tools/report/bundle.ts");
  if (listCharts(root).includes("ha-jobs") && existsSync(reportBundler)) {
    const { bundleReport } = (await import(reportBundler)) as { bundleReport: () => Promise<string> };
    files.set("charts/ha-jobs/files/report.mjs", await bundleReport());
  }
  return files;
}

/**
 * Editor schemas for HelmReleases (as bjw-s app-template ships them): the HelmRelease schema with
 * `spec.values` referring to the values schema of the chart it installs, so an editor completes
 * and checks values inside the Flux object. One per chart of this repo
 * (`helmrelease-<chart>.schema.json`) and per typed upstream release (`upstream-<name>`).
 */
export function editorSchemas(schemas: ReadonlyMap<string, Record<string, unknown>>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const base = schemas.get(HELMRELEASE_SCHEMA);
  if (!base) return out;
  const targets: [string, string][] = [];
  for (const path of schemas.keys()) {
    const chart = /^charts\/([^/]+)\/values\.schema\.json$/.exec(path)?.[1];
    // spec.values of our charts' HelmReleases overrides the valuesFiles: a partial overlay, so the
    // editor checks it against the overlay schema (no required keys; objects stay closed).
    if (chart) targets.push([chart, `./values-${chart}.overlay.schema.json`]);
    const upstream = /^schema\/generated\/upstream-([^/]+)\.schema\.json$/.exec(path)?.[1];
    if (upstream) targets.push([upstream, `./upstream-${upstream}.schema.json`]);
  }
  for (const [name, ref] of targets) {
    const copy = structuredClone(base) as { description?: string; definitions?: Record<string, { properties?: Record<string, unknown> }>; properties: Record<string, { $ref?: string }> };
    // spec is a definition or inline; find the object that holds `values`.
    const holders = [copy.properties.spec, ...Object.values(copy.definitions ?? {})] as { properties?: Record<string, unknown> }[];
    const spec = holders.find((h) => h?.properties && "values" in h.properties && "chart" in h.properties);
    if (!spec?.properties) throw new Error(`${HELMRELEASE_SCHEMA} has no spec.values to point at ${ref}`);
    spec.properties.values = { description: `Values of ${name}, validated against its values schema.`, $ref: ref };
    copy.description = `A Flux HelmRelease of ${name}, with spec.values checked against ${ref.replace(/^(\.\.\/)+|^\.\//, "")}.`;
    out.set(`schema/generated/helmrelease-${name}.schema.json`, copy);
  }
  return out;
}

export const HELMRELEASE_SCHEMA = "schema/generated/helmrelease.schema.json";

/**
 * Editor schemas for an environment's values overrides (`values/<env>/<chart>.yaml`): the chart's
 * values schema with every `required` removed, since an override sets only some keys (the
 * chart's values.yaml supplies the rest; lint validates the merged result). Objects stay closed,
 * so a misspelt key is still marked.
 */
export function overlaySchemas(schemas: ReadonlyMap<string, Record<string, unknown>>): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== "object") return node;
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== "required").map(([k, v]) => [k, strip(v)]));
  };
  for (const [path, schema] of schemas) {
    const chart = /^charts\/([^/]+)\/values\.schema\.json$/.exec(path)?.[1];
    if (!chart) continue;
    const overlay = strip(schema) as Record<string, unknown>;
    overlay.description = `Overrides of charts/${chart} values for one environment: any subset of the chart's keys (the chart's values.yaml supplies the rest).`;
    out.set(`schema/generated/values-${chart}.overlay.schema.json`, overlay);
  }
  return out;
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
