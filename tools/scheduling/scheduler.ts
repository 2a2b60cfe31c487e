/**
 * A kube-scheduler (v1.36 default profile) placement model restricted to the
 * plugins whose inputs the rendered manifests and the node inventory carry:
 *
 * Filter, in the default profile's order (pkg/scheduler/apis/config/v1/default_plugins.go):
 *   NodeUnschedulable -> TaintToleration -> NodeAffinity -> NodeResourcesFit (extended resources
 *   only) -> InterPodAffinity.
 * Score, with the default weights: TaintToleration 3, NodeAffinity 2, InterPodAffinity 2.
 *
 * Not modelled (treated as always passing / scoring equally): NodeName,
 * NodePorts, NodeResourcesFit for cpu/memory/pods (the inventory has no capacities) and
 * NodeResourcesBalancedAllocation, volume plugins, PodTopologySpread, ImageLocality, preemption.
 * The pod is being placed, so `spec.nodeName` is ignored here.
 */
import { interPodFilter, interPodRawScores, type InterPodState } from "./interpod.ts";
import { defaultNormalizeScore, minMaxNormalizeScore } from "./normalize.ts";
import { requiredNodeAffinityMatch, preferredAffinityScore, PreferredAffinityParseError } from "./nodeaffinity.ts";
import { findUntoleratedTaint, formatTaintForReason, intolerablePreferNoSchedule, tolerationsTolerateTaint, type TolerationOptions } from "./taints.ts";
import type { Node, Pod, PlacedPod } from "./types.ts";

/** Reason of the NodeAffinity filter (node_affinity.go ErrReasonPod). */
export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
/** Reason of the NodeUnschedulable filter (node_unschedulable.go ErrReasonUnschedulable). */
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
/** core/v1 TaintNodeUnschedulable */
export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/** Default score-plugin weights of the v1 default profile. */
export const DEFAULT_PLUGIN_WEIGHTS = { TaintToleration: 3, NodeAffinity: 2, InterPodAffinity: 2 } as const;

/** Name of a modelled filter plugin. */
export type FilterPlugin = "NodeUnschedulable" | "TaintToleration" | "NodeAffinity" | "NodeResourcesFit" | "InterPodAffinity";

/**
 * An extended resource name (k8s.io/kubernetes pkg/apis/core/v1/helper IsExtendedResourceName):
 * fully qualified (has a `/`), outside the `kubernetes.io/` namespace and not a `requests.` quota
 * name. Device plugins advertise GPUs this way (`nvidia.com/gpu`, `gpu.intel.com/i915`).
 */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes("/") || name.startsWith("requests.")) return false;
  const domain = name.split("/")[0];
  return domain !== "kubernetes.io" && !domain.endsWith(".kubernetes.io");
}

function quantity(v: unknown): number {
  const n = typeof v === "number" ? v : Number(String(v ?? "0"));
  return Number.isFinite(n) ? n : 0;
}

/**
 * The extended resources a pod requests: per container, `requests` or, where a resource has only
 * a limit, the limit (an extended resource's request defaults to its limit and must equal it), summed
 * over the containers (init containers run before them and reserve the max, which is not modelled).
 */
export function extendedRequests(spec: Pod["spec"]): Record<string, number> {
  const out: Record<string, number> = {};
  const containers = (Array.isArray(spec.containers) ? spec.containers : []) as { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }[];
  for (const c of containers) {
    const names = new Set([...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]);
    for (const name of names) {
      if (!isExtendedResourceName(name)) continue;
      const q = quantity(c.resources?.requests?.[name] ?? c.resources?.limits?.[name]);
      if (q > 0) out[name] = (out[name] ?? 0) + q;
    }
  }
  return out;
}

/**
 * NodeResourcesFit for extended resources (kubernetes pkg/scheduler/framework/plugins/noderesources/
 * fit.go, fitsRequest): for each scalar resource the pod requests, `rQuant > allocatable - requested`
 * of the node fails with the reason `fmt.Sprintf("Insufficient %v", rName)`, status Unschedulable.
 * `requested` sums the pods already placed on the node. Reasons sorted by resource name.
 */
