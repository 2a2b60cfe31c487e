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
  if (Object.hasOwn(node.labels, LABEL_HOSTNAME)) return node.labels;
  return { [LABEL_HOSTNAME]: node.name, ...node.labels };
}

/**
 * nodeaffinity.extractNodeFields: the only selectable node field is
 * metadata.name, present only when the name is non-empty.
 */
export function nodeFields(node: Node): Record<string, string> {
  return node.name.length > 0 ? { "metadata.name": node.name } : {};
}
