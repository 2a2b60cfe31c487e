/**
 * The partition scenarios (w1-down = powered off, w1-partitioned, w1-partitioned-from-cp1,
 * w1-kubelet-crashed) on the real homelab render, in both fencing modes, and proof that the
 * simulation runs the fencing module's own code: a crafted change of the threshold, the taint or
 * the life-sign rule in a copy of tools/fencing/decide.ts changes the simulation's outcome with
 * simulate's code untouched.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type RenderedRelease } from "../../tools/lib/render.ts";
import { formatReport, simulateReleases, type ScenarioResult } from "../../tools/simulate/index.ts";
import { LONGHORN_REATTACH_SECONDS, SEED_FAILOVER_SECONDS } from "../../tools/simulate/scenarios.ts";
import { editHaCronJob } from "./fixtures/index.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
let rendered: Promise<RenderedRelease[]> | undefined;
const render = () => (rendered ??= renderEnvironment("homelab"));
type Obj = Record<string, any>;

const STATEFUL = ["decypharr-streaming-0", "decypharr-download-0", "media-apps-prowlarr", "media-apps-radarr", "media-apps-sonarr", "clusterplex-pms"];
// homelab's ha-jobs: threshold 120 s, every 2 minutes, probe window 30 s. Worst case: the last run
// below the threshold at 119 s, the next at 239 s probes for 30 s.
const FENCE_AT = 119 + 120 + 30;

interface Expect {
  twoWriters: false | "isolated" | "shared-replica" | "side-effects";
  fencedAt: Record<string, number>;
  /** Stateful pods Running on w2 (else they stay on w1). */
  failover: boolean;
  hold?: string;
}

const TABLE: Record<string, Record<"availability" | "safety", Expect>> = {
  "w1-down": {
    availability: { twoWriters: false, fencedAt: { w1: FENCE_AT }, failover: true },
    safety: { twoWriters: false, fencedAt: { w1: FENCE_AT }, failover: true },
  },
  "w1-partitioned": {
    availability: { twoWriters: "isolated", fencedAt: { w1: FENCE_AT }, failover: true },
    safety: { twoWriters: "isolated", fencedAt: { w1: FENCE_AT }, failover: true },
  },
  "w1-partitioned-from-cp1": {
    availability: { twoWriters: "shared-replica", fencedAt: {}, failover: true, hold: "life-signs" },
    safety: { twoWriters: false, fencedAt: {}, failover: false, hold: "life-signs" },
  },
  "w1-kubelet-crashed": {
    availability: { twoWriters: "side-effects", fencedAt: {}, failover: true, hold: "life-signs" },
    safety: { twoWriters: false, fencedAt: {}, failover: false, hold: "life-signs" },
  },
};

const scenario = (r: { scenarios: ScenarioResult[] }, name: string) => r.scenarios.find((s) => s.name === name)!;

describe.each(["availability", "safety"] as const)("homelab, mode %s", (mode) => {
  it.each(Object.keys(TABLE))("%s: the timeline passes and says whether two writers are possible", async (name) => {
    const want = TABLE[name]![mode];
    const r = simulateReleases("homelab", await render(), loadInventory("homelab"), { scenario: name as never, mode });
    const s = scenario(r, name);
    expect(s.violations).toEqual([]);
    expect(s.title).toContain(`mode ${mode}`);
    expect(s.facts.mode).toBe(mode);
    expect(s.facts.nodeDownPodDeletionPolicy).toBe(mode === "safety" ? "do-nothing" : "delete-both-statefulset-and-deployment-pod");
    const tw = s.facts.twoWriters as { possible: boolean; kind: string };
    expect(tw.possible).toBe(want.twoWriters !== false);
    if (want.twoWriters) expect(tw.kind).toBe(want.twoWriters);
    expect(formatReport(r)).toMatch(new RegExp(`INFO - two writers possible: ${want.twoWriters ? "yes" : "no"}`));
    expect(s.facts.fencedAt).toEqual(want.fencedAt);
    // The fencing job runs on the peer storage node, whose probes decide.
    expect(s.facts.fencingOrigin).toBe("k3s-w2");
    if (want.hold) expect(s.facts.fencingHolds).toContain(want.hold);
    for (const pod of STATEFUL) {
      const o = s.pods.find((p) => p.pod === pod)!;
      if (want.failover) expect(o, pod).toMatchObject({ to: "w2", status: "Running" });
      else expect(o.status, pod).toBe("Stuck");
    }
    // Where each Longhorn volume is: one timeline line per stateful pod.
    expect(s.timeline.filter((e) => /^volume of /.test(e.text))).toHaveLength(STATEFUL.length);
    if (name === "w1-down") {
      expect(s.bound!.seconds).toBe(mode === "availability" ? SEED_FAILOVER_SECONDS + LONGHORN_REATTACH_SECONDS : 120 + 120 + 30 + LONGHORN_REATTACH_SECONDS);
      expect(s.bound!.measured!).toBeLessThanOrEqual(s.bound!.seconds);
    }
  });
});