export function insufficientExtendedResources(pod: Pod, node: Node, placedPods: readonly PlacedPod[]): string[] {
  const want = extendedRequests(pod.spec);
  const out: string[] = [];
  for (const [name, q] of Object.entries(want).sort(([a], [b]) => a.localeCompare(b))) {
    const allocatable = quantity(node.allocatable?.[name]);
    const used = placedPods.filter((p) => p.nodeName === node.name).reduce((sum, p) => sum + (extendedRequests(p.spec)[name] ?? 0), 0);
    if (q > allocatable - used) out.push(`Insufficient ${name}`);
  }
  return out;
}
/** Name of a modelled score plugin. */
export type ScorePlugin = keyof typeof DEFAULT_PLUGIN_WEIGHTS;

/** One rule rejecting a node. */
export interface Rejection {
  plugin: FilterPlugin;
  /** The upstream status reason, e.g. "node(s) had untolerated taint {k: v}". */
  reason: string;
  /** The upstream status code. */
  status: "Unschedulable" | "UnschedulableAndUnresolvable";
  /** `${plugin}: ${reason}` */
  message: string;
}

/**
 * Filter outcome for one node. `rejections` lists every failing modelled
 * rule in plugin order; kube-scheduler stops at the first one, so
 * `rejections[0]` is what it would report for that node.
 */
export type FilterResult = { node: string; ok: true } | { node: string; ok: false; rejections: Rejection[] };

/** Options shared by filterNode, scoreNodes and pickNode. */
export interface SchedulerOptions extends TolerationOptions {
  /** All cluster nodes, used to resolve the topology of placed pods (defaults to the candidate nodes). */
  nodes?: readonly Node[];
  namespaceLabels?: InterPodState["namespaceLabels"];
  hardPodAffinityWeight?: number;
}

function rejection(plugin: FilterPlugin, reason: string, status: Rejection["status"] = "UnschedulableAndUnresolvable"): Rejection {
  return { plugin, reason, status, message: `${plugin}: ${reason}` };
}

function interPodState(node: Node, placedPods: readonly PlacedPod[], opts: SchedulerOptions): InterPodState {
  const nodes = [...(opts.nodes ?? [])];
  if (!nodes.some((n) => n.name === node.name)) nodes.push(node);
  return { nodes, placedPods, namespaceLabels: opts.namespaceLabels, hardPodAffinityWeight: opts.hardPodAffinityWeight };
}

/**
 * Runs the modelled filter plugins for `pod` on `node`, given the pods already
 * placed. NodeUnschedulable: an unschedulable (cordoned) node only admits pods
 * tolerating node.kubernetes.io/unschedulable:NoSchedule.
 */
