/**
 * Failure scenarios on the base placement: each returns a timeline whose times come from the
 * rendered manifests (tolerationSeconds, terminationGracePeriodSeconds, CronJob schedules, the
 * fencing threshold) and the model's Kubernetes/descheduler rules (tools/scheduling). The only
 * constants are the named ASSUMPTIONS below, each printed with the scenario that uses it.
 *
 * Time 0 is the event that starts the scenario (the node's unreachable taint, the node's return,
 * the cordon). CronJob waits are worst cases: the run comes one full period after the event.
 */
import {
  deschedulerDecision,
  matchesRequiredNodeAffinity,
  noExecuteEvictionSeconds,
  tolerationsTolerateTaint,
  TAINT_NODE_UNREACHABLE,
  type PodSpec,
  type Taint,
} from "../scheduling/index.ts";
import type { Cluster } from "../lib/inventory.ts";
import type { Environment } from "../lib/flux.ts";
import {
  longhornClaims,
  longhornForceDeletes,
  type DeschedulerFacts,
  type DfsFacts,
  type FencingFacts,
  type LonghornFacts,
} from "./facts.ts";
import { nodeLabel, type SimNode, type SimPod } from "./model.ts";
import { scheduleOne, type Bound, type PodPlacement } from "./place.ts";
import { NODE_DOWN_POLICY_FOR_MODE, OUT_OF_SERVICE_TAINT, type FencingMode } from "../fencing/decide.ts";
import { failureModel, runFencing, type FailureKind, type FencingOutcome } from "./fencing.ts";

/** Seconds Longhorn needs to attach a volume on the new node and the pod to start (assumption). */
export const LONGHORN_REATTACH_SECONDS = 30;
/** The seed's failover expectation: "Pod reschedules to w2 → Longhorn reattaches volume → ~60s total downtime". */
export const SEED_FAILOVER_SECONDS = 60;
/** core/v1 DefaultTerminationGracePeriodSeconds: the API default of spec.terminationGracePeriodSeconds. */
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;
/** How many descheduler periods the failback and cordon scenarios run. */
export const DESCHEDULER_RUNS = 3;

export const SCENARIOS = ["first-install", "w1-down", "w1-back", "w1-cordoned", "w3-down", "w2-down", "w1-partitioned", "w1-partitioned-from-cp1", "w1-kubelet-crashed", "drain-w1", "drain-w2"] as const;

/** The partition scenarios (w1-down is the powered-off case) and the failure each one models. */
export const PARTITION_SCENARIOS = {
  "w1-down": "power-off",
  "w1-partitioned": "partition-all",
  "w1-partitioned-from-cp1": "partition-cp1",
  "w1-kubelet-crashed": "kubelet-crash",
} as const satisfies Partial<Record<string, FailureKind>>;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The state a scenario starts from. */
export interface SimContext {
  env: string;
  inventory: Cluster;
  /** The environment's Flux objects and releases as loaded once (tools/lib/flux.ts): never re-read from disk. */
  flux: Environment;
  nodes: SimNode[];
  pods: SimPod[];
  base: { placements: PodPlacement[]; bound: Bound[] };
  longhorn: LonghornFacts;
  descheduler: DeschedulerFacts | null;
  fencing: FencingFacts | null;
  dfs: DfsFacts;
  transcode: { pod: SimPod; mode: string } | null;
}

/** One line of a timeline; `t` in seconds from the scenario's t=0 (negative = before it). */
export interface TimelineEvent {
  t: number;
  text: string;
}

/** Where an affected pod ended. */
export interface PodOutcome {
  pod: string;
  from: string | null;
  to: string | null;
  status: "Running" | "Pending" | "Stuck" | "Unaffected";
  /** When it is running again (null = not within the scenario). */
  runningAt: number | null;
  detail: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  title: string;
  applicable: boolean;
  /** Why not applicable. */
  reason?: string;
  assumptions: string[];
  timeline: TimelineEvent[];
  pods: PodOutcome[];
  /** The scenario's timing expectation, when it has one. */
  bound?: { seconds: number; measured: number | null; text: string };
  findings: string[];
  /** Outcomes that violate the scenario's expectation (exit code 1). */
  violations: string[];
  /** Extra machine-readable facts. */
  facts: Record<string, unknown>;
}

function result(name: ScenarioName, title: string): ScenarioResult {
  return { name, title, applicable: true, assumptions: [], timeline: [], pods: [], findings: [], violations: [], facts: {} };
}

function notApplicable(name: ScenarioName, title: string, reason: string): ScenarioResult {
  return { ...result(name, title), applicable: false, reason };
}

const fmt = (s: number | null) => (s === null ? "never" : `${s}s`);

/** node-monitor-grace-period default of kube-controller-manager: 40s up to v1.31, 50s since v1.32 (kubernetes#124170). */
export function nodeMonitorGracePeriod(kubernetesVersion: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  if (!m) return 50;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > 1 || min >= 32 ? 50 : 40;
}

function graceOf(spec: PodSpec): number {
  const g = spec.terminationGracePeriodSeconds;
  return typeof g === "number" ? g : DEFAULT_TERMINATION_GRACE_SECONDS;
}

/**
 * A stateful media pod: it has a Longhorn ReadWriteOnce volume and its node constraints admit the
 * primary storage node (the seed's active-passive pattern). GPU workers with a per-worker Longhorn
 * cache require gpu=true, which the primary does not carry, so they are not stateful media pods.
 */
export function isStatefulMedia(ctx: SimContext, p: SimPod): boolean {
  const rwo = longhornClaims(p, ctx.longhorn).some((c) => c.accessModes.includes("ReadWriteOnce"));
  const primary = ctx.nodes.find((n) => n.id === ctx.inventory.storage.primary);
  return rwo && primary !== undefined && matchesRequiredNodeAffinity(p.pod.spec, primary);
}

function storageNodes(ctx: SimContext): SimNode[] {
  return ctx.nodes.filter((n) => n.roles.includes("storage"));
}

function byId(ctx: SimContext, id: string): SimNode {
  const n = ctx.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`node ${id} is not in values/${ctx.env}/cluster.yaml`);
  return n;
}

