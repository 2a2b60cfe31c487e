/**
 * Score normalisation, ported from
 * - pkg/scheduler/framework/plugins/helper/normalize_score.go (DefaultNormalizeScore)
 * - pkg/scheduler/framework/plugins/interpodaffinity/scoring.go (NormalizeScore)
 */

/** framework.MaxNodeScore */
export const MAX_NODE_SCORE = 100;

/**
 * DefaultNormalizeScore: scales raw scores to [0, maxPriority] by the largest
 * raw score with integer (truncating) division; `reverse` flips the result
 * (used by TaintToleration, where fewer intolerable taints is better). When
 * every score is 0 the scores stay 0, or become maxPriority when reversed.
 */
export function defaultNormalizeScore(scores: readonly number[], reverse = false, maxPriority = MAX_NODE_SCORE): number[] {
  let maxCount = 0;
  for (const s of scores) if (s > maxCount) maxCount = s;
  if (maxCount === 0) return scores.map((s) => (reverse ? maxPriority : s));
  return scores.map((s) => {
    const scaled = Math.trunc((maxPriority * s) / maxCount);
    return reverse ? maxPriority - scaled : scaled;
  });
}

/**
 * InterPodAffinity NormalizeScore: min-max scaling to [0, MaxNodeScore],
 * truncated; all zero when every node has the same score.
 */
export function minMaxNormalizeScore(scores: readonly number[], maxPriority = MAX_NODE_SCORE): number[] {
  if (scores.length === 0) return [];
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const diff = max - min;
  return scores.map((s) => (diff > 0 ? Math.trunc(maxPriority * ((s - min) / diff)) : 0));
}
