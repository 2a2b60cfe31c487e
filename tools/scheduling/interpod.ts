/**
 * Inter-pod affinity and anti-affinity, ported from
 * - pkg/scheduler/framework/plugins/interpodaffinity/filtering.go
 *   (getExistingAntiAffinityCounts, getIncomingAffinityAntiAffinityCounts,
 *   satisfyPodAffinity, satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity, Filter)
 * - pkg/scheduler/framework/plugins/interpodaffinity/scoring.go
 *   (processExistingPod, processTerm, Score; NormalizeScore lives in normalize.ts)
 * - pkg/scheduler/framework/types.go (AffinityTerm.Matches, getNamespacesFromPodAffinityTerm)
 *
 * Namespaces: a term selects the pods of `namespaces`, or of the namespaces
 * whose labels match `namespaceSelector`; with neither, the pod's own
 * namespace. Namespace labels default to the automatic
 * `kubernetes.io/metadata.name: <namespace>` label.
 * Not modelled: matchLabelKeys/mismatchLabelKeys (merged into labelSelector
 * by the API server at pod creation; pass the merged selector).
 */
import { labelSelectorAsSelector, NOTHING, selectorMatches, type Selector } from "./labels.ts";
import { effectiveNodeLabels } from "./node.ts";
import type { Node, Pod, PodAffinityTerm, PlacedPod, WeightedPodAffinityTerm } from "./types.ts";

/** Reason strings of the InterPodAffinity filter (filtering.go). */
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

/** The framework's default hardPodAffinityWeight (InterPodAffinityArgs). */
export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;

/** A parsed PodAffinityTerm (framework.AffinityTerm). */
export interface AffinityTerm {
  namespaces: Set<string>;
  namespaceSelector: Selector;
  selector: Selector;
  topologyKey: string;
}

/** Cluster state the inter-pod rules look at. */
export interface InterPodState {
  /** Every node that may host a placed pod (to resolve topology values). */
  nodes: readonly Node[];
  /** Pods already bound to nodes. */
  placedPods: readonly PlacedPod[];
  /** Labels of each namespace; default `{ "kubernetes.io/metadata.name": ns }`. */
  namespaceLabels?: Readonly<Record<string, Record<string, string>>>;
  /** InterPodAffinityArgs.hardPodAffinityWeight (default 1). */
  hardPodAffinityWeight?: number;
}

/** Result of the InterPodAffinity filter on one node. */
export type InterPodFilterResult =
  | { ok: true }
  | { ok: false; reason: string; status: "Unschedulable" | "UnschedulableAndUnresolvable" };

/** Namespace of a pod ("default" when absent). */
export function podNamespace(pod: { namespace?: string }): string {
  return pod.namespace && pod.namespace.length > 0 ? pod.namespace : "default";
}

function nsLabels(state: InterPodState, ns: string): Record<string, string> {
  return state.namespaceLabels?.[ns] ?? { "kubernetes.io/metadata.name": ns };
}

/** Parses a PodAffinityTerm of `owner`; returns the error strings when a selector is invalid. */
export function parseAffinityTerm(owner: Pod, term: PodAffinityTerm): { ok: true; term: AffinityTerm } | { ok: false; errors: string[] } {
  const sel = labelSelectorAsSelector(term.labelSelector);
  if (!sel.ok) return sel;
  const nsSel = term.namespaceSelector === undefined || term.namespaceSelector === null ? { ok: true as const, value: NOTHING } : labelSelectorAsSelector(term.namespaceSelector);
  if (!nsSel.ok) return nsSel;
  const namespaces = new Set<string>();
  const listed = term.namespaces ?? [];
  if (listed.length === 0 && (term.namespaceSelector === undefined || term.namespaceSelector === null)) namespaces.add(podNamespace(owner));
  else for (const ns of listed) namespaces.add(ns);
  return { ok: true, term: { namespaces, namespaceSelector: nsSel.value, selector: sel.value, topologyKey: term.topologyKey } };
}

/** AffinityTerm.Matches: namespace (listed or selected) and label selector. */
export function affinityTermMatches(term: AffinityTerm, pod: Pod, podNsLabels: Record<string, string>): boolean {
  if (term.namespaces.has(podNamespace(pod)) || selectorMatches(term.namespaceSelector, podNsLabels)) {
    return selectorMatches(term.selector, pod.labels ?? {});
  }
  return false;
}

