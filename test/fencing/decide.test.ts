import { describe, expect, it } from "vitest";
import {
  ANNOTATIONS,
  OUT_OF_SERVICE_TAINT,
  applyActions,
  attachmentNodes,
  decide,
  endpointsFor,
  nodeChange,
  plan,
  probeTargets,
  resolveConfig,
  rolesFromLabels,
  type Action,
  type ConditionStatus,
  type FencingConfig,
  type LonghornVolumeInfo,
  type NodeInfo,
  type PodInfo,
  type ProbeResult,
  type Snapshot,
  type Taint,
  type VolumeAttachmentInfo,
} from "../../tools/fencing/decide.ts";

// ---- a small cluster like the seed's: cp1, w1 (primary storage), w2 (backup storage), w3 (GPU) --

const NOW = "2026-03-01T12:00:00.000Z";
const ago = (s: number) => new Date(Date.parse(NOW) - s * 1000).toISOString();
const DAY = 86_400;

const STORAGE_TAINT: Taint = { key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" };
const UNREACHABLE: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: ago(300) };
const OOS: Taint = { ...OUT_OF_SERVICE_TAINT };

interface NodeOpts {
  /** Extra labels (the roles follow them). */
  labels?: Record<string, string>;
  ready?: [ConditionStatus, number] | null;
  unschedulable?: boolean;
  taints?: Taint[];
  annotations?: Record<string, string>;
}

const ADDRESSES: Record<string, string> = { cp1: "192.168.1.10", w1: "192.168.1.12", w2: "192.168.1.22", w3: "192.168.1.13" };

function baseNode(name: string, labels: Record<string, string>, taints: Taint[]): NodeInfo {
  return {
    name,
    address: ADDRESSES[name]!,
    resourceVersion: "100",
    labels: { "kubernetes.io/hostname": name, ...labels },
    roles: rolesFromLabels(labels),
    annotations: {},
    taints,
    unschedulable: false,
    ready: { status: "True", lastTransitionTime: ago(DAY) },
  };
}

function withOpts(node: NodeInfo, o: NodeOpts | undefined): NodeInfo {
  if (!o) return node;
  const n: NodeInfo = { ...node };
  if (o.labels) {
    n.labels = { ...n.labels, ...o.labels };
    n.roles = rolesFromLabels(n.labels);
  }
  if (o.ready === null) delete n.ready;
  else if (o.ready) n.ready = { status: o.ready[0], lastTransitionTime: ago(o.ready[1]) };
  if (o.unschedulable !== undefined) n.unschedulable = o.unschedulable;
  if (o.taints) n.taints = o.taints;
  if (o.annotations) n.annotations = o.annotations;
  return n;
}

type Names = "cp1" | "w1" | "w2" | "w3";

function cluster(
  nodes: Partial<Record<Names, NodeOpts>> = {},
  rest: { pods?: PodInfo[]; volumes?: LonghornVolumeInfo[]; vas?: VolumeAttachmentInfo[]; config?: Partial<FencingConfig>; probes?: "none" } = {},
): Snapshot {
  const storage = { "node.longhorn.io/storage": "enabled" };
  const snap: Snapshot = {
    now: NOW,
    config: resolveConfig(rest.config),
    nodes: [
      withOpts(baseNode("cp1", { "node-role.kubernetes.io/control-plane": "true" }, []), nodes.cp1),
      withOpts(baseNode("w1", { ...storage, "node.longhorn.io/primary": "true", "workload-priority": "primary" }, [STORAGE_TAINT]), nodes.w1),
      withOpts(baseNode("w2", { ...storage, "node.longhorn.io/primary": "false", "workload-priority": "backup" }, [STORAGE_TAINT]), nodes.w2),
      withOpts(baseNode("w3", { gpu: "true" }, []), nodes.w3),
    ],
    pods: rest.pods ?? [],
    volumes: rest.volumes ?? [],
    volumeAttachments: rest.vas ?? [],
  };
  return rest.probes === "none" ? snap : withTruthfulProbes(snap);
}