/** The node after it stops responding: NotReady with the node lifecycle controller's unreachable taints. */
function unreachable(n: SimNode): SimNode {
  return {
    ...n,
    ready: false,
    taints: [...n.taints, { key: TAINT_NODE_UNREACHABLE, effect: "NoSchedule" }, { key: TAINT_NODE_UNREACHABLE, effect: "NoExecute" }],
  };
}

function assumptionsFor(ctx: SimContext, opts: { grace?: boolean; reattach?: boolean; cron?: boolean }): string[] {
  const out: string[] = [];
  if (opts.grace) {
    const g = nodeMonitorGracePeriod(ctx.inventory.kubernetesVersion);
    out.push(
      `node-monitor-grace-period = ${g}s (kube-controller-manager default for ${ctx.inventory.kubernetesVersion} from values/${ctx.env}/cluster.yaml: 40s up to v1.31, 50s since v1.32): the node stopped responding at about t=-${g}s; t=0 is when it is marked NotReady and tainted`,
    );
  }
  if (opts.reattach) {
    out.push(
      `LONGHORN_REATTACH_SECONDS = ${LONGHORN_REATTACH_SECONDS}s for Longhorn to attach a volume on the new node and the pod to start (no manifest states it; the seed's failover is "~${SEED_FAILOVER_SECONDS}s total downtime")`,
    );
  }
  if (opts.cron) out.push("CronJob runs: worst case, the first run after an event comes one full schedule period later");
  return out;
}

interface DownResult {
  bound: Bound[];
  fenceAt: Map<string, number>;
  outcomes: PodOutcome[];
  plans: DownPlan[];
  fencing: FencingOutcome[];
}

/** What happens to one pod of a failed node. */
export interface DownPlan {
  b: Bound;
  /** Taint eviction (deletionTimestamp set), or the out-of-service eviction. */
  evictAt: number | null;
  /** Its replacement is created (ReplicaSet at once, StatefulSet once the old pod object is gone). */
  replaceAt: number | null;
  /** The old pod object is gone from the API (Longhorn's force delete, PodGC after the fence). */
  goneAt: number | null;
  /** Its Longhorn volumes are free to attach elsewhere (VolumeAttachment deleted / force-detached). */
  volumesFree: number | null;
  startAt: number | null;
  lh: boolean;
  order: number;
}

/**
 * Nodes `downIds` become unreachable at t=0. Models, per pod on them: NoExecute eviction at its
 * tolerationSeconds (DefaultTolerationSeconds admission applied), Longhorn's node-down policy
 * (VolumeAttachments deleted at the eviction, the terminating pod force-deleted once its
 * deletionTimestamp = eviction + terminationGracePeriodSeconds has passed; longhorn-manager
 * controller/kubernetes_pod_controller.go handlePodDeletionIfNodeDown), the fencing job's
 * out-of-service taint (PodGC force-deletes the node's terminating pods and the attach-detach
 * controller detaches their volumes: non-graceful node shutdown), the controllers' replacement
 * (ReplicaSet/Job at once, StatefulSet only once the old pod object is gone) and rescheduling.
 */
