/**
 * The fencing job's decisions, as a pure function of one snapshot of the cluster.
 *
 * The job runs every 2 minutes (CronJob, `concurrencyPolicy: Forbid`). Each run lists nodes, pods,
 * Longhorn volumes and VolumeAttachments, calls {@link plan}, and applies the returned actions
 * (unless `dryRun`). Nothing here does I/O, reads the clock or the environment: `now` and the
 * configuration are part of the {@link Snapshot}, so every rule is testable as a table row.
 *
 * ## Rules, per storage node (label `node.longhorn.io/storage=enabled`; other nodes are ignored)
 *
 * 1. **Fence.** A storage node whose Ready condition has been `False` or `Unknown` continuously for
 *    at least `thresholdSeconds` is cordoned and gets the taint
 *    `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`. With that taint Kubernetes'
 *    non-graceful node shutdown handling force-deletes the node's pods and force-detaches their
 *    volumes without the 6-minute wait, so Longhorn can attach them on the surviving node
 *    (https://kubernetes.io/docs/concepts/cluster-administration/node-shutdown/#non-graceful-node-shutdown).
 *    "Continuously" comes from the condition's `lastTransitionTime`, which the node controller
 *    resets on every status change: a flapping node (Ready for a moment, then NotReady again)
 *    restarts its clock and is not fenced until it stays down for the whole threshold. A
 *    `False` -> `Unknown` change is a status change too and also restarts the clock (conservative).
 *    A node without a Ready condition (or with an unparsable time) is never fenced: its downtime
 *    cannot be measured.
 * 1a. **Only a silent node is fenced (life signs).** NotReady says only that the API server stopped
 *    hearing the node's kubelet: a powered-off node, but also a network partition, a crashed
 *    kubelet or k3s-agent, or an overloaded node, all with pods still running and writing. The
 *    out-of-service taint is documented for nodes verified to be shut down ("Deviation ... can
 *    result in data corruption"). So a node over the threshold is fenced only when a life-sign
 *    probe, run from the *peer* storage node (the node this job runs on: `origin`, see
 *    {@link verdictOf}), got no answer from any of its endpoints (kubelet port, Longhorn's
 *    instance-manager, a node port from the inventory) over a whole window of
 *    `lifeSigns.windowSeconds`. A refused connection is a life sign: a kernel answered with RST.
 *    A probe error of the prober itself (no route from the origin) or an origin that is not
 *    another storage node makes the check inconclusive: no fence. Any life sign: no fence, a hold
 *    `life-signs` that the job logs and posts as a Warning Event on the Node.
 * 2. **No failover target, no fence** (the "both storage nodes down" rule). A node is fenced only
 *    if another storage node is a failover target: Ready, schedulable and not out-of-service.
 *    The stateful pods may only run on storage nodes (required node affinity), and Longhorn can
 *    only serve a volume from a node holding a replica, which here means w1 or w2. With both down,
 *    fencing would force-delete pods and force-detach volumes that have nowhere to go; it would
 *    gain nothing and throw away the chance that the node comes back with its volumes still
 *    attached and its pods intact. The same holds when the only other storage node is cordoned
 *    for maintenance: the failover could not land anywhere. The node is fenced in the first run
 *    after a target becomes available, if it is still down.
 * 3. **Recovery without split-brain.** A node fenced by this job that is Ready again stays fenced
 *    while it runs a *stale pod*: a pod bound to it (not Succeeded/Failed) that uses a Longhorn
 *    RWO volume attached to another node. Each stale pod is deleted (grace period 0, see api.ts)
 *    and the deletion time is recorded on the node. The node is unfenced (taint removed, and
 *    uncordoned if this job cordoned it) once it has no stale pod, has been Ready for
 *    `recoverySeconds`, no stale pod was deleted in the last `recoverySeconds` (so the kubelet
 *    has had time to kill the stale containers), and the peer's probe reached it (a life sign).
 *    A volume that is merely still attached elsewhere, with no pod on the recovering node using
 *    it, does not keep the node fenced: that is the normal state after a failover (the workload
 *    runs on w2), and failback (the descheduler moving the pod to w1) needs w1 schedulable and
 *    free of the NoExecute taint. RWO volumes cannot be attached to two nodes, so no split-brain
 *    can arise from unfencing; the danger is a pod that still runs on the old node.
 * 4. **Never the control plane.** A node whose labels give it the control-plane role
 *    (`node-role.kubernetes.io/control-plane` or `.../master`, see {@link rolesFromLabels}) is never
 *    fenced, even when it also carries the storage label (staging's single node s1 does): the API
 *    server and etcd may still run there, and the job itself depends on them, so cordoning it and
 *    force-deleting its pods is not a decision for a CronJob. Such a node can still be the failover
 *    target of another storage node: the media pods only require the storage label. Nodes without
 *    the storage label are out of scope altogether and get no log line.
 * 5. **Only undo our own fencing.** The job's memory lives on the Node object (see
 *    {@link ANNOTATIONS}): `fenced-at` marks a fence made by this job, `cordoned` marks that this
 *    job (not a human) set `unschedulable`. A node cordoned by a human keeps its cordon forever
 *    as far as this job is concerned; a node that carries the out-of-service taint without our
 *    `fenced-at` annotation was fenced by someone else and is left entirely alone.
 *
 * ## "Volumes a node held"
 *
 * Determined per pod: the PVCs of the pods whose `spec.nodeName` is the node. A PVC maps to its
 * Longhorn volume through the volume's `status.kubernetesStatus` (namespace + pvcName). Where the
 * volume is attached is the union of Longhorn's view (`status.currentNodeID` and
 * `currentMigrationNodeID` unless the volume is detached) and Kubernetes' view
 * (VolumeAttachments with `status.attached: true` for the volume's PV). Either signal suffices.
 * RWX volumes are excluded: Longhorn attaches them to the share-manager's node and every other
 * consumer mounts them over NFS, so a pod on w1 using an RWX volume attached to w2 is normal.
 *
 * ## Idempotence
 *
 * Every action is derived from a difference between the snapshot and the desired state, and
 * {@link applyActions} shows the effect of each action on a snapshot. Running {@link plan} on the
 * result yields no action: a fenced node is not fenced again, a deleted pod is gone and the
 * recorded deletion time holds the unfence back for `recoverySeconds`.
 */

