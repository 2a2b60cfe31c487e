/**
 * Editor completion: every values file, inventory and Flux object file starts with a
 * `# yaml-language-server: $schema=<relative path>` line that resolves to the right schema.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parseAllDocuments } from "yaml";
import { listEnvironments, loadEnvironment } from "../../tools/lib/flux.ts";
import { listCharts } from "../../tools/gen/schemas.ts";
import { repoRoot } from "../../tools/lib/paths.ts";

const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** The schema a file must name, by what it holds. */
function expectedSchema(file: string): string | undefined {
  const rel = relative(repoRoot, file);
  if (/^values\/[^/]+\/cluster\.yaml$/.test(rel)) return "schema/generated/cluster.schema.json";
  if (/^values\/[^/]+\/policy\.yaml$/.test(rel)) return "schema/generated/policy.schema.json";
  const chart = /^values\/[^/]+\/([^/]+)\.yaml$/.exec(rel)?.[1];
  if (chart) return `schema/generated/values-${chart}.overlay.schema.json`;
  if (/^charts\/[^/]+\/values\.yaml$/.test(rel)) return `${dirname(rel)}/values.schema.json`;
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as { kind?: string; spec?: { chart?: { spec?: { chart?: string } } } } | null);
  const first = docs.find((d) => d?.kind);
  if (first?.kind === "HelmRelease") {
    const name = first.spec!.chart!.spec!.chart!.replace(/^\.\/charts\//, "");
    // An environment with stricter rules for an upstream release has its own editor schema.
    const env = /^clusters\/([^/]+)\//.exec(rel)?.[1];
    const perEnv = `schema/generated/helmrelease-${name}-${env}.schema.json`;
    return existsSync(join(repoRoot, perEnv)) ? perEnv : `schema/generated/helmrelease-${name}.schema.json`;
  }
  if (first?.kind === "HelmRepository") return "schema/generated/helmrepository.schema.json";
  if (first?.kind === "GitRepository") return "schema/generated/gitrepository.schema.json";
  if (first?.kind === "IPAddressPool") return "schema/generated/crd-metallb-ipaddresspool.schema.json";
  if (first?.kind === "L2Advertisement") return "schema/generated/crd-metallb-l2advertisement.schema.json";
  return undefined;
}

const files = [...yamlFiles(join(repoRoot, "values")), ...yamlFiles(join(repoRoot, "clusters")), ...yamlFiles(join(repoRoot, "charts")).filter((f) => f.endsWith("/values.yaml") && !f.includes("/templates/"))];

describe("yaml-language-server modelines", () => {
  const rows = files.map((f) => ({ file: relative(repoRoot, f), want: expectedSchema(f) })).filter((r) => r.want);

  it("covers every values file, inventory and HelmRelease", () => {
    expect(rows.filter((r) => r.file.startsWith("values/")).length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => r.want!.includes("helmrelease-")).length).toBeGreaterThanOrEqual(10);
  });

  it.each(rows)("$file names $want", ({ file, want }) => {
    const first = readFileSync(join(repoRoot, file), "utf8").split("\n")[0];
    const m = MODELINE.exec(first);
    expect(m, `${file} must start with # yaml-language-server: $schema=...`).not.toBeNull();
    const target = resolve(dirname(join(repoRoot, file)), m![1]);
    expect(relative(repoRoot, target)).toBe(want);
    expect(existsSync(target), `${m![1]} does not exist`).toBe(true);
  });

  it("covers every HelmRelease of every environment, and each environment's cluster.yaml", () => {
    for (const env of listEnvironments()) {
      const releases = new Set(loadEnvironment(env).objects.filter((o) => o.obj.kind === "HelmRelease").map((o) => o.file));
      expect(releases.size).toBeGreaterThan(0);
      for (const file of releases) expect(rows.map((r) => r.file), file).toContain(file);
      expect(rows).toContainEqual({ file: `values/${env}/cluster.yaml`, want: "schema/generated/cluster.schema.json" });
    }
  });
});

// ajv-formats is CommonJS; under ESM its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** A JSON schema with its `$id` set to its file URL, so relative `$ref`s between files resolve. */
function loadSchema(path: string): Record<string, unknown> {
  return { ...(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>), $id: pathToFileURL(path).href };
}