/** A life-sign report of `node` from `origin`: every endpoint gives `result`, over `seconds`. */
function report(snap: Snapshot, node: string, origin: string, result: ProbeResult | ((kind: string) => ProbeResult), seconds = snap.config.lifeSigns.windowSeconds) {
  const n = snap.nodes.find((x) => x.name === node)!;
  const attempts = endpointsFor(snap, n).map((e) => ({ ...e, result: typeof result === "function" ? result(e.kind) : result, at: NOW }));
  return { node, origin, start: NOW, end: new Date(Date.parse(NOW) + seconds * 1000).toISOString(), attempts };
}

/**
 * The job runs where the scheduler puts it (a Ready, schedulable storage node, else any Ready
 * storage node) and probes the nodes probeTargets names; the probes tell the truth of these
 * tables: a NotReady node is powered off (every connect times out), a Ready node answers.
 */
function withTruthfulProbes(snap: Snapshot): Snapshot {
  const storage = snap.nodes.filter((n) => n.labels["node.longhorn.io/storage"] === "enabled" && n.ready?.status === "True");
  const origin = (storage.find((n) => !n.unschedulable) ?? storage[0])?.name;
  if (!origin) return snap;
  const withOrigin = { ...snap, origin };
  const lifeSigns = probeTargets(withOrigin).map((t) => {
    const ready = snap.nodes.find((n) => n.name === t.node)!.ready?.status === "True";
    return report(withOrigin, t.node, origin, ready ? "answered" : "timeout");
  });
  return { ...withOrigin, lifeSigns };
}

function volume(name: string, claim: string, currentNodeID: string, extra: Partial<LonghornVolumeInfo> = {}): LonghornVolumeInfo {
  return {
    name,
    accessMode: "rwo",
    currentNodeID,
    state: currentNodeID ? "attached" : "detached",
    robustness: currentNodeID ? "degraded" : "unknown",
    kubernetesStatus: { pvName: name, pvcName: claim, namespace: "media" },
    ...extra,
  };
}

function pod(name: string, nodeName: string, pvcs: string[], phase = "Running"): PodInfo {
  return { namespace: "media", name, uid: `uid-${name}`, nodeName, phase, pvcs };
}

function va(pv: string, nodeName: string, attached = true): VolumeAttachmentInfo {
  return { name: `csi-${pv}-${nodeName}`, nodeName, attached, persistentVolumeName: pv };
}

/** w1 as this job leaves it after fencing (it cordoned it). */
const FENCED_W1 = {
  unschedulable: true,
  taints: [STORAGE_TAINT, OOS],
  annotations: { [ANNOTATIONS.fencedAt]: ago(3600), [ANNOTATIONS.cordoned]: "true" },
} satisfies NodeOpts;

const SONARR_ON_W2 = volume("pvc-sonarr", "config-sonarr-0", "w2");
const RADARR_ON_W1 = volume("pvc-radarr", "config-radarr-0", "w1");

/** Compact, readable form of an action for the table. */
function show(a: Action): string {
  switch (a.type) {
    case "taint":
    case "untaint":
      return `${a.type} ${a.node} ${a.taint.key}=${a.taint.value}:${a.taint.effect}`;
    case "deletePod":
      return `deletePod ${a.node} ${a.namespace}/${a.pod}`;
    default:
      return `${a.type} ${a.node}`;
  }
}

const FENCE_W1 = ["cordon w1", "taint w1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"];
const UNFENCE_W1 = ["untaint w1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute", "uncordon w1"];

interface Row {
  name: string;
  snapshot: Snapshot;
  actions: string[];
  /** `<node> <code>` of the holds. */
  holds?: string[];
  /** Holds expected after applying the actions and running again (the actions themselves must be []). */
  holdsAfter?: string[];
}

