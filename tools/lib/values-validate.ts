/**
 * JSON-schema validation of values (ajv, draft-07) with errors reported at their YAML source:
 * `path/to/file.yaml:LINE:COL key.path: message (got VALUE)`.
 *
 * Values reach a chart in layers (chart values.yaml and the values files, then valuesFrom and
 * inline `spec.values`). The merged result is validated, and each error is attributed to the
 * highest-precedence layer that sets the offending key (for an unknown key, the layer that
 * introduces it), so the message points at the line the operator must edit.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { closest } from "./distance.ts";
import { validatorForFile } from "./validators.ts";
import { InputError, type PathSegment, type SourceDoc } from "./yaml.ts";

/** One layer of values: a YAML document (or a sub-tree of one) mounted at a path of the values. */
export interface ValuesLayer {
  doc: SourceDoc;
  /** Where the values start inside the document (e.g. ["spec", "values"] for a HelmRelease). */
  base: PathSegment[];
  /** Where the layer lands in the merged values (valuesFrom `targetPath`); [] for the root. */
  mount: PathSegment[];
  /** The layer's values. */
  value: unknown;
}

/**
 * The validator of the schema at `schemaPath` (draft-07, every error, formats), compiled once per
 * schema content and kept in .cache/ajv (tools/lib/validators.ts).
 */
export function compileSchema(schemaPath: string): ValidateFunction {
  return validatorForFile(schemaPath, "values");
}

/** Validates one whole document against a schema; errors located in that document. */
export function validateDoc(doc: SourceDoc, schemaPath: string): InputError[] {
  return validateLayers(doc.value, [{ doc, base: [], mount: [], value: doc.value }], schemaPath);
}

/**
 * Validates merged `values` against the schema; each error is located in the top-most layer that
 * defines the offending path. Returns one InputError per distinct problem, sorted by position.
 * `displayPrefix` is prepended to key paths in messages (e.g. spec.values for a HelmRelease).
 */