function nodesDown(ctx: SimContext, r: ScenarioResult, downIds: string[], start: readonly Bound[], failure: FailureKind = "power-off"): DownResult {
  const down = new Set(downIds);
  const fencing: FencingOutcome[] = [];
  const nodesNow = ctx.nodes.map((n) => (down.has(n.id) ? unreachable(n) : n));
  for (const id of downIds) r.timeline.push({ t: 0, text: `${nodeLabel(byId(ctx, id))} NotReady (Ready=Unknown); node lifecycle controller adds ${TAINT_NODE_UNREACHABLE}:NoSchedule and :NoExecute` });

  let fenceAt = new Map<string, number>();
  if (ctx.fencing) {
    const jobPod = ctx.pods.find((p) => p.workload.kind === "CronJob" && p.workload.name === ctx.fencing!.cronJob.name && p.workload.namespace === ctx.fencing!.cronJob.namespace);
    for (const id of downIds) {
      const f = ctx.fencing;
      const horizon = f.settings.config.thresholdSeconds + 2 * f.cronJob.periodSeconds + f.settings.config.lifeSigns.windowSeconds;
      const run = runFencing(f, jobPod, ctx.nodes, nodesNow, start, { kind: failure, node: id }, horizon);
      r.timeline.push(...run.events);
      r.findings.push(...run.findings);
      fenceAt = new Map([...fenceAt, ...run.fenceAt]);
      fencing.push(run);
    }
  } else if (downIds.some((id) => byId(ctx, id).roles.includes("storage"))) {
    r.findings.push("fencing: the environment renders no fencing CronJob (no container sets a FENCING_* variable); nothing taints the dead node out-of-service");
  }

  const survivors = start.filter((b) => !down.has(b.node.id));
  const affected = start.filter((b) => down.has(b.node.id));
  const plans: DownPlan[] = affected.map((b, order) => {
    const spec = b.pod.pod.spec;
    const deadNode = nodesNow.find((n) => n.id === b.node.id)!;
    const fence = fenceAt.get(b.node.id) ?? null;
    let evictAt = noExecuteEvictionSeconds(spec, deadNode, { applyDefaultTolerationSeconds: true });
    const who = `${b.pod.name} (${b.pod.workload.kind})`;
    if (evictAt !== null) r.timeline.push({ t: evictAt, text: `${who}: evicted by the taint-eviction controller (tolerationSeconds of ${TAINT_NODE_UNREACHABLE}: ${evictAt}s); Terminating, the node's kubelet never confirms it` });
    if (fence !== null && !tolerationsTolerateTaint(spec.tolerations, OUT_OF_SERVICE_TAINT) && (evictAt === null || fence < evictAt)) {
      evictAt = fence;
      r.timeline.push({ t: fence, text: `${who}: evicted by the out-of-service taint` });
    }
    const grace = graceOf(spec);
    const lh = longhornClaims(b.pod, ctx.longhorn).length > 0;
    const forced = longhornForceDeletes(b.pod, ctx.longhorn);
    let goneAt: number | null = null;
    let volumesFree: number | null = lh ? null : evictAt;
    if (evictAt !== null) {
      if (forced) {
        goneAt = evictAt + grace;
        volumesFree = evictAt;
        r.timeline.push({ t: evictAt, text: `${who}: Longhorn (nodeDownPodDeletionPolicy=${ctx.longhorn.nodeDownPodDeletionPolicy}) deletes the VolumeAttachments of its volumes on the down node` });
        r.timeline.push({ t: goneAt, text: `${who}: Longhorn force-deletes the Terminating pod (deletionTimestamp = eviction + terminationGracePeriodSeconds ${grace}s has passed)` });
      }
      if (fence !== null) {
        const f = Math.max(fence, evictAt);
        if (goneAt === null || f < goneAt) {
          goneAt = f;
          r.timeline.push({ t: f, text: `${who}: PodGC force-deletes the Terminating pod on the out-of-service node` });
        }
        if (lh && (volumesFree === null || f < volumesFree)) {
          volumesFree = f;
          r.timeline.push({ t: f, text: `${who}: attach-detach controller force-detaches its volumes (out-of-service taint)` });
        }
      }
    }
    const replaceAt = evictAt === null ? null : b.pod.workload.kind === "StatefulSet" ? goneAt : evictAt;
    const startAt = replaceAt === null || (lh && volumesFree === null) ? null : Math.max(replaceAt, lh ? (volumesFree as number) : replaceAt);
    if (evictAt === null) r.findings.push(`${who} tolerates ${TAINT_NODE_UNREACHABLE} forever: it stays bound to the dead node`);
    else if (replaceAt === null) {
      r.findings.push(`${who}: stays Terminating on the NotReady node: the StatefulSet controller waits for the old pod to be gone, and neither Longhorn's policy (${ctx.longhorn.nodeDownPodDeletionPolicy}) nor a fencing job deletes it`);
    } else if (startAt === null) {
      r.findings.push(`${who}: its replacement waits for its Longhorn volume, still attached to the NotReady node (policy ${ctx.longhorn.nodeDownPodDeletionPolicy}, no fencing)`);
    }
    return { b, evictAt, replaceAt, goneAt, volumesFree, startAt, lh, order };
  });

  const bound: Bound[] = [...survivors];
  const outcomes: PodOutcome[] = [];
  const sorted = [...plans].sort((a, b) => (a.replaceAt ?? Infinity) - (b.replaceAt ?? Infinity) || a.order - b.order);
  for (const p of sorted) {
    const from = p.b.node.id;
    if (p.replaceAt === null) {
      bound.push(p.b);
      outcomes.push({ pod: p.b.pod.name, from, to: from, status: "Stuck", runningAt: null, detail: p.evictAt === null ? "never evicted" : "Terminating on the NotReady node" });
      continue;
    }
    const s = scheduleOne(p.b.pod, nodesNow, bound);
    if (!s.node) {
      r.timeline.push({ t: p.replaceAt, text: `${p.b.pod.name}: replacement Pending: ${s.placement.message}` });
      outcomes.push({ pod: p.b.pod.name, from, to: null, status: "Pending", runningAt: null, detail: s.placement.message ?? "" });
      continue;
    }
    bound.push({ pod: p.b.pod, node: ctx.nodes.find((n) => n.id === s.node!.id)! });
    r.timeline.push({ t: p.replaceAt, text: `${p.b.pod.name}: replacement scheduled on ${nodeLabel(s.node)}` });
    if (p.startAt === null) {
      outcomes.push({ pod: p.b.pod.name, from, to: s.node.id, status: "Stuck", runningAt: null, detail: "ContainerCreating: Multi-Attach, the volume stays attached to the NotReady node" });
      continue;
    }
    const runningAt = p.startAt + (p.lh ? LONGHORN_REATTACH_SECONDS : 0);
    r.timeline.push({ t: runningAt, text: `${p.b.pod.name}: running on ${nodeLabel(s.node)}${p.lh ? ` (Longhorn volume reattached, +${LONGHORN_REATTACH_SECONDS}s assumed)` : ""}` });
    outcomes.push({ pod: p.b.pod.name, from, to: s.node.id, status: "Running", runningAt, detail: p.lh ? "Longhorn volume reattached" : "no Longhorn volume" });
  }
  return { bound, fenceAt, outcomes, plans, fencing };
}

/** DFS availability after a change: host consumers need a producer on their node; NFS consumers need their server up and producing. */
function checkDfs(ctx: SimContext, r: ScenarioResult, bound: readonly Bound[], outcomes: readonly PodOutcome[], downIds: readonly string[]): void {
  const d = ctx.dfs;
  if (d.producers.length === 0) return;
  // A pod whose replacement is Stuck or Pending does not run, wherever it is bound.
  const running = (pod: SimPod) => {
    const o = outcomes.find((x) => x.pod === pod.name);
    if (o && o.status !== "Running" && o.status !== "Unaffected") return undefined;
    return bound.find((b) => b.pod === pod && !downIds.includes(b.node.id));
  };
  const when = (pod: SimPod) => outcomes.find((o) => o.pod === pod.name)?.runningAt ?? 0;
  const producerNodes = new Map<string, number>();
  for (const p of d.producers) {
    const b = running(p);
    if (b) producerNodes.set(b.node.id, Math.min(producerNodes.get(b.node.id) ?? Infinity, when(p)));
  }
  if (producerNodes.size === 0) r.findings.push(`DFS: no ${d.producers.map((p) => p.name).join(", ")} is running: ${d.paths.join(", ")} exists on no node`);
  for (const c of d.hostConsumers) {
    const b = running(c);
    if (!b) continue;
    const at = producerNodes.get(b.node.id);
    if (at === undefined) {
      const msg = `DFS: ${c.name} runs on ${nodeLabel(b.node)} but ${d.producers.map((p) => p.name).join(", ")} does not (${[...producerNodes.keys()].join(", ") || "nowhere"}): its hostPath ${d.paths.join(", ")} is an empty directory, no DFS`;
      r.findings.push(msg);
      r.violations.push(msg);
    } else {
      const t = Math.max(at, when(c));
      r.timeline.push({ t, text: `DFS: ${c.name} sees ${d.paths.join(", ")} on ${nodeLabel(b.node)} (follows ${d.producers.map((p) => p.name).join(", ")})` });
    }
  }
  for (const c of d.nfsConsumers) {
    const b = running(c.pod);
    if (!b) continue;
    const server = byId(ctx, c.server);
    if (downIds.includes(c.server)) {
      const other = [...producerNodes.keys()][0];
      r.findings.push(
        `DFS over NFS: ${c.pod.name} mounts PersistentVolume ${c.pv} served by ${nodeLabel(server)} (${server.ip}), which is down: a node address never moves to ${other ?? "the new DFS node"} (the DFS export address does: tools/simulate/dfs-export.ts)`,
      );
    } else if (!producerNodes.has(c.server)) {
      r.findings.push(`DFS over NFS: ${c.pod.name} mounts ${c.pv} from ${nodeLabel(server)}, but the DFS producer does not run there: the export is empty`);
    }
  }
}

