/**
 * The steps a person must take after the first install, and which rendered pods cannot become
 * Ready before them. One place for both: the lint rule (tools/lint/flux-install.ts
 * checkManualSteps), `simulate --scenario first-install` and the runbook's "After the first
 * install" section all read this module.
 *
 * What blocks a pod is derived from the rendered objects and the inventory, with the semantics of
 * the systems involved:
 * - the DFS export address (inventory nfs.dfsExport.address) is held by keepalived only on a
 *   storage node whose FUSE mount is live: its check script runs `mountpoint -q <dfs path>`
 *   (tools/runbook/keepalived.ts), and the FUSE mount exists only once Decypharr is set up in its
 *   UI (authentication and a debrid provider; decypharr's README). kubelet mounts a pod's NFS
 *   volumes before any container starts (kubelet volumemanager WaitForAttachAndMount), so a pod
 *   with an NFS volume from that address, inline or through a PersistentVolume, stays
 *   ContainerCreating until the step is done;
 * - a hostPath volume at or under the DFS path with a type that checks the path (`Directory`,
 *   `File`, ...) fails its mount while the path does not exist (Kubernetes docs, "hostPath volume
 *   types"); the parent directory (runbook section "dfs") exists before Flux installs anything.
 */
import type { Cluster } from "./inventory.ts";
import { asObjList, objectRef, podSpecOf, type K8sObject } from "./k8s.ts";

/** What a manual step makes available. */
export type Provides = "dfs";

export interface ManualStep {
  /** Named in the chart's NOTES.txt and in the runbook (section "After the first install"). */
  id: string;
  /** The chart whose NOTES.txt names the step (its release is where the person acts). */
  chart: string;
  title: string;
  /** What becomes available once it is done (pods blocked by it start then). */
  provides?: Provides;
  /** Where the person acts, in order. */
  instructions(inv: Cluster): string[];
}

export const MANUAL_STEPS: readonly ManualStep[] = [
  {
    id: "decypharr-setup",
    chart: "decypharr",
    title: "Set up Decypharr in its UI: the DFS mount appears, keepalived takes the DFS export address",
    provides: "dfs",
    instructions: (inv) => [
      "kubectl -n media port-forward svc/decypharr-streaming 8282:80, then open http://localhost:8282",
      "set up authentication (every endpoint answers 401 until then), add the debrid provider and its API key",
      `Settings > Mount: Type "DFS", Mount path ${dfsPaths(inv)[0] ?? "(nfs.dfs path)"}; save`,
      `verify: the DFS export address ${inv.nfs.dfsExport?.address ?? "(nfs.dfsExport)"} answers (showmount -e ${inv.nfs.dfsExport?.address ?? "ADDRESS"}); the pods that mount the DFS start by themselves`,
    ],
  },
  {
    id: "plex-claim",
    chart: "clusterplex",
    title: "Claim the Plex server and set its transcoder directory",
    instructions: () => [
      "kubectl -n media port-forward svc/clusterplex-pms 32400, then open http://localhost:32400/web and claim the server",
      'Settings > Transcoder > "Transcoder temporary directory": /transcode; save',
      "the NOTES of the clusterplex release list the hardware-acceleration and LAN-address settings of this environment",
    ],
  },
];

/** The DFS paths of the inventory (nfs.dfs.<node>.path). */
export function dfsPaths(inv: Cluster): string[] {
  return [...new Set(Object.values(inv.nfs.dfs).map((d) => d.path))];
}

/** Whether `path` is `base` or lies below it. */
export const under = (path: string, base: string) => path === base || path.startsWith(base.endsWith("/") ? base : `${base}/`);
/** hostPath types that make kubelet check the path exists (all but "" and the *OrCreate ones). */
const CHECKED_HOSTPATH = new Set(["Directory", "File", "Socket", "CharDevice", "BlockDevice"]);

/** One pod-owning object that cannot become Ready before a step. */
export interface Blocked {
  object: K8sObject;
  step: ManualStep;
  /** Why, in an operator's words (the volume and what it waits for). */
  reason: string;
}

/**
 * The environment's PersistentVolumes by name and claims by namespace/name, once per object list
 * (lint asks once per release with the same list); built again if the list has grown since.
 */
const volumeIndex = new WeakMap<readonly K8sObject[], { length: number; pvs: Map<string, K8sObject>; pvcs: Map<string, K8sObject> }>();
function volumesOf(cluster: readonly K8sObject[]): { pvs: Map<string, K8sObject>; pvcs: Map<string, K8sObject> } {
  let index = volumeIndex.get(cluster);
  if (!index || index.length !== cluster.length) {
    index = {
      length: cluster.length,
      pvs: new Map(cluster.filter((o) => o.kind === "PersistentVolume").map((o) => [o.metadata.name, o])),
      pvcs: new Map(cluster.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])),
    };
    volumeIndex.set(cluster, index);
  }
  return index;
}

/**
 * The pod-owning objects of `objects` that wait for a manual step. `cluster` is every rendered
 * object of the environment (a claim's PersistentVolume may come from another release).
 */
export function blockedByManualSteps(objects: readonly K8sObject[], cluster: readonly K8sObject[], inv: Cluster): Blocked[] {
  const dfs = MANUAL_STEPS.find((s) => s.provides === "dfs");
  if (!dfs) return [];
  const paths = dfsPaths(inv);
  const vip = inv.nfs.dfsExport?.address;
  const dfsNfs = (nfs: { server?: unknown; path?: unknown }) =>
    (vip !== undefined && nfs.server === vip) || (typeof nfs.path === "string" && paths.some((p) => under(nfs.path as string, p)));
  const { pvs, pvcs } = volumesOf(cluster);
  const out: Blocked[] = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    for (const v of asObjList(spec.volumes)) {
      const nfs = v.nfs as { server?: unknown; path?: unknown } | undefined;
      const hp = v.hostPath as { path?: unknown; type?: unknown } | undefined;
      const claim = (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
      let reason: string | undefined;
      if (nfs && dfsNfs(nfs)) reason = `volume ${String(v.name)} mounts the DFS over NFS (${String(nfs.server)}:${String(nfs.path)})`;
      else if (hp && typeof hp.path === "string" && CHECKED_HOSTPATH.has(String(hp.type ?? "")) && paths.some((p) => under(hp.path as string, p))) {
        reason = `volume ${String(v.name)} is hostPath ${hp.path} (type ${String(hp.type)}), which exists only once the DFS is mounted`;
      } else if (claim) {
        const pvc = pvcs.get(`${o.metadata.namespace}/${claim}`);
        const pvName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
        const pvNfs = pvName ? ((pvs.get(pvName)?.spec as { nfs?: { server?: unknown; path?: unknown } } | undefined)?.nfs) : undefined;
        if (pvNfs && dfsNfs(pvNfs)) reason = `volume ${String(v.name)} is claim ${claim}, bound to PersistentVolume ${pvName}: NFS ${String(pvNfs.server)}:${String(pvNfs.path)}`;
      }
      if (reason) {
        out.push({ object: o, step: dfs, reason: `${objectRef(o)}: ${reason}; the DFS export address is held only where the DFS is mounted, after step ${dfs.id}` });
        break;
      }
    }
  }
  return out;
}
