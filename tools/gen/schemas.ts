/**
 * JSON schemas from the TypeScript types in schema/, with typescript-json-schema (draft-07).
 *
 * Chart values schemas get: an explicit `$schema` (Helm >= 3.18.5 and Helm 4 read a schema
 * without one as draft 2020-12), `additionalProperties: false` on every object we define, and a
 * `global` property at the root, because Helm injects `global` into every chart's values
 * (helm#10392). Definition names lose typescript-json-schema's path hashes so the output is the
 * same in every checkout.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TJS from "typescript-json-schema";
import { ContentCache, contentKey, directoryDigest } from "../lib/content-cache.ts";
import { repoRoot } from "../lib/paths.ts";

/**
 * typescript-json-schema, loaded on first use: it loads the TypeScript compiler (~1.4 s), and
 * lint imports this module only for OTHER_SCHEMAS.
 */
function tjs(): typeof TJS {
  return createRequire(import.meta.url)("typescript-json-schema") as typeof TJS;
}

export const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

/** One generated schema. */
export interface SchemaTarget {
  /** TypeScript file, relative to the repo root. */
  source: string;
  /** Exported type to generate from. */
  type: string;
  /** Output JSON file, relative to the repo root. */
  out: string;
  /** Chart values schemas get Helm's `global` property at the root. */
  chart?: string;
  /**
   * For custom resources without a kubernetes-models package (Longhorn, MetalLB): the object's
   * apiVersion and kind; lint validates rendered objects of that kind against this schema.
   */
  crd?: { apiVersion: string; kind: string };
}

/** Schemas that are not chart values: listed here, one line each. */
export const OTHER_SCHEMAS: SchemaTarget[] = [
  { source: "schema/cluster.ts", type: "Cluster", out: "schema/generated/cluster.schema.json" },
  { source: "schema/flux.ts", type: "HelmRelease", out: "schema/generated/helmrelease.schema.json" },
  { source: "schema/policy.ts", type: "Policy", out: "schema/generated/policy.schema.json" },
  { source: "schema/flux.ts", type: "GitRepository", out: "schema/generated/gitrepository.schema.json" },
  { source: "schema/flux.ts", type: "HelmRepository", out: "schema/generated/helmrepository.schema.json" },
  { source: "schema/notification.ts", type: "Provider", out: "schema/generated/provider.schema.json" },
  { source: "schema/notification.ts", type: "Alert", out: "schema/generated/alert.schema.json" },
  { source: "schema/upstream/traefik.ts", type: "TraefikValues", out: "schema/generated/upstream-traefik.schema.json" },
  { source: "schema/upstream/metallb.ts", type: "MetallbValues", out: "schema/generated/upstream-metallb.schema.json" },
  {
    source: "schema/crds/longhorn.ts",
    type: "Setting",
    out: "schema/generated/crd-longhorn-setting.schema.json",
    crd: { apiVersion: "longhorn.io/v1beta2", kind: "Setting" },
  },
  {
    source: "schema/crds/longhorn.ts",
    type: "RecurringJob",
    out: "schema/generated/crd-longhorn-recurringjob.schema.json",
    crd: { apiVersion: "longhorn.io/v1beta2", kind: "RecurringJob" },
  },
  {
    source: "schema/crds/longhorn.ts",
    type: "BackupTarget",
    out: "schema/generated/crd-longhorn-backuptarget.schema.json",
    crd: { apiVersion: "longhorn.io/v1beta2", kind: "BackupTarget" },
  },
  {
    source: "schema/crds/metallb.ts",
    type: "IPAddressPool",
    out: "schema/generated/crd-metallb-ipaddresspool.schema.json",
    crd: { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool" },
  },
  {
    source: "schema/crds/metallb.ts",
    type: "L2Advertisement",
    out: "schema/generated/crd-metallb-l2advertisement.schema.json",
    crd: { apiVersion: "metallb.io/v1beta1", kind: "L2Advertisement" },
  },
  { source: "schema/upstream/longhorn.ts", type: "LonghornValues", out: "schema/generated/upstream-longhorn.schema.json" },
  // homelab's two storage nodes make the seed's replica count a const there (upstream-<chart>-<env>
  // is preferred over upstream-<chart> for that environment).
  { source: "schema/upstream/longhorn.ts", type: "HomelabLonghornValues", out: "schema/generated/upstream-longhorn-homelab.schema.json" },
];

/** Chart directories under charts/ (those with a Chart.yaml), sorted. */
export function listCharts(root = repoRoot): string[] {
  const dir = join(root, "charts");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "Chart.yaml")))
    .map((d) => d.name)
    .sort();
}

