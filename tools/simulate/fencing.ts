/**
 * The fencing job inside the simulation: the real decision (tools/fencing/decide.ts plan,
 * probeTargets, endpointsFor) run on snapshots built from the scenario, with the real
 * conversions from API objects (tools/fencing/api.ts toNodeInfo) and the settings the job's own
 * parser produced (facts.ts findFencing -> settingsFromEnv). Nothing here restates a threshold, a
 * label, a taint or a life-sign rule: what the scenario adds is only what the cluster would show
 * the job (nodes, their Ready condition, the peer's view of the failed node) and the times of the
 * CronJob's runs.
 */
import { toNodeInfo, type RawNode } from "../fencing/api.ts";
import { applyActions, plan, probeTargets, type Action, type EndpointKind, type Hold, type LifeSignReport, type ProbeResult, type Snapshot, type Taint } from "../fencing/decide.ts";
import { TAINT_NODE_UNREACHABLE } from "../scheduling/index.ts";
import type { FencingFacts } from "./facts.ts";
import { nodeLabel, type SimNode, type SimPod } from "./model.ts";
import { scheduleOne, type Bound } from "./place.ts";

/** How a node fails. */
export type FailureKind = "power-off" | "partition-all" | "partition-cp1" | "kubelet-crash";

export interface Failure {
  kind: FailureKind;
  /** Inventory id of the failed node. */
  node: string;
}

/** What each failure means for the cluster, in the terms the scenarios need. */
export interface FailureModel {
  title: string;
  /** The node's containers keep running (and writing). */
  podsKeepRunning: boolean;
  /** The node still reaches the peer storage node (Longhorn's engine there reaches the peer's replica). */
  reachesPeer: boolean;
  /** longhorn-manager on the node still reaches the API server (it can stop its own engines on a detach). */
  reachesApi: boolean;
  /** The node still reaches the rest of the LAN and the internet (Unraid, the debrid API). */
  reachesOutside: boolean;
  /** What a TCP connect from `origin` to the failed node's endpoint gets. */
  probe: (origin: SimNode, kind: EndpointKind) => ProbeResult;
}

export function failureModel(kind: FailureKind): FailureModel {
  switch (kind) {
    case "power-off":
      return { title: "powered off", podsKeepRunning: false, reachesPeer: false, reachesApi: false, reachesOutside: false, probe: () => "timeout" };
    case "partition-all":
      return { title: "partitioned from every other node, still running", podsKeepRunning: true, reachesPeer: false, reachesApi: false, reachesOutside: false, probe: () => "timeout" };
    case "partition-cp1":
      return {
        title: "partitioned from the control plane, still reaching the peer storage node",
        podsKeepRunning: true,
        reachesPeer: true,
        reachesApi: false,
        reachesOutside: true,
        probe: (origin) => (origin.roles.includes("control-plane") ? "timeout" : "answered"),
      };
    case "kubelet-crash":
      // k3s runs containerd as a child that survives the agent (k3s-killall.sh exists to stop
      // the containers): the pods keep running, only the kubelet's port is closed.
      return {
        title: "kubelet / k3s-agent crashed, containers still running",
        podsKeepRunning: true,
        reachesPeer: true,
        reachesApi: true,
        reachesOutside: true,
        probe: (_origin, k) => (k === "kubelet" ? "refused" : "answered"),
      };
  }
}

/** The k3s role labels of a node with the inventory's control-plane role (k3s labels servers control-plane and master). */
function roleLabels(n: SimNode): Record<string, string> {
  return n.roles.includes("control-plane") ? { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true" } : {};
}

const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (t: number) => new Date(T0 + t * 1000).toISOString();

/** A Node object as the API server would return it for the simulated node. */
function rawNode(n: SimNode, down: boolean): RawNode {
  return {
    metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, ...n.labels, ...roleLabels(n) } },
    spec: {
      ...(n.unschedulable ? { unschedulable: true } : {}),
      taints: [...n.taints, ...(down ? [{ key: TAINT_NODE_UNREACHABLE, effect: "NoSchedule" }, { key: TAINT_NODE_UNREACHABLE, effect: "NoExecute" }] : [])] as Taint[],
    },
    status: {
      // t=0 of a scenario is the NotReady transition (Ready=Unknown: the kubelet stopped posting status).
      conditions: [{ type: "Ready", status: down ? "Unknown" : "True", lastTransitionTime: down ? iso(0) : iso(-86_400) }],
      addresses: [{ type: "InternalIP", address: n.ip }],
    },
  };
}

export interface FencingRun {
  t: number;
  actions: Action[];
  holds: Hold[];
  reports: LifeSignReport[];
}

export interface FencingOutcome {
  /** Node id -> seconds at which the out-of-service taint is set (after the probe window). */
  fenceAt: Map<string, number>;
  /** Node name the job's pod runs on (the probes' origin), or null. */
  origin: string | null;
  runs: FencingRun[];
  /** Timeline lines. */
  events: Array<{ t: number; text: string }>;
  findings: string[];
}

/**
 * Runs the fencing CronJob over the scenario: worst-case phase (the first run after the
 * threshold comes one period minus a second after it), until `horizon` seconds.
 */
