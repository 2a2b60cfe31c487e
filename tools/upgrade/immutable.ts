/**
 * The fields Kubernetes refuses to change on update, as data.
 *
 * Each entry follows one check in Kubernetes' own update validation and cites it (`source`: file
 * and function in kubernetes/kubernetes). Read at commit 2dd1588c490775be7cd90d0afc59c6dcef07032a
 * of pkg/apis/apps/validation/validation.go and the matching core, batch, storage, scheduling and
 * rbac files.
 *
 * A Flux HelmRelease that touches one of these fails its upgrade and retries forever
 * (fluxcd/helm-controller#1559), so tools/upgrade/compare.ts checks every rendered change
 * against this list. Every entry carries an `example` (a value before and after) so the test
 * suite builds one failing upgrade per entry: a new entry is tested without writing a test.
 */

/** How loud a finding is: `error` makes the upgrade fail; `warning` and `info` do not. */
export type Severity = "error" | "warning" | "info";

/**
 * A condition on the (old, new) pair that must hold for an entry to apply. Named rather than
 * written as code so the list stays plain data (printable, JSON-serialisable).
 * - `oldImmutableTrue`: the object before had `immutable: true` (ConfigMap, Secret).
 * - `notExternalName`: neither version is a Service of `type: ExternalName` (its clusterIP may
 *   change when switching to or from ExternalName).
 * - `bothLoadBalancer`: both versions are Services of `type: LoadBalancer`.
 */
export type Condition = "oldImmutableTrue" | "notExternalName" | "bothLoadBalancer";

/**
 * Object preparation applied to both versions before comparing:
 * - `secretData`: folds `stringData` into `data` (base64) as the API server does before
 *   validation, so moving a key between the two is not a change.
 * - `claimTemplates`: drops `apiVersion`, `kind` and `status` from each volumeClaimTemplate and
 *   defaults `spec.volumeMode` to `Filesystem`, as the API server stores them.
 */
export type Preparation = "secretData" | "claimTemplates";

/** Where the rule comes from in kubernetes/kubernetes. */
export interface Source {
  /** File in kubernetes/kubernetes. */
  file: string;
  /** Function (or method) holding the check. */
  func: string;
}

/** One immutable field (or group of fields) of one kind. */
export interface ImmutableField {
  /** Stable id: `<group or core>/<Kind> <path>`. */
  id: string;
  /** API group; `""` for the core group. Any version of the group matches. */
  group: string;
  kind: string;
  /** Dotted path; `*` matches any map key or array index. */
  path: string;
  /**
   * Paths, relative to `path`, that may change: they are removed from both sides before
   * comparing (the "everything but" form upstream writes as a clone-and-reset).
   */
  except?: string[];
  /**
   * `immutable` (default): any change is rejected. `noDecrease`: a quantity may grow but not
   * shrink. `noUnset`: may change but not go from set to unset.
   */
  mode?: "immutable" | "noDecrease" | "noUnset";
  /** All must hold for the entry to apply. */
  when?: Condition[];
  /** Value the API server defaults an absent field to (so absent == default is no change). */
  default?: unknown;
  /** Preparation of both objects before comparing. */
  prepare?: Preparation;
  /**
   * What it means when the old render lacked the field and the new one sets it: `allowed`
   * (upstream allows setting it once), `warning` (allowed only if it equals what the server
   * filled in, which an offline check cannot know). Default: a change like any other.
   */
  onAdd?: "allowed" | "warning";
  /** Same for set -> unset (`warning`: the server keeps its value; the render no longer says so). */
  onRemove?: "allowed" | "warning";
  source: Source;
  /** What upstream allows and forbids here, in a sentence or two. */
  note: string;
  /**
   * A change this entry must catch. `at` is a concrete path (default: `path`); `old`/`new` are
   * the values there; `base` is merged into both objects first (e.g. `immutable: true`).
   */
  example: { at?: string; old: unknown; new: unknown; base?: Record<string, unknown> };
}

