/**
 * The extended resources an inventory node advertises in status.allocatable: a GPU device plugin's
 * resource with the node's share count (values/<env>/cluster.yaml `accelerator.access`). A node
 * without a device plugin advertises none, so a pod requesting one stays Pending there with
 * NodeResourcesFit's "Insufficient <resource>".
 */
import type { ClusterNode } from "../../schema/cluster.ts";

export function inventoryAllocatable(node: Pick<ClusterNode, "accelerator">): Record<string, number> {
  const access = node.accelerator?.access;
  return access?.kind === "device-plugin" ? { [access.resource]: access.shares } : {};
}