/** Longhorn's mode as the scenarios read it: `safety` when its node-down policy is do-nothing. */
function modeOf(ctx: SimContext): FencingMode {
  return ctx.fencing?.settings.config.mode ?? (ctx.longhorn.nodeDownPodDeletionPolicy === NODE_DOWN_POLICY_FOR_MODE.safety ? "safety" : "availability");
}

/** Whether two writers can exist: the old copy of a pod still runs while its replacement runs. */
export interface TwoWriters {
  possible: boolean;
  /**
   * `shared-replica`: the old engine still reaches the peer's replica (divergence, corruption);
   * `isolated`: the old copy writes only its own replica and reaches nothing else (its writes are
   * lost when the replica is rebuilt); `side-effects`: Longhorn detaches the old copy's volume,
   * but the old container still talks to Unraid and the debrid API; `none`.
   */
  kind: "shared-replica" | "isolated" | "side-effects" | "none";
  pods: string[];
  text: string;
}

/**
 * The failure of the primary storage node, one of PARTITION_SCENARIOS. Timeline, where each pod
 * and volume ends, whether two writers can exist, and the expectations of the mode:
 * - powered off: every stateful pod runs on the backup again (availability: within the seed's
 *   ~60 s + reattach; safety: within the fencing job's threshold + one period + the probe window
 *   + reattach);
 * - still running (partitioned, kubelet crashed): safety never allows two writers that share a
 *   replica or the outside world; availability's are the documented, accepted risk.
 */
