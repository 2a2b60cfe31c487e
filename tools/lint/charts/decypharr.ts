/**
 * charts/decypharr assertions, plus the Samba rule every chart of the media namespace shares
 * (media-apps imports it): nothing mentions Samba/SMB/CIFS (ARCHITECTURE-DECISIONS.md, "DFS
 * Sharing"). That decypharr-streaming alone is privileged and propagates Bidirectional is the
 * policy stage's rule (values/<env>/policy.yaml); that consumers bind the DFS parent with
 * HostToContainer is the data path's (tools/lint/datapath.ts); a Bidirectional mount in a
 * non-privileged container is rejected by rendered/bidirectional-needs-privileged.
 */
import type { K8sObject } from "../../lib/render.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { asObj, asObjList, containersOf, podSpecOf } from "../../policy/workloads.ts";
import { DATA_PATHS } from "../datapath.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";
import { checkIngressBackends, checkIngressEntrypoints, checkIngressRedirected } from "./ingress.ts";

/** The host directory consumers bind: the DFS parent (docs/decisions.md#dfs-data-path). */
export const DFS_HOST_PATH = DATA_PATHS.dfsParent;

/** The seed's verdict on Samba, quoted in messages. */
export const SEED_NO_SMB =
  'SMB/Samba was removed in commit e828583 (2026-02-28). Do not re-add it (seed, "DFS Sharing": Samba 4.x needed an ' +
  "LD_PRELOAD shim for FUSE's st_nlink=0 and a dfs-mounter DaemonSet on every node; direct FUSE propagation has no sharing layer)";

/**
 * The words Samba/SMB/CIFS as a token of a name: `smb`, `SMB_SHARE`, `sambaHost`, `smb.csi.k8s.io`,
 * but not `/mnt/user/samba-old` as a string value (docs/decisions.md "Chart conventions": only lint
 * rejects Samba, and only where a value really is a share, not a name that contains the word).
 */
export const SMB_TOKEN = /^(smb|cifs|samba)$/i;

/** Tokens of a key or driver name: split at non-alphanumerics and lower-to-upper case changes. */
export function nameTokens(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").split(/[^A-Za-z0-9]+/).filter((t) => t.length > 0);
}

/** Whether a key or driver name has smb, cifs or samba as one of its tokens. */
export function namesSmb(name: string): boolean {
  return nameTokens(name).some((t) => SMB_TOKEN.test(t));
}

/** A string value that is an SMB share: an smb:// or cifs:// URL, a UNC path (//host/share, \\host\share) or the SMB CSI driver. */
export const SMB_VALUE = /^(?:smb|cifs):\/\/|^\/\/[^/\s]+\/[^/\s]|^\\\\[^\\\s]+\\|(?:^|[^a-z0-9])smb\.csi\.k8s\.io\b/i;

/** Every key path under `value` whose key names Samba/SMB/CIFS, or whose string value is an SMB share. */
export function smbPaths(value: unknown, path: PathSegment[] = []): Array<{ path: PathSegment[]; text: string }> {
  if (typeof value === "string") return SMB_VALUE.test(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => smbPaths(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (namesSmb(k) ? [{ path: [...path, k], text: k }] : smbPaths(v, [...path, k])));
  }
  return [];
}

/**
 * The Samba/SMB/CIFS driver of rendered storage, if any: a pod volume's or PersistentVolume's CSI
 * or flexVolume driver (smb.csi.k8s.io, fstab/cifs) or a StorageClass provisioner. Paths and names
 * are not looked at: an NFS export /mnt/user/samba-old is NFS.
 */
function smbStorage(o: K8sObject): string | undefined {
  const drivers: unknown[] = [];
  const ofSource = (src: Record<string, unknown> | undefined) => {
    if (!src) return;
    drivers.push(asObj(src.csi)?.driver, asObj(src.flexVolume)?.driver);
  };
  const pod = podSpecOf(o);
  if (pod) for (const v of asObjList(pod.volumes)) ofSource(v);
  if (o.kind === "PersistentVolume") ofSource(asObj(o.spec));
  if (o.kind === "StorageClass") drivers.push((o as Record<string, unknown>).provisioner);
  return drivers.find((d): d is string => typeof d === "string" && namesSmb(d));
}

/**
 * Nothing Samba/SMB/CIFS (the owner rejected it for good: docs/decisions.md, first paragraph, and
 * "Chart conventions"): no values key that names it, no value that is a share, no rendered storage
 * with an SMB/CIFS driver. The chart templates do not check this: they cannot tell a share from a
 * name that merely contains the word.
 */
export function checkNoSmb(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const { path, text } of smbPaths(ctx.values)) {
    out.push({
      severity: "error",
      location: ctx.locate(path),
      message: `values ${path.join(".")} mentions SMB/CIFS/Samba (${JSON.stringify(text)}). ${SEED_NO_SMB}; docs/decisions.md#chart-conventions. Fix: remove it; consumers read the DFS from the host's ${DFS_HOST_PATH} with HostToContainer, other shares are NFS exports or existing PVCs.`,
    });
  }
  for (const o of ctx.objects) {
    const hit = smbStorage(o);
    if (hit) {
      out.push({
        severity: "error",
        object: objectRef(o),
        message: `${objectRef(o)} uses SMB/CIFS storage (driver ${hit}). ${SEED_NO_SMB}; docs/decisions.md#chart-conventions. Fix: remove the volume; use NFS or a Longhorn PVC.`,
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
  checkDecypharrPods,
  (ctx) => checkIngressEntrypoints(ctx, decypharrIngressPath),
  (ctx) => checkIngressRedirected(ctx, decypharrIngressPath),
  checkIngressBackends,
];
