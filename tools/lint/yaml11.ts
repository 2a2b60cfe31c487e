/**
 * Values files that Flux reads differently from this repository's tools.
 *
 * source-controller merges a HelmRelease's `valuesFiles` with sigs.k8s.io/yaml, and the merged map
 * becomes the packaged chart's values.yaml (fluxcd/source-controller
 * internal/helm/chart/builder_local.go mergeFileValues: `yaml.Unmarshal(b, &values)`; go.mod
 * sigs.k8s.io/yaml v1.6.0, which decodes with go.yaml.in/yaml/v2 v2.4.2). That is a YAML 1.1
 * reader; lint, the schemas and the render read YAML 1.2 (core schema), and hand helm JSON
 * (tools/lib/render.ts valuesText). A plain scalar the two resolve differently is a value that lint
 * checks and renders but Flux does not deploy: `country: NO` is the boolean false to Flux, a
 * string here; `mode: 0755` is 493 to Flux, 755 here; a key `on:` is the key "true" to Flux.
 * Inline `spec.values` are not affected: kustomize-controller reads them as YAML 1.2 (kyaml) and
 * the API server stores JSON.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Node } from "yaml";
import { setBounded } from "../lib/content-cache.ts";
import { InputError, type PathSegment } from "../lib/yaml.ts";

/** What go-yaml v2 makes of a plain scalar decoded into interface{}: resolve.go `resolve` with tag "" (decode.go keeps timestamps as the string). */
export type GoYamlV2Scalar =
  | { tag: "str"; value: string }
  | { tag: "bool"; value: boolean }
  | { tag: "null"; value: null }
  | { tag: "int"; value: bigint; unsigned: boolean }
  | { tag: "float"; value: number }
  | { tag: "merge"; value: "<<" };

const V2_MAP = new Map<string, GoYamlV2Scalar>();
for (const [r, words] of [
  [{ tag: "bool", value: true }, ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]],
  [{ tag: "bool", value: false }, ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]],
  [{ tag: "null", value: null }, ["", "~", "null", "Null", "NULL"]],
  [{ tag: "float", value: Number.NaN }, [".nan", ".NaN", ".NAN"]],
  [{ tag: "float", value: Number.POSITIVE_INFINITY }, [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]],
  [{ tag: "float", value: Number.NEGATIVE_INFINITY }, ["-.inf", "-.Inf", "-.INF"]],
  [{ tag: "merge", value: "<<" }, ["<<"]],
] as const) {
  for (const w of words) V2_MAP.set(w, r as GoYamlV2Scalar);
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64): sign, base prefix 0b/0o/0x (either case) or a leading 0 for octal. */
function goParseInt(s: string, signed: boolean): bigint | undefined {
  const [, sign, rest] = (signed ? /^([-+]?)(.*)$/ : /^()(.*)$/).exec(s)!;
  let digits = rest;
  let base: 2 | 8 | 10 | 16 = 10;
  if (/^0[bB]/.test(rest)) [base, digits] = [2, rest.slice(2)];
  else if (/^0[oO]/.test(rest)) [base, digits] = [8, rest.slice(2)];
  else if (/^0[xX]/.test(rest)) [base, digits] = [16, rest.slice(2)];
  else if (/^0./.test(rest)) [base, digits] = [8, rest.slice(1)];
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base];
  if (!valid.test(digits)) return undefined;
  let v = BigInt(`${{ 2: "0b", 8: "0o", 10: "", 16: "0x" }[base]}${digits}`);
  if (sign === "-") v = -v;
  if (signed ? v < INT64_MIN || v > INT64_MAX : v > UINT64_MAX) return undefined;
  return v;
}

/** go-yaml v2.4.2's parseTimestamp: YYYY- and one of its four layouts. */
function looksLikeTimestamp(s: string): boolean {
  return /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/.test(s);
}

/**
 * A plain scalar as go-yaml v2.4.2 resolves it into interface{} (resolve.go `resolve`, tag ""):
 * its table of words; then, for a leading `.`, a float (strconv.ParseFloat); for a leading digit or sign, a timestamp
 * (kept as the string), an integer by strconv.ParseInt or ParseUint with base 0 after removing
 * every `_`, or a float; anything else is the string. (go-yaml's 0b fallback after ParseInt only
 * repeats what base 0 already parses.)
 */