const APPS = "pkg/apis/apps/validation/validation.go";
const CORE = "pkg/apis/core/validation/validation.go";
const BATCH = "pkg/apis/batch/validation/validation.go";
const STORAGE = "pkg/apis/storage/validation/validation.go";
const RBAC = "pkg/apis/rbac/validation/validation.go";

const STS_UPDATE: Source = { file: APPS, func: "ValidateStatefulSetUpdate" };
const PV_UPDATE: Source = { file: CORE, func: "ValidatePersistentVolumeUpdate" };
const PVC_UPDATE: Source = { file: CORE, func: "ValidatePersistentVolumeClaimUpdate" };
const JOB_UPDATE: Source = { file: BATCH, func: "ValidateJobSpecUpdate" };
const SC_UPDATE: Source = { file: STORAGE, func: "ValidateStorageClassUpdate" };
const SVC_UPDATE: Source = { file: CORE, func: "ValidateServiceUpdate" };

/**
 * StatefulSet spec fields upstream lets change: ValidateStatefulSetUpdate resets exactly these
 * on a clone of the new object and then requires the clone's spec to equal the old spec.
 * `revisionHistoryLimit` is NOT among them (kubernetes/kubernetes#56341 is still open).
 */
export const STATEFULSET_MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
] as const;

/** StatefulSet spec fields with an entry of their own (the rest-of-spec entry skips them). */
const STATEFULSET_LISTED = ["selector", "serviceName", "volumeClaimTemplates", "podManagementPolicy", "revisionHistoryLimit"];

/** Volume sources of a PersistentVolumeSpec (core/v1 PersistentVolumeSource, one must be set). */
export const PV_SOURCES = [
  "awsElasticBlockStore",
  "azureDisk",
  "azureFile",
  "cephfs",
  "cinder",
  "csi",
  "fc",
  "flexVolume",
  "flocker",
  "gcePersistentDisk",
  "glusterfs",
  "hostPath",
  "iscsi",
  "local",
  "nfs",
  "photonPersistentDisk",
  "portworxVolume",
  "quobyte",
  "rbd",
  "scaleIO",
  "storageos",
  "vsphereVolume",
] as const;

/** PVC spec fields with an entry of their own (the rest-of-spec entry skips them). */
const PVC_LISTED = [
  "accessModes",
  "selector",
  "storageClassName",
  "volumeName",
  "volumeMode",
  "dataSource",
  "dataSourceRef",
  "resources.requests.storage",
  "volumeAttributesClassName",
];

const selectorExample = { old: { matchLabels: { app: "demo" } }, new: { matchLabels: { app: "demo", tier: "db" } } };

function entry(e: Omit<ImmutableField, "id">): ImmutableField {
  return { id: `${e.group || "core"}/${e.kind} ${e.path}`, ...e };
}

