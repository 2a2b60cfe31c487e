import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANNOTATIONS, OUT_OF_SERVICE_TAINT } from "../../tools/fencing/decide.ts";
import { FencingConfigError, run, settingsFromEnv } from "../../tools/fencing/main.ts";
import { FakeApi, FakeNodeEndpoints, NODE_IPS, NOW, STORAGE_TAINT, ago, rawCluster, rawInstanceManager, rawPod, rawVa, rawVolume, statusBody } from "./fake-api.ts";

let api: FakeApi;
let endpoints: FakeNodeEndpoints;
beforeEach(async () => {
  api = await new FakeApi().start();
  endpoints = await new FakeNodeEndpoints().init();
  // Every node answers, except those a test blackholes (powered off) or leaves without listeners.
  await endpoints.listen(NODE_IPS.cp1);
  await endpoints.listen(NODE_IPS.w2);
});
afterEach(async () => {
  await api.close();
  await endpoints.close();
});

/** The job as the chart runs it on w2 (the peer of w1), probing the fake endpoints. */
const ON_W2 = () => ({ FENCING_NODE_NAME: "w2", FENCING_PROBE_WINDOW_SECONDS: "30", FENCING_PROBE_INTERVAL_SECONDS: "5", FENCING_PROBE_TIMEOUT_MS: "500", ...endpoints.env() });

/**
 * Runs main against the fake server; returns the exit code and the parsed log lines. The clock
 * stands at NOW and moves only when the prober sleeps between rounds.
 */
