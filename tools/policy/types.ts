/**
 * Violations of the security policy gate, and the catalogue of its rules: each rule is defined
 * once here (id, what it forbids, how to fix it); the checks in rules/*.ts refer to it by id.
 */

export type Severity = "error" | "warning";

/** The rules of the gate: stable id -> what it forbids and the default fix. */
export const RULES = {
  privileged: {
    summary: "privileged containers only for allowlisted workloads",
    fix: "remove securityContext.privileged, or add the workload to workloads[].privileged in the environment's policy.yaml with a reason",
  },
  "host-namespaces": {
    summary: "hostNetwork, hostPID and hostIPC only for allowlisted workloads",
    fix: "remove the host namespace from the pod spec, or allow it in workloads[].hostNamespaces of policy.yaml with a reason",
  },
  capabilities: {
    summary: "added capabilities only for allowlisted workloads",
    fix: "remove it from securityContext.capabilities.add, or allow it in workloads[].capabilities of policy.yaml with a reason",
  },
  hostpath: {
    summary: "hostPath volumes only for allowlisted paths, never for system paths",
    fix: "use a PersistentVolumeClaim, or allow the exact path in workloads[].hostPaths of policy.yaml with a reason",
  },
  "run-as-non-root": {
    summary: "containers run as non-root unless the allowlist says the image needs root",
    fix: "set securityContext.runAsNonRoot: true and a non-zero runAsUser (pod or container level), or set workloads[].runAsRoot in policy.yaml with the reason",
  },
  "privilege-escalation": {
    summary: "allowPrivilegeEscalation: false on every non-privileged container",
    fix: "set securityContext.allowPrivilegeEscalation: false on the container",
  },
  "read-only-root-fs": {
    summary: "read-only root filesystem where the app supports it",
    fix: "set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where the app writes), or set workloads[].writableRootFilesystem in policy.yaml with the reason",
  },
  "image-pinned": {
    summary: "images pinned to a tag other than latest, or to a digest",
    fix: "set the image tag to a released version or pin a digest (repository:tag@sha256:...)",
  },
  "resource-requests": {
    summary: "resource requests on every container",
    fix: "set resources.requests.cpu and resources.requests.memory for the container in values",
  },
  "rbac-wildcard": {
    summary: "no * in RBAC verbs, resources, apiGroups or nonResourceURLs",
    fix: "list the exact verbs, resources and apiGroups the component needs",
  },
  "rbac-secrets": {
    summary: "no RBAC access to secrets",
    fix: "remove secrets from the rule; mount the Secret into the pod instead of reading it through the API",
  },
  "rbac-escalation": {
    summary: "no escalate, bind or impersonate verbs, no binding to cluster-admin/admin/edit",
    fix: "remove the verb or the binding; these let the subject grant itself more rights",
  },
  "rbac-cluster-scope": {
    summary: "ClusterRoles and ClusterRoleBindings only where the allowlist says cluster scope is needed",
    fix: "use a namespaced Role and RoleBinding, or add the ClusterRole to clusterRoles in policy.yaml with the reason",
  },
  "secret-object": {
    summary: "no Secret objects in the rendered output unless generated from an external reference",
    fix: "reference an existing Secret (existingSecret) or create it from an ExternalSecret/SealedSecret; do not render secret data from values",
  },
  "credential-value": {
    summary: "no literal value for a credential-like key",
    fix: "use an existingSecret reference instead (a Secret created outside Git, read with secretKeyRef)",
  },
  "secret-scan": {
    summary: "no high-entropy strings or known key formats in committed YAML",
    fix: "remove the secret from the file, rotate it, and reference a Secret created outside Git; if it is not a secret, add a `# policy:allow-secret` comment on the line",
  },
} as const satisfies Record<string, { summary: string; fix: string }>;

/** Stable id of a rule, e.g. `privileged`. */
export type RuleId = keyof typeof RULES;

/** Where a container sits in the pod spec. */
export type ContainerKind = "container" | "initContainer" | "ephemeralContainer";

/** One finding of the gate. */
export interface Violation {
  severity: Severity;
  rule: RuleId;
  /** `Kind/namespace/name` (or `Kind/name` when cluster-scoped or no namespace is set), or a file path. */
  object: string;
  /** The container the finding is about, when it is about one. */
  container?: string;
  /** Which list the container is in, when `container` is set. */
  containerKind?: ContainerKind;
  /** file:line:col of the finding, for file-based findings (values, secret scan). */
  location?: { file: string; line: number; col: number };
  /** What is wrong, naming the offending field and value. */
  message: string;
  /** How to fix it. */
  fix: string;
}

/** Builds a violation, with the rule's default fix unless one is given. */
export function violation(
  rule: RuleId,
  object: string,
  message: string,
  extra: Partial<Pick<Violation, "severity" | "container" | "containerKind" | "location" | "fix">> = {},
): Violation {
  const v: Violation = { severity: extra.severity ?? "error", rule, object, message, fix: extra.fix ?? RULES[rule].fix };
  if (extra.container !== undefined) v.container = extra.container;
  if (extra.containerKind !== undefined) v.containerKind = extra.containerKind;
  if (extra.location !== undefined) v.location = extra.location;
  return v;
}
