/**
 * Secrets in the rendered output: secret-object, and credential-value on ConfigMap data and
 * HelmRelease `spec.values`.
 *
 * Decision, what counts as "generated from an external reference": an ExternalSecret or a
 * SealedSecret is not a Secret object and passes. A Secret object passes only when it carries no
 * literal data (`data`/`stringData` absent or all values empty) and is either
 * - of type `kubernetes.io/service-account-token` (the token controller fills it), or
 * - annotated with one of GENERATED_FROM_ANNOTATIONS naming where its data comes from (our own
 *   `policy.homelab/generated-from`, or a reflector/replicator source).
 * Anything else would put secret material from values into Git.
 */
import type { K8sObject } from "../../lib/render.ts";
import { findCredentialValues, formatKeyPath } from "../credentials.ts";
import { violation, type Violation } from "../types.ts";
import { asObj, objectId } from "../workloads.ts";

/** Annotations that declare a Secret's data as coming from outside Git. */
export const GENERATED_FROM_ANNOTATIONS: readonly string[] = [
  "policy.homelab/generated-from",
  "reflector.v1.k8s.emberstack.com/reflects",
  "replicator.v1.mittwald.de/replicate-from",
];

function literalKeys(obj: K8sObject): string[] {
  const keys: string[] = [];
  for (const field of ["data", "stringData"]) {
    for (const [k, v] of Object.entries(asObj(obj[field]) ?? {})) {
      if (v !== null && v !== undefined && v !== "") keys.push(k);
    }
  }
  return keys;
}

function checkSecret(obj: K8sObject): Violation[] {
  const id = objectId(obj);
  const keys = literalKeys(obj);
  const annotations = obj.metadata.annotations ?? {};
  const source = GENERATED_FROM_ANNOTATIONS.find((a) => typeof annotations[a] === "string" && annotations[a].trim() !== "");
  if (keys.length === 0 && (obj.type === "kubernetes.io/service-account-token" || source)) return [];
  const message = keys.length
    ? `Secret renders literal data (${keys.join(", ")})${source ? ` although it is annotated ${source}` : ""}; secret material would be committed through values`
    : `Secret is rendered without saying where its data comes from (no ${GENERATED_FROM_ANNOTATIONS[0]} annotation)`;
  return [violation("secret-object", id, message)];
}

/** Checks Secret, ConfigMap and HelmRelease objects; returns [] for other kinds. */
export function checkSecrets(obj: K8sObject): Violation[] {
  const id = objectId(obj);
  const credentials = (doc: unknown, base: string[], where: string) =>
    findCredentialValues(doc, base).map((f) =>
      violation("credential-value", id, `${formatKeyPath(f.path)}: ${where} key ${f.key} holds a literal credential`, {
        fix: `use an existingSecret reference instead: keep ${f.key} in a Secret created outside Git and reference it by name`,
      }),
    );
  switch (obj.kind) {
    case "Secret":
      return checkSecret(obj);
    case "ConfigMap":
      return credentials(obj.data, ["data"], "ConfigMap");
    case "HelmRelease":
      return credentials(asObj(obj.spec)?.values, ["spec", "values"], "values");
    default:
      return [];
  }
}
