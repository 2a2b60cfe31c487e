/**
 * Node helpers shared by every rule.
 */
import type { Node } from "./types.ts";

/** Well-known hostname label (core/v1 LabelHostname). */
export const LABEL_HOSTNAME = "kubernetes.io/hostname";

/**
 * The labels the scheduler sees on a node. The kubelet always sets
 * `kubernetes.io/hostname`; when an inventory omits it, the model fills it
 * with the node name so that hostname-keyed rules (topologyKey, node affinity
 * on the hostname) behave as on a real cluster. An explicit label wins.
 */
export function effectiveNodeLabels(node: Node): Record<string, string> {
  // The kubelet also always sets kubernetes.io/os (kubernetes/kubernetes pkg/kubelet/
  // kubelet_node_status.go initialNode: v1.LabelOSStable = runtime.GOOS); upstream charts select
  // on it (MetalLB's controller: nodeSelector kubernetes.io/os: linux). Every node here is Linux.
  const wellKnown = { [LABEL_OS]: "linux", [LABEL_HOSTNAME]: node.name };
  return { ...wellKnown, ...node.labels };
}

/** Well-known OS label (core/v1 LabelOSStable). */
export const LABEL_OS = "kubernetes.io/os";

/**
 * nodeaffinity.extractNodeFields: the only selectable node field is
 * metadata.name, present only when the name is non-empty.
 */
export function nodeFields(node: Node): Record<string, string> {
  return node.name.length > 0 ? { "metadata.name": node.name } : {};
}
