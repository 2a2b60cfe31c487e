/**
 * charts/decypharr assertions, plus the DFS rules every chart of the media namespace shares
 * (media-apps imports them): decypharr-streaming is the one FUSE source, so it alone may be
 * privileged and use Bidirectional propagation; consumers bind the DFS parent /mnt/decypharr with HostToContainer;
 * nothing mentions Samba/SMB/CIFS (ARCHITECTURE-DECISIONS.md, "DFS Sharing").
 */
import { podLabelsOf } from "../../lib/k8s.ts";
import type { K8sObject } from "../../lib/render.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { asObj, asObjList, containersOf, podSpecOf } from "../../policy/workloads.ts";
import { DATA_PATHS } from "../datapath.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";
import { checkIngressBackends, checkIngressEntrypoints } from "./ingress.ts";

/** The host directory consumers bind: the DFS parent (docs/decisions.md#dfs-data-path). */
export const DFS_HOST_PATH = DATA_PATHS.dfsParent;

/** The seed's verdict on Samba, quoted in messages. */
export const SEED_NO_SMB =
  'SMB/Samba was removed in commit e828583 (2026-02-28). Do not re-add it (seed, "DFS Sharing": Samba 4.x needed an ' +
  "LD_PRELOAD shim for FUSE's st_nlink=0 and a dfs-mounter DaemonSet on every node; direct FUSE propagation has no sharing layer)";

/** Anything Samba/SMB/CIFS, case-insensitive. */
export const SMB_PATTERN = /smb|cifs|samba/i;

/** Pod template labels of a workload (or a Pod's own labels). */
const podLabels: (o: K8sObject) => Record<string, string> = podLabelsOf;

/**
 * Whether a workload is decypharr-streaming, the DFS FUSE source: a StatefulSet of the decypharr
 * chart (its `helm.sh/chart` label, or the name label when nameOverride is unset) whose pods carry
 * component streaming, so neither fullnameOverride nor nameOverride changes the answer.
 */
export function isFuseSource(o: K8sObject): boolean {
  const l = podLabels(o);
  const chart = o.metadata.labels?.["helm.sh/chart"];
  const ofDecypharr = l["app.kubernetes.io/name"] === "decypharr" || (typeof chart === "string" && /^decypharr-\d/.test(chart));
  return o.kind === "StatefulSet" && ofDecypharr && l["app.kubernetes.io/component"] === "streaming";
}

/** Workload objects (those with a pod spec) among the rendered objects. */
function workloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => podSpecOf(o) !== undefined);
}

/** No privileged container anywhere except decypharr-streaming. */
export function checkPrivileged(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const o of workloads(ctx.objects)) {
    if (isFuseSource(o)) continue;
    for (const c of containersOf(podSpecOf(o)!)) {
      if (!c.security.privileged) continue;
      out.push({
        severity: "error",
        object: objectRef(o),
        message:
          `${objectRef(o)} container ${c.name} is privileged. Only decypharr-streaming may be: it creates the DFS FUSE mount and ` +
          `propagates it to the host with Bidirectional, which Kubernetes allows only in privileged containers (seed, "DFS Sharing"); ` +
          `consumers bind the DFS parent ${DFS_HOST_PATH} with HostToContainer, which needs no privilege. Fix: remove securityContext.privileged.`,
      });
    }
  }
  return out;
}

/**
 * Bidirectional only in decypharr-streaming; every mount of the host DFS parent elsewhere uses
 * HostToContainer (without it a FUSE mount re-created after the pod started stays invisible).
 */
export function checkPropagation(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const o of workloads(ctx.objects)) {
    const pod = podSpecOf(o)!;
    const hostPaths = new Map<string, string>();
    for (const v of asObjList(pod.volumes)) {
      const hp = asObj(v.hostPath);
      if (hp && typeof hp.path === "string" && typeof v.name === "string") hostPaths.set(v.name, hp.path.replace(/\/+$/, "") || "/");
    }
    for (const c of containersOf(pod)) {
      for (const m of asObjList(c.spec.volumeMounts)) {
        const mode = typeof m.mountPropagation === "string" ? m.mountPropagation : "None";
        const host = hostPaths.get(String(m.name));
        if (mode === "Bidirectional" && !isFuseSource(o)) {
          out.push({
            severity: "error",
            object: objectRef(o),
            message:
              `${objectRef(o)} container ${c.name} mounts ${String(m.mountPath)} with mountPropagation: Bidirectional. Only decypharr-streaming, ` +
              `the FUSE source, may: Bidirectional needs a privileged container and carries the container's mounts back onto the node ` +
              `(seed, "DFS Sharing"). A consumer binds the host's ${DFS_HOST_PATH} with HostToContainer. Fix: mountPropagation: HostToContainer.`,
          });
        } else if (host === DFS_HOST_PATH && mode !== "HostToContainer" && !isFuseSource(o)) {
          out.push({
            severity: "error",
            object: objectRef(o),
            message:
              `${objectRef(o)} container ${c.name} mounts the host's ${DFS_HOST_PATH} with mountPropagation ${mode}: a DFS consumer needs ` +
              `HostToContainer, or a FUSE mount decypharr-streaming re-creates after the pod started never appears in it (seed, "DFS Sharing"). ` +
              `Fix: mountPropagation: HostToContainer.`,
          });
        }
      }
    }
  }
  return out;
}

