/**
 * The descheduler v0.36 RemovePodsViolatingNodeAffinity decision for one pod,
 * ported from kubernetes-sigs/descheduler:
 * - pkg/framework/plugins/removepodsviolatingnodeaffinity/node_affinity.go (Deschedule, processNodes)
 * - pkg/descheduler/node/node.go (ReadyNodes/IsReady, NodeFit, PodFitsAnyNode,
 *   PodFitsAnyOtherNode, GetNodeWeightGivenPodPreferredAffinity,
 *   GetBestNodeWeightGivenPodPreferredAffinity, podMatchesInterPodAntiAffinity)
 * - pkg/utils/predicates.go (PodMatchNodeSelector, TolerationsTolerateTaintsWithFilter)
 * - pkg/framework/plugins/defaultevictor/defaultevictor.go (Filter, PreEvictionFilter,
 *   pod protections) and pkg/utils/pod.go (IsPodWithLocalStorage, IsPodWithPVC)
 *
 * Modelled NodeFit checks: node selector + required node affinity, NoSchedule/
 * NoExecute taints, `unschedulable` (no toleration escape, unlike the
 * scheduler), required inter-pod anti-affinity against pods on the node.
 * Resources are modelled as always fitting. Evictor checks that need pod
 * metadata (owner references, DaemonSet, mirror/static, terminating, PDBs,
 * evict annotation, minReplicas, minPodAge, label selector, namespace filters)
 * are not modelled: the pod is taken as a controller-owned, running pod.
 */
import { selectorMatches, labelSelectorAsSelector } from "./labels.ts";
import { effectiveNodeLabels } from "./node.ts";
import { matchNodeSelectorTerms, requiredNodeAffinityMatch } from "./nodeaffinity.ts";
import { podNamespace } from "./interpod.ts";
import { isDoNotScheduleTaint, tolerationsTolerateTaint } from "./taints.ts";
import type { Node, PlacedPod, PodMeta, PodSpec } from "./types.ts";

/** The two nodeAffinityType values the plugin understands. */
export const REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution";
export const PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution";

/** utils.SystemCriticalPriority */
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** DefaultEvictor pod protection policies that a PodSpec can decide. */
export type PodProtection = "PodsWithLocalStorage" | "PodsWithPVC" | "SystemCriticalPods";

/** Options of the descheduler decision: plugin args plus DefaultEvictor args. */
export interface DeschedulerOptions {
  /** RemovePodsViolatingNodeAffinityArgs.nodeAffinityType; unknown values are ignored (logged upstream). */
  nodeAffinityType: string[];
  /** DefaultEvictorArgs.nodeFit */
  nodeFit: boolean;
  /** Identity of the pod (for inter-pod anti-affinity in NodeFit). */
  pod?: PodMeta;
  /** Pods bound to nodes (for inter-pod anti-affinity in NodeFit). */
  placedPods?: readonly PlacedPod[];
  /** DefaultEvictorArgs.podProtections (names compared case-insensitively). */
  podProtections?: { defaultDisabled?: string[]; extraEnabled?: string[] };
  /** Legacy DefaultEvictorArgs.evictLocalStoragePods (used when podProtections is empty). */
  evictLocalStoragePods?: boolean;
  /** Legacy DefaultEvictorArgs.evictSystemCriticalPods. */
  evictSystemCriticalPods?: boolean;
  /** Legacy DefaultEvictorArgs.ignorePvcPods. */
  ignorePvcPods?: boolean;
}

/** Why the descheduler would or would not evict the pod. */
export interface DeschedulerDecision {
  evict: boolean;
  /** The nodeAffinityType that selects the pod, when `evict`. */
  evictedBy?: string;
  /** Human-readable trace of the checks, in evaluation order. */
  reasons: string[];
}

/** nodeutil.IsReady as modelled: a node is ready unless `ready === false`. */
export function readyNodes(nodes: readonly Node[]): Node[] {
  return nodes.filter((n) => n.ready !== false);
}

