/**
 * The fencing decision over every combination of: w1's state (NotReady below / beyond the
 * threshold, or fenced by the job and Ready again), the life-sign probe result (timeout over the
 * whole window, timeout over too short a window, refused, answered, prober error), the probe's
 * origin (the peer storage node w2, the control-plane node cp1, unknown), w1's control-plane
 * role, the mode and a stale pod on w1. The expected outcome is stated by the rules of the issue
 * (expected() below), independently of decide.ts, and compared with plan().
 */
import { describe, expect, it } from "vitest";
import {
  ANNOTATIONS,
  OUT_OF_SERVICE_TAINT,
  endpointsFor,
  plan,
  resolveConfig,
  rolesFromLabels,
  type FencingMode,
  type NodeInfo,
  type ProbeResult,
  type Snapshot,
} from "../../tools/fencing/decide.ts";

const NOW = "2026-03-01T12:00:00.000Z";
const ago = (s: number) => new Date(Date.parse(NOW) - s * 1000).toISOString();
const STORAGE = { "node.longhorn.io/storage": "enabled" };
const CP = { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true" };

type State = "notready-60s" | "notready-300s" | "fenced-ready-300s";
type Probe = "timeout" | "timeout-short-window" | "refused" | "answered" | "error";
type Origin = "peer w2" | "cp1" | "unknown";

const STATES: State[] = ["notready-60s", "notready-300s", "fenced-ready-300s"];
const PROBES: Probe[] = ["timeout", "timeout-short-window", "refused", "answered", "error"];
const ORIGINS: Origin[] = ["peer w2", "cp1", "unknown"];
const MODES: FencingMode[] = ["availability", "safety"];

function node(name: string, labels: Record<string, string>, address: string, extra: Partial<NodeInfo> = {}): NodeInfo {
  return {
    name,
    address,
    labels: { "kubernetes.io/hostname": name, ...labels },
    roles: rolesFromLabels(labels),
    annotations: {},
    taints: [],
    unschedulable: false,
    ready: { status: "True", lastTransitionTime: ago(86_400) },
    ...extra,
  };
}

function snapshot(state: State, probe: Probe, origin: Origin, controlPlane: boolean, mode: FencingMode, stale: boolean): Snapshot {
  const w1Labels = { ...STORAGE, ...(controlPlane ? CP : {}) };
  const fenced = state === "fenced-ready-300s";
  const w1 = node("w1", w1Labels, "192.168.1.12", {
    ready: { status: fenced ? "True" : "Unknown", lastTransitionTime: ago(state === "notready-60s" ? 60 : 300) },
    ...(fenced
      ? { unschedulable: true, taints: [{ ...OUT_OF_SERVICE_TAINT }], annotations: { [ANNOTATIONS.fencedAt]: ago(3600), [ANNOTATIONS.cordoned]: "true" } }
      : {}),
  });
  const snap: Snapshot = {
    now: NOW,
    config: resolveConfig({ mode }),
    nodes: [node("cp1", CP, "192.168.1.10"), w1, node("w2", STORAGE, "192.168.1.22"), node("w3", {}, "192.168.1.13")],
    pods: stale ? [{ namespace: "media", name: "sonarr-0", uid: "u1", nodeName: "w1", phase: "Running", pvcs: ["config-sonarr-0"] }] : [],
    volumes: stale
      ? [{ name: "pvc-s", accessMode: "rwo", currentNodeID: "w2", state: "attached", kubernetesStatus: { pvName: "pvc-s", pvcName: "config-sonarr-0", namespace: "media" } }]
      : [],
    volumeAttachments: [],
    instanceManagers: [{ node: "w1", podIP: "10.42.1.5" }],
  };
  if (origin === "unknown") return snap;
  const from = origin === "peer w2" ? "w2" : "cp1";
  const result: ProbeResult = probe === "timeout-short-window" ? "timeout" : probe;
  const seconds = probe === "timeout-short-window" ? 10 : 30;
  const attempts = endpointsFor(snap, w1).map((e) => ({ ...e, result, at: NOW }));
  return { ...snap, origin: from, lifeSigns: [{ node: "w1", origin: from, start: NOW, end: new Date(Date.parse(NOW) + seconds * 1000).toISOString(), attempts }] };
}

/** The rules, stated once more in the words: "<actions>" or "hold <code>". */
function expected(state: State, probe: Probe, origin: Origin, controlPlane: boolean, stale: boolean): string {
  const silent = probe === "timeout";
  const alive = probe === "refused" || probe === "answered";
  if (state === "fenced-ready-300s") {
    // Stale pods go first, whatever the probes say; then the unfence needs a reachable node.
    if (stale) return "deletePod media/sonarr-0";
    if (origin !== "peer w2") return "hold life-signs-unknown";
    if (alive) return "untaint w1, uncordon w1";
    return silent ? "hold fenced-not-reachable" : "hold life-signs-unknown";
  }
  if (controlPlane) return "hold control-plane";
  if (state === "notready-60s") return "hold not-ready-below-threshold";
  if (origin !== "peer w2") return "hold life-signs-unknown";
  if (alive) return "hold life-signs";
  return silent ? "cordon w1, taint w1" : "hold life-signs-unknown";
}

interface Row {
  state: State;
  probe: Probe;
  origin: Origin;
  controlPlane: boolean;
  mode: FencingMode;
  stale: boolean;
}

const rows: Row[] = [];
for (const state of STATES)
  for (const probe of PROBES)
    for (const origin of ORIGINS)
      for (const controlPlane of [false, true])
        for (const mode of MODES)
          for (const stale of [false, true]) rows.push({ state, probe, origin, controlPlane, mode, stale });

describe("fencing decision table", () => {
  it("covers every combination", () => {
    expect(rows.length).toBe(STATES.length * PROBES.length * ORIGINS.length * 2 * MODES.length * 2);
  });

  it.each(rows)("$state, probe $probe from $origin, control-plane $controlPlane, $mode, stale pod $stale", ({ state, probe, origin, controlPlane, mode, stale }) => {
    const { actions, holds } = plan(snapshot(state, probe, origin, controlPlane, mode, stale));
    const got = actions.length > 0
      ? actions.map((a) => (a.type === "deletePod" ? `deletePod ${a.namespace}/${a.pod}` : `${a.type} ${a.node}`)).join(", ")
      : holds.filter((h) => h.node === "w1").map((h) => `hold ${h.code}`).join(", ");
    expect(got).toBe(expected(state, probe, origin, controlPlane, stale));
    const lifeHold = holds.find((h) => h.code === "life-signs");
    if (lifeHold) {
      // The reason names the life signs and what the mode means for the pods.
      expect(lifeHold.lifeSigns!.length).toBe(3);
      expect(lifeHold.reason).toContain(mode === "availability" ? "two writers are possible" : "mode safety");
    }
    const fence = actions.find((a) => a.type === "taint");
    if (fence) expect(fence.reason).toMatch(/silent from w2 for 30s \(3 attempts at kubelet 192\.168\.1\.12:10250, node-port 192\.168\.1\.12:22, instance-manager 10\.42\.1\.5:8500 timed out\)/);
  });
});
