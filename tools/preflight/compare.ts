/**
 * Preflight: compares the nodes of a live cluster (`kubectl get nodes -o json`) with the
 * environment's inventory. Every label or taint that is missing, extra or different, every
 * inventory node absent from the cluster, and every InternalIP that differs is an error with the
 * command that fixes it; a cluster node the inventory does not know is a warning. Labels and
 * taints Kubernetes sets by itself (ignore.ts) are not reported as extra.
 */
import type { Cluster, ClusterNode, Taint } from "../../schema/cluster.ts";
import { formatTaint, labelCommand, taintCommand, unlabelCommand, untaintCommand } from "../runbook/kubectl.ts";
import { IGNORED_LABELS, IGNORED_TAINTS, ignoredBy } from "./ignore.ts";
import type { ObservedNode } from "./nodes.ts";

export type Severity = "error" | "warning" | "info";

export type DriftKind =
  | "label-missing"
  | "label-value"
  | "label-extra"
  | "taint-missing"
  | "taint-value"
  | "taint-effect"
  | "taint-extra"
  | "ip-mismatch"
  | "ip-missing"
  | "node-absent"
  | "node-unknown"
  | "datastore-unknown"
  | "taint-managed"
  | "longhorn-node-missing"
  | "longhorn-node-extra"
  | "longhorn-disk-extra"
  | "longhorn-disk-missing"
  | "longhorn-node-condition"
  | "gpu-resource-missing"
  | "gpu-resource-count"
  | "gpu-vendor"
  | "node-ok"
  | "k3s-component";

/** One result line. */
export interface Finding {
  severity: Severity;
  kind: DriftKind;
  /** Node name as in the cluster. */
  node: string;
  /** Inventory node id, when the node is in the inventory. */
  nodeId?: string;
  /** Label key, taint key, or "InternalIP". */
  key?: string;
  /** What the inventory says ("(absent)" when it says nothing). */
  expected?: string;
  /** What the cluster has ("(absent)" when it has nothing). */
  actual?: string;
  /** How to fix it: commands, or an edit of the inventory. */
  fix?: string;
  /** The finding in words, without severity and node. */
  message: string;
}

export interface PreflightResult {
  env: string;
  findings: Finding[];
  errors: number;
  warnings: number;
  inventoryNodes: number;
  clusterNodes: number;
}

const ABSENT = "(absent)";
const q = (s: string) => JSON.stringify(s);