const rows: Row[] = [
  { name: "healthy cluster: nothing to do", snapshot: cluster(), actions: [], holds: [] },
  {
    name: "w1 NotReady for less than the threshold",
    snapshot: cluster({ w1: { ready: ["False", 60] } }),
    actions: [],
    holds: ["w1 not-ready-below-threshold"],
  },
  {
    name: "w1 NotReady beyond the threshold: cordon + out-of-service taint",
    snapshot: cluster({ w1: { ready: ["False", 300], taints: [STORAGE_TAINT, UNREACHABLE] } }),
    actions: FENCE_W1,
    holdsAfter: ["w1 fenced-node-not-ready"],
  },
  {
    name: "w1 Ready=Unknown (kubelet silent) beyond the threshold",
    snapshot: cluster({ w1: { ready: ["Unknown", 121] } }),
    actions: FENCE_W1,
  },
  {
    name: "w1 NotReady exactly the threshold (boundary is inclusive)",
    snapshot: cluster({ w1: { ready: ["Unknown", 120] } }),
    actions: FENCE_W1,
  },
  {
    name: "flapping w1: back to NotReady 30 s ago after a Ready blip resets the clock",
    snapshot: cluster({ w1: { ready: ["Unknown", 30] } }),
    actions: [],
    holds: ["w1 not-ready-below-threshold"],
  },
  {
    name: "both storage nodes down: no failover target, nobody is fenced",
    snapshot: cluster({ w1: { ready: ["Unknown", 600] }, w2: { ready: ["Unknown", 400] } }),
    actions: [],
    holds: ["w1 no-failover-target", "w2 no-failover-target"],
  },
  {
    name: "w2 already fenced and still down, then w1 goes down: w1 is the last storage node",
    snapshot: cluster({
      w1: { ready: ["Unknown", 600] },
      w2: { ready: ["Unknown", 3600], unschedulable: true, taints: [STORAGE_TAINT, OOS], annotations: { [ANNOTATIONS.fencedAt]: ago(3000), [ANNOTATIONS.cordoned]: "true" } },
    }),
    actions: [],
    holds: ["w1 no-failover-target", "w2 fenced-node-not-ready"],
  },
  {
    name: "w2 cordoned for maintenance while w1 dies: nowhere to fail over, no fence",
    snapshot: cluster({ w1: { ready: ["Unknown", 600] }, w2: { unschedulable: true } }),
    actions: [],
    holds: ["w1 no-failover-target"],
  },
  {
    name: "control-plane node down: out of scope",
    snapshot: cluster({ cp1: { ready: ["Unknown", DAY] } }),
    actions: [],
    holds: [],
  },
  {
    name: "GPU node down: out of scope",
    snapshot: cluster({ w3: { ready: ["False", DAY] } }),
    actions: [],
    holds: [],
  },
  {
    name: "control-plane node that is also a storage node goes down: never fenced (its role, not its label, decides)",
    snapshot: cluster({ cp1: { labels: { "node.longhorn.io/storage": "enabled" }, ready: ["Unknown", DAY] } }),
    actions: [],
    holds: ["cp1 control-plane"],
  },
  {
    name: "w1 down while the only other Ready storage node is a control-plane node: that node is the failover target",
    snapshot: cluster({ cp1: { labels: { "node.longhorn.io/storage": "enabled" } }, w1: { ready: ["Unknown", 600] }, w2: { ready: ["Unknown", 600] } }),
    actions: [...FENCE_W1, "cordon w2", "taint w2 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"],
    holdsAfter: ["w1 fenced-node-not-ready", "w2 fenced-node-not-ready"],
  },
  {
    name: "both were down, w2 is back (Ready 10 s) and w1 is still down: w1 is fenced now",
    snapshot: cluster({ w1: { ready: ["Unknown", 900] }, w2: { ready: ["True", 10] } }),
    actions: FENCE_W1,
  },
  {
    name: "w1 without a Ready condition: downtime unknown, never fenced",
    snapshot: cluster({ w1: { ready: null } }),
    actions: [],
    holds: ["w1 ready-condition-missing"],
  },
  {
    name: "human-cordoned w1 goes down: tainted, not cordoned (the cordon is not ours)",
    snapshot: cluster({ w1: { ready: ["Unknown", 600], unschedulable: true } }),
    actions: ["taint w1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"],
  },
  {
    name: "w1 fenced and still down: nothing new",
    snapshot: cluster({ w1: { ...FENCED_W1, ready: ["Unknown", 3700] } }),
    actions: [],
    holds: ["w1 fenced-node-not-ready"],
  },
  {
    name: "w1 fenced, someone removed our taint while it is still down: taint again",
    snapshot: cluster({ w1: { ...FENCED_W1, taints: [STORAGE_TAINT], ready: ["Unknown", 3700] } }),
    actions: ["taint w1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"],
  },
  {
    name: "recovering w1 runs a stale pod whose volume is attached to w2: delete it, stay fenced",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      {
        pods: [pod("sonarr-7d9f", "w1", ["config-sonarr-0"]), pod("sonarr-5c2a", "w2", ["config-sonarr-0"]), pod("radarr-0", "w1", ["config-radarr-0"])],
        volumes: [SONARR_ON_W2, RADARR_ON_W1],
        vas: [va("pvc-sonarr", "w2"), va("pvc-radarr", "w1")],
      },
    ),
    actions: ["deletePod w1 media/sonarr-7d9f"],
    holdsAfter: ["w1 fenced-waiting-recovery"],
  },
  {
    name: "stale pod seen only through a VolumeAttachment (Longhorn status lagging)",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      {
        pods: [pod("sonarr-7d9f", "w1", ["config-sonarr-0"])],
        volumes: [volume("pvc-sonarr", "config-sonarr-0", "", { state: "attaching" })],
        vas: [va("pvc-sonarr", "w2")],
      },
    ),
    actions: ["deletePod w1 media/sonarr-7d9f"],
  },
  {
    name: "recovering w1 with no stale pod and no volume elsewhere: unfence",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      { pods: [pod("radarr-0", "w1", ["config-radarr-0"])], volumes: [RADARR_ON_W1], vas: [va("pvc-radarr", "w1")] },
    ),
    actions: UNFENCE_W1,
  },
  {
    name: "recovering w1, its old volume still attached to w2 but no pod here uses it: unfence (failback needs w1)",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      { pods: [pod("sonarr-5c2a", "w2", ["config-sonarr-0"])], volumes: [SONARR_ON_W2], vas: [va("pvc-sonarr", "w2"), va("pvc-sonarr", "w1", false)] },
    ),
    actions: UNFENCE_W1,
  },
  {
    name: "recovering w1 that a human had cordoned before the fence: untaint only, the cordon stays",
    snapshot: cluster({ w1: { ...FENCED_W1, annotations: { [ANNOTATIONS.fencedAt]: ago(3600) }, ready: ["True", 300] } }),
    actions: ["untaint w1 node.kubernetes.io/out-of-service=nodeshutdown:NoExecute"],
  },
  {
    name: "recovering w1 Ready for less than the recovery time: stays fenced",
    snapshot: cluster({ w1: { ...FENCED_W1, ready: ["True", 60] } }),
    actions: [],
    holds: ["w1 fenced-waiting-recovery"],
  },
  {
    name: "recovering w1 whose stale pods were deleted 30 s ago: stays fenced while they die",
    snapshot: cluster({
      w1: { ...FENCED_W1, annotations: { ...FENCED_W1.annotations, [ANNOTATIONS.stalePodsDeletedAt]: ago(30) }, ready: ["True", 300] },
    }),
    actions: [],
    holds: ["w1 fenced-waiting-recovery"],
  },
  {
    name: "recovering w1 whose stale pods were deleted 10 min ago: unfence",
    snapshot: cluster({
      w1: { ...FENCED_W1, annotations: { ...FENCED_W1.annotations, [ANNOTATIONS.stalePodsDeletedAt]: ago(600) }, ready: ["True", 900] },
    }),
    actions: UNFENCE_W1,
  },
  {
    name: "pod on recovering w1 uses an RWX volume served from w2: not stale, unfence",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      {
        pods: [pod("plex-0", "w1", ["transcode"])],
        volumes: [volume("pvc-transcode", "transcode", "w2", { accessMode: "rwx" })],
        vas: [va("pvc-transcode", "w2"), va("pvc-transcode", "w1")],
      },
    ),
    actions: UNFENCE_W1,
  },
  {
    name: "finished pod on recovering w1 uses a volume attached to w2: not stale, unfence",
    snapshot: cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      { pods: [pod("backup-29311", "w1", ["config-sonarr-0"], "Succeeded")], volumes: [SONARR_ON_W2], vas: [va("pvc-sonarr", "w2")] },
    ),
    actions: UNFENCE_W1,
  },
  {
    name: "out-of-service taint put by a human: left alone, down or up",
    snapshot: cluster({
      w1: { ready: ["Unknown", 3600], unschedulable: true, taints: [STORAGE_TAINT, OOS] },
      w2: { ready: ["True", 60], taints: [STORAGE_TAINT, OOS] },
    }),
    actions: [],
    holds: ["w1 fenced-by-others", "w2 fenced-by-others"],
  },
  {
    name: "dry run decides exactly like a live run",
    snapshot: cluster({ w1: { ready: ["False", 300] } }, { config: { dryRun: true } }),
    actions: FENCE_W1,
  },
  {
    name: "a longer threshold from values (600 s) holds a 300 s outage",
    snapshot: cluster({ w1: { ready: ["False", 300] } }, { config: { thresholdSeconds: 600 } }),
    actions: [],
    holds: ["w1 not-ready-below-threshold"],
  },
  {
    name: "another storage label: w1/w2 are not storage nodes under it, w3 is none either",
    snapshot: cluster({ w1: { ready: ["False", 3600] } }, { config: { storageLabel: { key: "storage", value: "longhorn" } } }),
    actions: [],
    holds: [],
  },
];