/** The taint of Kubernetes' non-graceful node shutdown (GA in 1.28). */
export const OUT_OF_SERVICE_TAINT: Readonly<Taint> = Object.freeze({
  key: "node.kubernetes.io/out-of-service",
  value: "nodeshutdown",
  effect: "NoExecute",
});

/** Node annotations through which the job remembers what it did. */
export const ANNOTATIONS = Object.freeze({
  /** ISO time this job fenced the node. Present = the node is fenced by this job. */
  fencedAt: "fencing.homelab/fenced-at",
  /** `"true"` when this job set `spec.unschedulable` (it was schedulable before). */
  cordoned: "fencing.homelab/cordoned",
  /** ISO time this job last deleted stale pods on the (recovering) node. */
  stalePodsDeletedAt: "fencing.homelab/stale-pods-deleted-at",
});

/**
 * How failover is shared between Longhorn and this job (values `fencing.mode`).
 * - `availability` (the seed): Longhorn's `nodeDownPodDeletionPolicy` force-deletes the pods of a
 *   NotReady node and their VolumeAttachments by itself (longhorn-manager
 *   controller/kubernetes_pod_controller.go, handlePodDeletionIfNodeDown), about
 *   tolerationSeconds + terminationGracePeriodSeconds after NotReady, whatever this job decides.
 *   Fast failover; a partitioned node that still runs keeps writing (two writers possible).
 * - `safety`: Longhorn's policy is `do-nothing`; only this job moves a NotReady node's pods, and
 *   only after it found the node silent.
 */
export const FENCING_MODES = ["availability", "safety"] as const;
export type FencingMode = (typeof FENCING_MODES)[number];

/**
 * Longhorn's `nodeDownPodDeletionPolicy` values (longhorn-manager types/setting.go,
 * NodeDownPodDeletionPolicy*) and the one each mode requires. Longhorn's default is `do-nothing`
 * (the handler starts from NodeDownPodDeletionPolicyDoNothing when the setting is unset).
 */
export const NODE_DOWN_POLICIES = ["do-nothing", "delete-statefulset-pod", "delete-deployment-pod", "delete-both-statefulset-and-deployment-pod"] as const;
export type NodeDownPolicy = (typeof NODE_DOWN_POLICIES)[number];
export const LONGHORN_DEFAULT_NODE_DOWN_POLICY: NodeDownPolicy = "do-nothing";
export const NODE_DOWN_POLICY_FOR_MODE: Readonly<Record<FencingMode, NodeDownPolicy>> = Object.freeze({
  availability: "delete-both-statefulset-and-deployment-pod",
  safety: "do-nothing",
});

/** Whether Longhorn's policy force-deletes a NotReady node's pod owned by `kind` (handlePodDeletionIfNodeDown's shouldDelete). */
export function longhornDeletesPodsOf(policy: NodeDownPolicy, kind: string): boolean {
  if (kind === "StatefulSet") return policy === "delete-statefulset-pod" || policy === "delete-both-statefulset-and-deployment-pod";
  if (kind === "Deployment" || kind === "ReplicaSet") return policy === "delete-deployment-pod" || policy === "delete-both-statefulset-and-deployment-pod";
  return false;
}