/** Every key path (keys and string leaves) under `value` that mentions Samba/SMB/CIFS. */
export function smbPaths(value: unknown, path: PathSegment[] = []): Array<{ path: PathSegment[]; text: string }> {
  if (typeof value === "string") return SMB_PATTERN.test(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => smbPaths(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) =>
      SMB_PATTERN.test(k) ? [{ path: [...path, k], text: k }] : smbPaths(v, [...path, k]),
    );
  }
  return [];
}

/** Storage in rendered objects that is Samba/SMB/CIFS (pod volumes, PersistentVolumes, StorageClasses). */
function smbStorage(o: K8sObject): string | undefined {
  const parts: unknown[] = [];
  const pod = podSpecOf(o);
  if (pod) parts.push(pod.volumes);
  if (o.kind === "PersistentVolume") parts.push(asObj(o.spec));
  if (o.kind === "StorageClass") parts.push((o as Record<string, unknown>).provisioner, (o as Record<string, unknown>).parameters);
  const text = JSON.stringify(parts);
  return SMB_PATTERN.exec(text)?.[0];
}

/** Nothing Samba/SMB/CIFS: neither in the merged values nor in rendered storage. */
export function checkNoSmb(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const { path, text } of smbPaths(ctx.values)) {
    out.push({
      severity: "error",
      location: ctx.locate(path),
      message: `values ${path.join(".")} mentions SMB/CIFS/Samba (${JSON.stringify(text)}). ${SEED_NO_SMB}. Fix: remove it; consumers read the DFS from the host's ${DFS_HOST_PATH} with HostToContainer, other shares are NFS exports or existing PVCs.`,
    });
  }
  for (const o of ctx.objects) {
    const hit = smbStorage(o);
    if (hit) {
      out.push({
        severity: "error",
        object: objectRef(o),
        message: `${objectRef(o)} uses ${hit} storage. ${SEED_NO_SMB}. Fix: remove the volume; use NFS or a Longhorn PVC.`,
      });
    }
  }
  return out;
}

/** decypharr pods: no probes (every endpoint answers 401 before auth is set up) and no service links. */
export function checkDecypharrPods(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const o of ctx.objects.filter((x) => x.kind === "StatefulSet")) {
    const pod = podSpecOf(o)!;
    if (pod.enableServiceLinks !== false) {
      out.push({
        severity: "error",
        object: objectRef(o),
        message: `${objectRef(o)} does not set enableServiceLinks: false; the blackhole image misparses the injected DECYPHARR_PORT=tcp://IP:PORT (seed, "Decypharr Architecture"). Fix: enableServiceLinks: false.`,
      });
    }
    for (const c of containersOf(pod)) {
      const probes = ["livenessProbe", "readinessProbe", "startupProbe"].filter((p) => c.spec[p] !== undefined);
      if (probes.length > 0) {
        out.push({
          severity: "error",
          object: objectRef(o),
          message: `${objectRef(o)} container ${c.name} has ${probes.join(", ")}; every Decypharr endpoint returns 401 until auth is set up in the UI, so the pod would never become ready or would be restarted (seed, "Health probes"). Fix: remove the probes.`,
        });
      }
    }
  }
  return out;
}

/** Values key of a decypharr Ingress's entrypoints: `<component>.ingress.entrypoints`. */
function decypharrIngressPath(ing: K8sObject): PathSegment[] | undefined {
  const component = ing.metadata.labels?.["app.kubernetes.io/component"];
  return component ? [component, "ingress", "entrypoints"] : undefined;
}

export const assertions: ChartAssertion[] = [
  checkNoSmb,
  checkPrivileged,
  checkPropagation,
  checkDecypharrPods,
  (ctx) => checkIngressEntrypoints(ctx, decypharrIngressPath),
  checkIngressBackends,
];