async function runMain(env: Record<string, string> = {}) {
  const lines: string[] = [];
  let clock = Date.parse(NOW);
  const code = await run({
    env,
    connection: { baseUrl: api.url, token: api.token },
    write: (line) => lines.push(line),
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
    },
    connect: endpoints.connect,
  });
  for (const line of lines) expect(line).not.toContain("\n");
  return { code, lines, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const W1_DOWN = () => {
  endpoints.blackhole.add(NODE_IPS.w1);
  return rawCluster({ w1: { ready: ["Unknown", 300] } });
};
const OOS_TAINT = { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" };
const SILENT = () => `silent from w2 for 30s (14 attempts at kubelet ${NODE_IPS.w1}:${endpoints.ports.kubelet}, node-port ${NODE_IPS.w1}:${endpoints.ports.node} timed out)`;
const REASON = () => `Ready=Unknown for 300s (threshold 120s), ${SILENT()}; failover target: w2`;
const AFTER_PROBE = new Date(Date.parse(NOW) + 30_000).toISOString();

describe("run (end to end against the fake API)", () => {
  it("dry run: logs the probe, the planned actions and a summary, writes nothing", async () => {
    api.state.nodes = W1_DOWN();
    const { code, logs, lines } = await runMain({ ...ON_W2(), FENCING_DRY_RUN: "true" });
    expect(code).toBe(0);
    expect(logs).toEqual([
      {
        time: AFTER_PROBE, level: "info", event: "probe", node: "w1", origin: "w2", start: NOW, end: AFTER_PROBE,
        endpoints: [`kubelet ${NODE_IPS.w1}:${endpoints.ports.kubelet}`, `node-port ${NODE_IPS.w1}:${endpoints.ports.node}`], results: { timeout: 14 },
      },
      { time: AFTER_PROBE, level: "info", event: "action", action: "cordon", node: "w1", reason: `${REASON()}; cordoned by the fencing job`, dryRun: true, outcome: "planned" },
      {
        time: AFTER_PROBE, level: "info", event: "action", action: "taint", node: "w1", taint: OOS_TAINT,
        reason: `${REASON()}; non-graceful shutdown: pods deleted, volumes detached at once`, dryRun: true, outcome: "planned",
      },
      { time: AFTER_PROBE, level: "info", event: "summary", dryRun: true, storageNodes: 2, planned: 2, applied: 0, failed: 0, holds: 0 },
    ]);
    // Key order is part of the format: time, level, event first.
    expect(lines[1]).toMatch(/^\{"time":"[^"]+","level":"info","event":"action","action":"cordon",/);
    expect(api.writes()).toEqual([]);
    expect(api.node("w1").spec!.taints).toEqual([STORAGE_TAINT]);
  });

  it("live run: fences a silent w1, and the next run finds nothing to do (no probe either)", async () => {
    api.state.nodes = W1_DOWN();
    const first = await runMain({ ...ON_W2(), FENCING_DRY_RUN: "false" });
    expect(first.code).toBe(0);
    expect(first.logs.map((l) => [l.event, l.action, l.node, l.outcome])).toEqual([
      ["probe", undefined, "w1", undefined],
      ["action", "cordon", "w1", "applied"],
      ["action", "taint", "w1", "applied"],
      ["summary", undefined, undefined, undefined],
    ]);
    expect(first.logs[3]).toMatchObject({ dryRun: false, planned: 2, applied: 2, failed: 0 });
    expect(api.writes().map((r) => `${r.method} ${r.url}`)).toEqual(["PATCH /api/v1/nodes/w1", "POST /api/v1/namespaces/default/events", "POST /api/v1/namespaces/default/events"]);
    // What the job did reaches the operator as Events of its reporting component (the report job forwards them).
    expect(api.state.events!.map((e) => [e.involvedObject.name, e.type, e.reason, e.reportingComponent])).toEqual([
      ["w1", "Warning", "FencingCordoned", "ha-jobs-fencing"],
      ["w1", "Warning", "Fenced", "ha-jobs-fencing"],
    ]);
    expect(api.node("w1").spec).toEqual({ unschedulable: true, taints: [STORAGE_TAINT, OOS_TAINT] });
    // The fence time is the snapshot's time (the run's start), like every time the decision uses.
    expect(api.node("w1").metadata.annotations).toEqual({ [ANNOTATIONS.cordoned]: "true", [ANNOTATIONS.fencedAt]: NOW });

    api.requests.length = 0;
    const second = await runMain(ON_W2());
    expect(second.code).toBe(0);
    expect(second.logs).toEqual([
      { time: NOW, level: "info", event: "hold", action: "none", node: "w1", code: "fenced-node-not-ready", reason: `fenced since ${NOW}, Ready=Unknown for 300s` },
      { time: NOW, level: "info", event: "summary", dryRun: false, storageNodes: 2, planned: 0, applied: 0, failed: 0, holds: 1 },
    ]);
    expect(api.writes()).toEqual([]);
  });

  it.each([
    {
      name: "kubelet crashed (k3s-agent down): its port refuses, the node port and the instance-manager (containerd keeps it running) answer",
      listen: ["node"] as const,
      signs: (p: Record<string, number>) => [`kubelet ${NODE_IPS.w1}:${p.kubelet} refused`, `node-port ${NODE_IPS.w1}:${p.node} answered`, `instance-manager 127.0.0.112:${p.instanceManager} answered`],
    },
    { name: "partitioned from cp1, reaching w2: everything answers", listen: ["kubelet", "node", "instanceManager"] as const, signs: (p: Record<string, number>) => [`kubelet ${NODE_IPS.w1}:${p.kubelet} answered`, `node-port ${NODE_IPS.w1}:${p.node} answered`, `instance-manager 127.0.0.112:${p.instanceManager} answered`] },
    { name: "only the instance-manager pod answers (host ports firewalled: refused)", listen: [] as const, im: true, signs: (p: Record<string, number>) => [`kubelet ${NODE_IPS.w1}:${p.kubelet} refused`, `node-port ${NODE_IPS.w1}:${p.node} refused`, `instance-manager 127.0.0.112:${p.instanceManager} answered`] },
  ])("NotReady w1 with life signs ($name): no taint, a hold with the reason, a Warning Event on the Node", async ({ listen, signs }) => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] } });
    api.state.pods = [rawInstanceManager("w1", "127.0.0.112"), rawInstanceManager("w2", NODE_IPS.w2)];
    await endpoints.listen(NODE_IPS.w1, [...listen]);
    await endpoints.listen("127.0.0.112", ["instanceManager"]);
    const { code, logs } = await runMain(ON_W2());
    expect(code).toBe(0);
    const hold = logs.find((l) => l.event === "hold")!;
    expect(hold).toMatchObject({ node: "w1", code: "life-signs" });
    expect([...(hold.lifeSigns as string[])].sort()).toEqual(signs(endpoints.ports).sort());
    expect(hold.reason).toContain("two writers are possible");
    // One round was enough: a life sign decides at once.
    expect(logs[0]).toMatchObject({ event: "probe", node: "w1", origin: "w2", start: NOW, end: NOW });
    expect(api.writes().map((r) => `${r.method} ${r.pathname}`)).toEqual(["POST /api/v1/namespaces/default/events"]);
    expect(api.state.events).toEqual([expect.objectContaining({
      involvedObject: expect.objectContaining({ kind: "Node", name: "w1" }),
      type: "Warning",
      reason: "FencingHeldLifeSigns",
      message: hold.reason,
    })]);
    expect(api.node("w1").spec!.taints).toEqual([STORAGE_TAINT]);
    // The instance-manager pods were found by their label, in Longhorn's namespace.
    expect(api.requests.some((r) => r.pathname === "/api/v1/namespaces/longhorn-system/pods" && r.query.labelSelector === "longhorn.io/component=instance-manager")).toBe(true);
  });

  it("an Event the API refuses is logged as an error; the run still succeeds (the hold is in the log)", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] } });
    await endpoints.listen(NODE_IPS.w1, ["node"]);
    api.failures.push({ method: "POST", pathname: "/api/v1/namespaces/default/events", status: 403, body: statusBody(403, "Forbidden", "events is forbidden") });
    const { code, logs } = await runMain(ON_W2());
    expect(code).toBe(0);
    expect(logs.find((l) => l.event === "hold")).toMatchObject({ code: "life-signs" });
    expect(logs.find((l) => l.event === "error")).toMatchObject({ stage: "event", error: { status: 403 } });
  });

  it("dry run posts no Event", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] } });
    await endpoints.listen(NODE_IPS.w1, ["node"]);
    await runMain({ ...ON_W2(), FENCING_DRY_RUN: "true" });
    expect(api.writes()).toEqual([]);
  });

  it("safety mode says so in the life-sign hold", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] } });
    await endpoints.listen(NODE_IPS.w1, ["node"]);
    const { logs } = await runMain({ ...ON_W2(), FENCING_MODE: "safety" });
    expect(logs.find((l) => l.event === "hold")!.reason).toContain("mode safety: its pods stay where they are");
  });

  it("runs on a node that is not the peer storage node (cp1): no probe, no fence", async () => {
    api.state.nodes = W1_DOWN();
    const { logs } = await runMain({ ...ON_W2(), FENCING_NODE_NAME: "cp1" });
    expect(logs.map((l) => [l.event, l.node, l.code])).toEqual([["hold", "w1", "life-signs-unknown"], ["summary", undefined, undefined]]);
    expect(logs[0]!.reason).toContain("the probes run from cp1, which is not a storage node");
    expect(api.writes()).toEqual([]);
  });

  it("without FENCING_NODE_NAME nothing is fenced", async () => {
    api.state.nodes = W1_DOWN();
    const { logs } = await runMain(endpoints.env());
    expect(logs[0]).toMatchObject({ event: "hold", node: "w1", code: "life-signs-unknown" });
    expect(api.writes()).toEqual([]);
  });

  it.each([
    { name: "reachable again: unfenced", blackhole: false, writes: ["PATCH /api/v1/nodes/w1"], code: undefined },
    { name: "Ready but silent from w2 (it reaches only cp1): stays fenced", blackhole: true, writes: [], code: "fenced-not-reachable" },
  ])("a fenced w1 Ready again, $name", async ({ blackhole, writes, code }) => {
    api.state.nodes = rawCluster({
      w1: { ready: ["True", 300], unschedulable: true, taints: [STORAGE_TAINT, { ...OUT_OF_SERVICE_TAINT }], annotations: { [ANNOTATIONS.fencedAt]: ago(3600), [ANNOTATIONS.cordoned]: "true" } },
    });
    if (blackhole) endpoints.blackhole.add(NODE_IPS.w1);
    else await endpoints.listen(NODE_IPS.w1);
    const { logs } = await runMain(ON_W2());
    expect(api.writes().filter((r) => !r.pathname.endsWith("/events")).map((r) => `${r.method} ${r.pathname}`)).toEqual(writes);
    if (code) expect(logs.find((l) => l.event === "hold")).toMatchObject({ node: "w1", code });
    else expect(api.node("w1").spec).toEqual({ unschedulable: false, taints: [STORAGE_TAINT] });
  });

  it("live run on a recovered node: deletes the stale pod, keeps the fence", async () => {
    api.state = {
      nodes: rawCluster({
        w1: { ready: ["True", 300], unschedulable: true, taints: [STORAGE_TAINT, { ...OUT_OF_SERVICE_TAINT }], annotations: { [ANNOTATIONS.fencedAt]: ago(3600), [ANNOTATIONS.cordoned]: "true" } },
      }),
      pods: [rawPod("media", "sonarr-7d9f", "w1", ["config-sonarr-0"]), rawPod("media", "sonarr-5c2a", "w2", ["config-sonarr-0"])],
      volumes: [rawVolume("pvc-sonarr", "media", "config-sonarr-0", "w2")],
      volumeAttachments: [rawVa("pvc-sonarr", "w2")],
    };
    const { code, logs } = await runMain();
    expect(code).toBe(0);
    expect(logs[0]).toEqual({
      time: NOW, level: "info", event: "action", action: "deletePod", node: "w1", namespace: "media", pod: "sonarr-7d9f", uid: "uid-sonarr-7d9f",
      volumes: ["pvc-sonarr"], attachedTo: ["w2"],
      reason: "stale pod on recovered node w1: volume pvc-sonarr is attached to w2; node stays fenced", dryRun: false, outcome: "applied",
    });
    expect(api.writes().filter((r) => !r.pathname.endsWith("/events")).map((r) => `${r.method} ${r.url}`)).toEqual(["PATCH /api/v1/nodes/w1", "DELETE /api/v1/namespaces/media/pods/sonarr-7d9f"]);
    expect(api.state.events!.map((e) => e.reason)).toContain("FencingDeletedStalePod");
    expect(api.state.pods.map((p) => p.metadata.name)).toEqual(["sonarr-5c2a"]);
    expect(api.node("w1").spec!.taints).toContainEqual(OOS_TAINT);
  });

  it("logs holds, e.g. both storage nodes down", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 600] }, w2: { ready: ["False", 600] } });
    const { code, logs } = await runMain();
    expect(code).toBe(0);
    expect(logs.map((l) => [l.event, l.node, l.code])).toEqual([
      ["hold", "w1", "no-failover-target"],
      ["hold", "w2", "no-failover-target"],
      ["summary", undefined, undefined],
    ]);
    expect(api.writes()).toEqual([]);
  });

  it("a failed action is logged as an error line and the exit code is 1", async () => {
    api.state.nodes = W1_DOWN();
    api.failures.push({ method: "PATCH", pathname: "/api/v1/nodes/w1", status: 403, body: statusBody(403, "Forbidden", "no patch for you") });
    const { code, logs } = await runMain(ON_W2());
    expect(code).toBe(1);
    expect(logs[1]).toMatchObject({
      level: "error",
      action: "cordon",
      outcome: "failed",
      error: { message: "PATCH /api/v1/nodes/w1 failed: HTTP 403 Forbidden: no patch for you", verb: "PATCH", path: "/api/v1/nodes/w1", status: 403 },
    });
    expect(logs.at(-1)).toMatchObject({ event: "summary", planned: 2, applied: 0, failed: 2 });
  });

  it("a failed list stops the run before any decision, exit code 1", async () => {
    api.state.nodes = W1_DOWN();
    api.failures.push({ method: "GET", pathname: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes", status: 404, body: statusBody(404, "NotFound", "the server could not find the requested resource") });
    const { code, logs } = await runMain();
    expect(code).toBe(1);
    expect(logs).toEqual([{
      time: NOW, level: "error", event: "error", stage: "snapshot",
      error: {
        message: "GET /apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes?limit=500 failed: HTTP 404 NotFound: the server could not find the requested resource",
        verb: "GET", path: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes?limit=500", status: 404,
      },
    }]);
    expect(api.writes()).toEqual([]);
  });

  it("an invalid setting exits 2 before any request", async () => {
    const { code, logs } = await runMain({ FENCING_DRY_RUN: "ture" });
    expect(code).toBe(2);
    expect(logs).toEqual([{ time: NOW, level: "error", event: "error", stage: "config", error: { message: `'FENCING_DRY_RUN' ("ture") must be true or false` } }]);
    expect(api.requests).toEqual([]);
  });

  it("an unreadable token file exits 2 and logs the file error as cause", async () => {
    const lines: string[] = [];
    const code = await run({
      env: { FENCING_API_URL: api.url, FENCING_TOKEN_FILE: "/nonexistent/fencing-token" },
      write: (line) => lines.push(line),
      now: () => new Date(NOW),
    });
    expect(code).toBe(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      stage: "config",
      error: { message: "cannot read 'FENCING_TOKEN_FILE' (/nonexistent/fencing-token)", cause: expect.stringContaining("ENOENT") },
    });
    expect(api.requests).toEqual([]);
  });

  it("honours threshold, storage label and Longhorn namespace from the environment", async () => {
    api.state.nodes = W1_DOWN();
    const { logs } = await runMain({ FENCING_THRESHOLD_SECONDS: "600", FENCING_LONGHORN_NAMESPACE: "lh" });
    expect(logs[0]).toMatchObject({ event: "hold", node: "w1", code: "not-ready-below-threshold" });
    expect(api.requests.map((r) => r.pathname)).toContain("/apis/longhorn.io/v1beta2/namespaces/lh/volumes");
  });
});

