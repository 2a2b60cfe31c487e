import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../tools/lib/render.ts";
import { formatViolation } from "../../../tools/policy/index.ts";
import { checkPersistentVolume, checkWorkload } from "../../../tools/policy/rules/pod.ts";
import { RULES } from "../../../tools/policy/types.ts";
import { goodContainer, sc, sts, TEST_POLICY, workload } from "../fixtures.ts";

const DIGEST = `sha256:${"a1b2c3d4".repeat(8)}`;

/** A workload with one hostPath volume mounted by its container. */
function hostPathSts(name: string, path: string, mount: Record<string, unknown> = {}): K8sObject {
  return sts(name, { volumeMounts: [{ name: "host", mountPath: "/data", ...mount }] }, { volumes: [{ name: "host", hostPath: { path } }] });
}

/** rule, a fragment of the message, severity (error), a fragment of the fix (default: the rule's own fix). */
type Expect = [rule: keyof typeof RULES, text: string, severity?: "error" | "warning", fix?: string];

/** `container`: the container the findings name, when not the one named after the workload. */
const rows: Array<{ title: string; obj: K8sObject; expect: Expect[]; container?: string }> = [
  { title: "a compliant StatefulSet passes", obj: sts("radarr"), expect: [] },
  // privileged
  {
    title: "privileged container of a workload not allowlisted",
    obj: sts("sonarr", sc({ privileged: true })),
    expect: [["privileged", 'securityContext.privileged: true, and "sonarr" is not allowlisted for privileged containers']],
  },
  { title: "privileged allowlisted container, escalation exempt", obj: sts("decypharr-streaming", sc({ privileged: true, allowPrivilegeEscalation: undefined })), expect: [] },
  {
    title: "privileged sidecar of the allowlisted workload (grant limited to one container)",
    obj: workload("StatefulSet", "decypharr-streaming", {
      containers: [goodContainer("decypharr-streaming", sc({ privileged: true })), goodContainer("sidecar", sc({ privileged: true }))],
    }),
    expect: [["privileged", '"decypharr-streaming" is not allowlisted']],
    container: "sidecar",
  },
  // host namespaces
  { title: "hostNetwork", obj: sts("sonarr", {}, { hostNetwork: true }), expect: [["host-namespaces", "hostNetwork: true shares the node's network namespace"]] },
  { title: "hostPID beyond the network grant", obj: sts("node-agent", {}, { hostPID: true }), expect: [["host-namespaces", "hostPID: true shares the node's pid namespace"]] },
  { title: "hostIPC", obj: sts("sonarr", {}, { hostIPC: true }), expect: [["host-namespaces", "hostIPC: true"]] },
  { title: "allowlisted hostNetwork", obj: sts("node-agent", {}, { hostNetwork: true }), expect: [] },
  // capabilities
  {
    title: "added NET_ADMIN",
    obj: sts("sonarr", { securityContext: { ...sc({}).securityContext as object, capabilities: { add: ["NET_ADMIN"] } } }),
    expect: [["capabilities", "capabilities.add contains NET_ADMIN, which is beyond the runtime's default set"]],
  },
  {
    title: "allowlisted SYS_ADMIN written as CAP_SYS_ADMIN",
    obj: sts("decypharr-streaming", { securityContext: { ...sc({ allowPrivilegeEscalation: undefined }).securityContext as object, capabilities: { add: ["CAP_SYS_ADMIN"] } } }),
    expect: [],
  },
  {
    title: "ALL is never allowed, even for the allowlisted workload",
    obj: sts("decypharr-streaming", { securityContext: { ...sc({}).securityContext as object, capabilities: { add: ["ALL"] } } }),
    expect: [["capabilities", "capabilities.add contains ALL, which is never allowed"]],
  },
  {
    title: "re-adding default capabilities after drop ALL",
    obj: sts("sonarr", { securityContext: { ...sc({}).securityContext as object, capabilities: { drop: ["ALL"], add: ["CHOWN", "SETUID", "SETGID"] } } }),
    expect: [],
  },
  // hostPath
  { title: "consumer /mnt/dfs read-only HostToContainer (by pattern)", obj: hostPathSts("radarr", "/mnt/dfs/", { readOnly: true, mountPropagation: "HostToContainer" }), expect: [] },
  {
    title: "consumer with Bidirectional propagation",
    obj: hostPathSts("radarr", "/mnt/dfs", { readOnly: true, mountPropagation: "Bidirectional" }),
    expect: [["hostpath", "mounts hostPath /mnt/dfs with mountPropagation: Bidirectional; the allowlist permits at most HostToContainer", "error", "set mountPropagation: HostToContainer on the mount of volume host"]],
  },
  {
    title: "consumer mounting /mnt/dfs writable",
    obj: hostPathSts("radarr", "/mnt/dfs", { mountPropagation: "HostToContainer" }),
    expect: [["hostpath", "mounts hostPath /mnt/dfs writable; the allowlist permits it read-only", "error", "set readOnly: true on the mount of volume host"]],
  },
  {
    title: "hostPath for a workload not allowlisted",
    obj: hostPathSts("plex", "/mnt/dfs", { readOnly: true }),
    expect: [["hostpath", 'mounts hostPath /mnt/dfs (volume host), which is not allowlisted for "plex"']],
  },
  {
    title: "decypharr-streaming: /mnt Bidirectional and /dev/fuse",
    obj: workload("StatefulSet", "decypharr-streaming", {
      containers: [goodContainer("decypharr-streaming", { ...sc({ privileged: true }), volumeMounts: [{ name: "mnt", mountPath: "/mnt", mountPropagation: "Bidirectional" }, { name: "fuse", mountPath: "/dev/fuse" }] })],
      volumes: [{ name: "mnt", hostPath: { path: "/mnt", type: "Directory" } }, { name: "fuse", hostPath: { path: "/dev/fuse", type: "CharDevice" } }],
    }),
    expect: [],
  },
  { title: "/etc/ is forbidden even when allowlisted", obj: hostPathSts("decypharr-streaming", "/etc/"), expect: [["hostpath", "volume host: hostPath /etc/ exposes node configuration and credentials; it is forbidden even when allowlisted", "error", "remove the hostPath volume"]] },
  { title: "/", obj: hostPathSts("radarr", "/"), expect: [["hostpath", "hostPath / exposes the node's whole filesystem", "error", "remove the hostPath volume"]] },
  { title: "/var/run/docker.sock", obj: hostPathSts("radarr", "/var/run/docker.sock"), expect: [["hostpath", "hostPath /var/run/docker.sock exposes the container runtime socket", "error", "remove the hostPath volume"]] },
  { title: "/proc (with trailing slashes)", obj: hostPathSts("radarr", "//proc//"), expect: [["hostpath", "hostPath //proc// exposes host processes", "error", "remove the hostPath volume"]] },
  { title: "a path under /proc", obj: hostPathSts("radarr", "/proc/1/root"), expect: [["hostpath", "hostPath /proc/1/root (under /proc) exposes host processes", "error", "remove the hostPath volume"]] },
  { title: "/etc reached through ..", obj: hostPathSts("radarr", "/mnt/../etc"), expect: [["hostpath", "hostPath /mnt/../etc exposes node configuration", "error", "remove the hostPath volume"]] },
  { title: "an ancestor of a runtime socket", obj: hostPathSts("radarr", "/run"), expect: [["hostpath", "hostPath /run (it contains /run/docker.sock)", "error", "remove the hostPath volume"]] },
  {
    title: "a hostPath volume no container mounts still needs the allowlist",
    obj: sts("radarr", {}, { volumes: [{ name: "cache", hostPath: { path: "/srv/cache", type: "DirectoryOrCreate" } }] }),
    expect: [["hostpath", 'volume cache: hostPath /srv/cache is not allowlisted for "radarr" (no container mounts it)', "error", "remove the unused volume cache"]],
  },
  { title: "an unmounted but allowlisted hostPath volume", obj: sts("radarr", {}, { volumes: [{ name: "dfs", hostPath: { path: "/mnt/dfs" } }] }), expect: [] },
  {
    title: "/mnt is decypharr-streaming's alone: a consumer mounting it fails",
    obj: hostPathSts("radarr", "/mnt", { readOnly: true, mountPropagation: "HostToContainer" }),
    expect: [["hostpath", 'mounts hostPath /mnt (volume host), which is not allowlisted for "radarr"']],
  },
  // run as non-root
  { title: "runAsUser 0", obj: sts("radarr", sc({ runAsUser: 0 })), expect: [["run-as-non-root", 'runs as root (runAsUser: 0), and "radarr" is not allowlisted to run as root']] },
  {
    title: "neither runAsNonRoot nor runAsUser",
    obj: sts("radarr", sc({ runAsUser: undefined, runAsNonRoot: undefined })),
    expect: [["run-as-non-root", "may run as root: it sets neither runAsNonRoot: true nor a non-zero runAsUser"]],
  },
  { title: "runAsNonRoot: false", obj: sts("radarr", sc({ runAsUser: undefined, runAsNonRoot: false })), expect: [["run-as-non-root", "it sets runAsNonRoot: false"]] },
  { title: "runAsNonRoot inherited from the pod", obj: sts("radarr", sc({ runAsUser: undefined, runAsNonRoot: undefined }), { securityContext: { runAsNonRoot: true } }), expect: [] },
  { title: "runAsUser inherited from the pod", obj: sts("radarr", sc({ runAsUser: undefined, runAsNonRoot: undefined }), { securityContext: { runAsUser: 1000 } }), expect: [] },
  { title: "container runAsUser 0 overrides the pod's", obj: sts("radarr", sc({ runAsUser: 0, runAsNonRoot: undefined }), { securityContext: { runAsUser: 1000 } }), expect: [["run-as-non-root", "runs as root (runAsUser: 0)"]] },
  { title: "root allowlisted for a linuxserver image", obj: sts("sonarr", sc({ runAsUser: 0, readOnlyRootFilesystem: undefined })), expect: [] },
  // privilege escalation, read-only root fs
  { title: "allowPrivilegeEscalation unset", obj: sts("radarr", sc({ allowPrivilegeEscalation: undefined })), expect: [["privilege-escalation", "allowPrivilegeEscalation is unset (Kubernetes defaults it to true)"]] },
  { title: "allowPrivilegeEscalation true", obj: sts("radarr", sc({ allowPrivilegeEscalation: true })), expect: [["privilege-escalation", "allowPrivilegeEscalation is true"]] },
  { title: "writable root filesystem", obj: sts("radarr", sc({ readOnlyRootFilesystem: false })), expect: [["read-only-root-fs", 'readOnlyRootFilesystem is not true, and "radarr" is not allowlisted']] },
  // images
  { title: "image without tag", obj: sts("radarr", { image: "nginx" }), expect: [["image-pinned", "image nginx has no tag, so the runtime pulls latest"]] },
  { title: "image :latest", obj: sts("radarr", { image: "lscr.io/linuxserver/radarr:latest" }), expect: [["image-pinned", "image lscr.io/linuxserver/radarr:latest uses the tag latest"]] },
  { title: "registry port is not a tag", obj: sts("radarr", { image: "localhost:5000/app" }), expect: [["image-pinned", "has no tag"]] },
  { title: "malformed digest", obj: sts("radarr", { image: "nginx:1.27@sha256:abc" }), expect: [["image-pinned", 'has a malformed digest "sha256:abc"']] },
  { title: "digest pins even with latest", obj: sts("radarr", { image: `nginx:latest@${DIGEST}` }), expect: [] },
  { title: "no image at all", obj: sts("radarr", { image: undefined }), expect: [["image-pinned", "image (none) has no image"]] },
  {
    title: "blackhole:latest for decypharr-download is a warning",
    obj: sts("decypharr-download", { image: "cy01/blackhole:latest" }),
    expect: [["image-pinned", "image cy01/blackhole:latest uses the tag latest; allowlisted exception: seed image for decypharr-download", "warning", "pin a tag or digest as soon as upstream publishes one"]],
  },
  {
    title: "the exception matches the canonical form (docker.io, implied latest)",
    obj: sts("decypharr-download", { image: "docker.io/cy01/blackhole" }),
    expect: [["image-pinned", "has no tag, so the runtime pulls latest; allowlisted exception", "warning", "drop the unpinnedImages entry"]],
  },
  { title: "the exception does not extend to other workloads", obj: sts("radarr", { image: "cy01/blackhole:latest" }), expect: [["image-pinned", "uses the tag latest", "error"]] },
  // resources
  { title: "no requests", obj: sts("radarr", { resources: {} }), expect: [["resource-requests", "no resources.requests.cpu or memory"]] },
  { title: "memory request missing", obj: sts("radarr", { resources: { requests: { cpu: "1" }, limits: { memory: "1Gi" } } }), expect: [["resource-requests", "no resources.requests.memory"]] },
  // credentials in env
  {
    title: "literal API key in env",
    obj: sts("radarr", { env: [{ name: "TZ", value: "Etc/UTC" }, { name: "RADARR__API_KEY", value: "abc123" }] }),
    expect: [["credential-value", "env[1].value (RADARR__API_KEY) is a literal credential", "error", "read RADARR__API_KEY with valueFrom.secretKeyRef from an existingSecret reference"]],
  },
  { title: "API key from a secretKeyRef", obj: sts("radarr", { env: [{ name: "RADARR__API_KEY", valueFrom: { secretKeyRef: { name: "radarr", key: "apiKey" } } }] }), expect: [] },
];

