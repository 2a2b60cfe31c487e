/**
 * The DFS export in the storage scenarios (w1-down, w1-back, w1-cordoned): when PMS and the
 * workers lose the DFS they read over NFS, and when they have it again, with every timing taken
 * from the rendered manifests (the scenario's pod timeline) and the runbook's keepalived settings
 * (tools/runbook/keepalived.ts). docs/decisions.md#dfs-export.
 *
 * The NFS PV names the DFS export address, which keepalived gives only to a storage node whose
 * FUSE mount at the export path is live and whose nfsd runs. So:
 * - the DFS goes away when decypharr-streaming stops (its node dies, or its preStop unmounts);
 * - the old node releases the address at most RELEASE_SECONDS after its mount is gone (until then
 *   `mp` keeps the path unexported there: clients get errors, never the empty directory);
 * - the new node takes the address at most TAKEOVER_SECONDS after Decypharr's mount is live there;
 *   the clients' retransmissions reach it and are reset, NFSv4.1+ reconnects at once.
 * Streams open at the move break: Decypharr's FUSE layer has no NFS export support, so file handles
 * from the old node are stale (or name another file) on the new one; players reopen by path.
 *
 * The check fails when the PV's address could lead to a node without the mount: a node's own IP
 * (it stays there when Decypharr moves), a path keepalived does not track, or an export without
 * `mp`.
 */
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { DATA_PATHS } from "../lint/datapath.ts";
import { exportOptions } from "../runbook/dfs.ts";
import { RELEASE_SECONDS, TAKEOVER_SECONDS } from "../runbook/keepalived.ts";
import { nodeLabel, type SimPod } from "./model.ts";
import { nodeMonitorGracePeriod, type ScenarioResult, type SimContext } from "./scenarios.ts";

/** The scenarios this module reports on. */
export const DFS_EXPORT_SCENARIOS = ["w1-down", "w1-back", "w1-cordoned"] as const;

export interface DfsOutage {
  consumer: string;
  /** Seconds from the scenario's t=0; null = the DFS does not come back. */
  from: number;
  to: number | null;
}

