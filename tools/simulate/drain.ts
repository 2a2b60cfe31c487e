/**
 * Planned maintenance of a storage node: `simulate --scenario drain-w1` (the primary) and
 * `drain-w2` (the backup). `kubectl cordon` + `kubectl drain` at t=0, the maintenance window, then
 * `kubectl uncordon`: which pods move where and when they run again, per service the downtime of
 * the drain and of the failback, what happens to the DFS export, whether Longhorn lets the drain
 * finish, and how long the replicas take to rebuild. Times come from the rendered manifests
 * (terminationGracePeriodSeconds, the descheduler's schedule, PVC sizes) and the Longhorn release
 * (node-drain-policy); the rest are the named assumptions printed with the scenario.
 *
 * Longhorn's part (longhorn/longhorn-manager controller/instance_manager_controller.go
 * canDeleteInstanceManagerPDB): the instance-manager pods of the drained node are guarded by a
 * PodDisruptionBudget that Longhorn removes only once every volume is detached from the node
 * (the workload pods have moved), and then, depending on `node-drain-policy`:
 * - block-if-contains-last-replica (default) / block-for-eviction-if-contains-last-replica: once
 *   every replica on the node has a healthy replica on another schedulable node;
 * - allow-if-replica-is-stopped: once the node's replicas are stopped (volumes detached);
 * - block-for-eviction: once every replica is evicted to another node (never, when the other
 *   storage nodes already hold a replica of each volume and replica anti-affinity is hard);
 * - always-allow: at once.
 */
import { longhornDefaultSettings, type Environment } from "../lib/flux.ts";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { deschedulerDecision } from "../scheduling/index.ts";
import { blockingBudgets } from "../lint/backups.ts";
import { longhornClaims } from "./facts.ts";
import { nodeLabel, type SimNode } from "./model.ts";
import { scheduleOne, type Bound } from "./place.ts";
import { DEFAULT_TERMINATION_GRACE_SECONDS, LONGHORN_REATTACH_SECONDS, type ScenarioName, type ScenarioResult, type SimContext, type TimelineEvent } from "./scenarios.ts";

/** The maintenance window between the end of the drain and `kubectl uncordon` (assumption; the operator's choice). */
export const MAINTENANCE_SECONDS = 3600;
/** Replica rebuild throughput over the storage network (assumption: 1 Gbit/s Ethernet, about 110 MiB/s). */
export const REBUILD_BYTES_PER_SECOND = 110 * 1024 * 1024;

export const NODE_DRAIN_POLICIES = [
  "block-if-contains-last-replica",
  "allow-if-replica-is-stopped",
  "block-for-eviction-if-contains-last-replica",
  "block-for-eviction",
  "always-allow",
] as const;
export type NodeDrainPolicy = (typeof NODE_DRAIN_POLICIES)[number];

/** Longhorn's `node-drain-policy`: the Longhorn release's defaultSettings, else a rendered Setting, else Longhorn's default. */
export function nodeDrainPolicy(flux: Environment, releases: readonly RenderedRelease[]): { value: NodeDrainPolicy; source: string } {
  const lh = longhornDefaultSettings(flux.upstream);
  const fromHr = lh?.settings.nodeDrainPolicy;
  if (typeof fromHr === "string" && fromHr) return { value: fromHr as NodeDrainPolicy, source: `${lh!.release.file} spec.values.defaultSettings.nodeDrainPolicy` };
  for (const r of releases) {
    const s = r.objects.find((o) => o.kind === "Setting" && o.metadata.name === "node-drain-policy") as (K8sObject & { value?: string }) | undefined;
    if (s?.value) return { value: s.value as NodeDrainPolicy, source: `${r.source} Setting node-drain-policy` };
  }
  return { value: "block-if-contains-last-replica", source: "Longhorn's default (longhorn-manager types/setting.go; the Longhorn release does not set nodeDrainPolicy)" };
}

const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12, "": 1 };

