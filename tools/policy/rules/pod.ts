/**
 * Pod security rules over workload objects: privileged, host-namespaces, capabilities, hostpath,
 * run-as-non-root, privilege-escalation, read-only-root-fs, image-pinned, resource-requests, and
 * credential-value on container env; and hostpath on PersistentVolumes.
 */
import type { K8sObject } from "../../lib/render.ts";
import type { HostNamespace, MountPropagation, Policy } from "../../../schema/policy.ts";
import { grantsFor } from "../allowlist.ts";
import { findCredentialValues, formatKeyPath } from "../credentials.ts";
import { forbiddenHostPath, normaliseHostPath } from "../hostpath.ts";
import { canonicalImage, unpinnedReason } from "../image.ts";
import { violation, type Violation } from "../types.ts";
import { asObj, asObjList, containersOf, objectId, podSpecOf, type ContainerInfo } from "../workloads.ts";

/** Pod spec field of each host namespace. */
export const HOST_NAMESPACE_FIELDS: Readonly<Record<HostNamespace, string>> = {
  network: "hostNetwork",
  pid: "hostPID",
  ipc: "hostIPC",
};

/**
 * Capabilities a container may add without an allowlist entry: the container runtime's default
 * set, which the Pod Security Standards "baseline" profile allows. Re-adding one after
 * `drop: [ALL]` grants nothing a default container does not already have. Anything else (e.g.
 * SYS_ADMIN, NET_ADMIN) is an added privilege and needs the allowlist.
 */
export const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);

/** Mount propagation modes in increasing privilege. */
const PROPAGATION_RANK: Readonly<Record<MountPropagation, number>> = { None: 0, HostToContainer: 1, Bidirectional: 2 };

/** ` (under /proc)` / ` (it contains /run/docker.sock)` for a forbidden host path hit, or "". */
function forbiddenHow(bad: NonNullable<ReturnType<typeof forbiddenHostPath>>): string {
  return bad.how === "is" ? "" : bad.how === "under" ? ` (under ${bad.entry.path})` : ` (it contains ${bad.entry.path})`;
}

function where(c: ContainerInfo): { container: string; containerKind: ContainerInfo["kind"] } {
  return { container: c.name, containerKind: c.kind };
}