/** Where a life sign can come from. */
export type EndpointKind = "kubelet" | "instance-manager" | "node-port";
/** Endpoint kinds a silence verdict needs attempts for (instance-manager only when its pod IP is known). */
export const REQUIRED_ENDPOINTS: readonly EndpointKind[] = Object.freeze(["kubelet", "node-port"]);

/**
 * Outcome of one TCP connect: `answered` (SYN-ACK), `refused` (RST: the kernel runs), `timeout`
 * (no answer at all, also "host unreachable" after a failed ARP), `error` (the prober could not
 * try: no route from the origin, bad address). Only `timeout` counts towards silence.
 */
export type ProbeResult = "answered" | "refused" | "timeout" | "error";

export interface Endpoint {
  kind: EndpointKind;
  host: string;
  port: number;
}

export interface ProbeAttempt extends Endpoint {
  result: ProbeResult;
  /** ISO time of the attempt. */
  at: string;
  detail?: string;
}

/** The life-sign probes of one node during one run. */
export interface LifeSignReport {
  node: string;
  /** Node the probes ran from (the node this job's pod runs on). */
  origin: string;
  /** ISO times of the first and last attempt. */
  start: string;
  end: string;
  attempts: ProbeAttempt[];
}

export interface LifeSignConfig {
  /**
   * Seconds over which every probe must time out before a node counts as silent.
   * @default 30
   */
  windowSeconds: number;
  /** Seconds between probe rounds. @default 5 */
  intervalSeconds: number;
  /** Milliseconds one TCP connect may take. @default 2000 */
  timeoutMs: number;
  /** kubelet's port (KubeletConfiguration port, 10250). @default 10250 */
  kubeletPort: number;
  /** Longhorn instance-manager's process-manager port (longhorn-manager engineapi/types.go, 8500). @default 8500 */
  instanceManagerPort: number;
  /** A TCP port per node name, from the inventory (`lifeSignPort`). Nodes not listed use `defaultNodePort`. */
  nodePorts: Record<string, number>;
  /** @default 22 */
  defaultNodePort: number;
}

export const DEFAULT_LIFE_SIGNS: Readonly<LifeSignConfig> = Object.freeze({
  windowSeconds: 30,
  intervalSeconds: 5,
  timeoutMs: 2000,
  kubeletPort: 10250,
  instanceManagerPort: 8500,
  nodePorts: Object.freeze({}) as Record<string, number>,
  defaultNodePort: 22,
});

export interface LabelSelector {
  key: string;
  value: string;
}

export interface FencingConfig {
  /**
   * Seconds a storage node must be NotReady, continuously, before it is fenced.
   * @default 120
   */
  thresholdSeconds: number;
  /**
   * Seconds a fenced node must be Ready, and free of stale pods, before it is unfenced.
   * @default thresholdSeconds
   */
  recoverySeconds: number;
  /**
   * The label that marks storage nodes.
   * @default { key: "node.longhorn.io/storage", value: "enabled" }
   */
  storageLabel: LabelSelector;
  /**
   * Compute and log the actions without executing them. Does not change the decisions.
   * @default false
   */
  dryRun: boolean;
  /** @default "availability" */
  mode: FencingMode;
  lifeSigns: LifeSignConfig;
}

export const DEFAULT_CONFIG: Readonly<FencingConfig> = Object.freeze({
  thresholdSeconds: 120,
  recoverySeconds: 120,
  storageLabel: Object.freeze({ key: "node.longhorn.io/storage", value: "enabled" }),
  dryRun: false,
  mode: "availability" as FencingMode,
  lifeSigns: DEFAULT_LIFE_SIGNS,
});

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
  timeAdded?: string;
}

export type ConditionStatus = "True" | "False" | "Unknown";

export interface NodeInfo {
  name: string;
  /** metadata.resourceVersion, used as the precondition of the node patch. */
  resourceVersion?: string;
  labels: Record<string, string>;
  /** Roles from the labels ({@link rolesFromLabels}), sorted: e.g. `["control-plane", "etcd", "master"]` on a k3s server. */
  roles: string[];
  annotations?: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  /** The Ready condition; undefined when the node has none. */
  ready?: { status: ConditionStatus; lastTransitionTime: string };
  /** status.addresses InternalIP: where the life-sign probes go. */
  address?: string;
}

/** A Longhorn instance-manager pod (label longhorn.io/component=instance-manager) and its node. */
export interface InstanceManagerInfo {
  node: string;
  podIP: string;
}

export interface PodInfo {
  namespace: string;
  name: string;
  uid?: string;
  /** spec.nodeName; undefined for an unscheduled pod. */
  nodeName?: string;
  phase: string;
  /** Names of the PVCs the pod uses (spec.volumes[].persistentVolumeClaim.claimName, generic ephemeral volumes included). */
  pvcs: string[];
  /** metadata.deletionTimestamp is set. */
  terminating?: boolean;
}

