/**
 * Unknown fields in rendered objects.
 *
 * kubernetes-models validates types and required fields, but its schemas (like the OpenAPI ones
 * they come from) do not close objects, so a misspelt field in a template passes: `mountPropogation`
 * would render, validate, and be dropped by the API server (or rejected under strict field
 * validation), silently losing the DFS propagation. This module derives closed JSON schemas from
 * kubernetes-models' own TypeScript declarations (typescript-json-schema with noExtraProps) for the
 * kinds the charts render, and reports every field the Kubernetes API does not have.
 *
 * The schemas are derived from a dependency, not from this repository's sources, so they are not
 * committed: they are built on first use (about 3 s) into .cache/k8s-strict/, keyed by the
 * kubernetes-models version, and written atomically. typescript-json-schema (and with it the
 * TypeScript compiler, ~1.4 s to load) is imported only then; each kind's validator is compiled
 * once into .cache/ajv (tools/lib/validators.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ValidateFunction } from "ajv";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./render.ts";
import { cachedDefinitionValidators } from "./validators.ts";

/** The kinds checked for unknown fields: `apiVersion/Kind` → declaration file under kubernetes-models. */
export const STRICT_KINDS: Record<string, string> = {
  "v1/ConfigMap": "v1/ConfigMap",
  "v1/Secret": "v1/Secret",
  "v1/Service": "v1/Service",
  "v1/ServiceAccount": "v1/ServiceAccount",
  "v1/PersistentVolume": "v1/PersistentVolume",
  "v1/PersistentVolumeClaim": "v1/PersistentVolumeClaim",
  "v1/Namespace": "v1/Namespace",
  "v1/Pod": "v1/Pod",
  "apps/v1/Deployment": "apps/v1/Deployment",
  "apps/v1/StatefulSet": "apps/v1/StatefulSet",
  "apps/v1/DaemonSet": "apps/v1/DaemonSet",
  "batch/v1/Job": "batch/v1/Job",
  "batch/v1/CronJob": "batch/v1/CronJob",
  "networking.k8s.io/v1/Ingress": "networking.k8s.io/v1/Ingress",
  "rbac.authorization.k8s.io/v1/Role": "rbac.authorization.k8s.io/v1/Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "rbac.authorization.k8s.io/v1/RoleBinding",
  "rbac.authorization.k8s.io/v1/ClusterRole": "rbac.authorization.k8s.io/v1/ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
  "storage.k8s.io/v1/StorageClass": "storage.k8s.io/v1/StorageClass",
  "policy/v1/PodDisruptionBudget": "policy/v1/PodDisruptionBudget",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Bundle = { definitions: Record<string, Json>; kinds: Record<string, string> };

function modelsDir(): { dir: string; version: string } {
  const require = createRequire(join(repoRoot, "package.json"));
  const pkg = require.resolve("kubernetes-models/package.json");
  return { dir: dirname(pkg), version: (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version };
}

/** `import("/…/node_modules/kubernetes-models/v1/VolumeMount",{…}).IVolumeMount` → `v1.VolumeMount.IVolumeMount` */
function cleanName(name: string): string {
  const m = /^import\("(?:.*\/node_modules\/)?([^"]+)",.*\)\.(\w+)$/.exec(name);
  return (m ? `${m[1]}.${m[2]}` : name).replace(/[^A-Za-z0-9_.-]/g, "_");
}

function build(dir: string): Bundle {
  // CommonJS, required here (not imported at the top) so a lint run with a warm cache never loads it.
  const TJS = createRequire(import.meta.url)("typescript-json-schema") as typeof import("typescript-json-schema");
  const files = Object.values(STRICT_KINDS).map((f) => join(dir, `${f}.d.ts`));
  const program = TJS.getProgramFromFiles(files, { strict: true, skipLibCheck: true, module: "nodenext", moduleResolution: "nodenext", target: "es2023" }, repoRoot);
  const generator = TJS.buildGenerator(program, { required: false, noExtraProps: true, ref: true, topRef: false, ignoreErrors: true, uniqueNames: false });
  if (!generator) throw new Error("typescript-json-schema could not read kubernetes-models' declarations");
  const bundle: Bundle = { definitions: {}, kinds: {} };
  const fix = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(fix);
    if (node === null || typeof node !== "object") return node;
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out[k] = `#/definitions/${cleanName(decodeURIComponent(v.replace("#/definitions/", "")))}`;
      else if (k === "definitions" || k === "description" || k === "defaultProperties") continue;
      else out[k] = fix(v);
    }
    return out;
  };
  for (const [kind, file] of Object.entries(STRICT_KINDS)) {
    const iface = `I${file.split("/").pop()}`;
    const schema = generator.getSchemaForSymbol(iface) as unknown as { definitions?: Record<string, Json> };
    for (const [name, def] of Object.entries(schema.definitions ?? {})) bundle.definitions[cleanName(name)] = fix(def);
    const top = `${file.replaceAll("/", ".")}.${iface}`;
    bundle.definitions[top] = fix(schema as Json);
    bundle.kinds[kind] = top;
  }
  return bundle;
}

let loaded: Bundle | undefined;
let validators: Record<string, ValidateFunction> | undefined;

/** The closed schemas, from the cache or built now (and cached atomically). */
export function strictBundle(): Bundle {
  if (loaded) return loaded;
  const { dir, version } = modelsDir();
  const cache = join(repoRoot, ".cache", "k8s-strict", `kubernetes-models-${version}.json`);
  if (existsSync(cache)) {
    loaded = JSON.parse(readFileSync(cache, "utf8")) as Bundle;
    return loaded;
  }
  loaded = build(dir);
  mkdirSync(dirname(cache), { recursive: true });
  const tmp = `${cache}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(loaded));
  renameSync(tmp, cache);
  return loaded;
}

/** The validator of each kind in STRICT_KINDS: the closed schemas compiled once (tools/lib/validators.ts). */
export function strictValidators(): Record<string, ValidateFunction> {
  if (!validators) {
    const bundle = strictBundle();
    validators = cachedDefinitionValidators(bundle.definitions, Object.fromEntries(Object.entries(bundle.kinds).map(([k, top]) => [k, `#/definitions/${top}`])), "closed");
  }
  return validators;
}

/**
 * Fields of `obj` that its kind does not have, as `path.to.field` strings; [] for a kind outside
 * STRICT_KINDS (its types are still validated by kubernetes-models).
 */
export function unknownFields(obj: K8sObject): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (!STRICT_KINDS[key]) return [];
  const validate = strictValidators()[key];
  if (validate(obj)) return [];
  const out = new Set<string>();
  for (const e of validate.errors ?? []) {
    if (e.keyword !== "additionalProperties") continue;
    const base = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
    out.add(`${base ? `${base}.` : ""}${String((e.params as { additionalProperty: string }).additionalProperty)}`);
  }
  return [...out].sort();
}
