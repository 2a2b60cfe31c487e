import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ANNOTATIONS, OUT_OF_SERVICE_TAINT } from "../../tools/fencing/decide.ts";
import { FencingConfigError, run, settingsFromEnv } from "../../tools/fencing/main.ts";
import { FakeApi, NOW, STORAGE_TAINT, ago, rawCluster, rawPod, rawVa, rawVolume, statusBody } from "./fake-api.ts";

let api: FakeApi;
beforeEach(async () => {
  api = await new FakeApi().start();
});
afterEach(async () => {
  await api.close();
});

/** Runs main against the fake server; returns the exit code and the parsed log lines. */
async function runMain(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const code = await run({
    env,
    connection: { baseUrl: api.url, token: api.token },
    write: (line) => lines.push(line),
    now: () => new Date(NOW),
  });
  for (const line of lines) expect(line).not.toContain("\n");
  return { code, lines, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const W1_DOWN = () => rawCluster({ w1: { ready: ["Unknown", 300] } });
const OOS_TAINT = { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" };
const REASON = "Ready=Unknown for 300s (threshold 120s); failover target: w2";

describe("run (end to end against the fake API)", () => {
  it("dry run: logs the planned actions and a summary, writes nothing", async () => {
    api.state.nodes = W1_DOWN();
    const { code, logs, lines } = await runMain({ FENCING_DRY_RUN: "true" });
    expect(code).toBe(0);
    expect(logs).toEqual([
      { time: NOW, level: "info", event: "action", action: "cordon", node: "w1", reason: `${REASON}; cordoned by the fencing job`, dryRun: true, outcome: "planned" },
      {
        time: NOW, level: "info", event: "action", action: "taint", node: "w1", taint: OOS_TAINT,
        reason: `${REASON}; non-graceful shutdown: pods deleted, volumes detached at once`, dryRun: true, outcome: "planned",
      },
      { time: NOW, level: "info", event: "summary", dryRun: true, storageNodes: 2, planned: 2, applied: 0, failed: 0, holds: 0 },
    ]);
    // Key order is part of the format: time, level, event first.
    expect(lines[0]).toMatch(/^\{"time":"[^"]+","level":"info","event":"action","action":"cordon",/);
    expect(api.writes()).toEqual([]);
    expect(api.node("w1").spec!.taints).toEqual([STORAGE_TAINT]);
  });

  it("live run: fences w1, and the next run finds nothing to do", async () => {
    api.state.nodes = W1_DOWN();
    const first = await runMain({ FENCING_DRY_RUN: "false" });
    expect(first.code).toBe(0);
    expect(first.logs.map((l) => [l.event, l.action, l.node, l.outcome])).toEqual([
      ["action", "cordon", "w1", "applied"],
      ["action", "taint", "w1", "applied"],
      ["summary", undefined, undefined, undefined],
    ]);
    expect(first.logs[2]).toMatchObject({ dryRun: false, planned: 2, applied: 2, failed: 0 });
    expect(api.writes().map((r) => `${r.method} ${r.url}`)).toEqual(["PATCH /api/v1/nodes/w1"]);
    expect(api.node("w1").spec).toEqual({ unschedulable: true, taints: [STORAGE_TAINT, OOS_TAINT] });
    expect(api.node("w1").metadata.annotations).toEqual({ [ANNOTATIONS.cordoned]: "true", [ANNOTATIONS.fencedAt]: NOW });

    api.requests.length = 0;
    const second = await runMain();
    expect(second.code).toBe(0);
    expect(second.logs).toEqual([
      { time: NOW, level: "info", event: "hold", action: "none", node: "w1", code: "fenced-node-not-ready", reason: `fenced since ${NOW}, Ready=Unknown for 300s` },
      { time: NOW, level: "info", event: "summary", dryRun: false, storageNodes: 2, planned: 0, applied: 0, failed: 0, holds: 1 },
    ]);
    expect(api.writes()).toEqual([]);
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
    expect(api.writes().map((r) => `${r.method} ${r.url}`)).toEqual(["PATCH /api/v1/nodes/w1", "DELETE /api/v1/namespaces/media/pods/sonarr-7d9f"]);
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
    const { code, logs } = await runMain();
    expect(code).toBe(1);
    expect(logs[0]).toMatchObject({
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
      config: { thresholdSeconds: 120, recoverySeconds: 120, storageLabel: { key: "node.longhorn.io/storage", value: "enabled" }, dryRun: false },
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
    })).toEqual({
      config: { thresholdSeconds: 180, recoverySeconds: 240, storageLabel: { key: "example.com/role", value: "storage=yes" }, dryRun: true },
      longhornNamespace: "lh",
      podNamespaces: ["media", "downloads"],
    });
  });

  it.each([
    { env: { FENCING_THRESHOLD_SECONDS: "2m" }, message: `'FENCING_THRESHOLD_SECONDS' ("2m") must be a positive whole number of seconds` },
    { env: { FENCING_THRESHOLD_SECONDS: "0" }, message: `'FENCING_THRESHOLD_SECONDS' ("0") must be a positive whole number of seconds` },
    { env: { FENCING_RECOVERY_SECONDS: "-5" }, message: `'FENCING_RECOVERY_SECONDS' ("-5") must be a positive whole number of seconds` },
    { env: { FENCING_DRY_RUN: "yes please" }, message: `'FENCING_DRY_RUN' ("yes please") must be true or false` },
    { env: { FENCING_STORAGE_LABEL: "=enabled" }, message: `'FENCING_STORAGE_LABEL' ("=enabled") must be key=value` },
    { env: { FENCING_STORAGE_LABEL: "node.longhorn.io/storage" }, message: `'FENCING_STORAGE_LABEL' ("node.longhorn.io/storage") must be key=value` },
  ])("rejects $env", ({ env, message }) => {
    expect(() => settingsFromEnv(env)).toThrow(new FencingConfigError(message));
  });
});