describe("checkWorkload", () => {
  it.each(rows)("$title", ({ obj, expect: want, container: containerName }) => {
    const got = checkWorkload(obj, TEST_POLICY);
    expect(got.map((v) => [v.rule, v.severity])).toEqual(want.map(([rule, , sev]) => [rule, sev ?? "error"]));
    const name = obj.metadata.name;
    want.forEach(([rule, text, , fix], i) => {
      const v = got[i];
      expect(v.message).toContain(text);
      if (fix === undefined) expect(v.fix).toBe(RULES[rule].fix);
      else expect(v.fix).toContain(fix);
      // the object; the container unless the finding is about the pod (host namespaces, a volume)
      expect(v.object).toBe(`StatefulSet/media/${name}`);
      const podLevel = rule === "host-namespaces" || v.message.startsWith("volume ");
      const cname = containerName ?? name;
      expect([v.container, v.containerKind]).toEqual(podLevel ? [undefined, undefined] : [cname, "container"]);
      const container = podLevel ? "" : ` container ${cname}`;
      expect(formatViolation(v)).toBe(`${v.severity === "error" ? "ERROR" : "WARNING"} - StatefulSet/media/${name}${container}: ${rule}: ${v.message}. Fix: ${v.fix}`);
    });
  });

  it.each(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"])("finds the pod template of a %s", (kind) => {
    const obj = workload(kind, "x", { containers: [goodContainer("main", sc({ privileged: true }))] });
    expect(checkWorkload(obj, TEST_POLICY).map((v) => [v.rule, v.object, v.container])).toEqual([["privileged", `${kind}/media/x`, "main"]]);
  });

  it("checks init and ephemeral containers, naming their kind; ephemeral ones need no requests", () => {
    const obj = workload("Deployment", "x", {
      initContainers: [goodContainer("setup", sc({ privileged: true }))],
      containers: [goodContainer("main")],
      ephemeralContainers: [{ ...goodContainer("debug", sc({ allowPrivilegeEscalation: undefined })), resources: undefined }],
    });
    expect(checkWorkload(obj, TEST_POLICY).map((v) => [v.rule, v.containerKind, v.container])).toEqual([
      ["privileged", "initContainer", "setup"],
      ["privilege-escalation", "ephemeralContainer", "debug"],
    ]);
  });

  it("ignores objects that are not workloads", () => {
    expect(checkWorkload({ apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { containers: [{}] } }, TEST_POLICY)).toEqual([]);
  });
});

