/** Builders of crafted manifests for the policy tests: compliant by default, broken per test. */
import type { K8sObject } from "../../tools/lib/render.ts";
import type { Policy } from "../../schema/policy.ts";

type Obj = Record<string, unknown>;

/** A container that passes every rule. */
export function goodContainer(name = "app", extra: Obj = {}): Obj {
  return {
    name,
    image: "ghcr.io/example/app:1.2.3",
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 },
    resources: { requests: { cpu: "100m", memory: "128Mi" } },
    ...extra,
  };
}

/** A pod spec with one compliant container, patched by `extra`. */
export function goodPodSpec(extra: Obj = {}): Obj {
  return { containers: [goodContainer()], ...extra };
}

/** Wraps a pod spec in a workload of the given kind at the path Kubernetes keeps it. */
export function workload(kind: string, name: string, podSpec: Obj, namespace = "media"): K8sObject {
  const template = { metadata: { labels: { app: name } }, spec: podSpec };
  const spec: Obj =
    kind === "Pod" ? podSpec
    : kind === "CronJob" ? { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } }
    : { selector: { matchLabels: { app: name } }, template };
  const apiVersion = kind === "Pod" ? "v1" : kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}

/** A StatefulSet with one container `name`-container patched by `container` and pod fields `pod`. */
export function sts(name: string, container: Obj = {}, pod: Obj = {}): K8sObject {
  return workload("StatefulSet", name, { containers: [goodContainer(name, container)], ...pod });
}

/** A container securityContext: the compliant one with `patch` applied (undefined deletes). */
export function sc(patch: Obj): Obj {
  const base: Obj = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000 };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return { securityContext: base };
}

/** An allowlist shaped like homelab's, independent of the repository's file. */
export const TEST_POLICY: Policy = {
  workloads: [
    {
      names: ["decypharr-streaming"],
      containers: ["decypharr-streaming"],
      reason: "FUSE mount propagated to the host",
      privileged: true,
      capabilities: ["SYS_ADMIN"],
      hostPaths: [{ path: "/mnt", propagation: "Bidirectional" }, { path: "/dev/fuse" }, { path: "/etc/" }],
    },
    { names: ["decypharr-streaming", "sonarr"], reason: "image starts as root (PUID/PGID)", runAsRoot: true, writableRootFilesystem: true },
    {
      names: ["decypharr-download"],
      reason: "seed image has no version tag",
      unpinnedImages: [{ image: "cy01/blackhole:latest", reason: "seed image for decypharr-download" }],
    },
    { pattern: "*arr", reason: "DFS consumers", hostPaths: [{ path: "/mnt/dfs", propagation: "HostToContainer", readOnly: true }] },
    { names: ["node-agent"], reason: "host network monitoring", hostNamespaces: ["network"] },
  ],
  clusterRoles: [{ pattern: "*descheduler*", reason: "reads nodes and evicts pods" }],
};