export function runFencing(
  f: FencingFacts,
  jobPod: SimPod | undefined,
  nodes: readonly SimNode[],
  nodesNow: readonly SimNode[],
  bound: readonly Bound[],
  failure: Failure,
  horizon: number,
): FencingOutcome {
  const out: FencingOutcome = { fenceAt: new Map(), origin: null, runs: [], events: [], findings: [] };
  const cj = `CronJob ${f.cronJob.namespace}/${f.cronJob.name}`;
  if (f.cronJob.suspend) {
    out.findings.push(`fencing: ${cj} is suspended (spec.suspend: true), it never runs: nothing taints the node out-of-service`);
    return out;
  }
  const { config } = f.settings;
  const model = failureModel(failure.kind);
  const failed = nodes.find((n) => n.id === failure.node)!;

  // Where the job's pod runs: FENCING_NODE_NAME from the downward API is the node the scheduler
  // puts it on, with the failed node NotReady and tainted unreachable.
  let originNode: SimNode | undefined;
  if (f.settings.nodeName !== undefined) originNode = nodes.find((n) => n.name === f.settings.nodeName);
  if (f.nodeName.from === "downward-api") {
    if (!jobPod) out.findings.push(`fencing: ${cj} has no pod in the simulation`);
    else {
      const s = scheduleOne(jobPod, nodesNow, bound.filter((b) => b.node.id !== failure.node));
      originNode = s.node ? nodes.find((n) => n.id === s.node!.id) : undefined;
      if (!originNode) out.findings.push(`fencing: ${cj}'s pod cannot be scheduled: ${s.placement.message}`);
    }
  } else if (f.nodeName.from === "literal") {
    const value = f.nodeName.value;
    originNode = nodes.find((n) => n.name === value);
  } else {
    out.findings.push(`fencing: ${cj} does not set FENCING_NODE_NAME (downward API spec.nodeName): its probes have no known origin, so it never fences (tools/fencing/decide.ts verdictOf)`);
  }
  out.origin = originNode?.name ?? null;
  if (originNode) {
    const results = (["kubelet", "node-port", "instance-manager"] as const).map((k) => `${k} ${model.probe(originNode!, k)}`);
    out.events.push({ t: 0, text: `fencing: ${cj}'s pod runs on ${nodeLabel(originNode)}; its probes of ${nodeLabel(failed)} get: ${results.join(", ")}` });
  }

  const period = f.cronJob.periodSeconds;
  const first = ((config.thresholdSeconds - 1) % period + period) % period;
  const raw = nodes.map((n) => toNodeInfo(rawNode(n, n.id === failure.node)));
  let snapshot: Snapshot = {
    now: iso(0),
    config,
    nodes: raw,
    pods: [],
    volumes: [],
    volumeAttachments: [],
    instanceManagers: nodes.filter((n) => n.labels[config.storageLabel.key] === config.storageLabel.value).map((n) => ({ node: n.name, podIP: `pod-ip-of-instance-manager-${n.id}` })),
    ...(originNode ? { origin: originNode.name } : {}),
  };
  const seen = new Set<string>();
  for (let t = first; t <= horizon; t += period) {
    snapshot = { ...snapshot, now: iso(t), lifeSigns: [] };
    // The probes of this run: what the failure gives each endpoint, over the whole window. (The
    // real prober stops at the first life sign; that changes when a hold is logged, never what
    // is decided. The verdict, silent or not, is decide.ts's alone.)
    const reports: LifeSignReport[] = [];
    const targets = probeTargets(snapshot);
    const probeSeconds = targets.length > 0 ? config.lifeSigns.windowSeconds : 0;
    for (const target of targets) {
      const attempts = target.endpoints.map((e) => ({ ...e, result: originNode ? model.probe(originNode, e.kind) : ("error" as ProbeResult), at: iso(t) }));
      reports.push({ node: target.node, origin: snapshot.origin!, start: iso(t), end: iso(t + probeSeconds), attempts });
    }
    snapshot = { ...snapshot, lifeSigns: reports };
    const p = plan(snapshot);
    out.runs.push({ t, actions: p.actions, holds: p.holds, reports });
    const at = t + probeSeconds;
    for (const h of p.holds) {
      const key = `${h.node} ${h.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.events.push({ t, text: `fencing job run (${cj}, "${f.cronJob.schedule}"): ${h.node} not fenced: ${h.code}: ${h.reason}` });
    }
    if (config.dryRun && p.actions.length > 0) {
      out.findings.push(`fencing: ${cj} runs in dry run (FENCING_DRY_RUN=true): it logs ${p.actions.map((a) => `${a.type} ${a.node}`).join(", ")} and executes none`);
      out.events.push({ t: at, text: `fencing job (${cj}, dry run) would ${p.actions.map((a) => `${a.type} ${a.node}`).join(", ")}; executes nothing` });
      break;
    }
    for (const a of p.actions) {
      const id = nodes.find((n) => n.name === a.node)?.id ?? a.node;
      if (a.type === "taint") {
        out.fenceAt.set(id, at);
        out.events.push({ t: at, text: `fencing job (${cj}) taints ${a.node} ${a.taint.key}=${a.taint.value}:${a.taint.effect}: ${a.reason}` });
      } else out.events.push({ t: at, text: `fencing job (${cj}) ${a.type}s ${a.node}: ${a.reason}` });
    }
    snapshot = applyActions(snapshot, p.actions);
  }
  return out;
}