describe("checkPersistentVolume", () => {
  const pv = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pv" },
    spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...spec },
  });

  it.each([
    { title: "an NFS PersistentVolume", spec: { nfs: { server: "192.168.1.12", path: "/mnt/dfs" } }, want: [] },
    { title: "a local PersistentVolume on a data disk", spec: { local: { path: "/var/lib/media" } }, want: [] },
    {
      title: "a hostPath PersistentVolume (any pod could claim it)",
      spec: { hostPath: { path: "/mnt/dfs" } },
      want: ["spec.hostPath.path /mnt/dfs: a hostPath PersistentVolume can be claimed by any pod"],
    },
    { title: "a hostPath PersistentVolume of /", spec: { hostPath: { path: "/" } }, want: ["spec.hostPath.path / exposes the node's whole filesystem; it is forbidden even when allowlisted"] },
    { title: "a local PersistentVolume of /etc", spec: { local: { path: "/etc" } }, want: ["spec.local.path /etc exposes node configuration and credentials"] },
    { title: "a hostPath PersistentVolume of the docker socket", spec: { hostPath: { path: "/var/run/docker.sock" } }, want: ["spec.hostPath.path /var/run/docker.sock exposes the container runtime socket"] },
    { title: "a local PersistentVolume under /proc", spec: { local: { path: "/proc/sys" } }, want: ["spec.local.path /proc/sys (under /proc) exposes host processes"] },
  ])("$title", ({ spec, want }) => {
    const got = checkPersistentVolume(pv(spec));
    expect(got.map((v) => [v.rule, v.object, v.severity])).toEqual(want.map(() => ["hostpath", "PersistentVolume/pv", "error"]));
    want.forEach((text, i) => expect(got[i].message).toContain(text));
    for (const v of got) expect(v.fix).toMatch(/use a network or CSI volume/);
  });

  it("ignores other kinds", () => {
    expect(checkPersistentVolume(workload("Pod", "p", { containers: [goodContainer()], volumes: [{ name: "v", hostPath: { path: "/" } }] }))).toEqual([]);
  });
});
