/**
 * NoExecute eviction timing, ported from
 * - pkg/controller/tainteviction/taint_eviction.go (getNoExecuteTaints,
 *   getMinTolerationTime, processPodOnNode, handleNodeUpdate)
 * - pkg/apis/core/v1/helper/helpers.go (GetMatchingTolerations)
 * - plugin/pkg/admission/defaulttolerationseconds/admission.go (Admit)
 */
import { toleratesTaint, type TolerationOptions } from "./taints.ts";
import type { Node, PodSpec, Taint, Toleration } from "./types.ts";

/** core/v1 TaintNodeNotReady */
export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
/** core/v1 TaintNodeUnreachable */
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
/** --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds default. */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** getNoExecuteTaints */
export function noExecuteTaints(taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect === "NoExecute");
}

/**
 * GetMatchingTolerations: for each taint, the first toleration (in pod order)
 * that tolerates it. `allTolerated` is false as soon as one taint is untolerated.
 */
export function getMatchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  opts: TolerationOptions = {},
): { allTolerated: boolean; used: Toleration[] } {
  if (taints.length === 0) return { allTolerated: true, used: [] };
  if (tolerations.length === 0) return { allTolerated: false, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint, opts));
    if (match === undefined) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}

/**
 * getMinTolerationTime in seconds: 0 for an empty list, 0 as soon as one
 * tolerationSeconds is <= 0, otherwise the minimum set value; null when no
 * toleration sets tolerationSeconds (tolerated forever; upstream returns -1).
 */
export function minTolerationSeconds(tolerations: readonly Toleration[]): number | null {
  if (tolerations.length === 0) return 0;
  let min: number | null = null;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    if (min === null || t.tolerationSeconds < min) min = t.tolerationSeconds;
  }
  return min;
}

/** Default seconds used by the DefaultTolerationSeconds admission plugin. */
export interface DefaultTolerationSecondsConfig {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

/**
 * The DefaultTolerationSeconds admission plugin: a toleration counts as
 * already tolerating not-ready (unreachable) when its key is that taint key or
 * empty AND its effect is NoExecute or empty (operator and value are not
 * looked at). Missing tolerations are appended, not-ready first, with
 * operator Exists, effect NoExecute and 300 s by default. Returns a new list.
 */
export function applyDefaultTolerationSeconds(
  tolerations: readonly Toleration[] | null | undefined,
  config: DefaultTolerationSecondsConfig = {},
): Toleration[] {
  const list = [...(tolerations ?? [])];
  const covers = (key: string) =>
    list.some((t) => ((t.key ?? "") === key || (t.key ?? "") === "") && ((t.effect ?? "") === "NoExecute" || (t.effect ?? "") === ""));
  const toleratesNotReady = covers(TAINT_NODE_NOT_READY);
  const toleratesUnreachable = covers(TAINT_NODE_UNREACHABLE);
  if (!toleratesNotReady) {
    list.push({ key: TAINT_NODE_NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: config.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  if (!toleratesUnreachable) {
    list.push({ key: TAINT_NODE_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: config.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS });
  }
  return list;
}

/** Options of noExecuteEvictionSeconds. */
export interface EvictionOptions extends TolerationOptions, DefaultTolerationSecondsConfig {
  /** Run the pod's tolerations through the DefaultTolerationSeconds admission plugin first. */
  applyDefaultTolerationSeconds?: boolean;
}

/**
 * Seconds after the node's NoExecute taints appear at which the taint-eviction
 * controller deletes the pod: null = never (no NoExecute taint, or every used
 * toleration tolerates forever), 0 = immediately (an untolerated NoExecute
 * taint, or a used tolerationSeconds <= 0), else the minimum tolerationSeconds
 * among the first matching toleration of each NoExecute taint.
 *
 * All of the node's NoExecute taints are taken as added at the same instant;
 * the controller measures from when it processes the node update.
 */
export function noExecuteEvictionSeconds(podSpec: PodSpec, node: Node, opts: EvictionOptions = {}): number | null {
  const taints = noExecuteTaints(node.taints);
  if (taints.length === 0) return null;
  const tolerations = opts.applyDefaultTolerationSeconds ? applyDefaultTolerationSeconds(podSpec.tolerations, opts) : [...(podSpec.tolerations ?? [])];
  const { allTolerated, used } = getMatchingTolerations(taints, tolerations, opts);
  if (!allTolerated) return 0;
  return minTolerationSeconds(used);
}