function scenarioPrimaryFailure(ctx: SimContext, name: keyof typeof PARTITION_SCENARIOS): ScenarioResult & { after?: Bound[] } {
  const failure = PARTITION_SCENARIOS[name];
  const model = failureModel(failure);
  const title = `the primary storage node is ${model.title}`;
  const primary = ctx.inventory.storage.primary;
  const others = storageNodes(ctx).filter((n) => n.id !== primary);
  if (others.length === 0) {
    return notApplicable(name, title, `values/${ctx.env}/cluster.yaml has no storage node besides the primary ${primary}: there is nothing to fail over to`);
  }
  const mode = modeOf(ctx);
  const r: ScenarioResult & { after?: Bound[] } = result(name, `${title} (${nodeLabel(byId(ctx, primary))}), mode ${mode}`);
  r.assumptions = assumptionsFor(ctx, { grace: true, reattach: true, cron: ctx.fencing !== null });
  r.assumptions.push(`Longhorn nodeDownPodDeletionPolicy = ${ctx.longhorn.nodeDownPodDeletionPolicy} (${ctx.longhorn.policySource})`, ...ctx.longhorn.warnings);
  if (ctx.fencing) {
    r.assumptions.push(`fencing mode ${ctx.fencing.settings.config.mode}, threshold ${ctx.fencing.settings.config.thresholdSeconds}s, probe window ${ctx.fencing.settings.config.lifeSigns.windowSeconds}s (${ctx.fencing.cronJob.source}, parsed by tools/fencing/main.ts settingsFromEnv)`);
  }
  const g = nodeMonitorGracePeriod(ctx.inventory.kubernetesVersion);
  const what: Record<FailureKind, string> = {
    "power-off": "loses power: every process stops",
    "partition-all": "loses its network links to every other node; its pods keep running",
    "partition-cp1": "loses its link to the control plane; it still reaches the backup storage node, the LAN and the internet; its pods keep running",
    "kubelet-crash": "k3s-agent (kubelet) crashes; containerd and the containers keep running, the network is fine",
  };
  r.timeline.push({ t: -g, text: `${nodeLabel(byId(ctx, primary))} ${what[failure]} (kubelet status updates stop reaching the API server)` });
  const res = nodesDown(ctx, r, [primary], ctx.base.bound, failure);
  r.pods = res.outcomes;
  checkDfs(ctx, r, res.bound, res.outcomes, [primary]);

  // Where each Longhorn volume is attached, and whether an old copy still writes.
  const writers: string[] = [];
  for (const p of res.plans) {
    if (!p.lh || !isStatefulMedia(ctx, p.b.pod)) continue;
    const o = res.outcomes.find((x) => x.pod === p.b.pod.name)!;
    const claims = longhornClaims(p.b.pod, ctx.longhorn).map((c) => c.claimName).join(", ");
    const detach = p.volumesFree === null
      ? `stays attached to ${primary} (no one deletes its VolumeAttachment)`
      : `released from ${primary} at t=${p.volumesFree}s (${model.reachesApi ? "Longhorn on the node detaches it: the old engine stops" : "its VolumeAttachment deleted; the engine on the node keeps running, unaware"})`;
    const attach = o.status === "Running" ? `attached to ${o.to} at t=${o.runningAt}s` : "attached nowhere else";
    r.timeline.push({ t: p.volumesFree ?? 0, text: `volume of ${p.b.pod.name} (${claims}): ${detach}; ${attach}` });
    if (model.podsKeepRunning && o.status === "Running") writers.push(p.b.pod.name);
  }
  let tw: TwoWriters;
  if (writers.length === 0) {
    tw = { possible: false, kind: "none", pods: [], text: model.podsKeepRunning ? `no: the pods stay on ${primary} (no replacement runs elsewhere)` : `no: ${primary} is off` };
  } else if (failure === "kubelet-crash") {
    tw = {
      possible: true,
      kind: "side-effects",
      pods: writers,
      text: `yes, outside the volume: longhorn-manager on ${primary} still reaches the API and stops the old engine before the volume attaches elsewhere, but the old containers of ${writers.join(", ")} keep running until the kubelet returns and can repeat side effects on Unraid and the debrid API`,
    };
  } else if (model.reachesPeer) {
    tw = {
      possible: true,
      kind: "shared-replica",
      pods: writers,
      text: `yes: the old copies of ${writers.join(", ")} keep writing through their engine on ${primary}, which still reaches the replica on the backup node, while the new copies write the same volumes: replica divergence or corruption, and duplicated side effects on Unraid and the debrid API`,
    };
  } else {
    tw = {
      possible: true,
      kind: "isolated",
      pods: writers,
      text: `yes, isolated: the old copies of ${writers.join(", ")} keep writing to their local replica on ${primary} only; those writes are lost when the partition heals and Longhorn rebuilds that replica from the backup node (longhorn/longhorn#11271, #6277); ${primary} reaches nothing else, so no outside side effects`,
    };
  }
  r.findings.push(`two writers possible: ${tw.text}`);
  if (tw.possible) {
    const first = Math.min(...res.outcomes.filter((o) => tw.pods.includes(o.pod)).map((o) => o.runningAt ?? Infinity));
    r.timeline.push({ t: first, text: `TWO WRITERS POSSIBLE (${tw.kind}): ${tw.text}` });
    if (mode === "safety" && tw.kind !== "isolated") r.violations.push(`mode safety, yet two writers are possible: ${tw.text}`);
    else r.findings.push(mode === "safety"
      ? "mode safety: an isolated node is indistinguishable from a powered-off one without power fencing (docs/decisions.md#failover-and-fencing); its lost writes are the residual risk"
      : "mode availability: the accepted, documented risk of Longhorn's node-down pod deletion (docs/decisions.md#failover-and-fencing)");
  }

  // Availability of the stateful pods.
  let worst: number | null = 0;
  for (const o of res.outcomes) {
    const sim = ctx.pods.find((p) => p.name === o.pod)!;
    // A DaemonSet's pod is bound to its node and tolerates unreachable forever: it is not
    // rescheduled, and comes back with the node (pkg/controller/daemon).
    if (sim.workload.kind === "DaemonSet") continue;
    const stateful = isStatefulMedia(ctx, sim);
    if (o.status !== "Running") {
      const expectedStuck = model.podsKeepRunning && mode === "safety";
      (expectedStuck ? r.findings : r.violations).push(`${o.pod}: ${o.status} after the failure of ${primary}: ${o.detail}${expectedStuck ? ` (mode safety: it keeps running on ${primary}, reachable only from where ${primary} is reachable, until the failure ends)` : ""}`);
      worst = null;
      continue;
    }
    if (stateful && !byId(ctx, o.to!).roles.includes("storage")) r.violations.push(`${o.pod}: stateful pod landed on ${nodeLabel(byId(ctx, o.to!))}, not a storage node`);
    if (worst !== null) worst = Math.max(worst, o.runningAt ?? 0);
  }
  const f = ctx.fencing?.settings.config;
  const boundSeconds = mode === "availability" || !f || !ctx.fencing
    ? SEED_FAILOVER_SECONDS + LONGHORN_REATTACH_SECONDS
    : f.thresholdSeconds + ctx.fencing.cronJob.periodSeconds + f.lifeSigns.windowSeconds + LONGHORN_REATTACH_SECONDS;
  const boundText = mode === "availability" || !f
    ? `failover within the seed's ~${SEED_FAILOVER_SECONDS}s + reattach (${LONGHORN_REATTACH_SECONDS}s), from t=0`
    : `failover by the fencing job within its threshold (${f.thresholdSeconds}s) + one period (${ctx.fencing!.cronJob.periodSeconds}s) + the probe window (${f.lifeSigns.windowSeconds}s) + reattach (${LONGHORN_REATTACH_SECONDS}s), from t=0`;
  if (!model.podsKeepRunning) {
    for (const o of res.outcomes) {
      const sim = ctx.pods.find((p) => p.name === o.pod)!;
      if (isStatefulMedia(ctx, sim) && o.runningAt !== null && o.runningAt > boundSeconds) {
        r.violations.push(`${o.pod}: running again after ${o.runningAt}s, later than ${boundSeconds}s (${boundText})`);
      }
    }
    r.bound = { seconds: boundSeconds, measured: worst, text: boundText };
  }
  r.facts = {
    primary,
    failure,
    mode,
    twoWriters: tw,
    fencedAt: Object.fromEntries(res.fenceAt),
    fencingOrigin: res.fencing[0]?.origin ?? null,
    fencingHolds: [...new Set(res.fencing.flatMap((x) => x.runs.flatMap((run) => run.holds.map((h) => h.code))))],
    nodeMonitorGracePeriodSeconds: g,
    nodeDownPodDeletionPolicy: ctx.longhorn.nodeDownPodDeletionPolicy,
    downtimeFromFailureSeconds: worst === null ? null : worst + g,
  };
  r.after = res.bound;
  return r;
}

/** w1-down: the primary storage node is powered off. */
export function scenarioPrimaryDown(ctx: SimContext): ScenarioResult & { after?: Bound[] } {
  return scenarioPrimaryFailure(ctx, "w1-down");
}

/** w1-partitioned, w1-partitioned-from-cp1, w1-kubelet-crashed. */
export function scenarioPrimaryPartition(ctx: SimContext, name: Exclude<keyof typeof PARTITION_SCENARIOS, "w1-down">): ScenarioResult {
  const { after: _after, ...r } = scenarioPrimaryFailure(ctx, name);
  return r;
}

/** Whether the descheduler's RemovePodsViolatingNodeAffinity args select the pod's namespace. */
function inNamespaces(d: DeschedulerFacts, ns: string): boolean {
  if (d.namespaces.include.length > 0 && !d.namespaces.include.includes(ns)) return false;
  return !d.namespaces.exclude.includes(ns);
}

interface DeschedulerRun {
  bound: Bound[];
  evictions: Array<{ pod: string; run: number; t: number; from: string; to: string | null; runningAt: number | null; reason: string }>;
  decisions: Map<string, string[]>;
}

/**
 * Runs the descheduler `runs` times, one period apart (the first one period after t=0, worst
 * case), on `nodes`. An evicted pod terminates gracefully (worst case its full
 * terminationGracePeriodSeconds), its replacement is scheduled with pickNode and reattaches its
 * Longhorn volume.
 */
