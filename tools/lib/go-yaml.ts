/**
 * How Go's Kubernetes tooling reads YAML: sigs.k8s.io/yaml v1.6.0 over go.yaml.in/yaml/v2 v2.4.2, a
 * YAML 1.1 reader. Flux's source-controller merges valuesFiles with it
 * (internal/helm/chart/builder_local.go mergeFileValues), helm reads values files with it
 * (chartutil.ReadValues), and helm hands its rendered manifest to the API server through it (helm
 * pkg/kube/client.go Build -> k8s.io/cli-runtime resource.Builder -> k8s.io/apimachinery
 * pkg/util/yaml YAMLOrJSONDecoder -> sigs.k8s.io/yaml). This repository reads its own files as YAML
 * 1.2 (tools/lib/yaml.ts); tools/lint/yaml11.ts reports where the two differ in a values file, and
 * GO_YAML_V2_SCHEMA reads helm's output as the cluster receives it (tools/lib/render.ts).
 */
import { defineScalarTag, FAILSAFE_SCHEMA, mergeTag, NOT_RESOLVED, Schema } from "js-yaml";

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
export function jsValue(r: GoYamlV2Scalar): unknown {
  return r.tag === "int" ? Number(r.value) : r.value;
}

/** The last plain scalar resolved: the int and float tags see the same digit-led scalars in turn. */
let last: { source: string; r: GoYamlV2Scalar } | undefined;
const resolved = (source: string): GoYamlV2Scalar => {
  if (last?.source !== source) last = { source, r: goYamlV2Plain(source) };
  return last.r;
};

/** go-yaml v2's resolveTable: the first characters that lead to each kind (others are strings). */
const DIGITS = [..."0123456789"];
const FIRST_CHARS = { null: ["", "~", "n", "N"], bool: [..."yYnNtTfFoO"], int: ["+", "-", ...DIGITS], float: [".", "+", "-", ...DIGITS] };

const v2Tag = (tag: "null" | "bool" | "int" | "float") =>
  defineScalarTag(`tag:yaml.org,2002:${tag}`, {
    implicit: true,
    implicitFirstChars: FIRST_CHARS[tag],
    resolve: (source: string) => {
      const r = resolved(source);
      return r.tag === tag ? jsValue(r) : NOT_RESOLVED;
    },
    // for dumping only, which this schema is not used for
    identify: () => false,
  });

/**
 * js-yaml's schema for go-yaml v2's reading of plain scalars (goYamlV2Plain), with its merge keys;
 * numbers are doubles, as after sigs.k8s.io/yaml's JSON step.
 */
export const GO_YAML_V2_SCHEMA = new Schema([...FAILSAFE_SCHEMA.tags, v2Tag("null"), v2Tag("bool"), v2Tag("int"), v2Tag("float"), mergeTag]);