export function filterNode(pod: Pod, node: Node, placedPods: readonly PlacedPod[] = [], opts: SchedulerOptions = {}): FilterResult {
  const rejections: Rejection[] = [];
  if (node.unschedulable === true && !tolerationsTolerateTaint(pod.spec.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" }, opts)) {
    rejections.push(rejection("NodeUnschedulable", ERR_REASON_UNSCHEDULABLE));
  }
  const taint = findUntoleratedTaint(pod.spec, node, opts);
  if (taint !== null) rejections.push(rejection("TaintToleration", `node(s) had untolerated taint ${formatTaintForReason(taint)}`));
  if (!requiredNodeAffinityMatch(pod.spec, node).matched) rejections.push(rejection("NodeAffinity", ERR_REASON_NODE_AFFINITY));
  for (const reason of insufficientExtendedResources(pod, node, placedPods)) rejections.push(rejection("NodeResourcesFit", reason, "Unschedulable"));
  const ipa = interPodFilter(pod, node, interPodState(node, placedPods, opts));
  if (!ipa.ok) rejections.push(rejection("InterPodAffinity", ipa.reason, ipa.status));
  return rejections.length === 0 ? { node: node.name, ok: true } : { node: node.name, ok: false, rejections };
}

/** Raw, normalised and weighted score of one plugin on one node. */
export interface PluginScore {
  raw: number;
  normalized: number;
  weight: number;
  weighted: number;
}

/** Score breakdown of one feasible node. */
export interface NodeScore {
  node: string;
  total: number;
  plugins: Record<ScorePlugin, PluginScore>;
}

/** Result of scoring: feasible nodes in input order, or the scoring error that fails the pod. */
export type ScoreResult = { ok: true; scores: NodeScore[] } | { ok: false; plugin: ScorePlugin; error: string };

/**
 * Scores the (already feasible) `nodes` for `pod` like the default profile:
 * each plugin's raw scores are normalised across these nodes, multiplied by
 * the plugin weight and summed. A preferred node-affinity term that does not
 * parse fails scoring (NodeAffinity PreScore error).
 */
export function scoreNodes(pod: Pod, nodes: readonly Node[], placedPods: readonly PlacedPod[] = [], opts: SchedulerOptions = {}): ScoreResult {
  let naRaw: number[];
  try {
    naRaw = nodes.map((n) => preferredAffinityScore(pod.spec, n));
  } catch (e) {
    if (e instanceof PreferredAffinityParseError) return { ok: false, plugin: "NodeAffinity", error: e.message };
    throw e;
  }
  const naNorm = defaultNormalizeScore(naRaw, false);
  const ttRaw = nodes.map((n) => intolerablePreferNoSchedule(pod.spec, n, opts));
  const ttNorm = defaultNormalizeScore(ttRaw, true);
  const state: InterPodState = {
    nodes: opts.nodes ?? nodes,
    placedPods,
    namespaceLabels: opts.namespaceLabels,
    hardPodAffinityWeight: opts.hardPodAffinityWeight,
  };
  const ipa = interPodRawScores(pod, nodes, state);
  const ipaNorm = ipa.scored ? minMaxNormalizeScore(ipa.scores) : ipa.scores.map(() => 0);
  const ps = (raw: number, normalized: number, plugin: ScorePlugin): PluginScore => {
    const weight = DEFAULT_PLUGIN_WEIGHTS[plugin];
    return { raw, normalized, weight, weighted: normalized * weight };
  };
  const scores = nodes.map((n, i) => {
    const plugins = {
      TaintToleration: ps(ttRaw[i], ttNorm[i], "TaintToleration"),
      NodeAffinity: ps(naRaw[i], naNorm[i], "NodeAffinity"),
      InterPodAffinity: ps(ipa.scores[i], ipaNorm[i], "InterPodAffinity"),
    };
    const total = plugins.TaintToleration.weighted + plugins.NodeAffinity.weighted + plugins.InterPodAffinity.weighted;
    return { node: n.name, total, plugins };
  });
  return { ok: true, scores };
}

/** The scheduling decision for one pod. */
export type PlacementDecision =
  | {
      outcome: "scheduled";
      node: string;
      /** Every node's filter result, in input order. */
      filter: FilterResult[];
      /** Scores of the feasible nodes; empty when only one node was feasible (scoring is skipped). */
      scores: NodeScore[];
      /** Other feasible nodes with the same top score: upstream picks among them at random, the model takes the first in node order. */
      tiedWith: string[];
    }
  | { outcome: "unschedulable"; message: string; filter: FilterResult[] }
  | { outcome: "error"; message: string; filter: FilterResult[] };

/**
 * framework.FitError.Error(): "0/N nodes are available: " followed by the
 * sorted "<count> <reason>" histogram of each node's first rejection.
 */
export function fitErrorMessage(filter: readonly FilterResult[]): string {
  const counts = new Map<string, number>();
  for (const f of filter) if (!f.ok) counts.set(f.rejections[0].reason, (counts.get(f.rejections[0].reason) ?? 0) + 1);
  const parts = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${filter.length} nodes are available: ${parts.join(", ")}.`;
}

/**
 * Chooses a node for `pod` among `nodes` as the default scheduler would with
 * the modelled plugins: filter every node; none feasible -> unschedulable with
 * the FitError message; exactly one -> that node without scoring (as
 * schedulePod does); otherwise the highest total score, ties broken by node
 * order (deterministic, unlike upstream's random choice; see `tiedWith`).
 */
export function pickNode(pod: Pod, nodes: readonly Node[], placedPods: readonly PlacedPod[] = [], opts: SchedulerOptions = {}): PlacementDecision {
  const withNodes: SchedulerOptions = { ...opts, nodes: opts.nodes ?? nodes };
  const filter = nodes.map((n) => filterNode(pod, n, placedPods, withNodes));
  const feasible = nodes.filter((_, i) => filter[i].ok);
  if (feasible.length === 0) return { outcome: "unschedulable", message: fitErrorMessage(filter), filter };
  if (feasible.length === 1) return { outcome: "scheduled", node: feasible[0].name, filter, scores: [], tiedWith: [] };
  const scored = scoreNodes(pod, feasible, placedPods, withNodes);
  if (!scored.ok) return { outcome: "error", message: `${scored.plugin}: ${scored.error}`, filter };
  const best = Math.max(...scored.scores.map((s) => s.total));
  const top = scored.scores.filter((s) => s.total === best).map((s) => s.node);
  return { outcome: "scheduled", node: top[0], filter, scores: scored.scores, tiedWith: top.slice(1) };
}
