/**
 * Shared fixtures: the seed architecture's node inventory (cp1, w1, w2, w3)
 * and its stateful-media placement pattern, written out here so tests never
 * read /work/shared.
 */
import type { Node, PodSpec, Taint, Toleration } from "../../tools/scheduling/types.ts";

export const STORAGE_TAINT: Taint = { key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" };
export const UNREACHABLE_NOEXECUTE: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
export const NOT_READY_NOEXECUTE: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute" };
export const UNSCHEDULABLE_NOSCHEDULE: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

/** Builds a node; labels and taints default to empty. */
export function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = [], extra: Partial<Node> = {}): Node {
  return { name, labels, taints, ...extra };
}

export const cp1 = node("cp1", { "node-role.kubernetes.io/control-plane": "true" });
export const w1 = node(
  "w1",
  { "node.longhorn.io/storage": "enabled", "node.longhorn.io/primary": "true", "workload-priority": "primary" },
  [STORAGE_TAINT],
);
export const w2 = node(
  "w2",
  { "node.longhorn.io/storage": "enabled", "node.longhorn.io/primary": "false", "workload-priority": "backup" },
  [STORAGE_TAINT],
);
export const w3 = node("w3", { gpu: "true" });
export const SEED_NODES: Node[] = [cp1, w1, w2, w3];

export const SEED_TOLERATIONS: Toleration[] = [
  { key: "node.longhorn.io/storage", operator: "Equal", value: "enabled", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
];

/** The seed's "all stateful media pods" affinity + tolerations pattern. */
export function seedMediaSpec(overrides: Partial<PodSpec> = {}): PodSpec {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "node.longhorn.io/storage", operator: "In", values: ["enabled"] }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, preference: { matchExpressions: [{ key: "node.longhorn.io/primary", operator: "In", values: ["true"] }] } },
        ],
      },
    },
    tolerations: SEED_TOLERATIONS.map((t) => ({ ...t })),
    ...overrides,
  };
}

/** A GPU worker spec: required gpu=true node affinity, no tolerations. */
export function gpuWorkerSpec(gpuKey = "gpu"): PodSpec {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: gpuKey, operator: "In", values: ["true"] }] }],
        },
      },
    },
  };
}

/** Returns a copy of `n` with extra taints / fields. */
export function withTaints(n: Node, taints: Taint[], extra: Partial<Node> = {}): Node {
  return { ...n, taints: [...n.taints, ...taints], ...extra };
}