describe("plan: decision table", () => {
  it.each(rows)("$name", (row) => {
    const first = plan(row.snapshot);
    expect(first.actions.map(show)).toEqual(row.actions);
    if (row.holds) expect(first.holds.map((h) => `${h.node} ${h.code}`)).toEqual(row.holds);
    for (const a of first.actions) expect(a.reason.length).toBeGreaterThan(20);
    for (const h of first.holds) expect(h.reason.length).toBeGreaterThan(20);

    // Second run, on the snapshot as the actions left it: nothing new.
    const second = plan(applyActions(row.snapshot, first.actions));
    expect(second.actions.map(show)).toEqual([]);
    if (row.holdsAfter) expect(second.holds.map((h) => `${h.node} ${h.code}`)).toEqual(row.holdsAfter);
  });

  it("has at least 15 scenarios", () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
  });
});

// ---- runs over time: the CronJob every 120 s against a node whose Ready condition changes --------

/** A Ready condition history: [seconds after NOW, status], in time order. */
type History = [number, ConditionStatus][];

/** The Ready condition at `t` as the node controller reports it: the last change at or before `t`. */
function readyAt(history: History, t: number): NonNullable<NodeInfo["ready"]> {
  const last = history.filter(([at]) => at <= t).at(-1);
  if (!last) throw new Error(`history starts after t=${t}`);
  return { status: last[1], lastTransitionTime: new Date(Date.parse(NOW) + last[0] * 1000).toISOString() };
}