function compareLabels(env: string, id: string, want: ClusterNode, got: ObservedNode): Finding[] {
  const out: Finding[] = [];
  const base = { node: want.name, nodeId: id };
  for (const [key, value] of Object.entries(want.labels)) {
    const actual = got.labels[key];
    if (actual === undefined) {
      out.push({ ...base, severity: "error", kind: "label-missing", key, expected: value, actual: ABSENT, fix: labelCommand(want.name, key, value), message: `label ${key} missing: expected ${q(value)}, actual ${ABSENT}` });
    } else if (actual !== String(value)) {
      out.push({ ...base, severity: "error", kind: "label-value", key, expected: value, actual, fix: labelCommand(want.name, key, value), message: `label ${key} differs: expected ${q(value)}, actual ${q(actual)}` });
    }
  }
  for (const [key, actual] of Object.entries(got.labels)) {
    if (key in want.labels || ignoredBy(IGNORED_LABELS, key)) continue;
    out.push({
      ...base, severity: "error", kind: "label-extra", key, expected: ABSENT, actual,
      fix: `${unlabelCommand(want.name, key)} (or add it to nodes.${id}.labels in values/${env}/cluster.yaml)`,
      message: `label ${key} is not in the inventory: expected ${ABSENT}, actual ${q(actual)}`,
    });
  }
  return out;
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

function compareTaints(env: string, id: string, want: ClusterNode, got: ObservedNode): Finding[] {
  const out: Finding[] = [];
  const base = { node: want.name, nodeId: id };
  const managed = got.taints.filter((t) => ignoredBy(IGNORED_TAINTS, t.key) && !want.taints.some((w) => sameTaint(w, t)));
  for (const t of managed) {
    const rule = ignoredBy(IGNORED_TAINTS, t.key);
    out.push({ ...base, severity: "info", kind: "taint-managed", key: t.key, actual: formatTaint(t), message: `taint ${formatTaint(t)} ignored: Kubernetes manages it (${rule?.reason})` });
  }
  // A taint is identified by key and effect (at most one per pair on a Node).
  const actual = got.taints.filter((t) => !managed.includes(t));
  const unmatchedWant: Taint[] = [];
  const matched = new Set<Taint>();
  for (const w of want.taints) {
    const a = actual.find((t) => sameTaint(t, w));
    if (!a) {
      unmatchedWant.push(w);
      continue;
    }
    matched.add(a);
    if ((a.value ?? "") !== (w.value ?? "")) {
      out.push({
        ...base, severity: "error", kind: "taint-value", key: w.key, expected: formatTaint(w), actual: formatTaint(a), fix: taintCommand(want.name, w),
        message: `taint ${w.key} (${w.effect}) differs: expected ${formatTaint(w)}, actual ${formatTaint(a)}`,
      });
    }
  }
  for (const w of unmatchedWant) {
    // Same key with another effect: the effect is wrong. `--overwrite` would add a second taint,
    // so the fix removes the old one first.
    const a = actual.find((t) => t.key === w.key && !matched.has(t) && !want.taints.some((x) => sameTaint(x, t)));
    if (a) {
      matched.add(a);
      out.push({
        ...base, severity: "error", kind: "taint-effect", key: w.key, expected: formatTaint(w), actual: formatTaint(a),
        fix: `${untaintCommand(want.name, a)} && ${taintCommand(want.name, w)}`,
        message: `taint ${w.key} has the wrong effect: expected ${formatTaint(w)}, actual ${formatTaint(a)}`,
      });
    } else {
      out.push({
        ...base, severity: "error", kind: "taint-missing", key: w.key, expected: formatTaint(w), actual: ABSENT, fix: taintCommand(want.name, w),
        message: `taint ${w.key} missing: expected ${formatTaint(w)}, actual ${ABSENT}`,
      });
    }
  }
  for (const a of actual) {
    if (matched.has(a)) continue;
    out.push({
      ...base, severity: "error", kind: "taint-extra", key: a.key, expected: ABSENT, actual: formatTaint(a),
      fix: `${untaintCommand(want.name, a)} (or add it to nodes.${id}.taints in values/${env}/cluster.yaml)`,
      message: `taint ${formatTaint(a)} is not in the inventory: expected ${ABSENT}, actual ${formatTaint(a)}`,
    });
  }
  return out;
}

function compareIp(env: string, id: string, want: ClusterNode, got: ObservedNode): Finding[] {
  const base = { node: want.name, nodeId: id, key: "InternalIP", expected: want.ip };
  if (got.internalIPs.includes(want.ip)) return [];
  const fileFix = `set nodes.${id}.ip in values/${env}/cluster.yaml to the node's address (NFS PVs, the DFS export and lint use it), or start k3s on ${want.name} with --node-ip ${want.ip}`;
  if (got.internalIPs.length === 0) {
    return [{ ...base, severity: "error", kind: "ip-missing", actual: ABSENT, fix: fileFix, message: `InternalIP missing: expected ${want.ip}, actual ${ABSENT} (status.addresses has no InternalIP)` }];
  }
  const actual = got.internalIPs.join(", ");
  return [{ ...base, severity: "error", kind: "ip-mismatch", actual, fix: fileFix, message: `InternalIP differs: expected ${want.ip}, actual ${actual}` }];
}

/** PCI vendor ids of Node Feature Discovery's labels `feature.node.kubernetes.io/pci-<class>_<vendor>.present`. */
const PCI_VENDORS: Record<string, "intel" | "nvidia" | "amd"> = { "8086": "intel", "10de": "nvidia", "1002": "amd" };

/**
 * The GPU vendors a node's labels show: Node Feature Discovery's PCI labels of display classes
 * 0300 (VGA) and 0380 (display controller), `pci-<class>_<vendor>.present` (NFD docs, "PCI
 * features"), and the device plugins' own: `nvidia.com/gpu.present` (GPU feature discovery),
 * `intel.feature.node.kubernetes.io/gpu` (Intel GPU plugin's NFD rules).
 */
export function observedGpuVendors(labels: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    // deviceLabelFields [class, vendor] (NFD's default) or [vendor].
    const m = /^feature\.node\.kubernetes\.io\/pci-(?:03(?:00|80)_)?([0-9a-f]{4})\.present$/.exec(k);
    if (m && v === "true" && PCI_VENDORS[m[1]]) out.add(PCI_VENDORS[m[1]]);
  }
  if (labels["nvidia.com/gpu.present"] === "true") out.add("nvidia");
  if (labels["intel.feature.node.kubernetes.io/gpu"] === "true") out.add("intel");
  return [...out].sort();
}

