/**
 * Labels and taints that Kubernetes, k3s or cluster add-ons put on nodes by themselves. Preflight
 * does not report them as "extra" (they are not the operator's, and the inventory does not list
 * them). A key the inventory DOES list is always compared, even when it matches a rule here.
 *
 * A pattern ending in `/*` matches every key with that prefix (`kubernetes.io/*` matches
 * `kubernetes.io/hostname` but not `node.kubernetes.io/instance-type`, which has its own rule);
 * any other pattern matches the key exactly.
 */

export interface IgnoreRule {
  pattern: string;
  /** Who sets it, and why it is not operator state. */
  reason: string;
}

/** Node labels set by Kubernetes, k3s and add-ons. */
export const IGNORED_LABELS: readonly IgnoreRule[] = [
  // kubelet: kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch (well-known labels).
  { pattern: "kubernetes.io/*", reason: "well-known labels kubelet sets (hostname, os, arch)" },
  // kubelet/cloud provider: node.kubernetes.io/instance-type (k3s sets it to "k3s").
  { pattern: "node.kubernetes.io/*", reason: "instance type set by kubelet or the cloud provider (k3s: instance-type=k3s)" },
  // Deprecated copies kubelet still writes: beta.kubernetes.io/arch, /os, /instance-type.
  { pattern: "beta.kubernetes.io/*", reason: "deprecated beta copies of the os/arch/instance-type labels, still set by kubelet" },
  // Zone and region from the cloud provider (none on bare metal, but harmless to ignore).
  { pattern: "topology.kubernetes.io/*", reason: "zone/region set by the cloud provider" },
  // k3s labels server nodes node-role.kubernetes.io/control-plane=true and /master=true, plus
  // /etcd=true with embedded etcd.
  { pattern: "node-role.kubernetes.io/*", reason: "roles k3s sets on server nodes (control-plane, master, etcd)" },
  // k3s bookkeeping labels.
  { pattern: "k3s.io/*", reason: "k3s bookkeeping" },
  { pattern: "node.k3s.io/*", reason: "k3s bookkeeping" },
  // Node Feature Discovery: hardware feature labels (CPU flags, PCI devices, kernel version).
  { pattern: "feature.node.kubernetes.io/*", reason: "hardware features detected by Node Feature Discovery" },
  // NVIDIA GPU feature discovery / GPU operator: nvidia.com/gpu.present, gpu.product, cuda.*.
  { pattern: "nvidia.com/*", reason: "GPU properties detected by NVIDIA GPU feature discovery" },
];

/** Node taints Kubernetes manages itself. */
export const IGNORED_TAINTS: readonly IgnoreRule[] = [
  // Node lifecycle controller and kubelet: not-ready, unreachable, unschedulable (cordon),
  // memory-/disk-/pid-pressure, network-unavailable; out-of-service is set by the fencing job
  // (tools/fencing) for a non-graceful shutdown. All transient, none inventory state.
  { pattern: "node.kubernetes.io/*", reason: "condition taints Kubernetes adds and removes (not-ready, unreachable, unschedulable, *-pressure, out-of-service)" },
  // Set by kubelet with an external cloud provider until the cloud controller initialises the node.
  { pattern: "node.cloudprovider.kubernetes.io/uninitialized", reason: "set until the cloud controller manager initialises the node" },
];

/** The rule that makes `key` ignored, if any. */
export function ignoredBy(rules: readonly IgnoreRule[], key: string): IgnoreRule | undefined {
  return rules.find((r) => (r.pattern.endsWith("/*") ? key.startsWith(r.pattern.slice(0, -1)) : key === r.pattern));
}
