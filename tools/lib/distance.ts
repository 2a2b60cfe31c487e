/**
 * Edit distance and "did you mean": one implementation for the CLI's unknown names
 * (tools/lib/cli.ts nearest), unknown values keys (tools/lib/values-validate.ts) and unknown keys
 * of an upstream chart's values (tools/lint/upstream/values-keys.ts).
 */

/** Levenshtein distance (insertions, deletions, substitutions of one character each). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/**
 * The option nearest to a misspelt key, ignoring case, when it is close enough to be the intended
 * one: fewer than max(2, a third of the key's length) + 1 edits; the first of equally near ones.
 */
export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best;
}
