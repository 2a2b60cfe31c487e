/**
 * hostPath normalisation and the host paths that are never allowed, whatever the allowlist says.
 *
 * Decision: a hostPath is forbidden when it *is* one of FORBIDDEN_HOST_PATHS, lies *under* one
 * marked `subtree`, or is an *ancestor* of one (mounting `/var` exposes `/var/run/docker.sock`,
 * mounting `/` exposes everything). `/var/run` is a symlink to `/run` on current distributions,
 * so runtime sockets are listed under both.
 */
import { posix } from "node:path";

/** A host path no pod may mount. */
export interface ForbiddenHostPath {
  path: string;
  /** Everything below the path is forbidden too. */
  subtree: boolean;
  /** What a pod mounting it could do, for the message. */
  why: string;
}

const RUNTIME_SOCKETS = ["docker.sock", "containerd/containerd.sock", "k3s/containerd/containerd.sock", "crio/crio.sock"];

/** The always-forbidden host paths (each defined once; the `/var/run` aliases are derived). */
export const FORBIDDEN_HOST_PATHS: readonly ForbiddenHostPath[] = [
  { path: "/", subtree: false, why: "the node's whole filesystem" },
  { path: "/etc", subtree: true, why: "node configuration and credentials" },
  { path: "/proc", subtree: true, why: "host processes and kernel settings" },
  { path: "/sys", subtree: true, why: "kernel and device settings" },
  { path: "/var/lib/kubelet", subtree: true, why: "kubelet credentials and other pods' volumes" },
  { path: "/var/lib/rancher/k3s", subtree: true, why: "the k3s server token and cluster certificates" },
  ...RUNTIME_SOCKETS.flatMap((sock) =>
    ["/run", "/var/run"].map((dir) => ({ path: `${dir}/${sock}`, subtree: false, why: "the container runtime socket, i.e. root on the node" })),
  ),
];

/** Normalises a host path: resolves `.`/`..`, collapses `//`, drops a trailing `/` (except for `/`). */
export function normaliseHostPath(p: string): string {
  const n = posix.normalize(p.trim());
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** Whether `child` lies strictly below `parent` (both normalised). */
export function isUnder(child: string, parent: string): boolean {
  return parent === "/" ? child !== "/" && child.startsWith("/") : child.startsWith(`${parent}/`);
}

/** The forbidden entry a (normalised) host path hits, and how, or undefined when it hits none. */
export function forbiddenHostPath(path: string): { entry: ForbiddenHostPath; how: "is" | "under" | "contains" } | undefined {
  for (const entry of FORBIDDEN_HOST_PATHS) {
    if (path === entry.path) return { entry, how: "is" };
    if (entry.subtree && isUnder(path, entry.path)) return { entry, how: "under" };
  }
  for (const entry of FORBIDDEN_HOST_PATHS) {
    if (isUnder(entry.path, path)) return { entry, how: "contains" };
  }
  return undefined;
}