/** The fields of a Longhorn `volumes.longhorn.io` (v1beta2) object the job reads. */
export interface LonghornVolumeInfo {
  name: string;
  /** spec.accessMode: `rwo` or `rwx` (Longhorn defaults to `rwo`). */
  accessMode?: string;
  /** status.currentNodeID: the node the volume is attached to (empty when detached). */
  currentNodeID?: string;
  /** status.currentMigrationNodeID: second node of a live migration. */
  currentMigrationNodeID?: string;
  /** status.state: creating, attached, detached, attaching, detaching, deleting. */
  state?: string;
  /** status.robustness: healthy, degraded, faulted, unknown. */
  robustness?: string;
  kubernetesStatus?: { pvName?: string; pvcName?: string; namespace?: string };
}

export interface VolumeAttachmentInfo {
  name: string;
  nodeName: string;
  attached: boolean;
  persistentVolumeName?: string;
}

export interface Snapshot {
  /** ISO 8601 time of the snapshot: the job's "now". */
  now: string;
  config: FencingConfig;
  nodes: NodeInfo[];
  pods: PodInfo[];
  volumes: LonghornVolumeInfo[];
  volumeAttachments: VolumeAttachmentInfo[];
  /** Longhorn instance-manager pods (life-sign endpoints). */
  instanceManagers?: InstanceManagerInfo[];
  /** The node this job runs on (FENCING_NODE_NAME, downward API spec.nodeName): the probes' origin. */
  origin?: string;
  /** Life-sign probes of this run, per node ({@link probeTargets} says which nodes need one). */
  lifeSigns?: LifeSignReport[];
}

export type Action =
  | { type: "cordon"; node: string; reason: string }
  | { type: "uncordon"; node: string; reason: string }
  | { type: "taint"; node: string; taint: Taint; reason: string }
  | { type: "untaint"; node: string; taint: Taint; reason: string }
  | {
      type: "deletePod";
      /** The recovering node the pod is bound to. */
      node: string;
      namespace: string;
      pod: string;
      uid?: string;
      /** The Longhorn volumes that make it stale. */
      volumes: string[];
      /** The nodes those volumes are attached to. */
      attachedTo: string[];
      reason: string;
    };

export type ActionType = Action["type"];

/** Why a storage node that is not healthy got no action. One per such node and run. */
export type HoldCode =
  | "control-plane"
  | "not-ready-below-threshold"
  | "ready-condition-missing"
  | "no-failover-target"
  | "fenced-by-others"
  | "fenced-node-not-ready"
  | "fenced-waiting-recovery"
  | "life-signs"
  | "life-signs-unknown"
  | "fenced-not-reachable";

export interface Hold {
  node: string;
  code: HoldCode;
  reason: string;
  /** For `life-signs`: the endpoints that answered or refused. */
  lifeSigns?: string[];
  /** For `life-signs-unknown`: a life-sign probe from the origin would decide it. */
  needsProbe?: boolean;
}

export interface Plan {
  actions: Action[];
  holds: Hold[];
}

/** Merges partial settings over {@link DEFAULT_CONFIG}; `recoverySeconds` defaults to `thresholdSeconds`. */
export function resolveConfig(partial: Partial<Omit<FencingConfig, "lifeSigns">> & { lifeSigns?: Partial<LifeSignConfig> } = {}): FencingConfig {
  const thresholdSeconds = partial.thresholdSeconds ?? DEFAULT_CONFIG.thresholdSeconds;
  return {
    thresholdSeconds,
    recoverySeconds: partial.recoverySeconds ?? thresholdSeconds,
    storageLabel: partial.storageLabel ?? { ...DEFAULT_CONFIG.storageLabel },
    dryRun: partial.dryRun ?? DEFAULT_CONFIG.dryRun,
    mode: partial.mode ?? DEFAULT_CONFIG.mode,
    lifeSigns: { ...DEFAULT_LIFE_SIGNS, nodePorts: {}, ...partial.lifeSigns },
  };
}

/** Label prefix whose suffix names a role (`node-role.kubernetes.io/control-plane`); the value does not matter (kubectl's convention). */
export const NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
/** Legacy role label (`kubernetes.io/role=<role>`), still read by kubectl. */
export const LEGACY_ROLE_LABEL = "kubernetes.io/role";
/** Roles that make a node part of the control plane (kubeadm: control-plane; k3s also sets master and etcd). */
export const CONTROL_PLANE_ROLES: readonly string[] = Object.freeze(["control-plane", "master"]);

/** A node's roles from its labels, as `kubectl get nodes` shows them: sorted, without duplicates. */
export function rolesFromLabels(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(NODE_ROLE_PREFIX) && key.length > NODE_ROLE_PREFIX.length) roles.add(key.slice(NODE_ROLE_PREFIX.length));
    else if (key === LEGACY_ROLE_LABEL && value) roles.add(value);
  }
  return [...roles].sort();
}