/** The immutable-field list. Order: apps, core, batch, storage, scheduling, rbac. */
export const IMMUTABLE_FIELDS: readonly ImmutableField[] = [
  // ---- apps/StatefulSet -------------------------------------------------------------------
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec.selector",
    source: STS_UPDATE,
    note: "Only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds may change.",
    example: selectorExample,
  }),
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec.serviceName",
    source: STS_UPDATE,
    note: "The governing Service name is part of every pod's DNS identity; it cannot change.",
    example: { old: "demo-headless", new: "demo" },
  }),
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec.volumeClaimTemplates",
    prepare: "claimTemplates",
    source: STS_UPDATE,
    note: "Adding, removing or editing a claim template (size, class, access modes, labels) is forbidden; existing PVCs are never updated from it anyway.",
    example: {
      old: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      new: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } }],
    },
  }),
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec.podManagementPolicy",
    default: "OrderedReady",
    source: STS_UPDATE,
    note: "OrderedReady <-> Parallel cannot be switched in place; an absent field means OrderedReady.",
    example: { old: undefined, new: "Parallel" },
  }),
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec.revisionHistoryLimit",
    default: 10,
    source: STS_UPDATE,
    note: "Not in the allowed list (kubernetes/kubernetes#56341 open, #130263): changing it is rejected like any other spec field; an absent field means 10.",
    example: { old: undefined, new: 3 },
  }),
  entry({
    group: "apps",
    kind: "StatefulSet",
    path: "spec",
    except: [...STATEFULSET_MUTABLE, ...STATEFULSET_LISTED],
    source: STS_UPDATE,
    note: "Any other spec field (present or future) is covered by the same clone-and-compare: only the allowed fields may differ.",
    example: { at: "spec.hypotheticalField", old: "a", new: "b" },
  }),
  // ---- apps/Deployment, DaemonSet, ReplicaSet --------------------------------------------
  entry({
    group: "apps",
    kind: "Deployment",
    path: "spec.selector",
    source: { file: "pkg/registry/apps/deployment/strategy.go", func: "deploymentStrategy.ValidateUpdate" },
    note: "apps/v1 forbids any selector change (only the removed apps/v1beta1 and extensions/v1beta1 allowed it). Template labels may change as long as they still match.",
    example: selectorExample,
  }),
  entry({
    group: "apps",
    kind: "DaemonSet",
    path: "spec.selector",
    source: { file: "pkg/registry/apps/daemonset/strategy.go", func: "daemonSetStrategy.ValidateUpdate" },
    note: "apps/v1 forbids any selector change.",
    example: selectorExample,
  }),
  entry({
    group: "apps",
    kind: "ReplicaSet",
    path: "spec.selector",
    source: { file: "pkg/registry/apps/replicaset/strategy.go", func: "rsStrategy.ValidateUpdate" },
    note: "apps/v1 forbids any selector change.",
    example: selectorExample,
  }),
  // ---- core/PersistentVolume -----------------------------------------------------------
  ...PV_SOURCES.map((src) =>
    entry({
      group: "",
      kind: "PersistentVolume",
      path: `spec.${src}`,
      source: PV_UPDATE,
      note:
        "spec.persistentvolumesource is immutable after creation: the volume source (server, path, driver, volumeHandle, ...) and switching to another source type." +
        (src === "csi" ? " Only csi.controllerExpandSecretRef may be added when it was unset." : ""),
      example:
        src === "nfs"
          ? { old: { server: "192.168.1.12", path: "/mnt/dfs" }, new: { server: "192.168.1.22", path: "/mnt/dfs" } }
          : src === "hostPath"
            ? { old: { path: "/mnt/a" }, new: { path: "/mnt/b" } }
            : src === "csi"
              ? { old: { driver: "driver.longhorn.io", volumeHandle: "a" }, new: { driver: "driver.longhorn.io", volumeHandle: "b" } }
              : { old: { marker: "a" }, new: { marker: "b" } },
    }),
  ),
  entry({
    group: "",
    kind: "PersistentVolume",
    path: "spec.volumeMode",
    default: "Filesystem",
    source: PV_UPDATE,
    note: "Filesystem <-> Block cannot change; absent means Filesystem.",
    example: { old: undefined, new: "Block" },
  }),
  entry({
    group: "",
    kind: "PersistentVolume",
    path: "spec.nodeAffinity",
    onAdd: "allowed",
    source: PV_UPDATE,
    note: "May be set once when it was unset; once set it cannot change.",
    example: {
      old: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["w1"] }] }] } },
      new: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["w2"] }] }] } },
    },
  }),
  entry({
    group: "",
    kind: "PersistentVolume",
    path: "spec.volumeAttributesClassName",
    mode: "noUnset",
    source: PV_UPDATE,
    note: "May change (VolumeAttributesClass feature) but not go from set to unset.",
    example: { old: "fast", new: undefined },
  }),
  // ---- core/PersistentVolumeClaim (a bound claim: every claim Flux has applied before) ------
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.accessModes",
    source: PVC_UPDATE,
    note: "A claim's spec is immutable after creation except resources.requests (storage, grow only) and volumeAttributesClassName.",
    example: { old: ["ReadWriteOnce"], new: ["ReadWriteMany"] },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.selector",
    source: PVC_UPDATE,
    note: "The PV selector is part of the immutable claim spec.",
    example: selectorExample,
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.storageClassName",
    onAdd: "warning",
    source: PVC_UPDATE,
    note:
      "Immutable once set. An absent class was filled in at creation by the DefaultStorageClass admission plugin, so adding it later passes only if it names that same class.",
    example: { old: "longhorn", new: "longhorn-retain" },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.volumeName",
    onAdd: "warning",
    source: PVC_UPDATE,
    note: "May be set once while the claim is unbound (the PV controller does it); a bound claim's volumeName cannot change, so adding one passes only if it names the PV already bound.",
    example: { old: "pv-a", new: "pv-b" },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.volumeMode",
    default: "Filesystem",
    source: PVC_UPDATE,
    note: "Filesystem <-> Block cannot change; absent means Filesystem.",
    example: { old: undefined, new: "Block" },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.dataSource",
    source: PVC_UPDATE,
    note: "Where the volume was populated from is part of the immutable claim spec.",
    example: { old: undefined, new: { kind: "PersistentVolumeClaim", name: "seed" } },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.dataSourceRef",
    source: PVC_UPDATE,
    note: "Where the volume was populated from is part of the immutable claim spec.",
    example: { old: undefined, new: { kind: "PersistentVolumeClaim", name: "seed" } },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.resources.requests.storage",
    mode: "noDecrease",
    source: PVC_UPDATE,
    note: "A bound claim's storage request may grow (if its StorageClass has allowVolumeExpansion) but not shrink: 'field can not be less than previous value'.",
    example: { old: "10Gi", new: "5Gi" },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec.volumeAttributesClassName",
    mode: "noUnset",
    source: PVC_UPDATE,
    note: "May change (VolumeAttributesClass feature) but not go from set to unset or empty.",
    example: { old: "fast", new: undefined },
  }),
  entry({
    group: "",
    kind: "PersistentVolumeClaim",
    path: "spec",
    except: PVC_LISTED,
    source: PVC_UPDATE,
    note: "Everything else in a claim spec (e.g. resources.limits, other requests) is covered by the same spec comparison.",
    example: { at: "spec.resources.limits", old: undefined, new: { storage: "20Gi" } },
  }),
  // ---- core/Service --------------------------------------------------------------------
  entry({
    group: "",
    kind: "Service",
    path: "spec.clusterIP",
    when: ["notExternalName"],
    onAdd: "warning",
    onRemove: "warning",
    source: SVC_UPDATE,
    note:
      "Immutable once allocated (except when switching to/from ExternalName). 'None' (headless) is a value too. Adding an explicit IP passes only if it equals the allocated one; removing it leaves the allocated value in place.",
    example: { old: "None", new: "10.43.0.50" },
  }),
  entry({
    group: "",
    kind: "Service",
    path: "spec.clusterIPs",
    when: ["notExternalName"],
    onAdd: "warning",
    onRemove: "warning",
    source: SVC_UPDATE,
    note: "The primary cluster IP cannot change (a secondary may be added or removed when ipFamilyPolicy allows).",
    example: { old: ["10.43.0.10"], new: ["10.43.0.20"] },
  }),
  entry({
    group: "",
    kind: "Service",
    path: "spec.loadBalancerClass",
    when: ["bothLoadBalancer"],
    source: { file: CORE, func: "validateLoadBalancerClassField" },
    note: "Immutable while the Service stays type LoadBalancer (it may change together with a type change).",
    example: { old: "metallb", new: "kube-vip", base: { spec: { type: "LoadBalancer" } } },
  }),
  // ---- core/ConfigMap, Secret ------------------------------------------------------------
  entry({
    group: "",
    kind: "ConfigMap",
    path: "data",
    when: ["oldImmutableTrue"],
    source: { file: CORE, func: "ValidateConfigMapUpdate" },
    note: "With immutable: true, data cannot change ('field is immutable when `immutable` is set').",
    example: { old: { a: "1" }, new: { a: "2" }, base: { immutable: true } },
  }),
  entry({
    group: "",
    kind: "ConfigMap",
    path: "binaryData",
    when: ["oldImmutableTrue"],
    source: { file: CORE, func: "ValidateConfigMapUpdate" },
    note: "With immutable: true, binaryData cannot change.",
    example: { old: { a: "MQ==" }, new: { a: "Mg==" }, base: { immutable: true } },
  }),
  entry({
    group: "",
    kind: "ConfigMap",
    path: "immutable",
    when: ["oldImmutableTrue"],
    source: { file: CORE, func: "ValidateConfigMapUpdate" },
    note: "immutable: true cannot be turned off again.",
    example: { old: true, new: false },
  }),
  entry({
    group: "",
    kind: "Secret",
    path: "data",
    when: ["oldImmutableTrue"],
    prepare: "secretData",
    source: { file: CORE, func: "ValidateSecretUpdate" },
    note: "With immutable: true, data (including stringData, which is folded into data) cannot change.",
    example: { old: { a: "MQ==" }, new: { a: "Mg==" }, base: { immutable: true } },
  }),
  entry({
    group: "",
    kind: "Secret",
    path: "immutable",
    when: ["oldImmutableTrue"],
    source: { file: CORE, func: "ValidateSecretUpdate" },
    note: "immutable: true cannot be turned off again.",
    example: { old: true, new: false },
  }),
  entry({
    group: "",
    kind: "Secret",
    path: "type",
    default: "Opaque",
    source: { file: CORE, func: "ValidateSecretUpdate" },
    note: "A Secret's type never changes, immutable or not; absent means Opaque.",
    example: { old: undefined, new: "kubernetes.io/tls" },
  }),
  // ---- batch/Job ------------------------------------------------------------------------
  entry({
    group: "batch",
    kind: "Job",
    path: "spec.template",
    source: JOB_UPDATE,
    note:
      "The pod template is immutable (validatePodTemplateUpdate). Only a suspended Job that never started may change nodeAffinity, nodeSelector, tolerations, labels, annotations and schedulingGates.",
    example: {
      at: "spec.template.spec.containers",
      old: [{ name: "job", image: "busybox:1.36" }],
      new: [{ name: "job", image: "busybox:1.37" }],
    },
  }),
  entry({
    group: "batch",
    kind: "Job",
    path: "spec.selector",
    source: JOB_UPDATE,
    note: "Immutable (and normally generated by the server: do not set it).",
    example: selectorExample,
  }),
  entry({
    group: "batch",
    kind: "Job",
    path: "spec.completions",
    source: { file: BATCH, func: "validateCompletions" },
    note: "Immutable, except for Indexed Jobs that change completions together with parallelism (ElasticIndexedJob).",
    example: { old: 1, new: 3 },
  }),
  ...(
    [
      ["completionMode", { old: undefined, new: "Indexed" }, "NonIndexed"],
      ["podFailurePolicy", { old: undefined, new: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] } }, undefined],
      ["backoffLimitPerIndex", { old: 1, new: 2 }, undefined],
      ["managedBy", { old: undefined, new: "example.com/controller" }, undefined],
      ["successPolicy", { old: undefined, new: { rules: [{ succeededCount: 1 }] } }, undefined],
    ] as const
  ).map(([field, example, dflt]) =>
    entry({
      group: "batch",
      kind: "Job",
      path: `spec.${field}`,
      ...(dflt === undefined ? {} : { default: dflt }),
      source: JOB_UPDATE,
      note: `spec.${field} is immutable (ValidateImmutableField).`,
      example: { ...example },
    }),
  ),
  // ---- storage.k8s.io/StorageClass ----------------------------------------------------------
  entry({
    group: "storage.k8s.io",
    kind: "StorageClass",
    path: "parameters",
    source: SC_UPDATE,
    note: "'updates to parameters are forbidden'. Existing PVs keep the parameters they were provisioned with.",
    example: { old: { numberOfReplicas: "2" }, new: { numberOfReplicas: "3" } },
  }),
  entry({
    group: "storage.k8s.io",
    kind: "StorageClass",
    path: "provisioner",
    source: SC_UPDATE,
    note: "'updates to provisioner are forbidden'.",
    example: { old: "driver.longhorn.io", new: "rancher.io/local-path" },
  }),
  entry({
    group: "storage.k8s.io",
    kind: "StorageClass",
    path: "reclaimPolicy",
    default: "Delete",
    source: SC_UPDATE,
    note: "'updates to reclaimPolicy are forbidden'; absent means Delete.",
    example: { old: undefined, new: "Retain" },
  }),
  entry({
    group: "storage.k8s.io",
    kind: "StorageClass",
    path: "volumeBindingMode",
    default: "Immediate",
    source: SC_UPDATE,
    note: "Immutable; absent means Immediate.",
    example: { old: undefined, new: "WaitForFirstConsumer" },
  }),
  // ---- scheduling.k8s.io/PriorityClass (cluster-scoped; tools/lib/render.ts lists it) --------
  entry({
    group: "scheduling.k8s.io",
    kind: "PriorityClass",
    path: "value",
    source: { file: "pkg/apis/scheduling/validation/validation.go", func: "ValidatePriorityClassUpdate" },
    note: "'value: may not be changed in an update'. Pods keep the priority they were admitted with anyway.",
    example: { old: 1000, new: 2000 },
  }),
  entry({
    group: "scheduling.k8s.io",
    kind: "PriorityClass",
    path: "preemptionPolicy",
    default: "PreemptLowerPriority",
    source: { file: "pkg/apis/scheduling/validation/validation.go", func: "ValidatePriorityClassUpdate" },
    note: "Immutable (ValidateImmutableField); absent means PreemptLowerPriority.",
    example: { old: undefined, new: "Never" },
  }),
  // ---- rbac.authorization.k8s.io ---------------------------------------------------------
  entry({
    group: "rbac.authorization.k8s.io",
    kind: "RoleBinding",
    path: "roleRef",
    source: { file: RBAC, func: "ValidateRoleBindingUpdate" },
    note: "'cannot change roleRef': bind another role with a new RoleBinding.",
    example: { old: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "a" }, new: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "b" } },
  }),
  entry({
    group: "rbac.authorization.k8s.io",
    kind: "ClusterRoleBinding",
    path: "roleRef",
    source: { file: RBAC, func: "ValidateClusterRoleBindingUpdate" },
    note: "'cannot change roleRef': bind another role with a new ClusterRoleBinding.",
    example: {
      old: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "a" },
      new: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "b" },
    },
  }),
];