/** Bytes of a Kubernetes quantity (`20Gi`). */
export function quantityBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`cannot read the quantity ${JSON.stringify(q)}`);
  return Number(m[1]) * UNITS[m[2] ?? ""];
}

/** The Longhorn volumes of the environment with their size: PVC objects and one per StatefulSet replica of each claim template. */
function longhornVolumes(ctx: SimContext, releases: readonly RenderedRelease[]): { name: string; bytes: number; rwx: boolean }[] {
  const lh = (sc: string | null | undefined) => ctx.longhorn.storageClasses.get(sc ?? ctx.longhorn.defaultClass ?? "")?.provisioner === "driver.longhorn.io";
  const out: { name: string; bytes: number; rwx: boolean }[] = [];
  for (const r of releases) {
    for (const o of r.objects) {
      const spec = o.spec as { storageClassName?: string | null; accessModes?: string[]; resources?: { requests?: { storage?: string } }; replicas?: number; volumeClaimTemplates?: { metadata: { name: string }; spec: { storageClassName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } } }[] } | undefined;
      if (o.kind === "PersistentVolumeClaim" && spec?.storageClassName !== "" && lh(spec?.storageClassName)) {
        out.push({ name: o.metadata.name, bytes: quantityBytes(spec?.resources?.requests?.storage ?? "0"), rwx: (spec?.accessModes ?? []).includes("ReadWriteMany") });
      }
      if (o.kind === "StatefulSet") {
        for (const t of spec?.volumeClaimTemplates ?? []) {
          if (!lh(t.spec.storageClassName)) continue;
          for (let i = 0; i < (spec?.replicas ?? 1); i++) out.push({ name: `${t.metadata.name}-${o.metadata.name}-${i}`, bytes: quantityBytes(t.spec.resources?.requests?.storage ?? "0"), rwx: false });
        }
      }
    }
  }
  return out;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(b % 2 ** 30 === 0 ? 0 : 1)} GiB`;

/** The drain scenario of the primary (drain-w1) or backup (drain-w2) storage node. */
export function scenarioDrain(
  ctx: SimContext,
  name: Extract<ScenarioName, "drain-w1" | "drain-w2">,
  releases: readonly RenderedRelease[],
  policyOverride?: { value: NodeDrainPolicy; source: string },
): ScenarioResult {
  const role = name === "drain-w1" ? "primary" : "backup";
  const title = `planned maintenance: kubectl drain of the ${role} storage node, then uncordon`;
  const base: ScenarioResult = { name, title, applicable: true, assumptions: [], timeline: [], pods: [], findings: [], violations: [], facts: {} };
  const id = ctx.inventory.storage[role];
  if (!id) return { ...base, applicable: false, reason: `values/${ctx.env}/cluster.yaml sets no storage.${role}` };
  const node = ctx.nodes.find((n) => n.id === id)!;
  const r: ScenarioResult = { ...base, title: `${title} (${nodeLabel(node)})` };
  const others = ctx.nodes.filter((n) => n.id !== id && n.roles.includes("storage"));
  const policy = policyOverride ?? nodeDrainPolicy(ctx.flux, releases);
  const replicas = Math.max(0, ...[...ctx.longhorn.storageClasses.values()].filter((c) => c.provisioner === "driver.longhorn.io" && c.replicas !== null).map((c) => c.replicas as number));
  const volumes = longhornVolumes(ctx, releases);
  const bytes = volumes.reduce((n, v) => n + v.bytes, 0);
  const period = ctx.descheduler?.cronJob.periodSeconds ?? null;
  r.assumptions.push(
    `LONGHORN_REATTACH_SECONDS = ${LONGHORN_REATTACH_SECONDS}s for Longhorn to attach a volume on the new node and the pod to start (no manifest states it)`,
    `kubectl drain evicts every pod of the node at t=0 and each stops within its terminationGracePeriodSeconds (API default ${DEFAULT_TERMINATION_GRACE_SECONDS}s)`,
    `MAINTENANCE_SECONDS = ${MAINTENANCE_SECONDS}s between the end of the drain and kubectl uncordon`,
    `REBUILD_BYTES_PER_SECOND = ${Math.round(REBUILD_BYTES_PER_SECOND / 2 ** 20)} MiB/s (1 Gbit/s) for a full replica rebuild; Longhorn's fast replica rebuilding copies only changed data, so this is the worst case`,
    `Longhorn node-drain-policy = ${policy.value} (${policy.source})`,
    "CronJob runs: worst case, the first run after an event comes one full schedule period later",
  );

  // Before: what must hold for the drain to finish and keep the data safe.
  r.timeline.push({ t: -600, text: `before: every Longhorn volume healthy (kubectl -n longhorn-system get volumes.longhorn.io: robustness healthy), so ${others.map((n) => n.id).join(", ") || "no other node"} holds a healthy replica of each` });
  r.timeline.push({ t: -300, text: "before: a fresh backup of the backed-up groups on the NAS (the RecurringJobs of longhorn-config; or a manual backup in the Longhorn UI)" });

  // PodDisruptionBudgets that would hold the drain.
  const objects = releases.flatMap((x) => x.objects);
  const onNode = ctx.base.bound.filter((b) => b.node.id === id);
  for (const b of blockingBudgets(objects)) {
    const hit = onNode.filter((x) => b.workloads.includes(`${x.pod.workload.kind}/${x.pod.workload.namespace}/${x.pod.workload.name}`));
    if (hit.length > 0) r.violations.push(`${b.pdb} allows no disruption of ${hit.map((x) => x.pod.name).join(", ")}: kubectl drain retries its eviction forever. Fix: remove the PDB (lint rule disruption/pdb-blocks-drain)`);
  }

  // t=0: cordon and drain; every pod of the node is evicted and replaced elsewhere.
  r.timeline.push({ t: 0, text: `kubectl cordon ${node.name} && kubectl drain ${node.name} --ignore-daemonsets --delete-emptydir-data: spec.unschedulable=true, ${onNode.filter((b) => b.pod.workload.kind !== "CronJob").length} pod(s) evicted` });
  const cordoned = ctx.nodes.map((n) => (n.id === id ? { ...n, unschedulable: true } : { ...n }));
  let bound: Bound[] = ctx.base.bound.filter((b) => b.node.id !== id);
  let detachedAt = 0;
  const downtime = new Map<string, { drain: number | null; failback: number | null }>();
  for (const b of onNode) {
    if (b.pod.workload.kind === "CronJob") {
      // A CronJob's pod runs only at its schedule; its runs wait for a schedulable node.
      const s = scheduleOne(b.pod, cordoned, bound);
      if (!s.node) r.findings.push(`CronJob ${b.pod.workload.name}: no run until the uncordon (${s.placement.message ?? "no node fits"})`);
      continue;
    }
    const g = typeof b.pod.pod.spec.terminationGracePeriodSeconds === "number" ? b.pod.pod.spec.terminationGracePeriodSeconds : DEFAULT_TERMINATION_GRACE_SECONDS;
    const lh = longhornClaims(b.pod, ctx.longhorn).length > 0;
    if (lh) detachedAt = Math.max(detachedAt, g);
    const s = scheduleOne(b.pod, cordoned, bound);
    const service = `${b.pod.workload.kind}/${b.pod.workload.name}`;
    if (!s.node) {
      r.pods.push({ pod: b.pod.name, from: id, to: null, status: "Pending", runningAt: null, detail: `no other node fits: down for the whole window (${s.placement.message ?? ""})` });
      downtime.set(service, { drain: null, failback: null });
      if (others.length > 0) r.violations.push(`${b.pod.name}: Pending during the drain although ${others.map((n) => n.id).join(", ")} is a storage node: ${s.placement.message}`);
      continue;
    }
    const to = ctx.nodes.find((n) => n.id === s.node!.id)!;
    bound.push({ pod: b.pod, node: to });
    const at = g + (lh ? LONGHORN_REATTACH_SECONDS : 0);
    r.timeline.push({ t: at, text: `${b.pod.name}: running on ${nodeLabel(to)} (stopped within ${g}s${lh ? `, volume reattached ${LONGHORN_REATTACH_SECONDS}s` : ""})` });
    r.pods.push({ pod: b.pod.name, from: id, to: to.id, status: "Running", runningAt: at, detail: "drained" });
    downtime.set(service, { drain: at, failback: null });
  }

  // Longhorn: the instance managers of the node, guarded by Longhorn's own PDBs.
  r.timeline.push({ t: detachedAt, text: `every Longhorn volume is detached from ${id}: Longhorn removes the engine instance-manager's PDB` });
  const lastReplica = replicas <= 1 || others.length === 0;
  let drainDone: number | null = detachedAt;
  let why: string;
  switch (policy.value) {
    case "always-allow":
      why = "always-allow: the replica instance-manager is evicted at once (Longhorn warns: possible data loss if the node is removed)";
      break;
    case "allow-if-replica-is-stopped":
      why = `allow-if-replica-is-stopped: the node's replicas are stopped once the volumes are detached, so the drain finishes${lastReplica ? "; they are the only copy: do not remove the node's disk" : ""}`;
      break;
    case "block-for-eviction":
      if (others.length < replicas) {
        drainDone = null;
        why = `block-for-eviction: every replica must first move off ${id}, but the ${others.length} other storage node(s) already hold a replica of each ${replicas}-replica volume and replica anti-affinity is hard: the drain never finishes`;
      } else why = `block-for-eviction: Longhorn copies each replica off ${id} first (${gib(bytes)}: up to ${Math.ceil(bytes / REBUILD_BYTES_PER_SECOND)}s)`;
      if (drainDone !== null) drainDone += Math.ceil(bytes / REBUILD_BYTES_PER_SECOND);
      break;
    default:
      if (lastReplica) {
        drainDone = null;
        why = `${policy.value}: ${id} holds the last replica of every volume (${replicas} replica(s), ${others.length} other storage node(s)), so Longhorn keeps the replica instance-manager's PDB and the drain never finishes. Fix: set nodeDrainPolicy: allow-if-replica-is-stopped in the Longhorn release for in-place maintenance`;
      } else why = `${policy.value}: each replica on ${id} has a healthy copy on ${others.map((n) => n.id).join(", ")}, so the drain finishes (it waits while the other copy is not healthy)`;
  }
  if (drainDone === null) {
    r.violations.push(`Longhorn blocks the drain of ${id} forever: ${why}`);
  } else {
    r.timeline.push({ t: drainDone, text: `drain of ${id} finished: ${why}` });
    if (!lastReplica) r.timeline.push({ t: drainDone, text: `Longhorn volumes run degraded (${replicas - 1} of ${replicas} replicas) until ${id} is back and rebuilt` });
  }

  // DFS: the FUSE producer and who reads the export.
  const producers = ctx.dfs.producers.map((p) => ({ p, b: bound.find((x) => x.pod === p) }));
  for (const { p, b } of producers) {
    const before = ctx.base.bound.find((x) => x.pod === p)?.node.id;
    if (before !== id) {
      r.findings.push(`DFS: ${p.name} stays on ${before ?? "nowhere"}: the DFS and its export are not affected`);
      continue;
    }
    if (!b) {
      r.timeline.push({ t: 0, text: `DFS: ${p.name} is Pending: the DFS (and every export of it) is unavailable until the uncordon` });
      continue;
    }
    r.timeline.push({ t: downtime.get(`${p.workload.kind}/${p.workload.name}`)?.drain ?? 0, text: `DFS: ${p.name} mounts the DFS on ${nodeLabel(b.node)}; ${id}'s /mnt/dfs is empty from t=0` });
    for (const c of ctx.dfs.nfsConsumers) {
      if (c.server === id) {
        r.findings.push(`DFS over NFS: ${c.pod.name} reads PersistentVolume ${c.pv} from ${id}, which exports nothing once ${p.name} has left: an export address that names a node cannot follow the DFS (docs/decisions.md#dfs-export: the address is keepalived's, on the node with the live mount)`);
      }
    }
    for (const c of ctx.dfs.hostConsumers) {
      const cb = bound.find((x) => x.pod === c);
      if (cb && b && cb.node.id !== b.node.id) r.violations.push(`DFS: ${c.name} runs on ${cb.node.id}, ${p.name} on ${b.node.id}: its hostPath /mnt/dfs is empty`);
    }
  }

  // Uncordon: replicas rebuild; the descheduler moves the pods back (failback).
  const T = (drainDone ?? detachedAt) + MAINTENANCE_SECONDS;
  r.timeline.push({ t: T, text: `kubectl uncordon ${node.name}: its instance-managers start; Longhorn reuses the stopped replicas and rebuilds them from ${others.map((n) => n.id).join(", ") || "nothing (single copy: the replica is just restarted)"}` });
  if (!lastReplica) {
    const full = Math.ceil(bytes / REBUILD_BYTES_PER_SECOND);
    r.findings.push(`the failback may start before the rebuild ends: the engine moves to ${id} and reads from the healthy replica on ${others.map((n) => n.id).join(", ")} meanwhile; keep ${others.map((n) => n.id).join(", ")} up until every volume is healthy`);
    r.timeline.push({ t: T + full, text: `worst case: every replica on ${id} rebuilt (${volumes.length} volumes, ${gib(bytes)} of PVC size, ${full}s at ${Math.round(REBUILD_BYTES_PER_SECOND / 2 ** 20)} MiB/s); volumes healthy again` });
    r.facts.rebuildSeconds = full;
  }
  if (role === "primary") {
    if (!ctx.descheduler) {
      r.findings.push("no descheduler rendered: the pods stay on the backup node after the uncordon (no automatic failback)");
    } else {
      const d = ctx.descheduler;
      const run = T + d.cronJob.periodSeconds;
      const placed = bound.map((b) => ({ ...b.pod.pod, nodeName: b.node.name }));
      const open = ctx.nodes.map((n) => ({ ...n }));
      const back: Bound[] = [];
      for (const b of [...bound]) {
        if (!r.pods.some((p) => p.pod === b.pod.name && p.status === "Running")) continue;
        const ns = b.pod.workload.namespace;
        if ((d.namespaces.include.length > 0 && !d.namespaces.include.includes(ns)) || d.namespaces.exclude.includes(ns)) continue;
        const dec = deschedulerDecision({ ...b.pod.pod.spec, nodeName: b.node.name }, open, { ...d.options, pod: b.pod.pod, placedPods: placed });
        if (!dec.evict) continue;
        const rest = bound.filter((x) => x !== b);
        const s = scheduleOne(b.pod, open, rest);
        if (!s.node) continue;
        const g = typeof b.pod.pod.spec.terminationGracePeriodSeconds === "number" ? b.pod.pod.spec.terminationGracePeriodSeconds : DEFAULT_TERMINATION_GRACE_SECONDS;
        const lh = longhornClaims(b.pod, ctx.longhorn).length > 0;
        const dt = g + (lh ? LONGHORN_REATTACH_SECONDS : 0);
        bound = [...rest, { pod: b.pod, node: ctx.nodes.find((n) => n.id === s.node!.id)! }];
        back.push(bound[bound.length - 1]);
        r.timeline.push({ t: run + dt, text: `failback: ${b.pod.name} evicted by the descheduler (run ${d.cronJob.namespace}/${d.cronJob.name} at most ${d.cronJob.periodSeconds}s after the uncordon), running on ${nodeLabel(s.node)} again` });
        const key = `${b.pod.workload.kind}/${b.pod.workload.name}`;
        downtime.set(key, { drain: downtime.get(key)?.drain ?? null, failback: dt });
      }
      r.facts.failback = back.map((b) => ({ pod: b.pod.name, to: b.node.id }));
      if (ctx.dfs.producers.some((p) => back.some((b) => b.pod === p))) {
        r.findings.push(`DFS: the producer is back on ${id} after the failback; the DFS export address follows it by itself (keepalived tracks the live FUSE mount, docs/decisions.md#dfs-export): no step`);
      }
      if (d.options.nodeFit === false) r.violations.push("descheduler nodeFit is false: while the node is cordoned it evicts the pods from the other storage node every run (see scenario w1-cordoned)");
    }
  }
  for (const [svc, d] of downtime) {
    r.findings.push(`downtime ${svc}: ${d.drain === null ? "the whole maintenance window (Pending)" : `${d.drain}s at the drain`}${d.failback !== null ? ` + ${d.failback}s at the failback` : ""}`);
  }
  if (onNode.length === 0) r.findings.push(`no pod of the charts runs on ${id}: only Longhorn's replicas (and any share-manager pods of RWX volumes) are affected`);
  const rwx = volumes.filter((v) => v.rwx).map((v) => v.name);
  if (rwx.length > 0) {
    r.findings.push(
      others.length > 0
        ? `RWX volumes ${rwx.join(", ")}: a share-manager pod on ${id} is evicted too and restarted on ${others.map((n) => n.id).join(", ")}; NFS clients (mount option softerr) get I/O errors until it serves again`
        : `RWX volumes ${rwx.join(", ")}: their share-manager pods stop with the drain; they restart after the uncordon`,
    );
  }
  r.facts = { ...r.facts, node: id, policy: policy.value, drainFinishedAt: drainDone, uncordonAt: T, downtime: Object.fromEntries(downtime), volumes: volumes.length, volumeBytes: bytes, descheduledPeriod: period };
  return r;
}