it("two writers sharing a replica are accepted in availability mode but a violation in safety mode (the rule is checked)", async () => {
  const r = simulateReleases("homelab", await render(), loadInventory("homelab"), { scenario: "w1-partitioned-from-cp1" as never, mode: "availability" });
  expect(scenario(r, "w1-partitioned-from-cp1").findings.join("\n")).toMatch(/mode availability: the accepted, documented risk/);
  // Crafted render: the job says safety while Longhorn (the checked-in release) still deletes the pods.
  const rs = editHaCronJob(await render(), "fencing", (c: Obj) => {
    c.spec.jobTemplate.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "FENCING_MODE").value = "safety";
  });
  const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-partitioned-from-cp1" as never }), "w1-partitioned-from-cp1");
  expect(s.violations.join("\n")).toMatch(/mode safety, yet two writers are possible: yes: the old copies of .* keep writing through their engine on w1, which still reaches the replica on the backup node/);
});

it("a threshold the job refuses (0) fails the simulation with the job's own message", async () => {
  const rs = editHaCronJob(await render(), "fencing", (c: Obj) => {
    c.spec.jobTemplate.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "FENCING_THRESHOLD_SECONDS").value = "0";
  });
  expect(() => simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" })).toThrow(
    /CronJob ha-jobs\/ha-jobs-fencing container fencing: 'FENCING_THRESHOLD_SECONDS' \("0"\) must be a positive whole number of seconds; the fencing job exits with code 2/,
  );
});

/**
 * simulateReleases from a copy of tools/ whose decide.ts was edited by `edit`: the copy lives
 * under .cache (node_modules resolve as from the repository), the repository stays untouched.
 */
async function craftedSimulate(edit: (src: string) => string) {
  const dir = mkdtempSync(join(ROOT, ".cache", "crafted-fencing-"));
  try {
    cpSync(join(ROOT, "tools"), join(dir, "tools"), { recursive: true });
    const file = join(dir, "tools/fencing/decide.ts");
    const before = readFileSync(file, "utf8");
    const after = edit(before);
    expect(after, "the crafted edit applies").not.toBe(before);
    writeFileSync(file, after);
    const mod = (await import(pathToFileURL(join(dir, "tools/simulate/index.ts")).href)) as typeof import("../../tools/simulate/index.ts");
    return async (name: string, mode: "availability" | "safety" = "availability") =>
      scenario(mod.simulateReleases("homelab", await render(), loadInventory("homelab"), { scenario: name as never, mode, root: ROOT }), name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a crafted change of the fencing logic shows up in simulate (simulate's code untouched)", () => {
  it("threshold logic: one period more before the fence", async () => {
    const run = await craftedSimulate((s) => s.replace("if (since < config.thresholdSeconds) {", "if (since < config.thresholdSeconds + 120) {"));
    expect((await run("w1-down")).facts.fencedAt).toEqual({ w1: FENCE_AT + 120 });
  });

  it("taint: another taint key appears in the timeline", async () => {
    const run = await craftedSimulate((s) => s.replace('key: "node.kubernetes.io/out-of-service",', 'key: "example.com/crafted-fence",'));
    const s = await run("w1-down");
    expect(s.timeline.find((e) => /fencing job .* taints k3s-w1/.test(e.text))!.text).toContain("example.com/crafted-fence=nodeshutdown:NoExecute");
  });

  it("life signs: ignoring them (NotReady alone fences, the old rule) fences a node partitioned from cp1", async () => {
    const run = await craftedSimulate((s) => s.replace("if (signs.length > 0) return { kind: \"alive\", origin, signs };", "if (signs.length > 0 && false) return { kind: \"alive\", origin, signs };").replace(
      'const errors = report.attempts.filter((a) => a.result === "error");',
      'const errors: ProbeAttempt[] = [];',
    ).replace('if (seconds < config.lifeSigns.windowSeconds) {', 'if (false) {').replace(
      "const missing = REQUIRED_ENDPOINTS.filter((k) => !report.attempts.some((a) => a.kind === k));",
      "const missing: EndpointKind[] = [];",
    ));
    const s = await run("w1-partitioned-from-cp1", "safety");
    expect(s.facts.fencedAt).toEqual({ w1: FENCE_AT });
    // ... and safety mode now lets two writers share a replica: the simulation flags it.
    expect(s.violations.join("\n")).toMatch(/mode safety, yet two writers are possible/);
  });
});
