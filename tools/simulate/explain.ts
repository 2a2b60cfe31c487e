/**
 * `npm run explain`: for one pod, every node and the rule that admits or rejects it, term by
 * term, evaluated with the scheduling model (tools/scheduling): "why is it Pending?" offline.
 */
import {
  extendedRequests,
  filterNode,
  matchesRequiredNodeAffinity,
  pickNode,
  scoreNodes,
  toleratesTaint,
  TAINT_NODE_UNSCHEDULABLE,
  tolerationsTolerateTaint,
  type NodeSelectorRequirement,
  type PodSpec,
  type Toleration,
} from "../scheduling/index.ts";
import { nodeLabel, type SimNode, type SimPod } from "./model.ts";
import { placedPods, toPlacement, type PodPlacement } from "./place.ts";
import type { SimContext } from "./scenarios.ts";

/** One rule on one node. */
export interface RuleLine {
  rule: "NodeUnschedulable" | "nodeSelector" | "NodeAffinity" | "TaintToleration" | "NodeResourcesFit" | "InterPodAffinity" | "PreferredNodeAffinity" | "Score";
  /** true = admits, false = rejects, null = scoring only. */
  ok: boolean | null;
  text: string;
}

export interface NodeExplanation {
  node: string;
  nodeName: string;
  feasible: boolean;
  chosen: boolean;
  rules: RuleLine[];
}

export interface PodExplanation {
  pod: string;
  workload: string;
  placement: PodPlacement;
  nodes: NodeExplanation[];
}

export class UnknownPodError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "UnknownPodError", enumerable: false });
  }
}

/** Pods named `name`: a pod name (decypharr-streaming-0) or a workload name (all its pods). */
export function resolvePods(ctx: SimContext, name: string): SimPod[] {
  const exact = ctx.pods.filter((p) => p.name === name);
  if (exact.length > 0) return exact;
  const byWorkload = ctx.pods.filter((p) => p.workload.name === name);
  if (byWorkload.length > 0) return byWorkload;
  throw new UnknownPodError(`environment ${ctx.env} has no pod or workload named ${JSON.stringify(name)}. Known: ${podNames(ctx).join(", ")}`);
}

/** The names resolvePods accepts: every pod and every workload, sorted. */
export function podNames(ctx: SimContext): string[] {
  return [...new Set(ctx.pods.flatMap((p) => (p.name === p.workload.name ? [p.name] : [p.name, p.workload.name])))].sort();
}

const tolText = (t: Toleration, i: number) =>
  `tolerations[${i}] {key: ${t.key ?? "<any>"}, operator: ${t.operator ?? "Equal"}${t.value !== undefined ? `, value: ${t.value}` : ""}, effect: ${t.effect || "<any>"}${typeof t.tolerationSeconds === "number" ? `, tolerationSeconds: ${t.tolerationSeconds}` : ""}}`;

const exprText = (e: NodeSelectorRequirement) => `${e.key} ${e.operator}${e.values && e.values.length ? ` [${e.values.join(", ")}]` : ""}`;

const labelText = (n: SimNode, key: string) => (Object.hasOwn(n.labels, key) ? `node has ${key}=${JSON.stringify(n.labels[key])}` : `node has no label ${key}`);

/** Term-by-term rule lines of one pod on one node (filters, then scoring terms). */
export function explainRules(spec: PodSpec, node: SimNode): RuleLine[] {
  const lines: RuleLine[] = [];
  if (node.unschedulable === true) {
    const ok = tolerationsTolerateTaint(spec.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: "NoSchedule" });
    lines.push({ rule: "NodeUnschedulable", ok, text: ok ? "node is cordoned; the pod tolerates node.kubernetes.io/unschedulable" : "node is cordoned (spec.unschedulable) and the pod does not tolerate node.kubernetes.io/unschedulable" });
  } else {
    lines.push({ rule: "NodeUnschedulable", ok: true, text: "node is schedulable" });
  }
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    const ok = matchesRequiredNodeAffinity({ nodeSelector: { [k]: v } }, node);
    lines.push({ rule: "nodeSelector", ok, text: `nodeSelector ${k}=${JSON.stringify(v)}: ${labelText(node, k)}` });
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms = required.nodeSelectorTerms ?? [];
    if (terms.length === 0) lines.push({ rule: "NodeAffinity", ok: false, text: "required node affinity has no terms: matches no node" });
    terms.forEach((term, i) => {
      const termOk = matchesRequiredNodeAffinity({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } } }, node);
      lines.push({ rule: "NodeAffinity", ok: termOk, text: `required term ${i} (terms are ORed): ${termOk ? "matches" : "does not match"}` });
      for (const e of term.matchExpressions ?? []) {
        const ok = matchesRequiredNodeAffinity({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [e] }] } } } }, node);
        lines.push({ rule: "NodeAffinity", ok, text: `  ${exprText(e)}: ${labelText(node, e.key)}` });
      }
      for (const f of term.matchFields ?? []) {
        const ok = matchesRequiredNodeAffinity({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [f] }] } } } }, node);
        lines.push({ rule: "NodeAffinity", ok, text: `  field ${exprText(f)}: node name is ${node.name}` });
      }
    });
  } else if (Object.keys(spec.nodeSelector ?? {}).length === 0) {
    lines.push({ rule: "NodeAffinity", ok: true, text: "no nodeSelector and no required node affinity: every node matches" });
  }
  const tolerations = spec.tolerations ?? [];
  if (node.taints.length === 0) lines.push({ rule: "TaintToleration", ok: true, text: "node has no taints" });
  for (const taint of node.taints) {
    const i = tolerations.findIndex((t) => toleratesTaint(t, taint));
    const name = `taint ${taint.key}${taint.value !== undefined ? `=${taint.value}` : ""}:${taint.effect}`;
    if (taint.effect === "PreferNoSchedule") {
      lines.push({ rule: "TaintToleration", ok: null, text: `${name}: ${i >= 0 ? `tolerated by ${tolText(tolerations[i], i)}` : "not tolerated: lowers the score"}` });
    } else {
      lines.push({ rule: "TaintToleration", ok: i >= 0, text: `${name}: ${i >= 0 ? `tolerated by ${tolText(tolerations[i], i)}` : "no toleration matches (key, value, effect)"}` });
    }
  }
  (spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
    const ok = matchesRequiredNodeAffinity({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [p.preference] } } } }, node);
    lines.push({ rule: "PreferredNodeAffinity", ok: null, text: `preferred term ${i} (weight ${p.weight}) ${(p.preference.matchExpressions ?? []).map(exprText).join(" AND ")}: ${ok ? `matches, +${p.weight}` : "does not match, +0"}` });
  });
  return lines;
}