/**
 * Runs the job at each time of `runs` (seconds after NOW) on w1 with the given Ready history,
 * applying each run's actions before the next, and returns one line per run:
 * `t=<s> <actions or holds of w1>`.
 */
function simulate(history: History, runs: number[], start: Snapshot = cluster()): string[] {
  let s = start;
  const out: string[] = [];
  for (const t of runs) {
    s = withTruthfulProbes({
      ...s,
      now: new Date(Date.parse(NOW) + t * 1000).toISOString(),
      nodes: s.nodes.map((n) => (n.name === "w1" ? { ...n, ready: readyAt(history, t) } : n)),
    });
    const { actions, holds } = plan(s);
    const what = actions.length > 0 ? actions.map(show) : holds.filter((h) => h.node === "w1").map((h) => `hold ${h.code}`);
    out.push(`t=${t} ${what.join(", ") || "-"}`);
    s = applyActions(s, actions);
  }
  return out;
}

const everyPeriod = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 120) + 1 }, (_, i) => from + i * 120);

describe("plan over time (one run every 120 s)", () => {
  it("a flapping w1 (down 100 s, up 10 s, again and again) is never fenced, though it was down 400 s of 440", () => {
    const history: History = [[-DAY, "True"], [0, "Unknown"], [100, "True"], [110, "Unknown"], [210, "True"], [220, "Unknown"], [320, "True"], [330, "Unknown"], [430, "True"]];
    expect(simulate(history, everyPeriod(60, 540))).toEqual([
      "t=60 hold not-ready-below-threshold",
      "t=180 hold not-ready-below-threshold",
      "t=300 hold not-ready-below-threshold",
      "t=420 hold not-ready-below-threshold",
      "t=540 -",
    ]);
  });

  it("a flapping w1 that then stays down is fenced once it has been down for the whole threshold", () => {
    const history: History = [[-DAY, "True"], [0, "Unknown"], [100, "True"], [110, "Unknown"]];
    expect(simulate(history, everyPeriod(60, 420))).toEqual([
      "t=60 hold not-ready-below-threshold",
      "t=180 hold not-ready-below-threshold",
      `t=300 ${FENCE_W1.join(", ")}`,
      "t=420 hold fenced-node-not-ready",
    ]);
  });

  it("a fenced w1 that flaps back to Ready is not unfenced until it stays Ready for recoverySeconds, and is not fenced twice", () => {
    const history: History = [[-DAY, "True"], [0, "Unknown"], [1000, "True"], [1100, "Unknown"], [1250, "True"]];
    expect(simulate(history, [180, 300, 1080, 1200, 1320, 1440, 1560])).toEqual([
      `t=180 ${FENCE_W1.join(", ")}`,
      "t=300 hold fenced-node-not-ready",
      "t=1080 hold fenced-waiting-recovery", // Ready for 80 s
      "t=1200 hold fenced-node-not-ready", // down again: already fenced, nothing to add
      "t=1320 hold fenced-waiting-recovery", // Ready for 70 s
      `t=1440 ${UNFENCE_W1.join(", ")}`, // Ready for 190 s
      "t=1560 -",
    ]);
  });
});