describe("settingsFromEnv", () => {
  it("defaults", () => {
    expect(settingsFromEnv({})).toEqual({
      config: {
        thresholdSeconds: 120, recoverySeconds: 120, storageLabel: { key: "node.longhorn.io/storage", value: "enabled" }, dryRun: false, mode: "availability",
        lifeSigns: { windowSeconds: 30, intervalSeconds: 5, timeoutMs: 2000, kubeletPort: 10250, instanceManagerPort: 8500, nodePorts: {}, defaultNodePort: 22 },
      },
      longhornNamespace: "longhorn-system",
      podNamespaces: [],
    });
  });

  it("reads every variable", () => {
    expect(settingsFromEnv({
      FENCING_THRESHOLD_SECONDS: "180",
      FENCING_RECOVERY_SECONDS: "240",
      FENCING_DRY_RUN: "TRUE",
      FENCING_STORAGE_LABEL: "example.com/role=storage=yes",
      FENCING_LONGHORN_NAMESPACE: "lh",
      FENCING_POD_NAMESPACES: "media, downloads,",
      FENCING_MODE: "safety",
      FENCING_NODE_NAME: "k3s-w2",
      FENCING_PROBE_WINDOW_SECONDS: "45",
      FENCING_PROBE_INTERVAL_SECONDS: "3",
      FENCING_PROBE_TIMEOUT_MS: "1500",
      FENCING_KUBELET_PORT: "10251",
      FENCING_INSTANCE_MANAGER_PORT: "8501",
      FENCING_NODE_PORTS: "k3s-w1=2222, k3s-w2=22",
      FENCING_DEFAULT_NODE_PORT: "23",
    })).toEqual({
      config: {
        thresholdSeconds: 180, recoverySeconds: 240, storageLabel: { key: "example.com/role", value: "storage=yes" }, dryRun: true, mode: "safety",
        lifeSigns: { windowSeconds: 45, intervalSeconds: 3, timeoutMs: 1500, kubeletPort: 10251, instanceManagerPort: 8501, nodePorts: { "k3s-w1": 2222, "k3s-w2": 22 }, defaultNodePort: 23 },
      },
      longhornNamespace: "lh",
      podNamespaces: ["media", "downloads"],
      nodeName: "k3s-w2",
    });
  });

  it.each([
    { env: { FENCING_THRESHOLD_SECONDS: "2m" }, message: `'FENCING_THRESHOLD_SECONDS' ("2m") must be a positive whole number of seconds` },
    { env: { FENCING_THRESHOLD_SECONDS: "0" }, message: `'FENCING_THRESHOLD_SECONDS' ("0") must be a positive whole number of seconds` },
    { env: { FENCING_RECOVERY_SECONDS: "-5" }, message: `'FENCING_RECOVERY_SECONDS' ("-5") must be a positive whole number of seconds` },
    { env: { FENCING_DRY_RUN: "yes please" }, message: `'FENCING_DRY_RUN' ("yes please") must be true or false` },
    { env: { FENCING_STORAGE_LABEL: "=enabled" }, message: `'FENCING_STORAGE_LABEL' ("=enabled") must be key=value` },
    { env: { FENCING_STORAGE_LABEL: "node.longhorn.io/storage" }, message: `'FENCING_STORAGE_LABEL' ("node.longhorn.io/storage") must be key=value` },
    { env: { FENCING_MODE: "fast" }, message: `'FENCING_MODE' ("fast") must be one of availability, safety` },
    { env: { FENCING_KUBELET_PORT: "70000" }, message: `'FENCING_KUBELET_PORT' ("70000") must be a positive whole number (a TCP port) up to 65535` },
    { env: { FENCING_NODE_PORTS: "k3s-w1:22" }, message: `'FENCING_NODE_PORTS' entry "k3s-w1:22" must be node=port with a port from 1 to 65535, e.g. k3s-w1=22` },
    { env: { FENCING_PROBE_WINDOW_SECONDS: "0" }, message: `'FENCING_PROBE_WINDOW_SECONDS' ("0") must be a positive whole number of seconds` },
  ])("rejects $env", ({ env, message }) => {
    expect(() => settingsFromEnv(env)).toThrow(new FencingConfigError(message));
  });
});