export function validateLayers(values: unknown, layers: ValuesLayer[], schemaPath: string, displayPrefix: PathSegment[] = []): InputError[] {
  const validate = compileSchema(schemaPath);
  if (validate(values)) return [];
  const errors = prune(dropNoise(validate.errors ?? []));
  const out: InputError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const { keyPath, detail } = describe(e, path, values);
    const where = locate(keyPath, layers, e.keyword === "additionalProperties" || e.keyword === "required");
    const shown = [...displayPrefix, ...keyPath].join(".") || "(root)";
    const text = `${shown}: ${detail.replace(`Fix: set ${keyPath.join(".")}`, `Fix: set ${shown}`)}`;
    const key = `${where.file}:${where.line}:${where.col}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(new InputError(where.file, where.line, where.col, text));
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/**
 * Errors that only echo a real one: the "must be null" (and "must match a schema in anyOf") of a
 * nullable object whose object branch has the real error below it, and the "required" of a key
 * the user wrote misspelt (reported once, as the unknown key with "rename it to").
 */
function dropNoise(errors: ErrorObject[]): ErrorObject[] {
  const deeper = (path: string) => errors.some((x) => x.instancePath.startsWith(`${path}/`) || (x.instancePath === path && x.keyword !== "type" && x.keyword !== "anyOf" && x.keyword !== "oneOf"));
  const renamed = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== "additionalProperties") continue;
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const near = closest(key, Object.keys(((e.parentSchema as { properties?: object })?.properties) ?? {}));
    if (near) renamed.add(`${e.instancePath}/${near}`);
  }
  return errors.filter((e) => {
    if (e.keyword === "type" && (e.params as { type?: unknown }).type === "null" && deeper(e.instancePath)) return false;
    if ((e.keyword === "anyOf" || e.keyword === "oneOf") && deeper(e.instancePath)) return false;
    if (e.keyword === "propertyNames") return false; // its pattern error names the key

    if (e.keyword === "required" && renamed.has(`${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`)) return false;
    return true;
  });
}

/**
 * ajv reports every branch of a failed anyOf/oneOf, and a `type` error next to an `enum` for
 * the same value; keep the most useful message per instance path.
 */
function prune(errors: ErrorObject[]): ErrorObject[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const k = e.instancePath + (e.keyword === "additionalProperties" ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : "");
    byPath.set(k, [...(byPath.get(k) ?? []), e]);
  }
  const rank = ["additionalProperties", "required", "const", "enum", "type", "pattern", "format", "minimum", "maximum", "minItems", "anyOf", "oneOf"];
  const score = (e: ErrorObject) => {
    const i = rank.indexOf(e.keyword);
    return i === -1 ? rank.length : i;
  };
  return [...byPath.values()].map((list) => list.sort((a, b) => score(a) - score(b))[0]);
}

function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function getIn(value: unknown, path: readonly PathSegment[]): unknown {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function hasIn(value: unknown, path: readonly PathSegment[]): boolean {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object" || !(String(seg) in (cur as object))) return false;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return true;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describe(e: ErrorObject, path: PathSegment[], values: unknown): { keyPath: PathSegment[]; detail: string } {
  const got = getIn(values, path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(p.additionalProperty);
      const schemaProps = Object.keys(((e.parentSchema as { properties?: object })?.properties) ?? {});
      const near = closest(key, schemaProps);
      // Where the object's description names the rejected key, it says why (e.g. "no smb/cifs").
      const why = new RegExp(`\\b${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i").test(String((e.parentSchema as { description?: string })?.description ?? ""))
        ? `. ${describeSchema(e)}`
        : "";
      return {
        keyPath: [...path, key],
        detail: near
          ? `unknown key ${JSON.stringify(key)} (did you mean ${JSON.stringify(near)}?). Fix: rename it to ${near}${why}`
          : `unknown key ${JSON.stringify(key)}. Fix: remove it${schemaProps.length ? ` (allowed: ${schemaProps.join(", ")})` : ""}${why}`,
      };
    }
    case "required":
      return { keyPath: [...path, String(p.missingProperty)], detail: `is required but missing. Fix: set ${[...path, String(p.missingProperty)].join(".")}` };
    case "const":
      return { keyPath: path, detail: `must be ${show(p.allowedValue)} (got ${show(got)}). ${describeSchema(e)}`.trim() };
    case "pattern": {
      const name = (e as { propertyName?: string }).propertyName;
      if (name !== undefined) {
        return { keyPath: [...path, name], detail: `name ${JSON.stringify(name)} is not a DNS label (lowercase letters, digits and "-", at most 63, starting and ending with a letter or digit): it becomes part of resource names. Fix: rename it, e.g. ${JSON.stringify(name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "app")}` };
      }
      if (/DNS name/.test(String((e.parentSchema as { description?: string })?.description ?? ""))) {
        return { keyPath: path, detail: `${show(got)} is not a lowercase DNS name. Fix: use lowercase letters, digits, "-" and "." only, e.g. ${JSON.stringify(typeof got === "string" ? got.toLowerCase().replace(/[^a-z0-9.-]+/g, "-") : "app.home.example")}` };
      }
      return { keyPath: path, detail: `${e.message ?? e.keyword} (got ${show(got)})` };
    }
    case "enum":
      return { keyPath: path, detail: `must be one of ${(p.allowedValues as unknown[]).map(show).join(", ")} (got ${show(got)})` };
    default:
      return { keyPath: path, detail: `${e.message ?? e.keyword} (got ${show(got)})` };
  }
}

/** The schema's description, which for seed-mandated values carries the seed's reason. */
function describeSchema(e: ErrorObject): string {
  const d = (e.parentSchema as { description?: string } | undefined)?.description;
  return d ? `Why: ${d.replace(/\s*\n\s*/g, " ")}` : "";
}

/**
 * The position of `keyPath` in the top-most layer that defines it (or its longest defined
 * prefix). Layers are in increasing precedence; the last wins.
 */
export function locate(keyPath: readonly PathSegment[], layers: ValuesLayer[], wantKey = true): { file: string; line: number; col: number } {
  let best: { layer: ValuesLayer; depth: number } | undefined;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const m = layer.mount;
    if (m.some((seg, j) => keyPath[j] !== seg) && m.length <= keyPath.length) continue;
    const rel = keyPath.slice(m.length);
    let depth = rel.length;
    while (depth > 0 && !hasIn(layer.value, rel.slice(0, depth))) depth--;
    if (depth === rel.length) {
      best = { layer, depth };
      break;
    }
    if (!best || depth > best.depth) best = { layer, depth };
  }
  if (!best) return { file: layers[layers.length - 1]?.doc.file ?? "values", line: 0, col: 0 };
  const rel = keyPath.slice(best.layer.mount.length, best.layer.mount.length + best.depth);
  const full = [...best.layer.base, ...rel];
  const pos = wantKey ? best.layer.doc.keyPosition(full) : best.layer.doc.position(full);
  return { file: best.layer.doc.file, ...pos };
}