/** The file-relative `$ref`s of a schema (not `#/definitions/...`), resolved to absolute paths. */
function fileRefs(schemaPath: string): string[] {
  const refs = [...readFileSync(schemaPath, "utf8").matchAll(/"\$ref":\s*"([^"#]+)"/g)].map((m) => resolve(dirname(schemaPath), m[1]));
  return [...new Set(refs)];
}

describe("HelmRelease editor schemas", () => {
  const hrSchemas = [
    // Our charts' spec.values override their valuesFiles: the overlay schema (no required keys).
    ...listCharts().map((c) => ({ name: c, values: `schema/generated/values-${c}.overlay.schema.json` })),
    ...["longhorn", "longhorn-homelab", "traefik", "metallb"].map((c) => ({ name: c, values: `schema/generated/upstream-${c}.schema.json` })),
  ];

  it.each(hrSchemas)("helmrelease-$name.schema.json: spec.values refers to $values", ({ name, values }) => {
    const path = join(repoRoot, "schema/generated", `helmrelease-${name}.schema.json`);
    const schema = JSON.parse(readFileSync(path, "utf8")) as { properties: { spec: { properties: { values: { $ref: string } } } } };
    // The spec is a definition of its own (the helm-controller v2 spec from @kubernetes-models/flux-cd).
    const specRef = (schema.properties.spec as { $ref?: string }).$ref;
    const spec = specRef ? (schema as unknown as { definitions: Record<string, typeof schema.properties.spec> }).definitions[specRef.split("/").pop()!] : schema.properties.spec;
    const ref = spec.properties.values.$ref;
    expect(relative(repoRoot, resolve(dirname(path), ref))).toBe(values);
    expect(existsSync(resolve(dirname(path), ref))).toBe(true);
  });

  it.each(listCharts())("helmrelease-%s.schema.json accepts a partial spec.values (no \"Missing property\" in the editor)", (chart) => {
    const path = join(repoRoot, "schema/generated", `helmrelease-${chart}.schema.json`);
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    for (const ref of fileRefs(path)) ajv.addSchema(loadSchema(ref));
    const validate = ajv.compile(loadSchema(path));
    const hr = { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: chart, namespace: "media" }, spec: { interval: "10m", chart: { spec: { chart: `./charts/${chart}`, sourceRef: { kind: "GitRepository", name: "x" } } }, values: {} } };
    expect(validate(hr) ? [] : validate.errors!.filter((e) => e.instancePath.startsWith("/spec/values")).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });
});

// What an editor shows: a committed file must be valid against the schema its modeline names,
// or yaml-language-server marks it with errors. Values overlays (values/<env>/<chart>.yaml) set a
// few keys on top of the chart's values.yaml, so they need a schema without `required`.
describe("every file is valid against the schema its modeline names", () => {
  const rows = files
    .map((f) => ({ file: relative(repoRoot, f), m: MODELINE.exec(readFileSync(f, "utf8").split("\n")[0]) }))
    .filter((r) => r.m)
    .map((r) => ({ file: r.file, schema: resolve(dirname(join(repoRoot, r.file)), r.m![1]) }));

  // Many files name the same schema: compile each schema once per run, not once per file.
  const compiled = new Map<string, ValidateFunction>();
  const validatorOf = (schema: string): ValidateFunction => {
    let validate = compiled.get(schema);
    if (!validate) {
      const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
      addFormats(ajv);
      for (const ref of fileRefs(schema)) ajv.addSchema(loadSchema(ref));
      validate = ajv.compile(loadSchema(schema));
      compiled.set(schema, validate);
    }
    return validate;
  };

  it.each(rows)("$file", ({ file, schema }) => {
    const validate = validatorOf(schema);
    for (const doc of parseAllDocuments(readFileSync(join(repoRoot, file), "utf8"))) {
      const value = doc.toJS() as unknown;
      if (value === null) continue;
      // A file flux bootstrap owns holds two kinds (gotk-sync.yaml: GitRepository + Kustomization);
      // its modeline's schema is for the first, the others are checked by lint against their CRDs.
      const kind = (loadSchema(schema).properties as { kind?: { const?: string } } | undefined)?.kind?.const;
      if (kind && (value as { kind?: string }).kind !== kind) continue;
      const ok = validate(value);
      expect(ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`), `${file} against ${relative(repoRoot, schema)}`).toEqual([]);
    }
  });
});
