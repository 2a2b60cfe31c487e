/**
 * A line-based unified diff (the `diff -u` format), enough to show an operator what a command is
 * about to change in a values file. Longest-common-subsequence over lines: the files are small.
 */

type Op = { kind: " " | "-" | "+"; line: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: " ", line: a[i], a: i++, b: j++ });
    // Deletions before insertions, as diff -u prints a replaced line.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: "-", line: a[i], a: i++, b: j });
    else ops.push({ kind: "+", line: b[j], a: i, b: j++ });
  }
  return ops;
}

/**
 * Unified diff of `before` → `after` with `context` lines around each change, headed
 * `--- a/<name>` / `+++ b/<name>`. Empty string when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.map((o, k) => (o.kind !== " " ? k : -1)).filter((k) => k >= 0);
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length - 1, changed[k] + context);
    while (k + 1 < changed.length && changed[k + 1] - context <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, changed[k] + context);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aStart = hunk[0].a;
    const bStart = hunk[0].b;
    const aLen = hunk.filter((o) => o.kind !== "+").length;
    const bLen = hunk.filter((o) => o.kind !== "-").length;
    // diff -u numbers an empty range by the line before it.
    const range = (s: number, len: number) => `${len === 0 ? s : s + 1},${len}`;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join("\n")}\n`;
}
