/**
 * The value-merging rules Flux and Helm apply, so that the tooling validates and renders exactly
 * what the cluster gets.
 *
 * 1. source-controller merges a HelmChart's `valuesFiles` in order into the chart's values.yaml
 *    (`transform.MergeMaps`: maps are merged recursively, anything else — lists, scalars, null —
 *    from the later file replaces). When `valuesFiles` is set, the chart's own values.yaml is used
 *    only if listed. (fluxcd/source-controller internal/helm/chart/builder_local.go, mergeChartValues;
 *    fluxcd/pkg/chartutil, transform.MergeMaps)
 * 2. helm-controller merges `valuesFrom` references in order, then `spec.values` on top, with the
 *    same MergeMaps (fluxcd/pkg/chartutil ChartValuesFromReferences).
 * 3. Helm coalesces those user values over the chart's values: maps deep-merged, lists and scalars
 *    replaced, and a user `null` deletes the key from the chart's defaults
 *    (helm/helm pkg/chart/common/util/coalesce.go, coalesceValues / coalesceTablesFullKey).
 */

import { isPlainObject } from "./k8s.ts";

export type Values = Record<string, unknown>;

/** The plain-object guard (tools/lib/k8s.ts). */
export const isMap: (v: unknown) => v is Values = isPlainObject;

/** source-controller / helm-controller `MergeMaps(a, b)`: b wins; maps merge recursively. */
export function mergeMaps(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = isMap(v) && isMap(cur) ? mergeMaps(cur, v) : v;
  }
  return out;
}

/**
 * Helm's coalescing of user values over chart defaults. A user `null` removes the key (and so the
 * chart's default); maps merge recursively; anything else from the user replaces the default.
 */
export function coalesce(defaults: Values, user: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(user)) out[k] = v;
  for (const [k, def] of Object.entries(defaults)) {
    if (!(k in user)) {
      out[k] = def;
      continue;
    }
    const u = user[k];
    if (u === null) delete out[k];
    else if (isMap(u) && isMap(def)) out[k] = coalesce(def, u);
  }
  return out;
}

/** Sets `value` at a dotted `targetPath` (valuesFrom `targetPath`), creating maps on the way. */
export function setPath(values: Values, path: string[], value: unknown): Values {
  if (path.length === 0) return isMap(value) ? mergeMaps(values, value) : values;
  const [head, ...rest] = path;
  const child = isMap(values[head]) ? (values[head] as Values) : {};
  return { ...values, [head]: rest.length === 0 ? value : setPath(child, rest, value) };
}