describe("plan: details", () => {
  it("GIVEN dry run WHEN deciding THEN the actions equal those of the live run", () => {
    const live = cluster({ w1: { ready: ["False", 300] } });
    const dry = { ...live, config: { ...live.config, dryRun: true } };
    expect(decide(dry)).toEqual(decide(live));
  });

  it("names the failover target and the downtime in the fence reason", () => {
    const [cordon, taint] = decide(cluster({ w1: { ready: ["Unknown", 300] } }));
    expect(cordon!.reason).toContain("Ready=Unknown for 300s (threshold 120s), silent from w2 for 30s");
    expect(cordon!.reason).toContain("timed out); failover target: w2");
    expect(taint!.reason).toContain("non-graceful shutdown");
  });

  it("explains the both-down hold", () => {
    const { holds } = plan(cluster({ w1: { ready: ["Unknown", 600] }, w2: { ready: ["False", 600] } }));
    expect(holds[0]!.reason).toContain("no other storage node is Ready, schedulable and in service");
  });

  it("a stale pod's delete action carries its uid, volumes and where they are attached", () => {
    const [action] = decide(cluster(
      { w1: { ...FENCED_W1, ready: ["True", 300] } },
      { pods: [pod("sonarr-7d9f", "w1", ["config-sonarr-0"])], volumes: [SONARR_ON_W2], vas: [va("pvc-sonarr", "w2")] },
    ));
    expect(action).toMatchObject({
      type: "deletePod",
      node: "w1",
      namespace: "media",
      pod: "sonarr-7d9f",
      uid: "uid-sonarr-7d9f",
      volumes: ["pvc-sonarr"],
      attachedTo: ["w2"],
    });
    expect(action!.reason).toContain("volume pvc-sonarr is attached to w2; node stays fenced");
  });

  it("converges: fence, recover with a stale pod, wait, unfence, then quiet", () => {
    const pods = [pod("sonarr-7d9f", "w1", ["config-sonarr-0"])];
    // w1 dies.
    let s = cluster({ w1: { ready: ["Unknown", 300] } }, { pods, volumes: [volume("pvc-sonarr", "config-sonarr-0", "w1")] });
    s = applyActions(s, decide(s));
    expect(s.nodes.find((n) => n.name === "w1")!.annotations).toEqual({ [ANNOTATIONS.fencedAt]: NOW, [ANNOTATIONS.cordoned]: "true" });
    // Later: the volume moved to w2 and w1 is back, still running the old pod.
    const later = (sec: number, snap: Snapshot, w1Ready: number): Snapshot => withTruthfulProbes({
      ...snap,
      now: new Date(Date.parse(NOW) + sec * 1000).toISOString(),
      nodes: snap.nodes.map((n) => (n.name === "w1" ? { ...n, ready: { status: "True", lastTransitionTime: new Date(Date.parse(NOW) + (sec - w1Ready) * 1000).toISOString() } } : n)),
      volumes: [SONARR_ON_W2],
    });
    s = later(600, s, 300);
    expect(decide(s).map(show)).toEqual(["deletePod w1 media/sonarr-7d9f"]);
    s = applyActions(s, decide(s));
    expect(s.pods).toEqual([]);
    // Two minutes later (the next CronJob run): the deletion is 120 s old, recoverySeconds is 120.
    s = later(720, s, 420);
    expect(decide(s).map(show)).toEqual(UNFENCE_W1);
    s = applyActions(s, decide(s));
    const w1 = s.nodes.find((n) => n.name === "w1")!;
    expect(w1).toMatchObject({ unschedulable: false, taints: [STORAGE_TAINT], annotations: {} });
    expect(plan(s)).toEqual({ actions: [], holds: [] });
  });

  it("rejects a snapshot whose time does not parse", () => {
    expect(() => plan({ ...cluster(), now: "yesterday" })).toThrow("snapshot.now is not an ISO time: 'yesterday'");
  });
});

