/**
 * Unknown keys in an upstream release's values, for charts without a values.schema.json (Longhorn
 * 1.12 has none). Helm itself accepts any key there and the chart silently ignores a misspelt one,
 * so the keys are checked against the real chart's values.yaml: where the chart defines a
 * non-empty map, the release may only set keys that map has. Where the chart's value is empty
 * (`{}`, `[]`, `~`) or a scalar, the chart takes anything (nodeSelector, tolerations, the nulls
 * of `defaultSettings` are all listed, so the settings themselves are closed).
 */
import type { UpstreamRelease } from "../../lib/flux.ts";
import { isMap, type Values } from "../../lib/merge.ts";
import { locate } from "../../lib/values-validate.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { objectRef, type Finding } from "../types.ts";

function closest(word: string, options: string[]): string | undefined {
  const score = (a: string, b: string) => {
    const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = dp[0];
      dp[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = dp[j];
        dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return dp[b.length];
  };
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = score(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best;
}

/** Keys of `user` the chart's `defaults` (its values.yaml) does not have, as findings at the HelmRelease line. */
export function unknownChartKeys(u: UpstreamRelease, defaults: Values, chartLabel: string): Finding[] {
  const out: Finding[] = [];
  const walk = (user: Values, chart: Values, path: PathSegment[]) => {
    const known = Object.keys(chart);
    for (const [k, v] of Object.entries(user)) {
      if (!(k in chart)) {
        const near = closest(k, known);
        const where = locate([...path, k], u.userLayers);
        out.push({
          severity: "error",
          object: objectRef(u.hr),
          location: where,
          message: `spec.values.${[...path, k].join(".")}: unknown key ${JSON.stringify(k)}: ${chartLabel}'s values.yaml has no such key under ${path.length ? path.join(".") : "the root"}, so the chart ignores it${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}. Fix: remove it or use a key the chart has`,
        });
        continue;
      }
      const d = chart[k];
      if (isMap(v) && isMap(d) && Object.keys(d).length > 0) walk(v, d, [...path, k]);
    }
  };
  walk(u.user, defaults, []);
  return out;
}