/** Explains the placement of one pod (the pods placed before it in the base placement are bound). */
export function explainPod(ctx: SimContext, p: SimPod): PodExplanation {
  const idx = ctx.pods.indexOf(p);
  const before = ctx.base.bound.filter((b) => ctx.pods.indexOf(b.pod) < idx);
  const placed = placedPods(before);
  const decision = pickNode(p.pod, ctx.nodes, placed);
  const placement = toPlacement(p, ctx.nodes, decision);
  const feasible = ctx.nodes.filter((n) => filterNode(p.pod, n, placed, { nodes: ctx.nodes }).ok);
  const scored = feasible.length > 1 ? scoreNodes(p.pod, feasible, placed, { nodes: ctx.nodes }) : null;
  const nodes = ctx.nodes.map((n): NodeExplanation => {
    const f = filterNode(p.pod, n, placed, { nodes: ctx.nodes });
    const rules = explainRules(p.pod.spec, n);
    const want = extendedRequests(p.pod.spec);
    for (const [name, q] of Object.entries(want).sort(([a], [b]) => a.localeCompare(b))) {
      const allocatable = Number(n.allocatable?.[name] ?? 0);
      const used = placed.filter((x) => x.nodeName === n.name).reduce((sum, x) => sum + (extendedRequests(x.spec)[name] ?? 0), 0);
      const fits = q <= allocatable - used;
      rules.push({
        rule: "NodeResourcesFit",
        ok: fits,
        text: `${name}: requests ${q}, node allocatable ${allocatable}, used by pods placed before it ${used}${fits ? "" : ` -> Insufficient ${name}`}${allocatable === 0 ? " (the inventory records no device plugin advertising it on this node: accelerator.access)" : ""}`,
      });
    }
    const ipa = f.ok ? undefined : f.rejections.find((r) => r.plugin === "InterPodAffinity");
    const hasPodTerms = Boolean(p.pod.spec.affinity?.podAffinity || p.pod.spec.affinity?.podAntiAffinity) || before.length > 0;
    if (ipa) rules.push({ rule: "InterPodAffinity", ok: false, text: `${ipa.reason} (pods already on ${n.id}: ${before.filter((b) => b.node.id === n.id).map((b) => b.pod.name).join(", ") || "none"})` });
    else if (hasPodTerms) rules.push({ rule: "InterPodAffinity", ok: true, text: "no required pod (anti-)affinity conflict with the pods placed before it" });
    if (scored?.ok) {
      const s = scored.scores.find((x) => x.node === n.name);
      if (s) {
        const parts = Object.entries(s.plugins).map(([k, v]) => `${k} raw ${v.raw} -> ${v.normalized} x ${v.weight} = ${v.weighted}`);
        rules.push({ rule: "Score", ok: null, text: `score ${s.total} (${parts.join("; ")})` });
      }
    } else if (scored && !scored.ok) {
      rules.push({ rule: "Score", ok: false, text: `scoring fails: ${scored.plugin}: ${scored.error}` });
    }
    return { node: n.id, nodeName: n.name, feasible: f.ok, chosen: placement.node === n.id, rules };
  });
  return { pod: p.name, workload: placement.workload, placement, nodes };
}

/** Human-readable explanation. */
export function formatExplanation(e: PodExplanation, ctx: SimContext): string {
  const lines: string[] = [];
  const p = e.placement;
  lines.push(`${e.pod} (${e.workload}): ${p.status === "Scheduled" ? `scheduled on ${p.node}` : `${p.status.toUpperCase()}: ${p.message}`}`);
  for (const n of e.nodes) {
    const node = ctx.nodes.find((x) => x.id === n.node)!;
    lines.push(`  ${nodeLabel(node)}: ${n.chosen ? "CHOSEN" : n.feasible ? "feasible" : "REJECTED"}`);
    for (const r of n.rules) lines.push(`    ${r.ok === null ? "~" : r.ok ? "+" : "-"} ${r.rule}: ${r.text}`);
  }
  return lines.join("\n");
}
