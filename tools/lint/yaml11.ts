/**
 * YAML files that Flux and the cluster read differently from this repository's tools.
 *
 * Flux decodes this repository's YAML with sigs.k8s.io/yaml (v1.6.0: go.yaml.in/yaml/v2 v2.4.2), a
 * YAML 1.1 reader (tools/lib/go-yaml.ts), in two places:
 *   - valuesFiles: source-controller merges a HelmRelease's values files with it, and the merged
 *     map becomes the packaged chart's values.yaml (fluxcd/source-controller
 *     internal/helm/chart/builder_local.go mergeFileValues);
 *   - clusters/: kustomize-controller builds the directory with kustomize, whose kyaml keeps a
 *     plain scalar plain when it writes the result (go-yaml v3 node encoding), and decodes that with
 *     fluxcd/pkg/ssa ReadObjects (k8s.io/apimachinery's YAMLOrJSONDecoder, sigs.k8s.io/yaml)
 *     before applying it (kustomize-controller internal/controller/kustomization_controller.go).
 *     A HelmRelease's inline spec.values reach helm-controller this way.
 * lint, the schemas and the render read YAML 1.2 (core schema). A plain scalar the two resolve
 * differently is a value that lint checks but the cluster does not get: `country: NO` is the
 * boolean false to Flux, a string here; `mode: 0755` is 493 there, 755 here; a key `on:` is the
 * key "true".
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, Scalar, type Document, type Node } from "yaml";
import { setBounded } from "../lib/content-cache.ts";
import { goYamlV2Key, goYamlV2Plain, jsValue, type GoYamlV2Scalar } from "../lib/go-yaml.ts";
import { InputError, type PathSegment } from "../lib/yaml.ts";

const same = (a: unknown, b: unknown) => (typeof a === "number" && typeof b === "number" ? a === b || (Number.isNaN(a) && Number.isNaN(b)) : a === b);

const show = (v: unknown) => (typeof v === "string" ? `the string ${JSON.stringify(v)}` : typeof v === "boolean" ? `the boolean ${v}` : v === null ? "null" : `the number ${String(v)}`);
const showFlux = (r: GoYamlV2Scalar) => (r.tag === "merge" ? "a merge key (<<)" : show(jsValue(r)));

/** Who reads the file with go-yaml v2, in the words of the messages. */
const READERS = {
  valuesFiles: { who: "Flux", how: "which reads valuesFiles as YAML 1.1 (source-controller mergeFileValues, sigs.k8s.io/yaml)" },
  clusters: { who: "the cluster", how: "which gets clusters/ as YAML 1.1 (kustomize-controller decodes its build with fluxcd/pkg/ssa ReadObjects, sigs.k8s.io/yaml)" },
} as const;
export type Yaml11Reader = keyof typeof READERS;

/** Findings per reader, file name and text (a values file is shared by several releases). Bounded. */
const seen = new Map<string, InputError[]>();

/**
 * Every plain scalar of a file (`text`, shown as `file`) that go-yaml v2 resolves differently from
 * YAML 1.2, as an error at its line and column; `reader` says who reads the file so.
 */
export function yaml11Divergences(text: string, file: string, reader: Yaml11Reader = "valuesFiles"): InputError[] {
  const key = `${reader}\0${file}\0${text}`;
  const known = seen.get(key);
  if (known) return known;
  const found = candidates(text) ? scan(text, file, READERS[reader]) : [];
  setBounded(seen, key, found, 500);
  return found;
}

/**
 * Whether `text` may hold a divergent plain scalar: one of go-yaml v2's words, a digit group with
 * `_`, a leading zero, a 0b/0X/0O prefix, a sign before 0x, or `<<`. Comments are left out (a
 * plain scalar never contains " #"). Most files have none, and are not parsed again.
 */
function candidates(text: string): boolean {
  const code = text.replace(/(^|[ \t])#.*$/gm, "$1");
  return /(?<![\w.\/-])(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)(?![\w.\/-])|[0-9]_|_[0-9]|(?<![\w.:])[-+]?0[0-9bBxXoO]|<</.test(code);
}

function scan(text: string, file: string, reader: (typeof READERS)[Yaml11Reader]): InputError[] {
  const lc = new LineCounter();
  const out: InputError[] = [];
  // a stream (clusters/ files hold several documents); syntax errors are reported by the loaders
  for (const doc of parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false }) as Document.Parsed[]) {
    if (doc.errors.length > 0) return [];
    scanDocument(doc, lc, file, reader, out);
  }
  return out;
}

function scanDocument(doc: Document.Parsed, lc: LineCounter, file: string, reader: (typeof READERS)[Yaml11Reader], out: InputError[]): void {
  const report = (node: Scalar, path: PathSegment[], what: "key" | "value", here: unknown, flux: GoYamlV2Scalar, fluxKey?: string) => {
    const { line, col } = lc.linePos(node.range?.[0] ?? 0);
    const shown = path.join(".") || "(root)";
    const quoted = JSON.stringify(String(node.source));
    const there = what === "key" && flux.tag !== "merge" ? (fluxKey === undefined ? `${showFlux(flux)}, which cannot be a key there` : `the key ${JSON.stringify(fluxKey)}`) : showFlux(flux);
    const explicit = flux.tag === "bool" || flux.tag === "int" || flux.tag === "float" ? `, or write ${String(jsValue(flux))} if you mean that` : "";
    out.push(new InputError(file, line, col,
      `${shown}: the ${what} ${node.source} is ${what === "key" ? `the key ${JSON.stringify(String(here))}` : show(here)} to this lint and the schemas but ${there} to ${reader.who}, ` +
      `${reader.how}. Fix: quote it (${quoted}) if you mean the text${explicit}`));
  };
  const plain = (n: unknown): n is Scalar => isScalar(n) && n.type === Scalar.PLAIN && typeof n.source === "string";
  const walk = (node: Node | null | undefined, path: PathSegment[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        let seg: PathSegment = isScalar(k) ? (k.value as PathSegment) : String(k);
        if (plain(k)) {
          const flux = goYamlV2Plain(k.source as string);
          const here = String(k.value);
          const fluxKey = goYamlV2Key(flux);
          if (fluxKey !== here) report(k, [...path, here], "key", here, flux, fluxKey);
          seg = here;
        }
        walk(pair.value as Node | null, [...path, seg]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, [...path, i]));
    } else if (plain(node)) {
      const flux = goYamlV2Plain(node.source as string);
      if (flux.tag === "merge" || !same(jsValue(flux), node.value)) report(node, path, "value", node.value, flux);
    }
  };
  walk(doc.contents as Node | null, []);
}