function runDescheduler(ctx: SimContext, d: DeschedulerFacts, r: ScenarioResult, nodes: SimNode[], start: readonly Bound[], runs: number): DeschedulerRun {
  let bound = [...start];
  const evictions: DeschedulerRun["evictions"] = [];
  const decisions = new Map<string, string[]>();
  const period = d.cronJob.periodSeconds;
  if (d.cronJob.suspend) {
    r.timeline.push({ t: period, text: `descheduler CronJob ${d.cronJob.namespace}/${d.cronJob.name} is suspended (spec.suspend: true): no run` });
    return { bound, evictions, decisions: new Map(bound.map((b) => [b.pod.name, [`the descheduler CronJob ${d.cronJob.namespace}/${d.cronJob.name} is suspended (spec.suspend: true)`]])) };
  }
  for (let run = 1; run <= runs; run++) {
    const t = run * period;
    const placed = bound.map((b) => ({ ...b.pod.pod, nodeName: b.node.name }));
    const evict: Bound[] = [];
    for (const b of bound) {
      if (b.pod.workload.kind === "CronJob") continue;
      if (!inNamespaces(d, b.pod.workload.namespace)) continue;
      const dec = deschedulerDecision({ ...b.pod.pod.spec, nodeName: b.node.name }, nodes, { ...d.options, pod: b.pod.pod, placedPods: placed });
      decisions.set(b.pod.name, dec.reasons);
      if (dec.evict) evict.push(b);
    }
    r.timeline.push({ t, text: `descheduler run ${run} (CronJob ${d.cronJob.namespace}/${d.cronJob.name}, "${d.cronJob.schedule}"): ${evict.length === 0 ? "no eviction" : `evicts ${evict.map((b) => b.pod.name).join(", ")}`}` });
    if (evict.length === 0) continue;
    bound = bound.filter((b) => !evict.includes(b));
    for (const b of evict) {
      const grace = graceOf(b.pod.pod.spec);
      const lh = longhornClaims(b.pod, ctx.longhorn).length > 0;
      const replaceAt = t + grace;
      const s = scheduleOne(b.pod, nodes, bound);
      const reason = (decisions.get(b.pod.name) ?? []).slice(-1)[0] ?? "";
      if (!s.node) {
        r.timeline.push({ t: replaceAt, text: `${b.pod.name}: replacement Pending: ${s.placement.message}` });
        evictions.push({ pod: b.pod.name, run, t, from: b.node.id, to: null, runningAt: null, reason });
        continue;
      }
      const node = ctx.nodes.find((n) => n.id === s.node!.id)!;
      bound.push({ pod: b.pod, node });
      const runningAt = replaceAt + (lh ? LONGHORN_REATTACH_SECONDS : 0);
      r.timeline.push({ t: replaceAt, text: `${b.pod.name}: terminated on ${b.node.id} (terminationGracePeriodSeconds ${grace}s, worst case), replacement scheduled on ${nodeLabel(node)}` });
      r.timeline.push({ t: runningAt, text: `${b.pod.name}: running on ${nodeLabel(node)}${lh ? ` (Longhorn volume reattached, +${LONGHORN_REATTACH_SECONDS}s assumed)` : ""}` });
      evictions.push({ pod: b.pod.name, run, t, from: b.node.id, to: node.id, runningAt, reason });
    }
  }
  return { bound, evictions, decisions };
}

/** w1-back: the primary returns after a failover; the descheduler moves the pods back. */
export function scenarioPrimaryBack(ctx: SimContext, d: DeschedulerFacts | null, missing = "no descheduler"): ScenarioResult {
  const title = "the primary storage node is Ready again after a failover";
  const down = scenarioPrimaryDown(ctx);
  if (!down.applicable || !down.after) return notApplicable("w1-back", title, `needs w1-down: ${down.reason}`);
  const primary = ctx.inventory.storage.primary;
  const r = result("w1-back", `${title} (${nodeLabel(byId(ctx, primary))})`);
  if (d === null) {
    r.violations.push(missing);
    return r;
  }
  r.assumptions = assumptionsFor(ctx, { reattach: true, cron: true });
  r.assumptions.push(
    `descheduler policy: ${d.policySource}, profile ${d.profile}: ${JSON.stringify(d.settings)}`,
    "the pods start where w1-down left them; the Longhorn replicas on the primary are rebuilt before the descheduler runs (not modelled)",
  );
  // The fence the fencing job set in w1-down holds the node back: rule 3 of tools/fencing/decide.ts
  // lifts it once the node has been Ready for FENCING_RECOVERY_SECONDS, at the job's next run.
  const fencedInDown = ((down.facts.fencedAt ?? {}) as Record<string, number>)[primary] !== undefined;
  const fenceHold = fencedInDown && ctx.fencing ? ctx.fencing.settings.config.recoverySeconds + ctx.fencing.cronJob.periodSeconds : 0;
  if (fencedInDown && ctx.fencing) {
    r.assumptions.push(
      `t=0 is when ${primary} is schedulable again without taints. The fencing job fenced it in w1-down, so it is Ready ${fenceHold}s earlier: FENCING_RECOVERY_SECONDS=${ctx.fencing.settings.config.recoverySeconds}s of Ready, then up to one fencing period (${ctx.fencing.cronJob.periodSeconds}s) to the run that lifts the fence`,
    );
    r.timeline.push({
      t: -fenceHold,
      text: `${nodeLabel(byId(ctx, primary))} Ready again; still fenced (cordoned, ${OUT_OF_SERVICE_TAINT.key} taint) by CronJob ${ctx.fencing.cronJob.namespace}/${ctx.fencing.cronJob.name} until Ready for FENCING_RECOVERY_SECONDS=${ctx.fencing.settings.config.recoverySeconds}s and its next run (period ${ctx.fencing.cronJob.periodSeconds}s)`,
    });
    r.timeline.push({ t: 0, text: `fencing job lifts the fence: ${nodeLabel(byId(ctx, primary))} uncordoned, out-of-service taint removed, schedulable` });
  } else {
    r.timeline.push({ t: 0, text: `${nodeLabel(byId(ctx, primary))} Ready, its unreachable taints removed, schedulable` });
  }
  const nodes = ctx.nodes.map((n) => ({ ...n }));
  const run = runDescheduler(ctx, d, r, nodes, down.after, DESCHEDULER_RUNS);
  // Failback is the media workloads' (seed "HA Strategy"): a CronJob's pod is scheduled afresh on its
  // next run, DaemonSet pods never leave their node, and the upstream components (Longhorn UI, driver
  // deployer) may run on either storage node.
  const basePrimary = ctx.base.bound.filter((b) => b.node.id === primary && b.pod.workload.kind !== "CronJob" && b.pod.workload.kind !== "DaemonSet" && !b.pod.workload.upstream).map((b) => b.pod.name);
  const reschedule = Math.max(0, ...ctx.pods.filter((p) => basePrimary.includes(p.name)).map((p) => graceOf(p.pod.spec))) + LONGHORN_REATTACH_SECONDS;
  const limit = d.cronJob.periodSeconds + reschedule;
  let worst: number | null = 0;
  for (const name of basePrimary) {
    const b = run.bound.find((x) => x.pod.name === name);
    const ev = run.evictions.filter((e) => e.pod === name);
    const last = ev[ev.length - 1];
    if (ev.length > 1) r.violations.push(`${name}: evicted ${ev.length} times (runs ${ev.map((e) => e.run).join(", ")}): eviction loop`);
    if (!b || b.node.id !== primary) {
      const why = (run.decisions.get(name) ?? []).join("; ");
      r.pods.push({ pod: name, from: b?.node.id ?? null, to: b?.node.id ?? null, status: b ? "Running" : "Pending", runningAt: null, detail: `not back on ${primary}: ${why}` });
      r.violations.push(`${name}: not failed back to ${primary} after ${DESCHEDULER_RUNS} descheduler runs: ${why || "not evicted"}`);
      worst = null;
      continue;
    }
    const at = last?.runningAt ?? 0;
    r.pods.push({ pod: name, from: last?.from ?? primary, to: primary, status: "Running", runningAt: at, detail: last ? `evicted in run ${last.run}: ${last.reason}` : "already there" });
    if (worst !== null) worst = Math.max(worst, at);
    if (at > limit) r.violations.push(`${name}: back on ${primary} after ${at}s, later than one descheduler period (${d.cronJob.periodSeconds}s) + rescheduling (${reschedule}s) = ${limit}s`);
  }
  checkDfs(ctx, r, run.bound, r.pods, []);
  r.bound = { seconds: limit, measured: worst, text: `failback within one descheduler period (${d.cronJob.periodSeconds}s) + rescheduling (termination grace + ${LONGHORN_REATTACH_SECONDS}s reattach)` };
  const fromReturn = worst === null ? null : worst + fenceHold;
  r.findings.push(
    worst === null
      ? `time to failback: never (a pod does not return to ${primary})`
      : `time to failback: ${worst}s after ${primary} is schedulable again` + (fenceHold > 0 ? `, ${fromReturn}s after it is Ready again (the fence holds it ${fenceHold}s)` : ""),
  );
  r.facts = { primary, evictions: run.evictions, deschedulerPeriodSeconds: d.cronJob.periodSeconds, failbackSeconds: worst, fenceHoldSeconds: fenceHold, failbackFromReturnSeconds: fromReturn };
  return r;
}