describe("nodeChange", () => {
  const w1 = cluster({ w1: { taints: [STORAGE_TAINT, UNREACHABLE] } }).nodes[1]!;

  it("folds cordon + taint into one change with the complete taint list and both annotations", () => {
    const change = nodeChange(w1, [
      { type: "cordon", node: "w1", reason: "r" },
      { type: "taint", node: "w1", taint: OOS, reason: "r" },
      { type: "cordon", node: "w2", reason: "not mine" },
    ], NOW);
    expect(change).toEqual({
      node: "w1",
      unschedulable: true,
      taints: [STORAGE_TAINT, UNREACHABLE, OOS],
      annotations: { [ANNOTATIONS.cordoned]: "true", [ANNOTATIONS.fencedAt]: NOW },
    });
  });

  it("untaint removes only the out-of-service taint and all fence annotations", () => {
    const fenced = { ...w1, taints: [STORAGE_TAINT, OOS] };
    expect(nodeChange(fenced, [{ type: "untaint", node: "w1", taint: OOS, reason: "r" }], NOW)).toEqual({
      node: "w1",
      taints: [STORAGE_TAINT],
      annotations: { [ANNOTATIONS.fencedAt]: null, [ANNOTATIONS.stalePodsDeletedAt]: null },
    });
  });

  it("a pod deletion records its time on the node; no action for the node means no change", () => {
    const del: Action = { type: "deletePod", node: "w1", namespace: "media", pod: "p", volumes: ["v"], attachedTo: ["w2"], reason: "r" };
    expect(nodeChange(w1, [del], NOW)).toEqual({ node: "w1", annotations: { [ANNOTATIONS.stalePodsDeletedAt]: NOW } });
    expect(nodeChange(w1, [], NOW)).toBeUndefined();
  });
});