/** The GPU of an inventory node against the node's allocatable and vendor labels. */
function compareGpu(env: string, id: string, want: ClusterNode, got: ObservedNode): Finding[] {
  if (!want.gpu) return [];
  const out: Finding[] = [];
  const base = { node: want.name, nodeId: id };
  const acc = want.accelerator;
  const seen = observedGpuVendors(got.labels);
  if (!acc || acc.vendor === "unknown") {
    // Not drift (the inventory claims nothing), but the one fact lint and the runbook ask for.
    if (seen.length > 0) out.push({ ...base, severity: "info", kind: "gpu-vendor", key: "accelerator.vendor", expected: "unknown", actual: seen.join(", "), fix: `record nodes.${id}.accelerator.vendor: ${seen[0]} in values/${env}/cluster.yaml (and its access), then npm run runbook`, message: `the node's labels show a ${seen.join("/")} GPU but the inventory does not record the vendor` });
    return out;
  }
  if (seen.length > 0 && !seen.includes(acc.vendor)) {
    out.push({ ...base, severity: "error", kind: "gpu-vendor", key: "accelerator.vendor", expected: acc.vendor, actual: seen.join(", "), fix: `correct nodes.${id}.accelerator in values/${env}/cluster.yaml (lspci -nn | grep -Ei 'vga|3d|display' on the node)`, message: `GPU vendor differs: the inventory says ${acc.vendor}, the node's labels show ${seen.join(", ")}` });
  }
  if (acc.access?.kind === "device-plugin") {
    const r = acc.access.resource;
    const allocatable = got.allocatable[r];
    const capacity = got.capacity[r];
    if (allocatable === undefined || Number(allocatable) === 0) {
      out.push({ ...base, severity: "error", kind: "gpu-resource-missing", key: r, expected: String(acc.access.shares), actual: allocatable ?? "(absent)", fix: `install or repair the ${acc.vendor} device plugin on ${want.name} (npm run runbook -- --env ${env}, GPU section)`, message: `status.allocatable has no ${r}${capacity !== undefined ? ` (capacity ${capacity})` : ""}: the workers would stay Pending with "Insufficient ${r}"` });
    } else if (Number(allocatable) !== acc.access.shares) {
      out.push({ ...base, severity: "error", kind: "gpu-resource-count", key: r, expected: String(acc.access.shares), actual: allocatable, fix: `set nodes.${id}.accelerator.access.shares: ${allocatable} in values/${env}/cluster.yaml (lint then checks the workers against it), or the plugin's sharing to ${acc.access.shares}`, message: `status.allocatable ${r} is ${allocatable}, the inventory says ${acc.access.shares}` });
    }
  }
  return out;
}

/** Compares the cluster's nodes with the inventory. Pure. */
export function preflight(inv: Cluster, nodes: ObservedNode[]): PreflightResult {
  const findings: Finding[] = [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const known = new Set(Object.values(inv.nodes).map((n) => n.name));
  const unknown = nodes.filter((n) => !known.has(n.name));

  for (const [id, want] of Object.entries(inv.nodes)) {
    const got = byName.get(want.name);
    if (!got) {
      const same = unknown.find((n) => n.internalIPs.includes(want.ip));
      findings.push({
        severity: "error", kind: "node-absent", node: want.name, nodeId: id, expected: "present", actual: ABSENT,
        fix: `join ${want.name} to the cluster (k3s with --node-name ${want.name}), or remove nodes.${id} from values/${inv.name}/cluster.yaml`,
        message: `inventory node ${id} is absent from the cluster: expected node ${want.name} (${want.ip}), actual ${ABSENT}` + (same ? `; cluster node ${same.name} has its IP, renamed?` : ""),
      });
      continue;
    }
    const drift = [...compareIp(inv.name, id, want, got), ...compareLabels(inv.name, id, want, got), ...compareTaints(inv.name, id, want, got), ...compareGpu(inv.name, id, want, got)];
    if (!drift.some((f) => f.severity !== "info")) {
      const l = Object.keys(want.labels).length;
      const t = want.taints.length;
      findings.push({ severity: "info", kind: "node-ok", node: want.name, nodeId: id, message: `matches the inventory (${l} label${l === 1 ? "" : "s"}, ${t} taint${t === 1 ? "" : "s"}, InternalIP ${want.ip})` });
    }
    findings.push(...drift);
  }
  for (const n of unknown) {
    findings.push({
      severity: "warning", kind: "node-unknown", node: n.name, expected: ABSENT, actual: `present (${n.internalIPs.join(", ") || "no InternalIP"})`,
      fix: `add it under nodes in values/${inv.name}/cluster.yaml, or remove it from the cluster if it is gone (kubectl delete node ${n.name})`,
      message: `node is not in the inventory values/${inv.name}/cluster.yaml: expected ${ABSENT}, actual present (InternalIP ${n.internalIPs.join(", ") || "none"})`,
    });
  }
  return {
    env: inv.name,
    findings,
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
    inventoryNodes: Object.keys(inv.nodes).length,
    clusterNodes: nodes.length,
  };
}

const PREFIX: Record<Severity, string> = { error: "ERROR", warning: "WARNING", info: "INFO" };

/** `ERROR - k3s-w1: label ... Fix: kubectl label node ...` */
export function formatFinding(f: Finding): string {
  return `${PREFIX[f.severity]} - ${f.node}: ${f.message}${f.fix ? `. Fix: ${f.fix}` : ""}`;
}

/** The summary line. */
export function formatSummary(r: PreflightResult): string {
  const counts = `${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`;
  const verdict = r.errors > 0 ? "drift: fix the nodes with the commands above, or the inventory if the cluster is right" : "nodes match the inventory";
  return `preflight: ${r.env}: ${r.inventoryNodes} inventory node${r.inventoryNodes === 1 ? "" : "s"}, ${r.clusterNodes} cluster node${r.clusterNodes === 1 ? "" : "s"}; ${counts}; ${verdict}`;
}

/** The whole report: one line per finding, then the summary. */
export function formatReport(r: PreflightResult): string {
  return `${[...r.findings.map(formatFinding), formatSummary(r)].join("\n")}\n`;
}