/**
 * Kinds that look like they should have immutable fields but do not: no entry above, on
 * purpose. Kept as data so the report (and a reader) can tell "checked and mutable" from
 * "forgotten".
 */
export const MUTABLE_ON_PURPOSE: readonly { group: string; kind: string; source: Source; note: string }[] = [
  {
    group: "batch",
    kind: "CronJob",
    source: { file: BATCH, func: "ValidateCronJobUpdate" },
    note: "Nothing is immutable: spec.jobTemplate (selector aside, which must stay unset) may change; it applies to Jobs created afterwards, running Jobs keep their template.",
  },
  {
    group: "policy",
    kind: "PodDisruptionBudget",
    source: { file: "pkg/apis/policy/validation/validation.go", func: "ValidatePodDisruptionBudgetUpdate" },
    note: "The whole spec, selector included, is mutable since Kubernetes 1.15.",
  },
  {
    group: "apps",
    kind: "Deployment",
    source: { file: APPS, func: "ValidateDeploymentUpdate" },
    note: "Everything but the selector may change; template changes roll the pods (expected for a Deployment).",
  },
  {
    group: "apps",
    kind: "StatefulSet",
    source: STS_UPDATE,
    note: "spec.template may change but rolls every pod, one at a time in reverse ordinal order (reported as a warning).",
  },
];

/** The entries that apply to objects of `group`/`kind` (any version). */
export function fieldsFor(group: string, kind: string, fields: readonly ImmutableField[] = IMMUTABLE_FIELDS): ImmutableField[] {
  return fields.filter((f) => f.group === group && f.kind === kind);
}
