/** Reading rendered manifests (multi-document YAML) into Kubernetes objects. */
import { parseManifest, type K8sObject } from "../lib/render.ts";
import { InputError, parseYamlStream } from "../lib/yaml.ts";
import { asObj } from "./workloads.ts";

/** The manifest input is unusable; the message names `file:line:col`. Exit code 2 in CLIs. */
export class ManifestError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "ManifestError", enumerable: false });
  }
}

/**
 * Parses a multi-document manifest stream into Kubernetes objects; empty documents are skipped and
 * `*List` kinds are flattened into their items. Throws ManifestError naming `file:line:col` for
 * malformed YAML or a document that is not a Kubernetes object.
 */
export function parseManifests(text: string, file: string): K8sObject[] {
  let docs;
  try {
    docs = parseYamlStream(text, file);
  } catch (err) {
    if (err instanceof InputError) throw new ManifestError(err.message, { cause: err });
    throw err;
  }
  // The objects as the cluster gets them: the API server's clients decode manifests as YAML 1.1,
  // where `privileged: yes` is true and `defaultMode: 0444` is 292 (tools/lib/go-yaml.ts). The
  // YAML 1.2 documents above give the positions.
  let asCluster: unknown[] | undefined;
  try {
    asCluster = parseManifest(text, file);
  } catch {
    asCluster = undefined;
  }
  if (asCluster?.length !== docs.length) asCluster = undefined;
  const out: K8sObject[] = [];
  for (const [d, doc] of docs.entries()) {
    const value = asCluster ? asCluster[d] : doc.value;
    const o = asObj(value);
    const isList = typeof o?.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items);
    const items: unknown[] = isList ? (o!.items as unknown[]) : [value];
    items.forEach((item, i) => {
      const obj = asObj(item);
      const meta = asObj(obj?.metadata);
      if (!obj || typeof obj.kind !== "string" || typeof obj.apiVersion !== "string" || typeof meta?.name !== "string") {
        const { line, col } = doc.position(isList ? ["items", i] : []);
        throw new ManifestError(
          `${file}:${line}:${col}: not a Kubernetes object (needs apiVersion, kind and metadata.name). Fix: pass rendered manifests, e.g. from \`npm run render\``,
        );
      }
      out.push(obj as K8sObject);
    });
  }
  return out;
}
