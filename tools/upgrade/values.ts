/**
 * Value helpers for comparing rendered Kubernetes objects the way the API server does.
 *
 * The API server compares objects after decoding them into Go structs, with
 * `apiequality.Semantic.DeepEqual` (k8s.io/apimachinery/pkg/api/equality): a nil and an empty
 * slice or map are equal there, and `resource.Quantity` values compare by amount, so `1Gi` equals
 * `1024Mi`. Rendered YAML has neither property, so these helpers restore them.
 */

/** One step of a JSON path: a map key or an array index. */
import { isPlainObject } from "../lib/k8s.ts";
export type Segment = string | number;

/** One leaf difference between two values. */
export interface LeafChange {
  /** Readable JSON path, e.g. `spec.selector.matchLabels["app.kubernetes.io/name"]`. */
  path: string;
  /** Value before; `undefined` when absent. */
  old: unknown;
  /** Value after; `undefined` when absent. */
  new: unknown;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Formats path segments as `a.b[0]["x.y/z"]`. */
export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Splits a rule path (`spec.volumeClaimTemplates`, `spec.*`) into segments; `*` stays a wildcard. */
export function parsePath(path: string): string[] {
  return path === "" ? [] : path.split(".");
}

/** Whether `v` is a plain object (not an array, not null). */
export const isRecord: (v: unknown) => v is Record<string, unknown> = isPlainObject;

/** Reads the value at `segments`; `undefined` if any step is missing. */
export function getAt(value: unknown, segments: readonly Segment[]): unknown {
  let cur = value;
  for (const seg of segments) {
    if (Array.isArray(cur) && typeof seg === "number") cur = cur[seg];
    else if (isRecord(cur) && typeof seg === "string") cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/**
 * Expands a rule path with `*` wildcards against both objects: every concrete path that exists
 * in at least one of them. Without wildcards, the path itself (present or not).
 */
export function expandPath(pattern: readonly string[], a: unknown, b: unknown): Segment[][] {
  const out: Segment[][] = [];
  const seen = new Set<string>();
  const walk = (i: number, prefix: Segment[]) => {
    if (i === pattern.length) {
      const key = JSON.stringify(prefix);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(prefix);
      }
      return;
    }
    const seg = pattern[i];
    if (seg !== "*") return walk(i + 1, [...prefix, seg]);
    const keys = new Set<Segment>();
    for (const root of [a, b]) {
      const here = getAt(root, prefix);
      if (Array.isArray(here)) here.forEach((_, idx) => keys.add(idx));
      else if (isRecord(here)) Object.keys(here).forEach((k) => keys.add(k));
    }
    for (const k of keys) walk(i + 1, [...prefix, k]);
  };
  walk(0, []);
  return out;
}

/** Returns a deep copy of `value` without the value at `segments` (no-op if absent). */
export function withoutPath(value: unknown, segments: readonly Segment[]): unknown {
  if (segments.length === 0) return undefined;
  const [head, ...rest] = segments;
  if (Array.isArray(value) && typeof head === "number") {
    const copy = value.slice();
    copy[head] = withoutPath(copy[head], rest);
    return copy;
  }
  if (isRecord(value) && typeof head === "string" && head in value) {
    const copy: Record<string, unknown> = { ...value };
    if (rest.length === 0) delete copy[head];
    else copy[head] = withoutPath(copy[head], rest);
    return copy;
  }
  return value;
}

/** Returns a deep copy of `value` with `v` set at `segments`, creating maps on the way. */
export function withPath(value: unknown, segments: readonly Segment[], v: unknown): unknown {
  if (segments.length === 0) return v;
  const [head, ...rest] = segments;
  if (typeof head === "number") {
    const copy = Array.isArray(value) ? value.slice() : [];
    copy[head] = withPath(copy[head], rest, v);
    return copy;
  }
  const copy: Record<string, unknown> = isRecord(value) ? { ...value } : {};
  copy[head] = withPath(copy[head], rest, v);
  return copy;
}

/** Whether the API server would decode `v` to a zero value: absent, null, `[]` or `{}`. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isRecord(v)) return Object.values(v).every(isEmpty);
  return false;
}

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * Parses a Kubernetes resource quantity (`500m`, `1Gi`, `1e3`, `2`) to a number, or `undefined`
 * when it is not one. Precision is a double's, enough to order storage sizes.
 */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string") return undefined;
  const m = QUANTITY.exec(v.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * BINARY[m[2]];
  if (m[3]) return base * DECIMAL[m[3]];
  if (m[4]) return base * 10 ** Number(m[4]);
  return base;
}

/** Map keys under which values are resource quantities (ResourceList in the Go types). */
const QUANTITY_PARENTS = new Set(["requests", "limits", "capacity"]);

function isQuantityPath(path: readonly Segment[]): boolean {
  return path.length >= 2 && QUANTITY_PARENTS.has(String(path[path.length - 2]));
}

/**
 * Semantic equality as the API server sees it: nil equals empty, quantities compare by amount
 * (under `requests`, `limits` and `capacity` maps), everything else structurally.
 */
export function semanticEqual(a: unknown, b: unknown, path: readonly Segment[] = []): boolean {
  return leafChanges(a, b, path, 1).length === 0;
}

/**
 * Lists the leaf differences between `a` and `b` (at most `limit`), with paths prefixed by
 * `path`. Arrays of different lengths differ as a whole; equal-length arrays compare per index.
 */
export function leafChanges(a: unknown, b: unknown, path: readonly Segment[] = [], limit = 50): LeafChange[] {
  const out: LeafChange[] = [];
  const walk = (x: unknown, y: unknown, at: Segment[]) => {
    if (out.length >= limit) return;
    if (isEmpty(x) && isEmpty(y)) return;
    if (isRecord(x) && isRecord(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      for (const k of keys) walk(x[k], y[k], [...at, k]);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      x.forEach((item, i) => walk(item, y[i], [...at, i]));
      return;
    }
    if (x === y) return;
    if (isQuantityPath(at)) {
      const qx = parseQuantity(x);
      const qy = parseQuantity(y);
      if (qx !== undefined && qx === qy) return;
    }
    if (typeof x === "object" && typeof y === "object" && JSON.stringify(x) === JSON.stringify(y)) return;
    out.push({ path: formatPath(at), old: isEmpty(x) ? undefined : x, new: isEmpty(y) ? undefined : y });
  };
  walk(a, b, [...path]);
  return out;
}

/** A short one-line JSON rendering of a value for reports (`<absent>` for undefined). */
export function brief(v: unknown, max = 120): string {
  if (v === undefined) return "<absent>";
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