interface WeightedTerm {
  term: AffinityTerm;
  weight: number;
}

/** All affinity terms of a pod, parsed; errors collected as framework.NewPodInfo does. */
export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedTerm[];
  preferredAntiAffinity: WeightedTerm[];
  errors: string[];
}

/** framework.NewPodInfo's term parsing (required and preferred, affinity and anti-affinity). */
export function parsePodAffinityTerms(pod: Pod): PodAffinityTerms {
  const out: PodAffinityTerms = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [], errors: [] };
  const req = (terms: PodAffinityTerm[] | null | undefined, into: AffinityTerm[]) => {
    for (const t of terms ?? []) {
      const r = parseAffinityTerm(pod, t);
      if (r.ok) into.push(r.term);
      else out.errors.push(...r.errors);
    }
  };
  const pref = (terms: WeightedPodAffinityTerm[] | null | undefined, into: WeightedTerm[]) => {
    for (const t of terms ?? []) {
      const r = parseAffinityTerm(pod, t.podAffinityTerm);
      if (r.ok) into.push({ term: r.term, weight: t.weight });
      else out.errors.push(...r.errors);
    }
  };
  const a = pod.spec.affinity;
  req(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, out.requiredAffinity);
  req(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, out.requiredAntiAffinity);
  pref(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, out.preferredAffinity);
  pref(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, out.preferredAntiAffinity);
  return out;
}

type TopologyCounts = Map<string, number>;
const tpKey = (key: string, value: string) => `${key}\u0000${value}`;
function bump(counts: TopologyCounts, key: string, value: string, by: number): void {
  const k = tpKey(key, value);
  counts.set(k, (counts.get(k) ?? 0) + by);
}

function samePod(a: Pod, b: Pod): boolean {
  return a.name !== undefined && a.name === b.name && podNamespace(a) === podNamespace(b);
}

/** Placed pods with the labels of their node; pods on unknown nodes and the pod itself are dropped. */
function existingPodsWithNodes(pod: Pod, state: InterPodState): Array<{ existing: PlacedPod; labels: Record<string, string> }> {
  const byName = new Map(state.nodes.map((n) => [n.name, n]));
  const out: Array<{ existing: PlacedPod; labels: Record<string, string> }> = [];
  for (const existing of state.placedPods) {
    const node = byName.get(existing.nodeName);
    if (node === undefined || samePod(existing, pod)) continue;
    out.push({ existing, labels: effectiveNodeLabels(node) });
  }
  return out;
}

/**
 * The InterPodAffinity filter for `pod` on `node`: required pod affinity,
 * then the pod's required anti-affinity, then the required anti-affinity of
 * pods already placed (symmetry), in upstream order.
 */