/** w1-cordoned: maintenance; the pods are drained to the backup and must stay there. */
export function scenarioPrimaryCordoned(ctx: SimContext, d: DeschedulerFacts | null, missing = "no descheduler"): ScenarioResult {
  const title = "the primary storage node is cordoned and drained for maintenance";
  const primary = ctx.inventory.storage.primary;
  if (storageNodes(ctx).filter((n) => n.id !== primary).length === 0) {
    return notApplicable("w1-cordoned", title, `values/${ctx.env}/cluster.yaml has no storage node besides the primary ${primary}: a drain would leave the storage pods Pending`);
  }
  const r = result("w1-cordoned", `${title} (${nodeLabel(byId(ctx, primary))})`);
  if (d === null) {
    r.violations.push(missing);
    return r;
  }
  r.assumptions = assumptionsFor(ctx, { reattach: true, cron: true });
  r.assumptions.push(`descheduler policy: ${d.policySource}, profile ${d.profile}: ${JSON.stringify(d.settings)}`, "kubectl drain evicts every pod of the node at t=0 (PodDisruptionBudgets not modelled)");
  const nodes = ctx.nodes.map((n) => (n.id === primary ? { ...n, unschedulable: true } : { ...n }));
  r.timeline.push({ t: 0, text: `kubectl cordon + drain ${nodeLabel(byId(ctx, primary))}: spec.unschedulable=true, its pods evicted` });
  let bound = ctx.base.bound.filter((b) => b.node.id !== primary);
  for (const b of ctx.base.bound.filter((x) => x.node.id === primary)) {
    const s = scheduleOne(b.pod, nodes, bound);
    const grace = graceOf(b.pod.pod.spec);
    if (!s.node) {
      r.pods.push({ pod: b.pod.name, from: primary, to: null, status: "Pending", runningAt: null, detail: s.placement.message ?? "" });
      r.violations.push(`${b.pod.name}: Pending after the drain: ${s.placement.message}`);
      continue;
    }
    const node = ctx.nodes.find((n) => n.id === s.node!.id)!;
    bound.push({ pod: b.pod, node });
    const at = grace + (longhornClaims(b.pod, ctx.longhorn).length > 0 ? LONGHORN_REATTACH_SECONDS : 0);
    r.timeline.push({ t: at, text: `${b.pod.name}: running on ${nodeLabel(node)}` });
    r.pods.push({ pod: b.pod.name, from: primary, to: node.id, status: "Running", runningAt: at, detail: "drained" });
  }
  const run = runDescheduler(ctx, d, r, nodes, bound, DESCHEDULER_RUNS);
  bound = run.bound;
  if (run.evictions.length > 0) {
    for (const e of run.evictions) r.violations.push(`${e.pod}: evicted by the descheduler in run ${e.run} while ${primary} is cordoned (${e.reason}): it goes back to ${e.to ?? "Pending"}, an eviction loop`);
  }
  // Which setting prevents the loop: the same decision without nodeFit.
  const placed = bound.map((b) => ({ ...b.pod.pod, nodeName: b.node.name }));
  const wouldLoop: string[] = [];
  const protectedBy: string[] = [];
  for (const b of bound) {
    if (b.pod.workload.kind === "CronJob" || !inNamespaces(d, b.pod.workload.namespace) || b.node.id === primary) continue;
    const actual = deschedulerDecision({ ...b.pod.pod.spec, nodeName: b.node.name }, nodes, { ...d.options, pod: b.pod.pod, placedPods: placed });
    const noFit = deschedulerDecision({ ...b.pod.pod.spec, nodeName: b.node.name }, nodes, { ...d.options, nodeFit: false, pod: b.pod.pod, placedPods: placed });
    if (!actual.evict && noFit.evict) wouldLoop.push(b.pod.name);
    if (!actual.evict && actual.reasons.some((x) => x.startsWith("DefaultEvictor: pod has"))) protectedBy.push(`${b.pod.name} (${actual.reasons.join("; ")})`);
  }
  if (wouldLoop.length > 0) {
    r.findings.push(
      `nodeFit: true (DefaultEvictor, ${d.policySource}) prevents the loop: without it ${wouldLoop.join(", ")} would be evicted every ${d.cronJob.periodSeconds}s, since ${primary} is still the preferred node but unschedulable, so each replacement lands on the backup again`,
    );
  }
  if (protectedBy.length > 0) r.findings.push(`protected from eviction by the DefaultEvictor pod protections: ${protectedBy.join(", ")}`);
  checkDfs(ctx, r, bound, r.pods, []);
  r.facts = { primary, evictions: run.evictions, nodeFit: d.options.nodeFit, runs: DESCHEDULER_RUNS, loopPreventedByNodeFit: wouldLoop };
  return r;
}