/** True when the node has a control-plane role. */
export function isControlPlane(node: NodeInfo): boolean {
  return node.roles.some((r) => CONTROL_PLANE_ROLES.includes(r));
}

/** True when the node carries the storage label. */
export function isStorageNode(node: NodeInfo, label: LabelSelector): boolean {
  return node.labels[label.key] === label.value;
}

function outOfServiceTaint(node: NodeInfo): Taint | undefined {
  return node.taints.find((t) => t.key === OUT_OF_SERVICE_TAINT.key);
}

function annotation(node: NodeInfo, key: string): string | undefined {
  return node.annotations?.[key];
}

/** True when this job fenced the node (its `fenced-at` annotation is present). */
export function isFencedByUs(node: NodeInfo): boolean {
  return annotation(node, ANNOTATIONS.fencedAt) !== undefined;
}

/** Seconds from an ISO time to `now`, or undefined when either does not parse. */
function secondsSince(iso: string | undefined, now: number): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : (now - t) / 1000;
}

function parseNow(snapshot: Snapshot): number {
  const now = Date.parse(snapshot.now);
  if (Number.isNaN(now)) throw new TypeError(`snapshot.now is not an ISO time: '${snapshot.now}'`);
  return now;
}

/** A storage node that could take over the workloads: Ready, schedulable, not out-of-service. */
function isFailoverTarget(node: NodeInfo): boolean {
  return node.ready?.status === "True" && !node.unschedulable && outOfServiceTaint(node) === undefined && !isFencedByUs(node);
}

const TERMINAL_PHASES = new Set(["Succeeded", "Failed"]);

/** The nodes a Longhorn volume is attached to, from Longhorn's status and the VolumeAttachments. */
export function attachmentNodes(volume: LonghornVolumeInfo, attachments: VolumeAttachmentInfo[]): string[] {
  const nodes = new Set<string>();
  if (volume.state !== "detached") {
    if (volume.currentNodeID) nodes.add(volume.currentNodeID);
    if (volume.currentMigrationNodeID) nodes.add(volume.currentMigrationNodeID);
  }
  // Longhorn's CSI driver names the Longhorn volume after the PV; kubernetesStatus.pvName says so explicitly.
  const pv = volume.kubernetesStatus?.pvName || volume.name;
  for (const va of attachments) {
    if (va.attached && va.persistentVolumeName === pv && va.nodeName) nodes.add(va.nodeName);
  }
  return [...nodes].sort();
}

/** The Longhorn volume bound to a PVC, found through its status.kubernetesStatus. */
function volumeForClaim(volumes: LonghornVolumeInfo[], namespace: string, claim: string): LonghornVolumeInfo | undefined {
  return volumes.find((v) => v.kubernetesStatus?.namespace === namespace && v.kubernetesStatus?.pvcName === claim);
}

export interface StalePod {
  pod: PodInfo;
  volumes: string[];
  attachedTo: string[];
}

/**
 * Pods bound to `nodeName` that are not finished and use a Longhorn RWO volume attached to a
 * different node: running them would mean two writers for one volume's data.
 */
export function findStalePods(snapshot: Snapshot, nodeName: string): StalePod[] {
  const stale: StalePod[] = [];
  for (const pod of snapshot.pods) {
    if (pod.nodeName !== nodeName || TERMINAL_PHASES.has(pod.phase)) continue;
    const volumes: string[] = [];
    const attachedTo = new Set<string>();
    for (const claim of pod.pvcs) {
      const volume = volumeForClaim(snapshot.volumes, pod.namespace, claim);
      // Not a Longhorn volume, or an RWX one (served over NFS from the share-manager's node).
      if (!volume || volume.accessMode === "rwx") continue;
      const elsewhere = attachmentNodes(volume, snapshot.volumeAttachments).filter((n) => n !== nodeName);
      if (elsewhere.length === 0) continue;
      volumes.push(volume.name);
      for (const n of elsewhere) attachedTo.add(n);
    }
    if (volumes.length > 0) stale.push({ pod, volumes, attachedTo: [...attachedTo].sort() });
  }
  return stale.sort((a, b) => podKey(a.pod).localeCompare(podKey(b.pod)));
}

function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

function fmtSeconds(s: number): string {
  return `${Math.floor(s)}s`;
}

/**
 * Decides what to do with every storage node: the actions to take, and for each unhealthy
 * storage node that gets no action, why ("holds"). See the module documentation for the rules.
 */
