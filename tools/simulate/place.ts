/**
 * Base placement: every pod of the environment placed on the inventory's nodes with the
 * scheduling model (tools/scheduling pickNode), one pod at a time so that inter-pod
 * (anti-)affinity sees the pods placed before it.
 */
import { pickNode, type NodeScore, type PlacedPod, type PlacementDecision } from "../scheduling/index.ts";
import { nodeLabel, type SimNode, type SimPod } from "./model.ts";

/** What happened on one node for one pod. */
export interface NodeVerdict {
  node: string;
  nodeName: string;
  feasible: boolean;
  /** Filter rejections ("Plugin: reason"), in plugin order; empty when feasible. */
  rejections: string[];
  /** Total score when scored (several feasible nodes). */
  score: number | null;
  chosen: boolean;
}

/** The placement of one pod. */
export interface PodPlacement {
  pod: string;
  workload: string;
  status: "Scheduled" | "Pending" | "Error";
  /** Node id, or null when Pending. */
  node: string | null;
  /** The scheduler's FitError / scoring error. */
  message: string | null;
  verdicts: NodeVerdict[];
  /** Feasible nodes with the same top score (upstream picks at random; the model takes the first). */
  tiedWith: string[];
}

/** Pods bound to nodes, with their simulated identity. */
export interface Bound {
  pod: SimPod;
  node: SimNode;
}

/** Converts bindings to the PlacedPod list the scheduling model reads. */
export function placedPods(bound: readonly Bound[]): PlacedPod[] {
  return bound.map((b) => ({ ...b.pod.pod, nodeName: b.node.name }));
}

/** Turns a pickNode decision into a report row. */
export function toPlacement(p: SimPod, nodes: readonly SimNode[], d: PlacementDecision): PodPlacement {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const scores = new Map<string, NodeScore>(d.outcome === "scheduled" ? d.scores.map((s) => [s.node, s]) : []);
  const chosen = d.outcome === "scheduled" ? d.node : null;
  const verdicts = d.filter.map((f) => ({
    node: byName.get(f.node)?.id ?? f.node,
    nodeName: f.node,
    feasible: f.ok,
    rejections: f.ok ? [] : f.rejections.map((r) => r.message),
    score: scores.get(f.node)?.total ?? null,
    chosen: f.node === chosen,
  }));
  return {
    pod: p.name,
    workload: `${p.workload.kind}/${p.workload.namespace}/${p.workload.name}`,
    status: d.outcome === "scheduled" ? "Scheduled" : d.outcome === "unschedulable" ? "Pending" : "Error",
    node: chosen === null ? null : (byName.get(chosen)?.id ?? chosen),
    message: d.outcome === "scheduled" ? null : d.message,
    verdicts,
    tiedWith: d.outcome === "scheduled" ? d.tiedWith.map((n) => byName.get(n)?.id ?? n) : [],
  };
}

/** Schedules one pod given the pods already bound. */
export function scheduleOne(p: SimPod, nodes: readonly SimNode[], bound: readonly Bound[]): { placement: PodPlacement; node: SimNode | null } {
  const d = pickNode(p.pod, nodes, placedPods(bound));
  const placement = toPlacement(p, nodes, d);
  return { placement, node: d.outcome === "scheduled" ? (nodes.find((n) => n.name === d.node) ?? null) : null };
}

/** Places `pods` in order; each sees the pods bound before it. */
export function placeAll(pods: readonly SimPod[], nodes: readonly SimNode[], initial: readonly Bound[] = []): { placements: PodPlacement[]; bound: Bound[] } {
  const bound: Bound[] = [...initial];
  const placements: PodPlacement[] = [];
  for (const p of pods) {
    const r = scheduleOne(p, nodes, bound);
    placements.push(r.placement);
    if (r.node) bound.push({ pod: p, node: r.node });
  }
  return { placements, bound };
}

/** One line per other node: why it was not chosen. */
export function verdictText(v: NodeVerdict, p: PodPlacement): string {
  const label = nodeLabel({ id: v.node, name: v.nodeName });
  if (!v.feasible) return `${label}: rejected, ${v.rejections.join("; ")}`;
  if (v.chosen) return `${label}: chosen${v.score !== null ? ` (score ${v.score})` : " (the only feasible node)"}`;
  if (p.tiedWith.includes(v.node)) return `${label}: feasible, same score ${v.score} (upstream picks at random among equal scores; the model takes the first node)`;
  return `${label}: feasible, lower score ${v.score ?? "n/a"}`;
}