export function interPodFilter(pod: Pod, node: Node, state: InterPodState): InterPodFilterResult {
  // No term of the pod's to parse or satisfy and no placed pod whose anti-affinity could refuse it:
  // every check below passes (lint asks this for every workload on every node; issue 18).
  const a = pod.spec.affinity;
  if (state.placedPods.length === 0 && !a?.podAffinity && !a?.podAntiAffinity) return { ok: true };
  const terms = parsePodAffinityTerms(pod);
  if (terms.errors.length > 0) return { ok: false, status: "UnschedulableAndUnresolvable", reason: `parsing pod: ${terms.errors.join("; ")}` };
  const existing = existingPodsWithNodes(pod, state);
  const incomingNsLabels = nsLabels(state, podNamespace(pod));

  const affinityCounts: TopologyCounts = new Map();
  const antiAffinityCounts: TopologyCounts = new Map();
  const existingAntiCounts: TopologyCounts = new Map();
  for (const { existing: ex, labels } of existing) {
    const exNs = nsLabels(state, podNamespace(ex));
    for (const t of terms.requiredAffinity) {
      if (Object.hasOwn(labels, t.topologyKey) && affinityTermMatches(t, ex, exNs)) bump(affinityCounts, t.topologyKey, labels[t.topologyKey], 1);
    }
    for (const t of terms.requiredAntiAffinity) {
      if (Object.hasOwn(labels, t.topologyKey) && affinityTermMatches(t, ex, exNs)) bump(antiAffinityCounts, t.topologyKey, labels[t.topologyKey], 1);
    }
    for (const raw of ex.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const parsed = parseAffinityTerm(ex, raw);
      if (!parsed.ok) continue;
      const t = parsed.term;
      if (Object.hasOwn(labels, t.topologyKey) && affinityTermMatches(t, pod, incomingNsLabels)) bump(existingAntiCounts, t.topologyKey, labels[t.topologyKey], 1);
    }
  }

  const nodeLabels = effectiveNodeLabels(node);
  // satisfyPodAffinity
  let podsExist = true;
  for (const t of terms.requiredAffinity) {
    if (!Object.hasOwn(nodeLabels, t.topologyKey)) return { ok: false, status: "UnschedulableAndUnresolvable", reason: ERR_REASON_AFFINITY_RULES_NOT_MATCH };
    if ((affinityCounts.get(tpKey(t.topologyKey, nodeLabels[t.topologyKey])) ?? 0) <= 0) podsExist = false;
  }
  if (!podsExist) {
    const selfMatch = terms.requiredAffinity.every((t) => affinityTermMatches(t, pod, incomingNsLabels));
    if (!(affinityCounts.size === 0 && selfMatch)) return { ok: false, status: "UnschedulableAndUnresolvable", reason: ERR_REASON_AFFINITY_RULES_NOT_MATCH };
  }
  // satisfyPodAntiAffinity
  for (const t of terms.requiredAntiAffinity) {
    if (Object.hasOwn(nodeLabels, t.topologyKey) && (antiAffinityCounts.get(tpKey(t.topologyKey, nodeLabels[t.topologyKey])) ?? 0) > 0) {
      return { ok: false, status: "Unschedulable", reason: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH };
    }
  }
  // satisfyExistingPodsAntiAffinity
  for (const [key, value] of Object.entries(nodeLabels)) {
    if ((existingAntiCounts.get(tpKey(key, value)) ?? 0) > 0) return { ok: false, status: "Unschedulable", reason: ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH };
  }
  return { ok: true };
}

/**
 * InterPodAffinity raw scores for `nodes` (PreScore + Score): preferred
 * affinity (+weight) and anti-affinity (-weight) of the incoming pod against
 * placed pods, plus placed pods' required affinity (+hardPodAffinityWeight),
 * preferred affinity (+weight) and preferred anti-affinity (-weight) matching
 * the incoming pod, aggregated per topology pair. `scored` is false when no
 * topology pair received a contribution (NormalizeScore then leaves zeros).
 */
export function interPodRawScores(pod: Pod, nodes: readonly Node[], state: InterPodState): { scored: boolean; scores: number[] } {
  const terms = parsePodAffinityTerms(pod);
  const hardWeight = state.hardPodAffinityWeight ?? DEFAULT_HARD_POD_AFFINITY_WEIGHT;
  const topologyScore = new Map<string, Map<string, number>>();
  const add = (t: AffinityTerm, target: Pod, targetNs: Record<string, string>, labels: Record<string, string>, weight: number) => {
    if (!Object.hasOwn(labels, t.topologyKey) || !affinityTermMatches(t, target, targetNs)) return;
    const byValue = topologyScore.get(t.topologyKey) ?? new Map<string, number>();
    byValue.set(labels[t.topologyKey], (byValue.get(labels[t.topologyKey]) ?? 0) + weight);
    topologyScore.set(t.topologyKey, byValue);
  };
  const incomingNs = nsLabels(state, podNamespace(pod));
  for (const { existing: ex, labels } of existingPodsWithNodes(pod, state)) {
    const exNs = nsLabels(state, podNamespace(ex));
    for (const w of terms.preferredAffinity) add(w.term, ex, exNs, labels, w.weight);
    for (const w of terms.preferredAntiAffinity) add(w.term, ex, exNs, labels, -w.weight);
    const exTerms = parsePodAffinityTerms(ex);
    if (hardWeight > 0) for (const t of exTerms.requiredAffinity) add(t, pod, incomingNs, labels, hardWeight);
    for (const w of exTerms.preferredAffinity) add(w.term, pod, incomingNs, labels, w.weight);
    for (const w of exTerms.preferredAntiAffinity) add(w.term, pod, incomingNs, labels, -w.weight);
  }
  const scores = nodes.map((n) => {
    const labels = effectiveNodeLabels(n);
    let s = 0;
    for (const [key, byValue] of topologyScore) if (Object.hasOwn(labels, key)) s += byValue.get(labels[key]) ?? 0;
    return s;
  });
  return { scored: topologyScore.size > 0, scores };
}