export function plan(snapshot: Snapshot): Plan {
  const now = parseNow(snapshot);
  const { config } = snapshot;
  const actions: Action[] = [];
  const holds: Hold[] = [];
  const storage = snapshot.nodes
    .filter((n) => isStorageNode(n, config.storageLabel))
    .sort((a, b) => a.name.localeCompare(b.name));

  for (const node of storage) {
    const ours = isFencedByUs(node);
    const taint = outOfServiceTaint(node);
    const hold = (code: HoldCode, reason: string, extra: Pick<Hold, "lifeSigns" | "needsProbe"> = {}) => holds.push({ node: node.name, code, reason, ...extra });

    if (taint && !ours) {
      hold("fenced-by-others", `carries ${OUT_OF_SERVICE_TAINT.key} without the ${ANNOTATIONS.fencedAt} annotation: fenced by someone else, left alone`);
      continue;
    }
    const since = secondsSince(node.ready?.lastTransitionTime, now);
    if (!node.ready || since === undefined) {
      hold("ready-condition-missing", node.ready
        ? `Ready condition has an unparsable lastTransitionTime '${node.ready.lastTransitionTime}': downtime cannot be measured`
        : "has no Ready condition: downtime cannot be measured, never fenced on that basis");
      continue;
    }

    if (node.ready.status === "True") {
      if (ours) recover(snapshot, node, since, now, actions, hold);
      continue;
    }

    // NotReady (False or Unknown).
    if (isControlPlane(node) && !ours) {
      hold("control-plane", `Ready=${node.ready.status} for ${fmtSeconds(since)}, but its roles (${node.roles.join(", ")}) make it a control-plane node: never fenced`);
      continue;
    }
    if (since < config.thresholdSeconds) {
      hold(ours ? "fenced-node-not-ready" : "not-ready-below-threshold",
        `Ready=${node.ready.status} for ${fmtSeconds(since)}, below the ${config.thresholdSeconds}s threshold`);
      continue;
    }
    const needTaint = taint === undefined;
    const needCordon = !node.unschedulable;
    if (!needTaint && !needCordon) {
      hold("fenced-node-not-ready", `fenced since ${annotation(node, ANNOTATIONS.fencedAt)}, Ready=${node.ready.status} for ${fmtSeconds(since)}`);
      continue;
    }
    const targets = storage.filter((n) => n.name !== node.name && isFailoverTarget(n)).map((n) => n.name);
    if (targets.length === 0) {
      hold("no-failover-target", `Ready=${node.ready.status} for ${fmtSeconds(since)} but no other storage node is Ready, schedulable and in service: fencing would only force-detach volumes that have nowhere to go`);
      continue;
    }
    const verdict = verdictOf(snapshot, node);
    if (verdict.kind === "unknown") {
      hold("life-signs-unknown", `Ready=${node.ready.status} for ${fmtSeconds(since)} but ${verdict.why}: silence not established, not fenced`, verdict.needsProbe ? { needsProbe: true } : {});
      continue;
    }
    if (verdict.kind === "alive") {
      const longhorn = config.mode === "availability"
        ? `; mode availability: Longhorn's nodeDownPodDeletionPolicy (${NODE_DOWN_POLICY_FOR_MODE.availability}) force-deletes its pods anyway, so two writers are possible while it keeps running`
        : "; mode safety: its pods stay where they are until it is Ready again or silent";
      hold("life-signs", `Ready=${node.ready.status} for ${fmtSeconds(since)} but it shows life signs from ${verdict.origin} (${verdict.signs.join(", ")}): not shut down, the out-of-service taint would be unsafe${longhorn}`, { lifeSigns: verdict.signs });
      continue;
    }
    const why = `Ready=${node.ready.status} for ${fmtSeconds(since)} (threshold ${config.thresholdSeconds}s), silent from ${verdict.origin} for ${fmtSeconds(verdict.seconds)} (${verdict.probed}); failover target: ${targets.join(", ")}`;
    if (needCordon) actions.push({ type: "cordon", node: node.name, reason: `${why}; cordoned by the fencing job` });
    if (needTaint) actions.push({ type: "taint", node: node.name, taint: { ...OUT_OF_SERVICE_TAINT }, reason: `${why}; non-graceful shutdown: pods deleted, volumes detached at once` });
  }
  return { actions, holds };
}

/** The endpoints the life-sign probes of `node` try: kubelet and the inventory's node port on its InternalIP, and its instance-manager pods. */
export function endpointsFor(snapshot: Snapshot, node: NodeInfo): Endpoint[] {
  const ls = snapshot.config.lifeSigns;
  const out: Endpoint[] = [];
  if (node.address) {
    out.push({ kind: "kubelet", host: node.address, port: ls.kubeletPort });
    out.push({ kind: "node-port", host: node.address, port: ls.nodePorts[node.name] ?? ls.defaultNodePort });
  }
  for (const im of snapshot.instanceManagers ?? []) {
    if (im.node === node.name && im.podIP) out.push({ kind: "instance-manager", host: im.podIP, port: ls.instanceManagerPort });
  }
  return out;
}

