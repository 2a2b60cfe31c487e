/**
 * The per-environment allowlist of the security policy gate (`values/<env>/policy.yaml`).
 *
 * Everything the gate checks is forbidden by default (see tools/policy/rules/ and tools/policy/types.ts). This file lists
 * the exceptions an environment needs, each with the reason it is needed, so a reviewer sees every
 * dangerous permission in one place. Grants of several matching entries add up.
 */

/**
 * A Kubernetes object name, or a glob over names: `*` matches any run of characters, `?` one
 * character. Matching is against the whole name.
 * @pattern ^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$
 * @examples ["decypharr-streaming", "*-descheduler"]
 */
export type NamePattern = string;

/**
 * A Linux capability name as written in `securityContext.capabilities.add`, without `CAP_`.
 * @pattern ^[A-Z][A-Z_]*$
 * @examples ["SYS_ADMIN", "NET_BIND_SERVICE"]
 */
export type Capability = string;

/** Mount propagation modes, from the least to the most privileged. */
export type MountPropagation = "None" | "HostToContainer" | "Bidirectional";

/** A host namespace a pod may share with its node. */
export type HostNamespace = "network" | "pid" | "ipc";

/** One host directory or device a workload may mount as a `hostPath` volume. */
export interface HostPathAllowance {
  /**
   * Absolute path on the node, matched exactly after normalisation (`/mnt/` is `/mnt`). A
   * subdirectory needs its own entry. `/`, `/etc`, `/proc`, `/sys`, container runtime sockets and
   * their ancestors stay forbidden even when listed here.
   * @pattern ^/([^/\0]+/?)*$
   * @examples ["/mnt", "/mnt/dfs", "/dev/fuse"]
   */
  path: string;
  /**
   * The most privileged `mountPropagation` a container may use for this volume (`None` <
   * `HostToContainer` < `Bidirectional`).
   * @default "None"
   */
  propagation?: MountPropagation;
  /**
   * When true, every mount of this volume must set `readOnly: true`.
   * @default false
   */
  readOnly?: boolean;
}

/**
 * An image that may stay unpinned (tag `latest` or no tag) in the matched workloads. The gate
 * reports it as a warning, not an error, so the exception stays visible.
 */
export interface UnpinnedImageAllowance {
  /**
   * Image reference as written in the pod spec; `docker.io/` and `library/` are implied, a
   * missing tag means `latest`.
   * @examples ["cy01/blackhole:latest"]
   */
  image: string;
  /** Why this image cannot be pinned (shown in the warning). */
  reason: string;
}

/**
 * Exceptions granted to the workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * CronJob) whose `metadata.name` matches `names` or `pattern`.
 */
export interface WorkloadAllowance {
  /**
   * Exact workload names (`metadata.name` of the Deployment, StatefulSet, ...).
   * @examples [["decypharr-streaming"], ["sonarr", "radarr", "prowlarr"]]
   */
  names?: string[];
  /**
   * A glob over workload names, for families of workloads (e.g. every DFS consumer of a chart).
   * @examples ["*arr"]
   */
  pattern?: NamePattern;
  /**
   * Limit the grants to these container names (init and ephemeral containers included). All
   * containers of the workload when absent.
   */
  containers?: string[];
  /**
   * Why these workloads need these exceptions. Shown to reviewers; required so that no exception
   * exists without a justification.
   * @minLength 10
   */
  reason: string;
  /**
   * Containers may set `securityContext.privileged: true` (and then need not set
   * `allowPrivilegeEscalation: false`, which Kubernetes rejects for privileged containers).
   * @default false
   */
  privileged?: boolean;
  /**
   * Host namespaces the pod may share (`hostNetwork`, `hostPID`, `hostIPC`).
   * @default []
   */
  hostNamespaces?: HostNamespace[];
  /**
   * Capabilities containers may add. `ALL` can never be granted.
   * @default []
   */
  capabilities?: Capability[];
  /**
   * hostPath volumes the pod may use.
   * @default []
   */
  hostPaths?: HostPathAllowance[];
  /**
   * Containers may run as root (no `runAsNonRoot: true` / non-zero `runAsUser`), e.g. linuxserver
   * images, which start as root and drop to PUID/PGID themselves.
   * @default false
   */
  runAsRoot?: boolean;
  /**
   * Containers may have a writable root filesystem, for apps that write outside their volumes.
   * @default false
   */
  writableRootFilesystem?: boolean;
  /**
   * Images that may stay unpinned; each one is reported as a warning.
   * @default []
   */
  unpinnedImages?: UnpinnedImageAllowance[];
}

/** ClusterRoles (and the ClusterRoleBindings that bind them) that need cluster scope. */
export interface ClusterRoleAllowance {
  /**
   * Exact ClusterRole names.
   * @examples [["ha-jobs-descheduler"]]
   */
  names?: string[];
  /**
   * A glob over ClusterRole names.
   * @examples ["*-fencing"]
   */
  pattern?: NamePattern;
  /**
   * Why a namespaced Role is not enough (e.g. the object is cluster-scoped, like nodes).
   * @minLength 10
   */
  reason: string;
}

/** The security policy allowlist of one environment. */
export interface Policy {
  /**
   * Workload exceptions. Everything not granted here is forbidden: privileged containers, host
   * namespaces, added capabilities, hostPath volumes, root, a writable root filesystem and
   * unpinned images.
   * @default []
   */
  workloads?: WorkloadAllowance[];
  /**
   * ClusterRoles allowed in this environment. Any other ClusterRole or ClusterRoleBinding is an
   * error; RBAC rules themselves are checked either way.
   * @default []
   */
  clusterRoles?: ClusterRoleAllowance[];
  /**
   * Upstream releases (charts from a HelmRepository: Longhorn, MetalLB, Traefik) whose rendered
   * objects need permissions this repository's own charts may not have. Their objects go through
   * every rule; violations of the rules listed here, on objects of that release only, are
   * accepted for the reason given. Unpinned images, literal credentials and the secret scan
   * cannot be accepted.
   * @default []
   */
  upstreamReleases?: UpstreamAllowance[];
}

/** Rules an upstream release's objects may break, with the reason. */
export interface UpstreamAllowance {
  /** The HelmRelease, `namespace/name`. @pattern ^[a-z0-9-]+/[a-z0-9-]+$ @examples ["longhorn-system/longhorn"] */
  release: string;
  /** Why this component needs it (the vendor's documented requirement). */
  reason: string;
  /**
   * The rules whose violations are accepted on this release's objects.
   * @minItems 1
   */
  accept: (
    | "privileged" | "host-namespaces" | "capabilities" | "hostpath" | "run-as-non-root" | "privilege-escalation"
    | "read-only-root-fs" | "resource-requests" | "rbac-wildcard" | "rbac-secrets" | "rbac-escalation"
    | "rbac-cluster-scope" | "secret-object"
  )[];
}