/** utils.PodMatchNodeSelector: nodeSelector and required node affinity. */
export function podMatchNodeSelector(podSpec: PodSpec, node: Node): boolean {
  return requiredNodeAffinityMatch(podSpec, node).matched;
}

/** utils.PodHasNodeAffinity */
export function podHasNodeAffinity(podSpec: PodSpec, type: string): boolean {
  const na = podSpec.affinity?.nodeAffinity;
  if (!na) return false;
  if (type === REQUIRED) return na.requiredDuringSchedulingIgnoredDuringExecution !== null && na.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  if (type === PREFERRED) return (na.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  return false;
}

/**
 * nodeutil.GetNodeWeightGivenPodPreferredAffinity: sum of the weights of the
 * preferred terms matching the node; unlike the scheduler, a term that does
 * not parse just does not match.
 */
export function deschedulerPreferredWeight(podSpec: PodSpec, node: Node): number {
  if (!podHasNodeAffinity(podSpec, PREFERRED)) return 0;
  let sum = 0;
  for (const t of podSpec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (matchNodeSelectorTerms(node, { nodeSelectorTerms: [t.preference] }).matched) sum += t.weight;
  }
  return sum;
}

/** podMatchesInterPodAntiAffinity: a pod on `node` matches one of the pod's required anti-affinity terms. */
function matchesAntiAffinityOnNode(podSpec: PodSpec, meta: PodMeta, node: Node, placed: readonly PlacedPod[]): boolean {
  const terms = podSpec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (terms.length === 0) return false;
  const onNode = placed.filter((p) => p.nodeName === node.name);
  for (const term of terms) {
    const namespaces = new Set((term.namespaces ?? []).length > 0 ? (term.namespaces as string[]) : [podNamespace(meta)]);
    const sel = labelSelectorAsSelector(term.labelSelector);
    if (!sel.ok) return true; // upstream returns the error, which makes NodeFit fail
    for (const other of onNode) {
      if (other.name === meta.name || !namespaces.has(podNamespace(other)) || !selectorMatches(sel.value, other.labels ?? {})) continue;
      if (Object.hasOwn(effectiveNodeLabels(node), term.topologyKey)) return true;
    }
  }
  return false;
}

/**
 * nodeutil.NodeFit: null when the pod fits the node, else the upstream error text.
 */
export function nodeFit(podSpec: PodSpec, node: Node, meta: PodMeta = {}, placed: readonly PlacedPod[] = []): string | null {
  if (!podMatchNodeSelector(podSpec, node)) return "pod node selector does not match the node label";
  if (!node.taints.filter(isDoNotScheduleTaint).every((t) => tolerationsTolerateTaint(podSpec.tolerations, t))) return "pod does not tolerate taints on the node";
  if (node.unschedulable === true) return "node is not schedulable";
  if (matchesAntiAffinityOnNode(podSpec, meta, node, placed)) return "pod matches inter-pod anti-affinity rule of other pod on node";
  return null;
}

function protectionsInEffect(opts: DeschedulerOptions): Set<PodProtection> {
  const norm = (s: string) => s.toLowerCase();
  const disabled = (opts.podProtections?.defaultDisabled ?? []).map(norm);
  const extra = (opts.podProtections?.extraEnabled ?? []).map(norm);
  const out = new Set<PodProtection>();
  if (disabled.length > 0 || extra.length > 0) {
    for (const p of ["PodsWithLocalStorage", "SystemCriticalPods"] as const) if (!disabled.includes(norm(p))) out.add(p);
    if (extra.includes(norm("PodsWithPVC"))) out.add("PodsWithPVC");
    return out;
  }
  if (!opts.evictLocalStoragePods) out.add("PodsWithLocalStorage");
  if (!opts.evictSystemCriticalPods) out.add("SystemCriticalPods");
  if (opts.ignorePvcPods) out.add("PodsWithPVC");
  return out;
}

/** The DefaultEvictor Filter checks a PodSpec decides; returns the blocking reasons. */
export function evictorProtections(podSpec: PodSpec, opts: DeschedulerOptions): string[] {
  const on = protectionsInEffect(opts);
  const volumes = podSpec.volumes ?? [];
  const reasons: string[] = [];
  if (on.has("PodsWithLocalStorage") && volumes.some((v) => (v.hostPath ?? null) !== null || (v.emptyDir ?? null) !== null)) {
    reasons.push("pod has local storage and descheduler is not configured with evictLocalStoragePods");
  }
  if (on.has("SystemCriticalPods") && typeof podSpec.priority === "number" && podSpec.priority >= SYSTEM_CRITICAL_PRIORITY) {
    reasons.push("pod has system critical priority");
  }
  if (on.has("PodsWithPVC") && volumes.some((v) => (v.persistentVolumeClaim ?? null) !== null)) {
    reasons.push("pod has a PVC and descheduler is configured to ignore PVC pods");
  }
  return reasons;
}

/**
 * The full decision with its trace. `podSpec.nodeName` is the pod's current
 * node; `nodes` is the cluster's node list, of which only ready nodes are
 * considered (a pod on a not-ready node is never processed).
 */
export function deschedulerDecision(podSpec: PodSpec, nodes: readonly Node[], opts: DeschedulerOptions): DeschedulerDecision {
  const meta = opts.pod ?? {};
  const placed = opts.placedPods ?? [];
  const ready = readyNodes(nodes);
  const current = ready.find((n) => n.name === podSpec.nodeName);
  if (current === undefined) return { evict: false, reasons: [`current node "${podSpec.nodeName ?? ""}" is not a ready node, the descheduler does not process it`] };
  const blocked = evictorProtections(podSpec, opts);
  if (blocked.length > 0) return { evict: false, reasons: blocked.map((r) => `DefaultEvictor: ${r}`) };
  if (opts.nodeFit && !ready.some((n) => n.name !== podSpec.nodeName && nodeFit(podSpec, n, meta, placed) === null)) {
    return { evict: false, reasons: ["DefaultEvictor: pod does not fit on any other node because of nodeSelector(s), Taint(s), or nodes marked as unschedulable"] };
  }
  const fitsAnyNode = ready.some((n) => nodeFit(podSpec, n, meta, placed) === null);
  const reasons: string[] = [];
  for (const type of opts.nodeAffinityType) {
    if (type === REQUIRED) {
      if (!podHasNodeAffinity(podSpec, REQUIRED)) reasons.push(`${type}: pod has no required node affinity`);
      else if (!fitsAnyNode) reasons.push(`${type}: pod fits no ready node`);
      else if (podMatchNodeSelector(podSpec, current)) reasons.push(`${type}: pod still matches its node selector/affinity on ${current.name}`);
      else return { evict: true, evictedBy: type, reasons: [...reasons, `${type}: pod no longer matches its required node affinity on ${current.name}`] };
    } else if (type === PREFERRED) {
      if (!podHasNodeAffinity(podSpec, PREFERRED)) {
        reasons.push(`${type}: pod has no preferred node affinity`);
        continue;
      }
      if (!fitsAnyNode) {
        reasons.push(`${type}: pod fits no ready node`);
        continue;
      }
      const here = deschedulerPreferredWeight(podSpec, current);
      const best = Math.max(0, ...ready.map((n) => deschedulerPreferredWeight(podSpec, n)));
      if (best > here) return { evict: true, evictedBy: type, reasons: [...reasons, `${type}: best ready node weight ${best} > ${here} on ${current.name}`] };
      reasons.push(`${type}: no ready node has a preferred weight above ${here} on ${current.name}`);
    } else {
      reasons.push(`${type}: invalid nodeAffinityType, ignored`);
    }
  }
  return { evict: false, reasons };
}

/** Whether RemovePodsViolatingNodeAffinity would evict the pod (see deschedulerDecision). */
export function deschedulerWouldEvict(podSpec: PodSpec, nodes: readonly Node[], opts: DeschedulerOptions): boolean {
  return deschedulerDecision(podSpec, nodes, opts).evict;
}