export type LifeSignVerdict =
  | { kind: "silent"; origin: string; seconds: number; probed: string }
  | { kind: "alive"; origin: string; signs: string[] }
  | { kind: "unknown"; why: string; /** A probe from the origin would decide it. */ needsProbe?: boolean };

const endpointText = (a: Endpoint) => `${a.kind} ${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`;

/**
 * Whether the probes of this run show the node silent, alive, or neither (rule 1a). Silent needs:
 * a report from `snapshot.origin`, which is another storage node than `node` (the peer: the node
 * whose silence matters, w2 for w1); attempts at every required endpoint kind; every attempt
 * timed out; attempts spanning at least `lifeSigns.windowSeconds`. One answered or refused
 * attempt makes it alive, whatever the rest.
 */
export function verdictOf(snapshot: Snapshot, node: NodeInfo): LifeSignVerdict {
  const { config } = snapshot;
  const origin = snapshot.origin;
  if (!origin) return { kind: "unknown", why: "the job does not know the node it runs on (FENCING_NODE_NAME unset), so no probe has a known origin" };
  const originNode = snapshot.nodes.find((n) => n.name === origin);
  if (origin === node.name) return { kind: "unknown", why: `the job runs on ${origin} itself` };
  if (!originNode || !isStorageNode(originNode, config.storageLabel)) {
    return { kind: "unknown", why: `the probes run from ${origin}, which is not a storage node: only the peer storage node's view tells whether the node can still reach its replicas` };
  }
  const report = (snapshot.lifeSigns ?? []).find((r) => r.node === node.name && r.origin === origin);
  if (!report || report.attempts.length === 0) return { kind: "unknown", why: `no life-sign probe from ${origin}`, needsProbe: true };
  const signs = [...new Set(report.attempts.filter((a) => a.result === "answered" || a.result === "refused").map((a) => `${endpointText(a)} ${a.result}`))];
  if (signs.length > 0) return { kind: "alive", origin, signs };
  const errors = report.attempts.filter((a) => a.result === "error");
  if (errors.length > 0) return { kind: "unknown", why: `the prober failed (${endpointText(errors[0]!)}: ${errors[0]!.detail ?? "error"})` };
  const missing = REQUIRED_ENDPOINTS.filter((k) => !report.attempts.some((a) => a.kind === k));
  if (missing.length > 0) return { kind: "unknown", why: `no probe of its ${missing.join(", ")} endpoint (node address unknown?)` };
  const start = Date.parse(report.start);
  const end = Date.parse(report.end);
  const seconds = Number.isNaN(start) || Number.isNaN(end) ? 0 : (end - start) / 1000;
  if (seconds < config.lifeSigns.windowSeconds) {
    return { kind: "unknown", why: `its probes timed out for only ${fmtSeconds(seconds)}, less than the ${config.lifeSigns.windowSeconds}s window` };
  }
  const kinds = [...new Set(report.attempts.map(endpointText))];
  return { kind: "silent", origin, seconds, probed: `${report.attempts.length} attempts at ${kinds.join(", ")} timed out` };
}

/**
 * The nodes whose life signs decide this run: those for which {@link plan} without probe
 * results holds on `life-signs-unknown` because no probe from the origin exists. The job probes
 * exactly these (and only when it knows its origin), so a healthy cluster costs no probe.
 */
export function probeTargets(snapshot: Snapshot): Array<{ node: string; endpoints: Endpoint[] }> {
  if (!snapshot.origin) return [];
  const { holds } = plan({ ...snapshot, lifeSigns: [] });
  const out: Array<{ node: string; endpoints: Endpoint[] }> = [];
  for (const h of holds) {
    if (h.code !== "life-signs-unknown" || h.needsProbe !== true) continue;
    const node = snapshot.nodes.find((n) => n.name === h.node)!;
    out.push({ node: h.node, endpoints: endpointsFor(snapshot, node) });
  }
  return out;
}