export interface DfsExportFacts {
  pv: { name: string; server: string; path: string } | null;
  producer: string | null;
  moved: boolean;
  /** When the FUSE mount went away, when it is live again, when the address follows. */
  stopAt: number | null;
  liveAt: number | null;
  addressAt: number | null;
  releasedBy: number | null;
  outages: DfsOutage[];
  brokenStreams: string[];
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function dfsPv(releases: readonly RenderedRelease[]): { pv: K8sObject; claim: string; namespace: string } | null {
  const objects = releases.flatMap((r) => r.objects as Obj[]);
  for (const pv of objects.filter((o) => o.kind === "PersistentVolume" && o.spec?.nfs)) {
    const ref = pv.spec.claimRef as { name?: string; namespace?: string } | undefined;
    if (ref?.name && String(pv.spec.nfs.path).startsWith(DATA_PATHS.dfsParent)) return { pv: pv as K8sObject, claim: ref.name, namespace: ref.namespace ?? "" };
  }
  return null;
}

/** Pods reading the DFS PV (through its claim). */
function nfsReaders(ctx: SimContext, claim: string, namespace: string): SimPod[] {
  return ctx.pods.filter((p) => p.workload.namespace === namespace && p.claims.some((c) => c.claimName === claim));
}

/** Adds the DFS export timeline to a storage scenario's result (timeline, findings, violations, facts.dfsExport). */
export function addDfsExport(ctx: SimContext, r: ScenarioResult, releases: readonly RenderedRelease[]): DfsExportFacts | null {
  if (!r.applicable || !(DFS_EXPORT_SCENARIOS as readonly string[]).includes(r.name)) return null;
  const found = dfsPv(releases);
  const producer = ctx.dfs.producers[0] ?? null;
  const facts: DfsExportFacts = { pv: null, producer: producer?.name ?? null, moved: false, stopAt: null, liveAt: null, addressAt: null, releasedBy: null, outages: [], brokenStreams: [] };
  r.facts.dfsExport = facts;
  if (!found) return facts;
  const pvSpec = (found.pv as Obj).spec;
  const nfs = pvSpec.nfs as { server: string; path: string };
  facts.pv = { name: found.pv.metadata.name, server: nfs.server, path: nfs.path };
  const inv = ctx.inventory;
  const addr = inv.nfs.dfsExport?.address ?? "(no nfs.dfsExport in the inventory)";

  // Can the address lead to a node without the mount?
  const node = ctx.nodes.find((n) => n.ip === nfs.server);
  if (node) {
    r.violations.push(`DFS export: PersistentVolume ${found.pv.metadata.name} names ${nfs.server}, the address of ${nodeLabel(node)}: when decypharr-streaming runs elsewhere it leads to a node without the DFS mount. Fix: dfs.address ${addr}, the export address keepalived moves with the mount (values/${inv.name}/cluster.yaml nfs.dfsExport.address)`);
  } else if (nfs.server !== addr) {
    r.violations.push(`DFS export: PersistentVolume ${found.pv.metadata.name} names ${nfs.server}, but the runbook's keepalived holds ${addr}: nothing guarantees ${nfs.server} leads to the node with the DFS mount. Fix: dfs.address ${addr}`);
  }
  if (nfs.path !== DATA_PATHS.dfsRoot) {
    r.violations.push(`DFS export: PersistentVolume ${found.pv.metadata.name} mounts ${nfs.path}, but keepalived tracks the FUSE mount at ${DATA_PATHS.dfsRoot}: the address can sit on a node where ${nfs.path} is not served. Fix: dfs.path ${DATA_PATHS.dfsRoot}`);
  }
  if (!exportOptions(1).some((o) => o.option === "mp")) {
    r.violations.push("DFS export: the runbook's export has no mp option: a node without the FUSE mount would serve the empty directory below it");
  }

  if (!producer) return facts;
  const primary = inv.storage.primary;
  const before = ctx.base.bound.find((b) => b.pod === producer)?.node.id ?? null;
  const outcome = r.pods.find((p) => p.pod === producer.name);
  if (r.name === "w1-down") {
    if (before !== primary) return facts;
    facts.stopAt = -nodeMonitorGracePeriod(inv.kubernetesVersion);
    facts.liveAt = outcome?.runningAt ?? null;
    facts.releasedBy = facts.stopAt; // the address dies with the node
  } else if (r.name === "w1-back") {
    const ev = ((r.facts.evictions ?? []) as Array<{ pod: string; t: number; runningAt: number | null }>).filter((e) => e.pod === producer.name);
    const last = ev[ev.length - 1];
    if (!last) return facts;
    facts.stopAt = ev[0].t;
    facts.liveAt = last.runningAt;
    facts.releasedBy = facts.stopAt + RELEASE_SECONDS;
  } else {
    if (before !== primary) return facts;
    facts.stopAt = 0;
    facts.liveAt = outcome?.runningAt ?? null;
    facts.releasedBy = RELEASE_SECONDS;
  }
  facts.moved = true;
  facts.addressAt = facts.liveAt === null ? null : facts.liveAt + TAKEOVER_SECONDS;
  const stop = facts.stopAt;
  r.timeline.push({
    t: stop,
    text: r.name === "w1-down"
      ? `DFS export: ${producer.name}'s FUSE mount is gone with ${primary}; the export address ${addr} goes with it`
      : `DFS export: ${producer.name} stops; its preStop unmounts ${DATA_PATHS.dfsRoot} (fusermount3 -uz): the export (mp) is withdrawn, keepalived releases ${addr} within ${RELEASE_SECONDS}s (interval x fall + timeout)`,
  });
  if (facts.addressAt !== null) {
    r.timeline.push({ t: facts.addressAt, text: `DFS export: ${producer.name}'s mount is live (t=${facts.liveAt}s); keepalived moves ${addr} there within ${TAKEOVER_SECONDS}s (interval x rise); NFS clients are reset and reconnect (nfsvers=4.2)` });
  } else {
    r.violations.push(`DFS export: ${producer.name} does not run again in ${r.name}, so the DFS never comes back for its NFS readers`);
  }
  for (const c of nfsReaders(ctx, found.claim, found.namespace)) {
    const moved = r.pods.find((p) => p.pod === c.name);
    const back = facts.addressAt === null ? null : Math.max(facts.addressAt, moved?.runningAt ?? 0);
    facts.outages.push({ consumer: c.name, from: stop, to: back });
    facts.brokenStreams.push(c.name);
    r.findings.push(
      `DFS outage for ${c.name}: t=${stop}s to ${back === null ? "never" : `t=${back}s (${back - stop}s)`}; its open streams break (Decypharr's FUSE has no NFS export support: file handles do not survive the move) and recover when reopened by path`,
    );
  }
  return facts;
}