/** Checks one workload object; returns [] for objects that are not workloads. */
export function checkWorkload(obj: K8sObject, policy: Policy): Violation[] {
  const pod = podSpecOf(obj);
  if (!pod) return [];
  const id = objectId(obj);
  const name = obj.metadata.name;
  const out: Violation[] = [];
  const containers = containersOf(pod);

  // host namespaces (pod level)
  const podGrants = grantsFor(policy, name);
  for (const [ns, field] of Object.entries(HOST_NAMESPACE_FIELDS) as Array<[HostNamespace, string]>) {
    if (pod[field] === true && !podGrants.hostNamespaces.has(ns)) {
      out.push(violation("host-namespaces", id, `${field}: true shares the node's ${ns} namespace, and "${name}" is not allowlisted for it`));
    }
  }

  // hostPath volumes
  const hostVolumes = new Map<string, string>();
  for (const vol of asObjList(pod.volumes)) {
    const hp = asObj(vol.hostPath);
    if (!hp || typeof hp.path !== "string" || typeof vol.name !== "string") continue;
    const path = normaliseHostPath(hp.path);
    hostVolumes.set(vol.name, path);
    const bad = forbiddenHostPath(path);
    if (bad) {
      out.push(
        violation("hostpath", id, `volume ${vol.name}: hostPath ${hp.path}${forbiddenHow(bad)} exposes ${bad.entry.why}; it is forbidden even when allowlisted`, {
          fix: "remove the hostPath volume; use a PersistentVolumeClaim or a narrower, allowlisted path",
        }),
      );
    }
  }

  const mountedVolumes = new Set<string>();
  for (const c of containers) {
    const g = grantsFor(policy, name, c.name);
    const sec = c.security;
    const at = where(c);

    if (sec.privileged && !g.privileged) {
      out.push(violation("privileged", id, `securityContext.privileged: true, and "${name}" is not allowlisted for privileged containers`, at));
    }
    for (const cap of sec.addedCapabilities) {
      if (cap === "ALL") {
        out.push(violation("capabilities", id, "capabilities.add contains ALL, which is never allowed", at));
      } else if (!DEFAULT_CAPABILITIES.has(cap) && !g.capabilities.has(cap)) {
        out.push(violation("capabilities", id, `capabilities.add contains ${cap}, which is beyond the runtime's default set and not allowlisted for "${name}"`, at));
      }
    }

    // hostPath mounts: path allowlisted, propagation and readOnly within the allowance
    for (const m of asObjList(c.spec.volumeMounts)) {
      const vname = typeof m.name === "string" ? m.name : "";
      mountedVolumes.add(vname);
      const path = hostVolumes.get(vname);
      if (path === undefined || forbiddenHostPath(path)) continue;
      const allowed = g.hostPaths.filter((a) => a.path === path);
      const propagation = (typeof m.mountPropagation === "string" ? m.mountPropagation : "None") as MountPropagation;
      if (allowed.length === 0) {
        out.push(violation("hostpath", id, `mounts hostPath ${path} (volume ${vname}), which is not allowlisted for "${name}"`, at));
        continue;
      }
      const maxRank = Math.max(...allowed.map((a) => PROPAGATION_RANK[a.propagation ?? "None"]));
      if ((PROPAGATION_RANK[propagation] ?? 0) > maxRank) {
        const max = allowed.map((a) => a.propagation ?? "None").sort((a, b) => PROPAGATION_RANK[b] - PROPAGATION_RANK[a])[0];
        out.push(
          violation("hostpath", id, `mounts hostPath ${path} with mountPropagation: ${propagation}; the allowlist permits at most ${max}`, {
            ...at,
            fix: `set mountPropagation: ${max} on the mount of volume ${vname}`,
          }),
        );
      }
      if (allowed.every((a) => a.readOnly === true) && m.readOnly !== true) {
        out.push(
          violation("hostpath", id, `mounts hostPath ${path} writable; the allowlist permits it read-only`, {
            ...at,
            fix: `set readOnly: true on the mount of volume ${vname}`,
          }),
        );
      }
    }

    if (!g.runAsRoot) {
      if (sec.runAsUser === 0) {
        out.push(violation("run-as-non-root", id, `runs as root (runAsUser: 0), and "${name}" is not allowlisted to run as root`, at));
      } else if (sec.runAsNonRoot !== true && !(typeof sec.runAsUser === "number" && sec.runAsUser > 0)) {
        const why = sec.runAsNonRoot === false ? "sets runAsNonRoot: false" : "sets neither runAsNonRoot: true nor a non-zero runAsUser";
        out.push(violation("run-as-non-root", id, `may run as root: it ${why} (pod or container securityContext)`, at));
      }
    }

    // Kubernetes forces allowPrivilegeEscalation for privileged or CAP_SYS_ADMIN containers, so
    // allowlisted ones are exempt.
    const escalationGranted = (sec.privileged && g.privileged) || (sec.addedCapabilities.includes("SYS_ADMIN") && g.capabilities.has("SYS_ADMIN"));
    if (sec.allowPrivilegeEscalation !== false && !escalationGranted) {
      const got = sec.allowPrivilegeEscalation === undefined ? "is unset (Kubernetes defaults it to true)" : "is true";
      out.push(violation("privilege-escalation", id, `allowPrivilegeEscalation ${got}`, at));
    }

    if (!sec.readOnlyRootFilesystem && !g.writableRootFilesystem) {
      out.push(violation("read-only-root-fs", id, `readOnlyRootFilesystem is not true, and "${name}" is not allowlisted for a writable root filesystem`, at));
    }

    const image = typeof c.spec.image === "string" ? c.spec.image : "";
    const unpinned = unpinnedReason(image);
    if (unpinned) {
      const exception = image && g.unpinnedImages.find((u) => canonicalImage(u.image) === canonicalImage(image));
      if (exception) {
        out.push(
          violation("image-pinned", id, `image ${image} ${unpinned}; allowlisted exception: ${exception.reason}`, {
            ...at,
            severity: "warning",
            fix: "pin a tag or digest as soon as upstream publishes one, then drop the unpinnedImages entry",
          }),
        );
      } else {
        out.push(violation("image-pinned", id, `image ${image || "(none)"} ${unpinned}`, at));
      }
    }

    // Ephemeral containers cannot declare resources (the API rejects it).
    if (c.kind !== "ephemeralContainer") {
      const requests = asObj(asObj(c.spec.resources)?.requests) ?? {};
      const missing = ["cpu", "memory"].filter((r) => requests[r] === undefined || requests[r] === null || requests[r] === "");
      if (missing.length) out.push(violation("resource-requests", id, `no resources.requests.${missing.join(" or ")}`, at));
    }

    for (const f of findCredentialValues(c.spec.env, ["env"])) {
      out.push(
        violation("credential-value", id, `${formatKeyPath(f.path)} (${f.key}) is a literal credential`, {
          ...at,
          fix: `read ${f.key} with valueFrom.secretKeyRef from an existingSecret reference instead of a literal value`,
        }),
      );
    }
  }

  // A hostPath volume no container mounts is still set up on the node by the kubelet (a
  // `DirectoryOrCreate` one creates the directory), so its path must be allowlisted too.
  for (const [vname, path] of hostVolumes) {
    if (mountedVolumes.has(vname) || forbiddenHostPath(path)) continue;
    if (!podGrants.hostPaths.some((a) => a.path === path)) {
      out.push(violation("hostpath", id, `volume ${vname}: hostPath ${path} is not allowlisted for "${name}" (no container mounts it)`, {
        fix: `remove the unused volume ${vname}, or allow the exact path in workloads[].hostPaths of policy.yaml with a reason`,
      }));
    }
  }
  return out;
}

/**
 * hostPath and local PersistentVolumes. An always-forbidden path (`/`, `/etc`, `/proc`, runtime
 * sockets, ...) is an error for both. Any other hostPath PersistentVolume is an error too: any pod
 * in the cluster can claim it, so the per-workload allowlist could not limit who mounts the path.
 */
export function checkPersistentVolume(obj: K8sObject): Violation[] {
  if (obj.kind !== "PersistentVolume") return [];
  const id = objectId(obj);
  const spec = asObj(obj.spec) ?? {};
  const out: Violation[] = [];
  for (const field of ["hostPath", "local"] as const) {
    const raw = asObj(spec[field])?.path;
    if (typeof raw !== "string") continue;
    const bad = forbiddenHostPath(normaliseHostPath(raw));
    if (bad) {
      out.push(violation("hostpath", id, `spec.${field}.path ${raw}${forbiddenHow(bad)} exposes ${bad.entry.why}; it is forbidden even when allowlisted`, {
        fix: "remove the PersistentVolume; use a network or CSI volume, or a narrower, allowlisted hostPath volume in the workload",
      }));
    } else if (field === "hostPath") {
      out.push(violation("hostpath", id, `spec.hostPath.path ${raw}: a hostPath PersistentVolume can be claimed by any pod, so the allowlist cannot limit it to a workload`, {
        fix: "mount the path as a hostPath volume of the workload and allowlist it in workloads[].hostPaths of policy.yaml, or use a network or CSI volume",
      }));
    }
  }
  return out;
}
