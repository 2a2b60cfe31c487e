/**
 * Kubernetes API types (JSON / camelCase form) used by the scheduling model.
 *
 * Only the fields the modelled placement rules read are declared; everything
 * else a rendered manifest carries is allowed through untouched. Field names
 * and optionality follow staging/src/k8s.io/api/core/v1/types.go.
 */

/** A node taint effect (core/v1 TaintEffect). */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/** core/v1 Taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
}

/** core/v1 Toleration. An empty/absent operator means Equal; an empty effect matches every effect. */
export interface Toleration {
  key?: string;
  operator?: "Equal" | "Exists" | "Lt" | "Gt" | string;
  value?: string;
  effect?: TaintEffect | "" | string;
  /** Only meaningful for NoExecute; null/absent means "tolerate forever". */
  tolerationSeconds?: number | null;
}

/** core/v1 NodeSelectorRequirement (operators In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** core/v1 NodeSelectorTerm: requirements are ANDed; an empty term matches nothing. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[] | null;
  matchFields?: NodeSelectorRequirement[] | null;
}

/** core/v1 NodeSelector: terms are ORed. */
export interface NodeSelector {
  nodeSelectorTerms?: NodeSelectorTerm[] | null;
}

/** core/v1 PreferredSchedulingTerm. */
export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** core/v1 NodeAffinity. */
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector | null;
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] | null;
}

/** meta/v1 LabelSelectorRequirement (operators In, NotIn, Exists, DoesNotExist). */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** meta/v1 LabelSelector. null selects nothing, {} selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

/** core/v1 PodAffinityTerm. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[] | null;
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
}

/** core/v1 WeightedPodAffinityTerm. */
export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

/** core/v1 PodAffinity / PodAntiAffinity (same shape). */
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] | null;
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] | null;
}

/** core/v1 Affinity. */
export interface Affinity {
  nodeAffinity?: NodeAffinity | null;
  podAffinity?: PodAffinity | null;
  podAntiAffinity?: PodAffinity | null;
}

/** core/v1 Volume, reduced to the sources the descheduler's pod protections inspect. */
export interface Volume {
  name: string;
  hostPath?: unknown;
  emptyDir?: unknown;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean } | null;
  [source: string]: unknown;
}

/** core/v1 PodSpec, reduced to the placement-relevant fields. */
export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string> | null;
  affinity?: Affinity | null;
  tolerations?: Toleration[] | null;
  volumes?: Volume[] | null;
  priority?: number | null;
  priorityClassName?: string;
  [field: string]: unknown;
}

/**
 * A node of the modelled cluster.
 *
 * `ready: false` marks a node whose Ready condition is not True; the
 * descheduler's ReadyNodes() drops such nodes (pkg/descheduler/node/node.go
 * IsReady). Absent means ready.
 */
export interface Node {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable?: boolean;
  ready?: boolean;
  /**
   * status.allocatable, restricted to the extended resources the model checks (device plugins'
   * `nvidia.com/gpu`, `gpu.intel.com/i915`, ...). Absent: the node has none.
   */
  allocatable?: Record<string, string | number>;
}

/** Identity of a pod, needed by the inter-pod (anti-)affinity rules. */
export interface PodMeta {
  name?: string;
  /** Defaults to "default". */
  namespace?: string;
  labels?: Record<string, string>;
}

/** A pod to be placed: identity plus spec. */
export interface Pod extends PodMeta {
  spec: PodSpec;
}

/** A pod already bound to a node. */
export interface PlacedPod extends Pod {
  nodeName: string;
}
