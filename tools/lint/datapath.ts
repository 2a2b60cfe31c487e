/**
 * The data-path check: across all chart releases of an environment, on the RENDERED objects (so
 * a broken template is caught like a broken value), every pod has each path its role needs, with
 * the right mode, at the path every other pod uses (docs/decisions.md#dfs-data-path).
 *
 * Roles are declared here per chart and component, not read from the values: an app that must
 * import into the library cannot lose that need by a values edit.
 *
 * - `dfs: "produce"`: decypharr-streaming binds the DFS parent directory (hostPath, type
 *   Directory) at the same path with Bidirectional, unmounts lazily in preStop
 *   (`fusermount -uz`) and has a grace period longer than Decypharr's own unmount (10 s for the DFS
 *   manager's Stop plus 10 s of forced unmount: sirrobot01/decypharr pkg/mount/dfs/manager.go,
 *   pkg/mount/dfs/backend/hanwen/backend.go).
 * - `dfs: "host"`: a consumer on the storage node binds the parent (never the FUSE mount point
 *   itself: kubernetes#66567, a bind of a FUSE mount pins that instance and shows "Transport
 *   endpoint is not connected" after Decypharr restarts) with HostToContainer (propagation needs a
 *   shared or slave host mount; containerd's CRI sets rslave for HostToContainer and rshared for
 *   Bidirectional, and refuses Bidirectional when the source is not on a shared mount:
 *   containerd CRI opts spec_linux.go, ensureShared/ensureSharedOrSlave), read-only, and
 *   checks in a startup or readiness probe that the FUSE mount below it is live (on a node
 *   without Decypharr the parent is an empty directory).
 * - `dfs: "nfs"`: PMS and the workers mount the DFS export through the PV, at the DFS root path,
 *   read-only, from the inventory's export address with `nfsvers=4.2`.
 * - `library`: the streaming library claim, one owner release, `helm.sh/resource-policy: keep`,
 *   ReadWriteMany, mounted read-write (`rw`) or read-only (`ro`) at the library path.
 * - `transcode`: the shared RWX transcode claim at /transcode, read-write.
 */
import type { Cluster } from "../../schema/cluster.ts";
import type { K8sObject } from "../lib/render.ts";
import { asObj, asObjList, podSpecOf, type Obj } from "../policy/workloads.ts";
import { objectRef, type Finding } from "./types.ts";

/** The paths every pod uses: on the host and in every container alike. */
export const DATA_PATHS = {
  /** The stable parent directory on the storage nodes (a plain directory the runbook creates). */
  dfsParent: "/mnt/decypharr",
  /** Decypharr's FUSE mount point (its mount.mount_path), below the parent; also the NFS export. */
  dfsRoot: "/mnt/decypharr/dfs",
  /** The streaming library. */
  library: "/mnt/streaming-media",
  /** The shared transcode directory. */
  transcode: "/transcode",
} as const;

/** Decypharr's own unmount on SIGTERM: Stop's 10 s context, then forceUnmount's 10 s. */
export const DECYPHARR_UNMOUNT_SECONDS = 20;

export interface RoleDecl {
  chart: string;
  component: string;
  dfs?: "produce" | "host" | "nfs";
  library?: "rw" | "ro";
  transcode?: "rw";
}

/** Who needs what. */
export const ROLES: readonly RoleDecl[] = [
  { chart: "decypharr", component: "streaming", dfs: "produce", library: "rw" },
  { chart: "media-apps", component: "sonarr", dfs: "host", library: "rw" },
  { chart: "media-apps", component: "radarr", dfs: "host", library: "rw" },
  { chart: "clusterplex", component: "pms", dfs: "nfs", library: "ro", transcode: "rw" },
  { chart: "clusterplex", component: "worker", dfs: "nfs", library: "ro", transcode: "rw" },
];

interface Pod {
  o: K8sObject;
  ref: string;
  spec: Obj;
  chart: string;
  component: string;
  containers: Obj[];
}

function podTemplateLabels(o: K8sObject): Record<string, string> {
  const tmpl = o.kind === "CronJob" ? asObj(asObj(asObj(asObj(o.spec)?.jobTemplate)?.spec)?.template) : asObj(asObj(o.spec)?.template);
  return (asObj(asObj(tmpl)?.metadata)?.labels as Record<string, string> | undefined) ?? {};
}

