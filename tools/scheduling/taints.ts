/**
 * Taints and tolerations, ported from
 * - staging/src/k8s.io/api/core/v1/toleration.go (Toleration.ToleratesTaint, compareNumericValues)
 * - staging/src/k8s.io/component-helpers/scheduling/corev1/helpers.go
 *   (TolerationsTolerateTaint, FindMatchingUntoleratedTaint)
 * - pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go
 *   (Filter, countIntolerableTaintsPreferNoSchedule, getAllTolerationPreferNoSchedule)
 */
import type { Node, PodSpec, Taint, Toleration } from "./types.ts";
import { isDecimalInteger, parseInt64 } from "./validation.ts";

/** Feature-gate dependent matching options. */
export interface TolerationOptions {
  /**
   * TaintTolerationComparisonOperators feature gate (alpha since v1.35,
   * default off in v1.36): when false, Lt/Gt tolerations never match.
   */
  enableComparisonOperators?: boolean;
}

/** Outcome of matching one toleration, including the comparison parse error upstream returns. */
export interface ToleratesResult {
  tolerated: boolean;
  error?: string;
}

function compareNumericValues(tolerationVal: string, taintVal: string, op: string): ToleratesResult {
  const checks: Array<[string, string]> = [
    [tolerationVal, "toleration"],
    [taintVal, "taint"],
  ];
  for (const [v, what] of checks) {
    const msgs = isDecimalInteger(v);
    if (msgs.length > 0 || parseInt64(v) === null) {
      return { tolerated: false, error: `failed to parse ${what} value "${v}" as int64: ${msgs.join(",") || "value out of range"}` };
    }
  }
  const t = parseInt64(tolerationVal) as bigint;
  const n = parseInt64(taintVal) as bigint;
  return { tolerated: op === "Lt" ? n < t : n > t };
}

/** Toleration.ToleratesTaint with its error result. */
export function toleratesTaintDetailed(toleration: Toleration, taint: Taint, opts: TolerationOptions = {}): ToleratesResult {
  const effect = toleration.effect ?? "";
  if (effect.length > 0 && effect !== taint.effect) return { tolerated: false };
  const key = toleration.key ?? "";
  if (key.length > 0 && key !== taint.key) return { tolerated: false };
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return { tolerated: (toleration.value ?? "") === (taint.value ?? "") };
    case "Exists":
      return { tolerated: true };
    case "Lt":
    case "Gt":
      if (!opts.enableComparisonOperators) return { tolerated: false };
      return compareNumericValues(toleration.value ?? "", taint.value ?? "", toleration.operator as string);
    default:
      return { tolerated: false };
  }
}

/**
 * Whether one toleration tolerates one taint: an empty effect matches every
 * effect, an empty key matches every key, Exists matches every value, an empty
 * operator means Equal.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint, opts: TolerationOptions = {}): boolean {
  return toleratesTaintDetailed(toleration, taint, opts).tolerated;
}

/** TolerationsTolerateTaint: any toleration tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | null | undefined, taint: Taint, opts: TolerationOptions = {}): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint, opts));
}

/** helper.DoNotScheduleTaintsFilterFunc: the taint effects that filter nodes. */
export function isDoNotScheduleTaint(taint: Taint): boolean {
  return taint.effect === "NoSchedule" || taint.effect === "NoExecute";
}

/**
 * FindMatchingUntoleratedTaint restricted to NoSchedule/NoExecute taints:
 * returns the first untolerated taint (a cleanly untolerated taint is preferred
 * over one that only failed a comparison parse), or null when all are tolerated.
 */
export function findUntoleratedTaint(podSpec: PodSpec, node: Node, opts: TolerationOptions = {}): Taint | null {
  const tolerations = podSpec.tolerations ?? [];
  let firstErrTaint: Taint | null = null;
  for (const taint of node.taints.filter(isDoNotScheduleTaint)) {
    let tolerated = false;
    let err = false;
    for (const t of tolerations) {
      const r = toleratesTaintDetailed(t, taint, opts);
      if (r.tolerated) {
        tolerated = true;
        break;
      }
      if (r.error !== undefined) err = true;
    }
    if (tolerated) continue;
    if (err) {
      firstErrTaint ??= taint;
      continue;
    }
    return taint;
  }
  return firstErrTaint;
}

/** The TaintToleration filter: every NoSchedule and NoExecute taint is tolerated. */
export function taintFilter(podSpec: PodSpec, node: Node, opts: TolerationOptions = {}): boolean {
  return findUntoleratedTaint(podSpec, node, opts) === null;
}

/**
 * The TaintToleration raw score: the number of PreferNoSchedule taints not
 * tolerated by the pod's tolerations whose effect is empty or PreferNoSchedule.
 */
export function intolerablePreferNoSchedule(podSpec: PodSpec, node: Node, opts: TolerationOptions = {}): number {
  const tolerations = (podSpec.tolerations ?? []).filter((t) => (t.effect ?? "") === "" || t.effect === "PreferNoSchedule");
  return node.taints.filter((taint) => taint.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, taint, opts)).length;
}

/** Renders a taint like the scheduler's reason: `{key: value}`. */
export function formatTaintForReason(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ""}}`;
}