/** w3-down: the GPU node(s) die. */
export function scenarioGpuDown(ctx: SimContext): ScenarioResult {
  const title = "the GPU node becomes unreachable";
  const gpus = ctx.nodes.filter((n) => n.gpu);
  if (gpus.length === 0) return notApplicable("w3-down", title, `values/${ctx.env}/cluster.yaml has no node with gpu: true`);
  const r = result("w3-down", `${title} (${gpus.map(nodeLabel).join(", ")})`);
  r.assumptions = assumptionsFor(ctx, { grace: true, reattach: true, cron: ctx.fencing !== null });
  const res = nodesDown(ctx, r, gpus.map((g) => g.id), ctx.base.bound);
  r.pods = res.outcomes;
  const pending = res.outcomes.filter((o) => o.status === "Pending");
  for (const o of pending) r.findings.push(`${o.pod}: Pending: ${o.detail}`);
  for (const o of res.outcomes) {
    const sim = ctx.pods.find((p) => p.name === o.pod)!;
    if (o.status === "Running" && isStatefulMedia(ctx, sim) && o.to && !byId(ctx, o.to).roles.includes("storage")) {
      r.violations.push(`${o.pod}: stateful pod moved to ${nodeLabel(byId(ctx, o.to))}, not a storage node`);
    }
  }
  if (ctx.transcode) {
    const t = ctx.transcode;
    const b = res.bound.find((x) => x.pod === t.pod);
    const where = b ? nodeLabel(b.node) : "nowhere";
    const mode = t.mode;
    let text: string;
    if (mode === "local") text = `PMS ${t.pod.name} (TRANSCODE_OPERATING_MODE=local) never uses the workers: it keeps transcoding on ${where}`;
    else if (mode === "both") text = `PMS ${t.pod.name} (TRANSCODE_OPERATING_MODE=both): no worker is reachable, so it transcodes locally on ${where}`;
    else if (mode === "remote") {
      text = `PMS ${t.pod.name} (TRANSCODE_OPERATING_MODE=remote): transcoding is unavailable until a worker runs again`;
      r.findings.push(text);
    } else text = `PMS ${t.pod.name}: TRANSCODE_OPERATING_MODE=${JSON.stringify(mode)} is not one of local, remote, both`;
    r.timeline.push({ t: 0, text });
    r.facts = { transcodeMode: mode, pmsNode: b?.node.id ?? null };
    if (!b || gpus.some((g) => g.id === b.node.id)) r.violations.push(`PMS ${t.pod.name} is not running on a surviving node`);
  } else {
    r.findings.push("no container sets TRANSCODE_OPERATING_MODE (clusterplex not rendered): no PMS to report on");
  }
  r.facts = { ...r.facts, gpuNodes: gpus.map((g) => g.id), pending: pending.map((p) => p.pod) };
  return r;
}

/** w2-down: the backup storage node dies. */
export function scenarioBackupDown(ctx: SimContext): ScenarioResult {
  const title = "the backup storage node becomes unreachable";
  const backup = ctx.inventory.storage.backup;
  if (!backup) return notApplicable("w2-down", title, `values/${ctx.env}/cluster.yaml sets no storage.backup`);
  const primary = ctx.inventory.storage.primary;
  const r = result("w2-down", `${title} (${nodeLabel(byId(ctx, backup))})`);
  r.assumptions = assumptionsFor(ctx, { grace: true, reattach: true, cron: ctx.fencing !== null });
  const res = nodesDown(ctx, r, [backup], ctx.base.bound);
  r.pods = res.outcomes;
  const unaffected = ctx.base.bound.filter((b) => b.node.id !== backup);
  for (const b of unaffected) {
    if (!res.bound.some((x) => x.pod === b.pod && x.node.id === b.node.id)) r.violations.push(`${b.pod.name} on ${b.node.id} was disturbed by the failure of ${backup}`);
  }
  r.findings.push(`${unaffected.filter((b) => b.node.id === primary).length} pod(s) on ${primary} keep running; ${res.outcomes.length} pod(s) were on ${backup}`);
  for (const o of res.outcomes) {
    const sim = ctx.pods.find((p) => p.name === o.pod)!;
    if (isStatefulMedia(ctx, sim) && o.to !== primary) r.violations.push(`${o.pod}: ${o.status === "Running" ? `moved to ${o.to}` : o.status} instead of ${primary}: ${o.detail}`);
  }
  const replicas = [...ctx.longhorn.storageClasses.values()].filter((c) => c.provisioner === "driver.longhorn.io" && c.replicas !== null).map((c) => c.replicas as number);
  if (replicas.length > 0) r.findings.push(`Longhorn volumes run degraded (${Math.max(...replicas) - 1} of ${Math.max(...replicas)} replicas) until ${backup} returns and its replicas rebuild`);
  checkDfs(ctx, r, res.bound, res.outcomes, [backup]);
  r.facts = { backup, fencedAt: Object.fromEntries(res.fenceAt), moved: res.outcomes.map((o) => ({ pod: o.pod, to: o.to })) };
  return r;
}