/** The chart of an object: its helm.sh/chart label without the version. */
function chartOf(o: K8sObject): string {
  const l = o.metadata.labels?.["helm.sh/chart"];
  return typeof l === "string" ? l.replace(/-\d+\.\d+\.\d+.*$/, "") : "";
}

function podsOf(objects: readonly K8sObject[]): Pod[] {
  const out: Pod[] = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    out.push({
      o,
      ref: objectRef(o),
      spec,
      chart: chartOf(o),
      component: podTemplateLabels(o)["app.kubernetes.io/component"] ?? "",
      containers: asObjList(spec.containers),
    });
  }
  return out;
}

interface Mount {
  container: string;
  mountPath: string;
  readOnly: boolean;
  propagation: string;
  volume: Obj;
}

function mountsOf(p: Pod): Mount[] {
  const vols = new Map(asObjList(p.spec.volumes).map((v) => [String(v.name), v]));
  return p.containers.flatMap((c) =>
    asObjList(c.volumeMounts).map((m) => ({
      container: String(c.name),
      mountPath: String(m.mountPath ?? "").replace(/(.)\/+$/, "$1"),
      readOnly: m.readOnly === true,
      propagation: typeof m.mountPropagation === "string" ? m.mountPropagation : "None",
      volume: vols.get(String(m.name)) ?? {},
    })),
  );
}