/** Every schema this repo generates: one per chart, plus OTHER_SCHEMAS (and optional extras). */
export function schemaTargets(root = repoRoot): SchemaTarget[] {
  const charts = listCharts(root).map((chart) => ({
    source: `schema/${chart}.ts`,
    type: "Values",
    out: `charts/${chart}/values.schema.json`,
    chart,
  }));
  const extra = OTHER_SCHEMAS.filter((t) => existsSync(join(root, t.source)));
  return [...charts, ...extra];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SETTINGS: TJS.PartialArgs = {
  required: true,
  noExtraProps: true,
  strictNullChecks: true,
  uniqueNames: true,
  ref: true,
  topRef: false,
  titles: false,
  defaultProps: false,
  // `@propertyNames {...}` on a map type: its keys' pattern (media-apps' app names are DNS labels).
  validationKeywords: ["propertyNames"],
};

const COMPILER_OPTIONS = {
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  module: "nodenext",
  moduleResolution: "nodenext",
  target: "es2023",
  types: [],
};

/** Generates the schemas of `targets`; returns output path (relative) → JSON object. */
export function generateSchemas(targets: SchemaTarget[], root = repoRoot): Map<string, JsonObject> {
  for (const t of targets) {
    if (!existsSync(join(root, t.source))) {
      throw new Error(
        `${t.source} does not exist, but ${t.chart ? `charts/${t.chart} is a chart` : "it is listed in OTHER_SCHEMAS"}. ` +
          `Fix: write ${t.source} exporting \`${t.type}\`.`,
      );
    }
  }
  // The output is a function of schema/'s TypeScript, the packages it imports (pinned by
  // package-lock.json), the settings below and this file's post-processing: kept under their hash
  // (tools/lib/content-cache.ts), so --check and the tests do not build the TypeScript program
  // (~2.5 s of CPU) for types they generated before. A program with type errors is never kept.
  const key = contentKey([
    "gen-schema",
    targets,
    directoryDigest(join(root, "schema"), (rel) => rel.endsWith(".ts") && !rel.startsWith("generated/")),
    readFileSync(join(repoRoot, "package-lock.json"), "utf8"),
    readFileSync(fileURLToPath(import.meta.url), "utf8"),
  ]);
  const cached = SCHEMA_CACHE.get(key);
  if (cached) return new Map(Object.entries(cached));
  const out = generateUncached(targets, root);
  SCHEMA_CACHE.set(key, Object.fromEntries(out));
  return out;
}

const SCHEMA_CACHE = new ContentCache<Record<string, JsonObject>>(join(repoRoot, ".cache", "gen-schema"), 200);

function generateUncached(targets: SchemaTarget[], root: string): Map<string, JsonObject> {
  const program = tjs().getProgramFromFiles(
    [...new Set(targets.map((t) => join(root, t.source)))],
    COMPILER_OPTIONS,
    root,
  );
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    const where = d.file ? `${d.file.fileName.replace(`${root}/`, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "schema";
    const text = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
    // exitCode 1: a finding in schema/ (tools/lib/cli.ts), not the tool failing.
    throw Object.assign(new Error(`${where}: ${text.replace(/\.$/, "")}. Fix the type before generating schemas (npm run typecheck shows all errors).`), { exitCode: 1 });
  }
  const generator = tjs().buildGenerator(program, SETTINGS);
  if (!generator) throw new Error("typescript-json-schema could not build a generator for schema/");
  const out = new Map<string, JsonObject>();
  for (const t of targets) {
    const file = join(root, t.source).replace(/\.ts$/, "");
    const symbol = generator.getSymbols(t.type).find((s) => s.fullyQualifiedName === `"${file}".${t.type}`);
    if (!symbol) throw new Error(`${t.source} does not export a type named ${t.type}. Fix: export interface ${t.type} { ... }.`);
    const raw = generator.getSchemaForSymbol(symbol.name) as unknown as JsonObject;
    out.set(t.out, finish(raw, t));
  }
  return out;
}

/** Post-processing: stable definition names, no TJS noise, `$schema` first, `global` for charts. */
function finish(raw: JsonObject, target: SchemaTarget): JsonObject {
  const defs = (raw.definitions ?? {}) as JsonObject;
  const rename = new Map<string, string>();
  for (const name of Object.keys(defs)) {
    // `import("/abs/path/schema/common",{...}).Image` or `Image.1a2b3c4d` -> `Image`
    const plain = name.replace(/^import\(.*\)\./, "").replace(/\.[0-9a-f]{8}$/, "");
    if ([...rename.values()].includes(plain)) {
      throw new Error(`two types named ${plain} are used by ${target.source}; give one of them another name.`);
    }
    rename.set(name, plain);
  }
  const fix = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(fix);
    if (node === null || typeof node !== "object") return node;
    const res: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "defaultProperties") continue;
      if (k === "$ref" && typeof v === "string") {
        const m = /^#\/definitions\/(.+)$/.exec(v);
        res[k] = m ? `#/definitions/${rename.get(decodeURIComponent(m[1])) ?? m[1]}` : v;
      } else if (k === "definitions" && node === raw) {
        const d: JsonObject = {};
        // Sorted by the final name: the raw one can carry the import path, which differs by checkout.
        const final = (n: string) => rename.get(n) ?? n;
        for (const [dn, dv] of Object.entries(v as JsonObject).sort(([a], [b]) => final(a).localeCompare(final(b)))) {
          d[rename.get(dn) ?? dn] = fix(dv);
        }
        res[k] = d;
      } else res[k] = fix(v);
    }
    return res;
  };
  const body = fix(raw) as JsonObject;
  delete body.$schema;
  const result: JsonObject = { $schema: DRAFT_07, ...body };
  if (target.chart) {
    const props = (result.properties ?? {}) as JsonObject;
    props.global = {
      description: "Helm's global values. Helm injects this key into every chart; this chart does not read it.",
      type: "object",
    };
    result.properties = props;
  }
  return result;
}

/** The canonical text of a generated JSON file. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
