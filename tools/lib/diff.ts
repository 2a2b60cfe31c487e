/**
 * Line diffs: Myers' O(ND) shortest edit script and unified-diff (`diff -u`) hunks. Small enough
 * to keep here rather than pull in a dependency; used by the render diff (tools/upgrade) and by
 * commands that show what they change in a file (tools/failover).
 */

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

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Unified diff of `before` -> `after` with `context` lines around each change, headed
 * `--- a/<name>` / `+++ b/<name>`. Empty string when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const hunks = unifiedHunks(diffLines(splitLines(before), splitLines(after)), context);
  return `${[`--- a/${name}`, `+++ b/${name}`, ...hunks].join("\n")}\n`;
}
