/**
 * Preflight of Longhorn's own Node objects (`kubectl -n longhorn-system get nodes.longhorn.io -o
 * json`) against the inventory (docs/decisions.md#longhorn-placement): every node labelled
 * node.longhorn.io/csi=enabled is registered (its longhorn-manager runs), disks exist only on the
 * nodes labelled node.longhorn.io/create-default-disk=true, and each of those has one. A node that
 * registered before `createDefaultDiskLabeledNodes` was set keeps the default disk it got then
 * (longhorn-manager datastore/longhorn.go CreateDefaultNode creates it once, at registration), so
 * only the objects tell whether w3 holds a disk.
 */
import type { Cluster } from "../../schema/cluster.ts";
import { LONGHORN_NODE_LABEL } from "../lint/upstream/longhorn.ts";
import type { Finding } from "./compare.ts";
import { NodeListError } from "./nodes.ts";

/** A Longhorn Node object: its name and its disks (name -> path, allowScheduling). */
export interface LonghornNode {
  name: string;
  disks: { name: string; path: string; allowScheduling: boolean }[];
  /** status.conditions that are not True (type, reason, message). */
  failing: { type: string; reason: string; message: string }[];
}

const FIX = "Fix: pass the output of `kubectl -n longhorn-system get nodes.longhorn.io -o json`";
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseLonghornNodes(text: string, file: string): LonghornNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new NodeListError(file, `not valid JSON: ${(err as Error).message}. ${FIX}`, { cause: err });
  }
  if (!isObject(doc) || !Array.isArray(doc.items)) throw new NodeListError(file, `expected a List with items. ${FIX}`);
  return doc.items.map((item, i) => {
    if (!isObject(item) || (item.kind !== undefined && item.kind !== "Node") || (item.apiVersion !== undefined && !String(item.apiVersion).startsWith("longhorn.io/"))) {
      throw new NodeListError(file, `items[${i}]: not a longhorn.io Node (kind ${JSON.stringify(isObject(item) ? item.kind : item)}, apiVersion ${JSON.stringify(isObject(item) ? item.apiVersion : undefined)}); kubectl get nodes -o json lists Kubernetes nodes, not Longhorn's. ${FIX}`);
    }
    const name = isObject(item.metadata) ? String(item.metadata.name ?? "") : "";
    if (!name) throw new NodeListError(file, `items[${i}].metadata.name: missing. ${FIX}`);
    const disks = isObject(item.spec) && isObject(item.spec.disks) ? item.spec.disks : {};
    const conditions = isObject(item.status) && Array.isArray(item.status.conditions) ? item.status.conditions : [];
    const failing = conditions
      .filter((c): c is Record<string, unknown> => isObject(c) && c.status !== "True" && typeof c.type === "string")
      .map((c) => ({ type: String(c.type), reason: String(c.reason ?? ""), message: String(c.message ?? "") }));
    return {
      name,
      failing,
      disks: Object.entries(disks).map(([d, v]) => ({ name: d, path: isObject(v) ? String(v.path ?? "") : "", allowScheduling: isObject(v) ? v.allowScheduling !== false : true })),
    };
  });
}

/** Compares Longhorn's Node objects with the inventory. */
export function checkLonghornNodes(inv: Cluster, nodes: LonghornNode[]): Finding[] {
  const out: Finding[] = [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const known = new Set(Object.values(inv.nodes).map((n) => n.name));
  for (const [id, want] of Object.entries(inv.nodes)) {
    const got = byName.get(want.name);
    const runs = want.labels[LONGHORN_NODE_LABEL.key] === LONGHORN_NODE_LABEL.value;
    const disk = want.labels["node.longhorn.io/create-default-disk"] === "true";
    const base = { node: want.name, nodeId: id };
    if (runs && !got) {
      out.push({ ...base, severity: "error", kind: "longhorn-node-missing", expected: "registered", actual: "(absent)", fix: `kubectl -n longhorn-system get pods -o wide --field-selector spec.nodeName=${want.name} (is longhorn-manager running there? the node needs the label ${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value} and open-iscsi)`, message: `is labelled ${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value} but Longhorn has no Node object for it: longhorn-manager does not run there, so no Longhorn volume can attach on it` });
      continue;
    }
    if (!got) continue;
    // longhorn-manager's environment check (controller/monitor/environment_check_monitor.go):
    // RequiredPackages is False with "Missing packages: [nfs-common open-iscsi]" when mount.nfs or
    // iscsiadm is missing on the host; Ready is False when the node's manager or CSI plugin is down.
    for (const c of got.failing.filter((x) => ["RequiredPackages", "Ready", "NFSClientInstalled"].includes(x.type))) {
      out.push({
        ...base, severity: "error", kind: "longhorn-node-condition", key: c.type, expected: "True", actual: `False (${c.reason})`,
        fix: c.type === "Ready" ? `kubectl -n longhorn-system get pods -o wide --field-selector spec.nodeName=${want.name}` : `apt-get install -y nfs-common open-iscsi && systemctl enable --now iscsid on ${want.name} (npm run runbook -- --env ${inv.name}, Host packages)`,
        message: `Longhorn reports ${c.type} not True: ${c.message || c.reason}`,
      });
    }
    if (!runs) {
      out.push({ ...base, severity: "warning", kind: "longhorn-node-extra", expected: "(absent)", actual: "registered", fix: `kubectl -n longhorn-system delete nodes.longhorn.io ${want.name} once longhorn-manager no longer runs there`, message: `Longhorn has a Node object for it, but the inventory does not label it ${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value}` });
    }
    if (!disk && got.disks.length > 0) {
      out.push({
        ...base, severity: "error", kind: "longhorn-disk-extra", expected: "no disk", actual: got.disks.map((d) => `${d.name} (${d.path})`).join(", "),
        fix: `in the Longhorn UI (Node > Edit node and disks) or kubectl -n longhorn-system edit nodes.longhorn.io ${want.name}: set allowScheduling: false and evictionRequested: true on each disk, wait until its replicas have moved, then remove it from spec.disks`,
        message: `holds Longhorn disk(s) ${got.disks.map((d) => d.name).join(", ")} although only the storage nodes may hold replicas (no node.longhorn.io/create-default-disk=true in the inventory; it probably registered before createDefaultDiskLabeledNodes was set)`,
      });
    }
    if (disk && got.disks.length === 0) {
      out.push({ ...base, severity: "error", kind: "longhorn-disk-missing", expected: "a disk", actual: "(none)", fix: `kubectl label node ${want.name} node.longhorn.io/create-default-disk=true --overwrite (Longhorn adds the default disk), or add one in the Longhorn UI`, message: "is a storage node but has no Longhorn disk: no replica can be placed on it" });
    }
  }
  for (const n of nodes.filter((x) => !known.has(x.name))) {
    out.push({ severity: "warning", kind: "longhorn-node-extra", node: n.name, expected: "(absent)", actual: "registered", message: `Longhorn has a Node object ${n.name} that is not in values/${inv.name}/cluster.yaml` });
  }
  return out;
}
