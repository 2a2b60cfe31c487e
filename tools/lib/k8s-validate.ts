/**
 * Offline validation of rendered objects against their Kubernetes OpenAPI schema
 * (kubernetes-models, @kubernetes-models/flux-cd) or, for custom resources without a models
 * package, against the JSON schema generated from our own type of the CRD (OTHER_SCHEMAS entries
 * with `crd`). An object whose kind has no schema is an error, not a skip.
 *
 * Limitation: the models' validators are generated from the OpenAPI schemas, which do not set
 * additionalProperties: false, so an unknown field is not reported here (the API server would
 * drop or reject it depending on field validation).
 */
import { join } from "node:path";
import { OTHER_SCHEMAS } from "../gen/schemas.ts";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./render.ts";
import { compileSchema } from "./values-validate.ts";

type Validator = (obj: K8sObject) => { path: string; message: string }[];

const cache = new Map<string, Promise<Validator | undefined>>();

interface ModelError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fromModel(Model: new (data: unknown) => { validate(): void }): Validator {
  return (obj) => {
    try {
      new Model(obj).validate();
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
  return validator(obj).map((e) => `${e.path || "(root)"}: ${e.message}`);
}