describe("attachmentNodes", () => {
  it.each([
    { name: "Longhorn attached", vol: volume("pv", "c", "w2"), vas: [], expected: ["w2"] },
    { name: "detached volume ignores a stale currentNodeID", vol: volume("pv", "c", "w2", { state: "detached" }), vas: [], expected: [] },
    { name: "live migration: both nodes", vol: volume("pv", "c", "w1", { currentMigrationNodeID: "w2" }), vas: [], expected: ["w1", "w2"] },
    { name: "VolumeAttachments: attached only", vol: volume("pv", "c", ""), vas: [va("pv", "w2"), va("pv", "w1", false), va("other", "w3")], expected: ["w2"] },
    { name: "PV name from kubernetesStatus", vol: volume("lh-name", "c", "", { kubernetesStatus: { pvName: "pv-x", pvcName: "c", namespace: "media" } }), vas: [va("pv-x", "w2")], expected: ["w2"] },
  ])("$name", ({ vol, vas, expected }) => {
    expect(attachmentNodes(vol, vas)).toEqual(expected);
  });
});

describe("resolveConfig", () => {
  it("defaults to 120 s, the Longhorn storage label, live mode; recovery follows the threshold", () => {
    expect(resolveConfig()).toEqual({
      thresholdSeconds: 120,
      recoverySeconds: 120,
      storageLabel: { key: "node.longhorn.io/storage", value: "enabled" },
      dryRun: false,
      mode: "availability",
      lifeSigns: { windowSeconds: 30, intervalSeconds: 5, timeoutMs: 2000, kubeletPort: 10250, instanceManagerPort: 8500, nodePorts: {}, defaultNodePort: 22 },
    });
    expect(resolveConfig({ thresholdSeconds: 300 }).recoverySeconds).toBe(300);
    expect(resolveConfig({ thresholdSeconds: 300, recoverySeconds: 60 }).recoverySeconds).toBe(60);
  });
});

describe("rolesFromLabels", () => {
  it.each<{ name: string; labels: Record<string, string>; roles: string[] }>([
    { name: "k3s server", labels: { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true", "node-role.kubernetes.io/etcd": "true" }, roles: ["control-plane", "etcd", "master"] },
    { name: "kubeadm control plane (empty value)", labels: { "node-role.kubernetes.io/control-plane": "" }, roles: ["control-plane"] },
    { name: "legacy kubernetes.io/role", labels: { "kubernetes.io/role": "worker", "node-role.kubernetes.io/worker": "true" }, roles: ["worker"] },
    { name: "a storage worker without role labels", labels: { "node.longhorn.io/storage": "enabled", "kubernetes.io/hostname": "w1" }, roles: [] },
    { name: "a bare prefix is no role", labels: { "node-role.kubernetes.io/": "true" }, roles: [] },
  ])("$name", ({ labels, roles }) => {
    expect(rolesFromLabels(labels)).toEqual(roles);
  });
});
