/**
 * The inventory facts preflight cannot read from `kubectl get nodes` but the runbook depends on:
 * which datastore k3s runs on each control-plane node (`datastore.kind`), which decides its
 * backup and restore (runbook, "Backups"; https://docs.k3s.io/datastore/backup-restore).
 */
import type { Cluster } from "../../schema/cluster.ts";
import type { Finding, PreflightResult } from "./compare.ts";

/** A warning per control-plane node when the inventory does not say which datastore k3s uses. */
export function datastoreFindings(inv: Cluster): Finding[] {
  if (inv.datastore) return [];
  return Object.entries(inv.nodes)
    .filter(([, n]) => n.roles.includes("control-plane"))
    .map(([id, n]) => ({
      severity: "warning" as const,
      kind: "datastore-unknown" as const,
      node: n.name,
      nodeId: id,
      key: "datastore.kind",
      expected: "sqlite or etcd",
      actual: "(absent)",
      fix: `on ${n.name}: ls /var/lib/rancher/k3s/server/db (state.db: sqlite; an etcd directory: etcd), then set datastore: {kind: sqlite|etcd} in values/${inv.name}/cluster.yaml`,
      message: `values/${inv.name}/cluster.yaml does not say which datastore k3s runs on control-plane node ${id} (datastore.kind), so the runbook prints both backup procedures and cannot say which restore applies`,
    }));
}

/** The node comparison plus the inventory's datastore check. */
export function withDatastoreCheck(result: PreflightResult, inv: Cluster): PreflightResult {
  const extra = datastoreFindings(inv);
  return { ...result, findings: [...result.findings, ...extra], warnings: result.warnings + extra.length };
}