export function goYamlV2Plain(s: string): GoYamlV2Scalar {
  const known = V2_MAP.get(s);
  if (known) return known;
  const c = s[0];
  // strconv.ParseFloat, whose Go syntax allows `_` between digits
  if (c === ".") return /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s) ? { tag: "float", value: Number(s.replaceAll("_", "")) } : { tag: "str", value: s };
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    if (looksLikeTimestamp(s)) return { tag: "str", value: s };
    const plain = s.replaceAll("_", "");
    const signed = goParseInt(plain, true);
    if (signed !== undefined) return { tag: "int", value: signed, unsigned: false };
    const unsigned = goParseInt(plain, false);
    if (unsigned !== undefined) return { tag: "int", value: unsigned, unsigned: true };
    if (YAML_STYLE_FLOAT.test(plain)) return { tag: "float", value: Number(plain) };
  }
  return { tag: "str", value: s };
}

/**
 * strconv.FormatFloat(v, 'g', -1, 32): the fewest digits that read back as the same float32, with
 * an exponent when it is below -4 or at least 6 (strconv/ftoa.go: %e when exp < -4 || exp >= eprec,
 * and eprec is 6 for the shortest form).
 */
function goFormatFloat32(v: number): string {
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  let mant = "";
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = f.toExponential(p - 1);
    if (Math.fround(Number(e)) === f) {
      [mant, exp] = [e.slice(0, e.indexOf("e")), Number(e.slice(e.indexOf("e") + 1))];
      break;
    }
  }
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${neg ? "-" : ""}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const point = exp + 1;
  const body = point <= 0 ? `0.${"0".repeat(-point)}${digits}` : digits.length <= point ? digits + "0".repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${neg ? "-" : ""}${body}`;
}

/** The key sigs.k8s.io/yaml makes of a resolved map key (yaml.go yamlToJSONTarget), or undefined where it fails ("unsupported map key"). */
export function goYamlV2Key(r: GoYamlV2Scalar): string | undefined {
  switch (r.tag) {
    case "str":
      return r.value;
    case "bool":
      return String(r.value);
    case "int":
      return r.unsigned ? undefined : String(r.value);
    case "float":
      return r.value === Number.POSITIVE_INFINITY ? ".inf" : r.value === Number.NEGATIVE_INFINITY ? "-.inf" : Number.isNaN(r.value) ? ".nan" : goFormatFloat32(r.value);
    default:
      return undefined;
  }
}

/**
 * The resolved scalar as the values map holds it: sigs.k8s.io/yaml turns the YAML into JSON and
 * decodes that into interface{}, so every number is a float64 (encoding/json), as in JavaScript.
 */
function jsValue(r: GoYamlV2Scalar): unknown {
  return r.tag === "int" ? Number(r.value) : r.value;
}

const same = (a: unknown, b: unknown) => (typeof a === "number" && typeof b === "number" ? a === b || (Number.isNaN(a) && Number.isNaN(b)) : a === b);

const show = (v: unknown) => (typeof v === "string" ? `the string ${JSON.stringify(v)}` : typeof v === "boolean" ? `the boolean ${v}` : v === null ? "null" : `the number ${String(v)}`);
const showFlux = (r: GoYamlV2Scalar) => (r.tag === "merge" ? "a merge key (<<)" : show(jsValue(r)));

/** Findings per file name and text (a values file is shared by several releases). Bounded. */
const seen = new Map<string, InputError[]>();

/**
 * Every plain scalar of a values file (`text`, shown as `file`) that Flux's YAML 1.1 reader
 * resolves differently from YAML 1.2, as an error at its line and column.
 */
export function yaml11Divergences(text: string, file: string): InputError[] {
  const key = `${file}\0${text}`;
  const known = seen.get(key);
  if (known) return known;
  const found = candidates(text) ? scan(text, file) : [];
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

function scan(text: string, file: string): InputError[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  if (doc.errors.length > 0) return []; // reported by the values checks
  const out: InputError[] = [];
  const report = (node: Scalar, path: PathSegment[], what: "key" | "value", here: unknown, flux: GoYamlV2Scalar, fluxKey?: string) => {
    const { line, col } = lc.linePos(node.range?.[0] ?? 0);
    const shown = path.join(".") || "(root)";
    const quoted = JSON.stringify(String(node.source));
    const there = what === "key" && flux.tag !== "merge" ? (fluxKey === undefined ? `${showFlux(flux)}, which Flux cannot use as a key` : `the key ${JSON.stringify(fluxKey)}`) : showFlux(flux);
    const explicit = flux.tag === "bool" || flux.tag === "int" || flux.tag === "float" ? `, or write ${String(jsValue(flux))} if you mean that` : "";
    out.push(new InputError(file, line, col,
      `${shown}: the ${what} ${node.source} is ${what === "key" ? `the key ${JSON.stringify(String(here))}` : show(here)} to this lint and the schemas but ${there} to Flux, ` +
      `which reads valuesFiles as YAML 1.1 (source-controller mergeFileValues, sigs.k8s.io/yaml). Fix: quote it (${quoted}) if you mean the text${explicit}`));
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
  return out;
}