/** The recovery path of a node fenced by this job that is Ready again (rule 3). */
function recover(
  snapshot: Snapshot,
  node: NodeInfo,
  readyFor: number,
  now: number,
  actions: Action[],
  hold: (code: HoldCode, reason: string, extra?: Pick<Hold, "lifeSigns" | "needsProbe">) => void,
): void {
  const { recoverySeconds } = snapshot.config;
  const stale = findStalePods(snapshot, node.name);
  if (stale.length > 0) {
    for (const s of stale) {
      actions.push({
        type: "deletePod",
        node: node.name,
        namespace: s.pod.namespace,
        pod: s.pod.name,
        ...(s.pod.uid !== undefined ? { uid: s.pod.uid } : {}),
        volumes: s.volumes,
        attachedTo: s.attachedTo,
        reason: `stale pod on recovered node ${node.name}: volume ${s.volumes.join(", ")} is attached to ${s.attachedTo.join(", ")}; node stays fenced`,
      });
    }
    return;
  }
  if (readyFor < recoverySeconds) {
    hold("fenced-waiting-recovery", `Ready for ${fmtSeconds(readyFor)}, stays fenced until Ready for ${recoverySeconds}s`);
    return;
  }
  const sinceDelete = secondsSince(annotation(node, ANNOTATIONS.stalePodsDeletedAt), now);
  if (sinceDelete !== undefined && sinceDelete < recoverySeconds) {
    hold("fenced-waiting-recovery", `stale pods deleted ${fmtSeconds(sinceDelete)} ago, stays fenced until ${recoverySeconds}s have passed`);
    return;
  }
  const verdict = verdictOf(snapshot, node);
  if (verdict.kind === "unknown") {
    hold("life-signs-unknown", `Ready for ${fmtSeconds(readyFor)} with no stale pod, but ${verdict.why}: stays fenced until the peer reaches it`, verdict.needsProbe ? { needsProbe: true } : {});
    return;
  }
  if (verdict.kind === "silent") {
    hold("fenced-not-reachable", `Ready for ${fmtSeconds(readyFor)} with no stale pod, but silent from ${verdict.origin} (${verdict.probed}): stays fenced until the peer reaches it`);
    return;
  }
  // Volumes still attached to another node do not hold the unfence back when no pod here uses
  // them: that is the normal state after a failover, and failback needs this node schedulable.
  const why = `Ready for ${fmtSeconds(readyFor)} with no stale pod, reachable from ${verdict.origin} (${verdict.signs.join(", ")})`;
  actions.push({ type: "untaint", node: node.name, taint: { ...OUT_OF_SERVICE_TAINT }, reason: `${why}; unfenced` });
  if (annotation(node, ANNOTATIONS.cordoned) === "true") {
    actions.push({ type: "uncordon", node: node.name, reason: `${why}; the fencing job had cordoned it` });
  }
}

/** The actions of {@link plan}. */
export function decide(snapshot: Snapshot): Action[] {
  return plan(snapshot).actions;
}

/** How a set of actions changes one Node: the content of one JSON merge patch. */
export interface NodeChange {
  node: string;
  /** New spec.unschedulable, when it changes. */
  unschedulable?: boolean;
  /** The complete new spec.taints list, when it changes (a merge patch replaces lists whole). */
  taints?: Taint[];
  /** Annotations to set (string) or remove (null). */
  annotations: Record<string, string | null>;
}

/**
 * Folds the actions that concern `node` into one change, so that they are applied atomically in
 * a single PATCH. A `deletePod` action records the deletion time on its node.
 */
export function nodeChange(node: NodeInfo, actions: Action[], now: string): NodeChange | undefined {
  const mine = actions.filter((a) => a.node === node.name);
  if (mine.length === 0) return undefined;
  const change: NodeChange = { node: node.name, annotations: {} };
  let taints = node.taints;
  for (const a of mine) {
    switch (a.type) {
      case "cordon":
        change.unschedulable = true;
        change.annotations[ANNOTATIONS.cordoned] = "true";
        break;
      case "uncordon":
        change.unschedulable = false;
        change.annotations[ANNOTATIONS.cordoned] = null;
        break;
      case "taint":
        taints = [...taints.filter((t) => t.key !== a.taint.key), { ...a.taint }];
        change.taints = taints;
        change.annotations[ANNOTATIONS.fencedAt] = now;
        break;
      case "untaint":
        taints = taints.filter((t) => !(t.key === a.taint.key && t.effect === a.taint.effect));
        change.taints = taints;
        change.annotations[ANNOTATIONS.fencedAt] = null;
        change.annotations[ANNOTATIONS.stalePodsDeletedAt] = null;
        break;
      case "deletePod":
        change.annotations[ANNOTATIONS.stalePodsDeletedAt] = now;
        break;
    }
  }
  return change;
}

/**
 * The snapshot as it would be after the actions succeeded: pure, for tests and for checking that
 * a plan converges. Pods deleted with grace period 0 disappear from the API at once.
 */
export function applyActions(snapshot: Snapshot, actions: Action[]): Snapshot {
  const nodes = snapshot.nodes.map((node) => {
    const change = nodeChange(node, actions, snapshot.now);
    if (!change) return node;
    const annotations = { ...(node.annotations ?? {}) };
    for (const [k, v] of Object.entries(change.annotations)) {
      if (v === null) delete annotations[k];
      else annotations[k] = v;
    }
    return {
      ...node,
      unschedulable: change.unschedulable ?? node.unschedulable,
      taints: change.taints ?? node.taints,
      annotations,
    };
  });
  const deleted = new Set(actions.flatMap((a) => (a.type === "deletePod" ? [`${a.namespace}/${a.pod}`] : [])));
  const pods = snapshot.pods.filter((p) => !deleted.has(podKey(p)));
  return { ...snapshot, nodes, pods };
}
