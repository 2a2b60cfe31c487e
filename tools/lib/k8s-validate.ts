/**
 * Offline validation of rendered objects against their Kubernetes OpenAPI schema
 * (kubernetes-models, @kubernetes-models/flux-cd) or, for custom resources without a models
 * package, against the JSON schema generated from our own type of the CRD (OTHER_SCHEMAS entries
 * with `crd`). An object whose kind has no schema is an error, not a skip.
 *
 * The models' validators, like the OpenAPI schemas they come from, do not close objects; unknown
 * fields of the common kinds are found by tools/lib/k8s-strict.ts from the models' declarations.
 */
import { join } from "node:path";
import { OTHER_SCHEMAS } from "../gen/schemas.ts";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./render.ts";
import { unknownFields } from "./k8s-strict.ts";
import { compileSchema } from "./values-validate.ts";

type Validator = (obj: K8sObject) => { path: string; message: string }[];

const cache = new Map<string, Promise<Validator | undefined>>();

interface ModelError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The model's own validator, run on the object as parsed. `new Model(obj).validate()` would first
 * deep-copy the object (@kubernetes-models/base Model's constructor drops undefined values, which
 * parsed YAML never has) and then run `runValidateFunc(schemaValidator, this)`, which neither
 * coerces nor fills defaults; calling that method on the object itself checks the same data
 * without the copy (31 MB of a 200-app lint's ~740 MB of allocations; issue 18).
 */
function fromModel(Model: new (data: unknown) => { validate(): void }): Validator {
  const validate = Model.prototype.validate;
  return (obj) => {
    try {
      validate.call(obj);
      return [];
    } catch (err) {
      const errors = ((err as { errors?: ModelError[] }).errors ?? [{ message: (err as Error).message }]);
      return errors.map((e) => ({ path: (e.instancePath ?? "").replace(/^\//, "").replaceAll("/", "."), message: e.message ?? String(e) }));
    }
  };
}

async function findValidator(apiVersion: string, kind: string, root: string): Promise<Validator | undefined> {
  const custom = OTHER_SCHEMAS.find((t) => t.crd?.apiVersion === apiVersion && t.crd.kind === kind);
  if (custom) {
    const validate = compileSchema(join(root, custom.out));
    return (obj) => (validate(obj) ? [] : (validate.errors ?? []).map((e) => ({ path: e.instancePath.replace(/^\//, "").replaceAll("/", "."), message: e.message ?? e.keyword })));
  }
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const candidates = group.endsWith("toolkit.fluxcd.io")
    ? [`@kubernetes-models/flux-cd/${group}/${version}/${kind}`]
    : [group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`];
  for (const spec of candidates) {
    try {
      const mod = (await import(spec)) as Record<string, new (data: unknown) => { validate(): void }>;
      if (mod[kind]) return fromModel(mod[kind]);
    } catch {
      // not this package
    }
  }
  return undefined;
}

/** Errors of one object against its schema; a kind without a schema is one error saying so. */
export async function validateObject(obj: K8sObject, root = repoRoot): Promise<string[]> {
  const key = `${obj.apiVersion}|${obj.kind}`;
  let v = cache.get(key);
  if (!v) {
    v = findValidator(obj.apiVersion, obj.kind, root);
    cache.set(key, v);
  }
  const validator = await v;
  if (!validator) {
    return [`no schema for ${obj.apiVersion} ${obj.kind}, so it cannot be validated offline. Fix: use a kind that kubernetes-models knows, or add a typed CRD schema to OTHER_SCHEMAS in tools/gen/schemas.ts`];
  }
  const errors = validator(obj).map((e) => `${e.path || "(root)"}: ${e.message}`);
  if (errors.length > 0) return errors;
  return unknownFields(obj).map(
    (path) => `${path}: unknown field: ${obj.apiVersion} ${obj.kind} has no such field, so the API server would drop it (or reject the object under strict field validation). Fix: correct its name in the chart template`,
  );
}