const claimOf = (v: Obj) => asObj(v.persistentVolumeClaim)?.claimName as string | undefined;
const hostPathOf = (v: Obj) => asObj(v.hostPath)?.path as string | undefined;
const under = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** Runs the check over every rendered object of one environment's chart releases. */
export function checkDataPath(inventory: Cluster, objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const P = DATA_PATHS;
  const err = (object: string, message: string) => out.push({ severity: "error", rule: "data-path", object, message });
  const pods = podsOf(objects);
  const pvcs = new Map<string, K8sObject>();
  const pvs = new Map<string, K8sObject>();
  for (const o of objects) {
    if (o.kind === "PersistentVolumeClaim") pvcs.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
    if (o.kind === "PersistentVolume") pvs.set(o.metadata.name, o);
  }

  // The inventory's export path is the FUSE mount point below the parent.
  for (const [id, exp] of Object.entries(inventory.nfs.dfs)) {
    if (exp.path !== P.dfsRoot) {
      err(`values/${inventory.name}/cluster.yaml nfs.dfs.${id}.path`, `nfs.dfs.${id}.path is ${exp.path}, but Decypharr mounts the DFS at ${P.dfsRoot} (below the parent ${P.dfsParent}); the export and the NFS PV would serve another directory. Fix: path: ${P.dfsRoot}`);
    }
  }

  // The library: exactly one claim mounted at the library path, with one owner, kept, RWX.
  const libraryClaims = new Set<string>();
  for (const p of pods) for (const m of mountsOf(p)) if (m.mountPath === P.library && claimOf(m.volume)) libraryClaims.add(`${p.o.metadata.namespace ?? ""}/${claimOf(m.volume)}`);
  if (libraryClaims.size > 1) {
    err("(environment)", `the library path ${P.library} is backed by ${libraryClaims.size} different claims (${[...libraryClaims].join(", ")}): writers and readers would see different libraries. Fix: mount the one owner claim everywhere (library.claimName)`);
  }
  for (const key of libraryClaims) {
    const pvc = pvcs.get(key);
    if (!pvc) {
      err(`PersistentVolumeClaim/${key}`, `the library claim ${key} mounted at ${P.library} is rendered by no release: it has no owner and is never created. Fix: let media-apps own it (library in values/<env>/media-apps.yaml) and name it in library.claimName`);
      continue;
    }
    if (pvc.metadata.annotations?.["helm.sh/resource-policy"] !== "keep") {
      err(objectRef(pvc), `holds the streaming library at ${P.library} but is not annotated helm.sh/resource-policy: keep, so uninstalling its release deletes every import. Fix: annotate it helm.sh/resource-policy: keep`);
    }
    const modes = (asObj(pvc.spec)?.accessModes as unknown[] | undefined) ?? [];
    if (!modes.includes("ReadWriteMany")) {
      err(objectRef(pvc), `holds the streaming library at ${P.library} with accessModes ${JSON.stringify(modes)}: writers and readers run on different nodes. Fix: accessModes [ReadWriteMany]`);
    }
  }

  for (const p of pods) {
    const role = ROLES.find((r) => r.chart === p.chart && r.component === p.component);
    const mounts = mountsOf(p);
    // Anything that mounts the library or the DFS does so at the agreed path.
    for (const m of mounts) {
      const claim = claimOf(m.volume);
      if (claim && libraryClaims.has(`${p.o.metadata.namespace ?? ""}/${claim}`) && m.mountPath !== P.library) {
        err(p.ref, `container ${m.container} mounts the library claim ${claim} at ${m.mountPath}, but every other pod uses ${P.library}: paths Sonarr/Radarr record would not resolve here. Fix: mountPath ${P.library}`);
      }
      const hp = hostPathOf(m.volume);
      if (hp && (under(hp, P.dfsParent) || under(P.dfsParent, hp)) && hp !== P.dfsParent) {
        err(p.ref, `container ${m.container} binds the host's ${hp} at ${m.mountPath}; the DFS is shared through the stable parent ${P.dfsParent} only: binding the FUSE mount point itself pins one Decypharr instance (kubernetes#66567), binding a wider directory propagates unrelated mounts. Fix: hostPath ${P.dfsParent} at mountPath ${P.dfsParent}`);
      } else if (hp === P.dfsParent && m.mountPath !== P.dfsParent) {
        err(p.ref, `container ${m.container} binds the DFS parent ${P.dfsParent} at ${m.mountPath}, but every other pod uses ${P.dfsParent}: Decypharr's symlinks into ${P.dfsRoot} would not resolve here. Fix: mountPath ${P.dfsParent}`);
      }
    }
    if (!role) continue;
    const need = (what: string, fix: string) => err(p.ref, `${p.chart} ${p.component} ${what}. Fix: ${fix}`);

    if (role.library) {
      const m = mounts.find((x) => x.mountPath === P.library);
      if (!m) need(`needs the streaming library (${role.library === "rw" ? "read-write: it imports into it" : "read-only"}) at ${P.library} but mounts nothing there`, `mount the library claim at ${P.library}`);
      else if (role.library === "rw" && (m.readOnly || asObj(m.volume.persistentVolumeClaim)?.readOnly === true)) need(`mounts the library at ${P.library} read-only, but it writes there (imports)`, "remove readOnly from the mount and the volume");
      else if (role.library === "ro" && !m.readOnly) need(`mounts the library at ${P.library} read-write, but only reads it`, "readOnly: true");
    }

    if (role.transcode) {
      const m = mounts.find((x) => x.mountPath === P.transcode);
      const pvc = m && claimOf(m.volume) ? pvcs.get(`${p.o.metadata.namespace ?? ""}/${claimOf(m.volume)}`) : undefined;
      if (!m) need(`needs the shared transcode directory at ${P.transcode} but mounts nothing there`, `mount the transcode claim at ${P.transcode}`);
      else if (m.readOnly) need(`mounts ${P.transcode} read-only, but transcodes write segments there`, "remove readOnly");
      else if (!pvc || !((asObj(pvc.spec)?.accessModes as unknown[] | undefined) ?? []).includes("ReadWriteMany")) need(`mounts ${P.transcode} from ${claimOf(m.volume) ?? "a non-claim volume"}, which is not a ReadWriteMany claim shared by PMS and the workers`, "mount the release's RWX transcode claim");
    }

    if (role.dfs === "produce") {
      const m = mounts.find((x) => hostPathOf(x.volume) === P.dfsParent);
      const main = p.containers[0] ?? {};
      const preStop = JSON.stringify(asObj(asObj(main.lifecycle)?.preStop) ?? {});
      const grace = typeof p.spec.terminationGracePeriodSeconds === "number" ? p.spec.terminationGracePeriodSeconds : 30;
      if (!m) need(`creates the DFS but does not bind the host's ${P.dfsParent}`, `hostPath ${P.dfsParent} (type Directory) at ${P.dfsParent} with mountPropagation: Bidirectional`);
      else {
        if (m.mountPath !== P.dfsParent) need(`binds ${P.dfsParent} at ${m.mountPath}; the FUSE mount at ${P.dfsRoot} in the container must be ${P.dfsRoot} on the host and in every consumer`, `mountPath ${P.dfsParent}`);
        if (m.propagation !== "Bidirectional") need(`binds ${P.dfsParent} with mountPropagation ${m.propagation}: its FUSE mount would never reach the host`, "mountPropagation: Bidirectional");
        if (asObj(m.volume.hostPath)?.type !== "Directory") need(`binds ${P.dfsParent} with hostPath type ${String(asObj(m.volume.hostPath)?.type ?? "(unset)")}`, "type: Directory (the runbook creates it; DirectoryOrCreate would hide a node that was never set up)");
      }
      if (!/fusermount3? -uz/.test(preStop) || !preStop.includes(P.dfsRoot)) need(`has no preStop hook unmounting ${P.dfsRoot} lazily`, `lifecycle.preStop exec fusermount3 -uz ${P.dfsRoot}`);
      if (grace <= DECYPHARR_UNMOUNT_SECONDS) need(`has terminationGracePeriodSeconds ${grace}, not more than Decypharr's own unmount (${DECYPHARR_UNMOUNT_SECONDS} s): it is killed mid-unmount`, `terminationGracePeriodSeconds > ${DECYPHARR_UNMOUNT_SECONDS} (the chart uses 30)`);
    }

    if (role.dfs === "host") {
      const m = mounts.find((x) => hostPathOf(x.volume) === P.dfsParent);
      if (!m) need(`reads the DFS but does not bind the host's ${P.dfsParent}`, `hostPath ${P.dfsParent} at ${P.dfsParent}, mountPropagation: HostToContainer, readOnly`);
      else {
        if (m.propagation !== "HostToContainer") need(`binds ${P.dfsParent} with mountPropagation ${m.propagation}: a FUSE mount Decypharr creates after this pod started never appears in it`, "mountPropagation: HostToContainer");
        if (!m.readOnly) need(`binds ${P.dfsParent} read-write; consumers only read the DFS`, "readOnly: true");
      }
      const probes = p.containers.flatMap((c) => [c.startupProbe, c.readinessProbe].map((x) => JSON.stringify(x ?? "")));
      if (!probes.some((x) => x.includes(P.dfsRoot))) need(`has no startup or readiness probe checking that the DFS at ${P.dfsRoot} is live: on a node without Decypharr it starts on an empty directory`, `a startupProbe that checks ${P.dfsRoot} is a live FUSE mount`);
    }

    if (role.dfs === "nfs") {
      const m = mounts.find((x) => x.mountPath === P.dfsRoot);
      const pvc = m && claimOf(m.volume) ? pvcs.get(`${p.o.metadata.namespace ?? ""}/${claimOf(m.volume)}`) : undefined;
      const pv = pvc ? pvs.get(String(asObj(pvc.spec)?.volumeName ?? "")) : undefined;
      const nfs = asObj(asObj(pv?.spec)?.nfs);
      const opts = (asObj(pv?.spec)?.mountOptions as string[] | undefined) ?? [];
      const addr = inventory.nfs.dfsExport?.address ?? "(none: values/<env>/cluster.yaml declares no nfs.dfsExport)";
      if (!m) need(`reads the DFS over NFS but mounts nothing at ${P.dfsRoot}`, `mount the DFS claim at ${P.dfsRoot} (dfs.address, dfs.mountPath)`);
      else if (!m.readOnly) need(`mounts the DFS at ${P.dfsRoot} read-write; the export is read-only`, "readOnly: true");
      else if (!nfs) need(`mounts ${P.dfsRoot} from ${claimOf(m.volume) ?? "a volume"}, which is not bound to an NFS PersistentVolume of the DFS export`, "mount the chart's DFS claim");
      else {
        if (nfs.server !== addr) need(`mounts the DFS from ${String(nfs.server)}, not the export address ${addr} that follows Decypharr (values/${inventory.name}/cluster.yaml nfs.dfsExport.address): after a failover it would lead to a node without the mount`, `dfs.address: ${addr}`);
        if (nfs.path !== P.dfsRoot) need(`mounts the export path ${String(nfs.path)}, not Decypharr's FUSE mount point ${P.dfsRoot}`, `dfs.path: ${P.dfsRoot}`);
        if (!opts.includes("nfsvers=4.2")) need(`mounts the DFS PV without nfsvers=4.2 (${opts.join(",") || "no options"}): NFSv4.1+ sessions are what lets clients reconnect after the address moves`, "add nfsvers=4.2 to dfs.mountOptions");
      }
    }
  }
  return out;
}