/** The drain procedure as commands, for the runbook (same facts as the scenario). */
export function drainProcedure(env: string, nodeName: string, nodeId: string, otherId: string | undefined, isPrimary: boolean, dfsServedHere: boolean): string[] {
  const lines: string[] = [
    `# Before: every volume healthy (robustness "healthy"), a fresh backup on the NAS`,
    `kubectl -n longhorn-system get volumes.longhorn.io -o custom-columns=NAME:.metadata.name,STATE:.status.state,ROBUSTNESS:.status.robustness`,
    `kubectl -n longhorn-system get backups.longhorn.io --sort-by=.status.backupCreatedAt | tail`,
    `kubectl -n longhorn-system get settings.longhorn.io node-drain-policy`,
  ];
  if (dfsServedHere && otherId) lines.push(`# The DFS export address follows decypharr-streaming to ${otherId} by itself (keepalived, docs/decisions.md#dfs-export): nothing to move`);
  lines.push(
    `# Drain (npm run simulate -- --env ${env} --scenario drain-${isPrimary ? "w1" : "w2"} shows where each pod goes and for how long)`,
    `kubectl cordon ${nodeName}`,
    `kubectl drain ${nodeName} --ignore-daemonsets --delete-emptydir-data --timeout=15m`,
    `# ... maintenance (reboot, upgrade) ...`,
    `kubectl uncordon ${nodeName}`,
    `# After: replicas rebuild (wait until every volume is healthy again)`,
    `kubectl -n longhorn-system get volumes.longhorn.io -w`,
  );
  if (isPrimary) lines.push(`# Failback is automatic: the descheduler CronJob moves the media pods back within its period`, `kubectl -n media get pods -o wide`);
  if (dfsServedHere && otherId) lines.push(`# The DFS export address comes back to ${nodeId} with decypharr-streaming (keepalived)`);
  return lines;
}
