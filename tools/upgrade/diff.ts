/**
 * A plain render diff per release: each changed object as a unified diff of its YAML, added and
 * removed objects shown whole. The line diff is Myers' O(ND) algorithm, small enough to keep
 * here rather than pull in a dependency.
 */
import { stringify } from "yaml";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { objectKey } from "./compare.ts";

/** One line of a diff: kept (` `), removed (`-`) or added (`+`). */
export interface DiffLine {
  op: " " | "-" | "+";
  text: string;
}

/**
 * Shortest line diff of `a` into `b` (Myers 1986, greedy forward search with trace). Returns the
 * whole script, kept lines included.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m) to (0, 0).
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) out.push({ op: " ", text: a[--x] }), y--;
    if (d === 0) break;
    if (x === prevX) out.push({ op: "+", text: b[--y] });
    else out.push({ op: "-", text: a[--x] });
  }
  while (x > 0 && y > 0) out.push({ op: " ", text: a[--x] }), y--;
  return out.reverse();
}

/** Formats a diff script as unified-diff hunks with `context` lines around each change. */
export function unifiedHunks(script: readonly DiffLine[], context = 3): string[] {
  const changed = script.map((l, i) => (l.op === " " ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return [];
  const ranges: [number, number][] = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(script.length - 1, i + context);
    const last = ranges.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else ranges.push([lo, hi]);
  }
  const out: string[] = [];
  for (const [lo, hi] of ranges) {
    let aStart = 1;
    let bStart = 1;
    for (let i = 0; i < lo; i++) {
      if (script[i].op !== "+") aStart++;
      if (script[i].op !== "-") bStart++;
    }
    const body = script.slice(lo, hi + 1);
    const aLen = body.filter((l) => l.op !== "+").length;
    const bLen = body.filter((l) => l.op !== "-").length;
    out.push(`@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@`);
    for (const l of body) out.push(`${l.op}${l.text}`);
  }
  return out;
}

/** YAML of an object as the diff shows it (keys in helm's order, no line folding). */
export function objectYaml(o: K8sObject): string[] {
  return stringify(o, { lineWidth: 0 }).trimEnd().split("\n");
}

/** The diff of one release: its changed, added and removed objects. */
export interface ReleaseDiff {
  /** `<env>: <namespace>/<release>`. */
  release: string;
  added: K8sObject[];
  removed: K8sObject[];
  changed: { before: K8sObject; after: K8sObject; hunks: string[] }[];
}

const label = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** Diffs two renders of one environment, release by release (matched by namespace/name). */
export function diffReleases(before: readonly RenderedRelease[], after: readonly RenderedRelease[]): ReleaseDiff[] {
  const id = (r: RenderedRelease) => `${r.env}: ${r.namespace}/${r.release}`;
  const ids = [...new Set([...before.map(id), ...after.map(id)])].sort();
  const out: ReleaseDiff[] = [];
  for (const rid of ids) {
    const oldObjs = new Map((before.find((r) => id(r) === rid)?.objects ?? []).map((o) => [objectKey(o), o]));
    const newObjs = new Map((after.find((r) => id(r) === rid)?.objects ?? []).map((o) => [objectKey(o), o]));
    const d: ReleaseDiff = { release: rid, added: [], removed: [], changed: [] };
    for (const [k, o] of oldObjs) {
      const n = newObjs.get(k);
      if (!n) d.removed.push(o);
      else {
        const hunks = unifiedHunks(diffLines(objectYaml(o), objectYaml(n)));
        if (hunks.length) d.changed.push({ before: o, after: n, hunks });
      }
    }
    for (const [k, o] of newObjs) if (!oldObjs.has(k)) d.added.push(o);
    if (d.added.length || d.removed.length || d.changed.length) out.push(d);
  }
  return out;
}

/** Readable text of release diffs, `--- a/<object>` / `+++ b/<object>` headers per object. */
export function formatDiff(diffs: readonly ReleaseDiff[]): string {
  if (diffs.length === 0) return "no changes";
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`=== ${d.release} (${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed)`);
    for (const c of d.changed) {
      lines.push(`--- a/${label(c.before)}`, `+++ b/${label(c.after)}`, ...c.hunks);
    }
    for (const o of d.removed) {
      const y = objectYaml(o);
      lines.push(`--- a/${label(o)}`, "+++ /dev/null", `@@ -1,${y.length} +0,0 @@`, ...y.map((l) => `-${l}`));
    }
    for (const o of d.added) {
      const y = objectYaml(o);
      lines.push("--- /dev/null", `+++ b/${label(o)}`, `@@ -0,0 +1,${y.length} @@`, ...y.map((l) => `+${l}`));
    }
  }
  return lines.join("\n");
}
