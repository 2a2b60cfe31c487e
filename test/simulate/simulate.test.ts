/**
 * The simulator against the real renders of every environment: the placement of every workload
 * and each scenario's outcome and timing bound, computed from the rendered manifests. The
 * descheduler and the fencing job are those rendered from charts/ha-jobs; tests that vary the
 * policy edit that real render (or the environment's values in a fixture repo). The hand-written
 * test/simulate/fixtures/ha-jobs.yaml only backs the test that objects are found by content.
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { type RenderedRelease } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { maxGapSeconds, parseCron } from "../../tools/simulate/cron.ts";
import { findDescheduler, findFencing } from "../../tools/simulate/facts.ts";
import { simulateReleases, simulateEnvironment, type ScenarioResult } from "../../tools/simulate/index.ts";
import { LONGHORN_REATTACH_SECONDS, SEED_FAILOVER_SECONDS } from "../../tools/simulate/scenarios.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { cloneReleases, editHaCronJob, editHaPolicy, haCronJob, pluginArgs, withHaJobs } from "./fixtures/index.ts";

type Obj = Record<string, any>;

// These tests are about the media workloads' placement and failover; the upstream releases'
// pods (Longhorn, MetalLB, Traefik) are covered by "upstream releases in the simulation" below.
const renders = new Map<string, Promise<RenderedRelease[]>>();
const render = (env: string) => {
  if (!renders.has(env)) renders.set(env, renderEnvironment(env, { noUpstream: true }));
  return renders.get(env)!;
};

describe("upstream releases in the simulation", () => {
  it.each(["homelab", "staging"])("%s: Longhorn's manager, MetalLB's speaker and Traefik are placed, and every scenario passes", async (env) => {
    const rs = await renderEnvironment(env, { onWarning: (m) => { throw new Error(m); } });
    const report = simulateReleases(env, rs, loadInventory(env));
    const placed = new Map(report.placement.filter((p) => p.status === "Scheduled").map((p) => [p.pod, p.node!]));
    const inv = loadInventory(env);
    const storage = Object.entries(inv.nodes).filter(([, n]) => n.roles.includes("storage")).map(([id]) => id);
    // longhorn-manager: one pod per node that runs Longhorn (node.longhorn.io/csi=enabled: the storage
    // nodes and the GPU node whose workers attach Longhorn volumes; docs/decisions.md#longhorn-placement)
    const longhornNodes = Object.entries(inv.nodes).filter(([, n]) => n.labels["node.longhorn.io/csi"] === "enabled").map(([id]) => id);
    expect(longhornNodes).toEqual(expect.arrayContaining(storage));
    expect([...placed].filter(([p]) => p.startsWith("longhorn-manager-")).map(([, n]) => n).sort()).toEqual(longhornNodes.sort());
    // the speaker tolerates the control plane and the storage taint: every node announces
    expect([...placed].filter(([p]) => p.startsWith("metallb-speaker-")).length).toBe(Object.keys(inv.nodes).length);
    expect(placed.has("traefik")).toBe(true);
    expect(placed.has("metallb-controller")).toBe(true);
    expect(report.placement.filter((p) => p.status !== "Scheduled").map((p) => p.pod)).toEqual([]);
    expect(report.ok, JSON.stringify([...report.placementViolations, ...report.scenarios.flatMap((s) => s.violations)])).toBe(true);
  });
});
const scenario = (s: ScenarioResult[], name: string) => s.find((x) => x.name === name)!;
const objects = (rs: RenderedRelease[]) => rs.flatMap((r) => r.objects as Obj[]);
const workload = (rs: RenderedRelease[], name: string) => objects(rs).find((o) => ["StatefulSet", "Deployment"].includes(o.kind) && o.metadata.name === name)!;
const unreachableSeconds = (w: Obj): number => w.spec.template.spec.tolerations.find((t: Obj) => t.key === "node.kubernetes.io/unreachable").tolerationSeconds;
const graceSeconds = (w: Obj): number => w.spec.template.spec.terminationGracePeriodSeconds ?? 30;
/** The longest terminationGracePeriodSeconds of the rendered workloads (the failback bound's rescheduling part). */
const maxGrace = (rs: RenderedRelease[]) => Math.max(...objects(rs).filter((o) => ["StatefulSet", "Deployment", "CronJob"].includes(o.kind)).map((o) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template).spec.terminationGracePeriodSeconds ?? 30));
/** The worst-case wait for a run of a rendered CronJob, computed here from its spec.schedule. */
const periodOf = (cronJob: Obj) => maxGapSeconds(parseCron(cronJob.spec.schedule));
const fencingEnv = (cronJob: Obj, name: string): string | undefined => cronJob.spec.jobTemplate.spec.template.spec.containers.flatMap((c: Obj) => c.env ?? []).find((e: Obj) => e.name === name)?.value;
/** Longhorn-backed pods that admit the primary: the stateful media pods. */
const statefulMedia = (rs: RenderedRelease[]) =>
  objects(rs)
    .filter((o) => ["StatefulSet", "Deployment"].includes(o.kind))
    .filter((o) => (o.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).some((t: Obj) => (t.matchExpressions ?? []).some((e: Obj) => e.key === "node.longhorn.io/storage")))
    .filter((o) => o.kind === "StatefulSet" ? (o.spec.volumeClaimTemplates ?? []).length > 0 : (o.spec.template.spec.volumes ?? []).some((v: Obj) => v.persistentVolumeClaim));
const podNames = (o: Obj) => (o.kind === "StatefulSet" ? Array.from({ length: o.spec.replicas ?? 1 }, (_, i) => `${o.metadata.name}-${i}`) : [o.metadata.name]);
const clusterplexWorkers = (rs: RenderedRelease[]) => {
  const sts = rs.filter((r) => r.chart === "clusterplex").flatMap((r) => r.objects as Obj[]).find((o) => o.kind === "StatefulSet" && /worker/.test(o.metadata.name));
  if (!sts) throw new Error("the environment renders no clusterplex worker StatefulSet");
  return sts;
};

describe.each(["homelab", "staging"])("%s: the descheduler and the fencing job come from the real charts/ha-jobs render", (env) => {
  it("their schedules, policy and threshold are read from the rendered objects", async () => {
    const rs = await render(env);
    const d = findDescheduler(rs)!;
    const f = findFencing(rs)!;
    const deschedulerCron = haCronJob(rs, "descheduler");
    const fencingCron = haCronJob(rs, "fencing");
    expect(d.policySource).toContain(`clusters/${env}/apps/ha-jobs.yaml`);
    expect(d.cronJob).toMatchObject({ name: deschedulerCron.metadata.name, schedule: deschedulerCron.spec.schedule, periodSeconds: periodOf(deschedulerCron), source: `clusters/${env}/apps/ha-jobs.yaml` });
    expect(d.options).toMatchObject({ nodeAffinityType: ["requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"], nodeFit: true });
    expect(f.cronJob).toMatchObject({ name: fencingCron.metadata.name, schedule: fencingCron.spec.schedule, periodSeconds: periodOf(fencingCron) });
    expect(f.settings.config.thresholdSeconds).toBe(Number(fencingEnv(fencingCron, "FENCING_THRESHOLD_SECONDS")));
    expect(f.settings.config.dryRun).toBe(fencingEnv(fencingCron, "FENCING_DRY_RUN") === "true");
  });
});

describe("homelab: base placement", () => {
  it("places every pod (none Pending) and the report is built from the render", async () => {
    const rs = await render("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"));
    const expected = objects(rs).filter((o) => ["StatefulSet", "Deployment", "CronJob"].includes(o.kind)).flatMap((o) => (o.kind === "CronJob" ? [o.metadata.name] : podNames(o)));
    expect(r.placement.map((p) => p.pod).sort()).toEqual(expected.sort());
    expect(r.placement.filter((p) => p.status !== "Scheduled")).toEqual([]);
    expect(r.placementViolations).toEqual([]);
  });

  it("stateful media pods land on w1 and are feasible only on w1 and w2", async () => {
    const rs = await render("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"));
    const names = statefulMedia(rs).flatMap(podNames);
    expect(names).toEqual(expect.arrayContaining(["decypharr-streaming-0", "decypharr-download-0"]));
    for (const name of names) {
      const p = r.placement.find((x) => x.pod === name)!;
      expect(p.node, name).toBe("w1");
      expect(p.verdicts.filter((v) => v.feasible).map((v) => v.node), name).toEqual(["w1", "w2"]);
      const cp1 = p.verdicts.find((v) => v.node === "cp1")!;
      expect(cp1.rejections.join(), name).toMatch(/NodeAffinity/);
      const w2 = p.verdicts.find((v) => v.node === "w2")!;
      expect(w2.score!, name).toBeLessThan(p.verdicts.find((v) => v.node === "w1")!.score!);
    }
  });

  it("clusterplex workers run only on w3", async () => {
    const rs = await render("homelab");
    const sts = clusterplexWorkers(rs);
    const r = simulateReleases("homelab", rs, loadInventory("homelab"));
    expect(podNames(sts).length).toBeGreaterThan(0);
    for (const name of podNames(sts)) {
      const p = r.placement.find((x) => x.pod === name)!;
      expect(p.node).toBe("w3");
      expect(p.verdicts.filter((v) => v.feasible).map((v) => v.node)).toEqual(["w3"]);
    }
  });

  it("nothing but the ha-jobs CronJob pods (control jobs) may land on cp1", async () => {
    const rs = await render("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"));
    const haCronJobs = objects(rs.filter((x) => x.chart === "ha-jobs")).filter((o) => o.kind === "CronJob").map((o) => `CronJob/${o.metadata.namespace}/${o.metadata.name}`);
    expect(haCronJobs).toHaveLength(3); // descheduler, fencing, report
    const onCp1 = r.placement.filter((p) => p.node === "cp1");
    expect(onCp1.filter((p) => !haCronJobs.includes(p.workload))).toEqual([]);
  });
});

describe("staging: one node", () => {
  it("places everything on s1 and reports the multi-node scenarios as not applicable, with the reason", async () => {
    const r = simulateReleases("staging", await render("staging"), loadInventory("staging"));
    expect(r.placement.filter((p) => p.status !== "Scheduled")).toEqual([]);
    expect(new Set(r.placement.map((p) => p.node))).toEqual(new Set(["s1"]));
    // drain-w1 applies to a single storage node too (test/simulate/drain.test.ts), first-install
    // to every environment (test/simulate/first-install.test.ts)
    for (const s of r.scenarios.filter((x) => x.name !== "drain-w1" && x.name !== "first-install")) {
      expect(s.applicable, s.name).toBe(false);
      expect(s.reason, s.name).toMatch(/values\/staging\/cluster.yaml|needs w1-down/);
    }
    expect(r.ok).toBe(true);
  });
});

describe("homelab: w1-down", () => {
  it("evicts at the rendered tolerationSeconds, moves every pod of w1 to w2 within the seed's ~60s + reattach, DFS consumers follow decypharr", async () => {
    const rs = await render("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" });
    const s = scenario(r.scenarios, "w1-down");
    const streaming = workload(rs, "decypharr-streaming");
    const evict = unreachableSeconds(streaming);
    expect(s.timeline.find((e) => /decypharr-streaming-0.*evicted by the taint-eviction/.test(e.text))!.t).toBe(evict);
    // StatefulSet pod: Longhorn force-deletes it once eviction + grace has passed, then reattach.
    expect(s.timeline.find((e) => /decypharr-streaming-0.*force-deletes/.test(e.text))!.t).toBe(evict + graceSeconds(streaming));
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")).toMatchObject({ from: "w1", to: "w2", status: "Running", runningAt: evict + graceSeconds(streaming) + LONGHORN_REATTACH_SECONDS });
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ from: "w1", to: "w2", status: "Running" });
    expect(s.bound).toMatchObject({ seconds: SEED_FAILOVER_SECONDS + LONGHORN_REATTACH_SECONDS });
    expect(s.bound!.measured!).toBeLessThanOrEqual(s.bound!.seconds);
    expect(s.violations).toEqual([]);
    expect(s.timeline.filter((e) => /^DFS: media-apps-(radarr|sonarr) sees .* on w2/.test(e.text))).toHaveLength(2);
    expect(s.assumptions.join("\n")).toMatch(/node-monitor-grace-period = 50s/);
    expect(s.assumptions.join("\n")).toMatch(/delete-both-statefulset-and-deployment-pod \(clusters\/homelab\/infrastructure\/longhorn.yaml/);
  });

  it("the rendered fencing job taints w1 out-of-service after FENCING_THRESHOLD_SECONDS, up to one period of its schedule and the probe window", async () => {
    const rs = await render("homelab");
    const cron = haCronJob(rs, "fencing");
    // Worst case: the last run before the threshold comes 1 s before it; the next one probes for the window.
    const at = Number(fencingEnv(cron, "FENCING_THRESHOLD_SECONDS")) - 1 + periodOf(cron) + Number(fencingEnv(cron, "FENCING_PROBE_WINDOW_SECONDS"));
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" }).scenarios, "w1-down");
    expect(s.facts.fencedAt).toEqual({ w1: at });
    expect(s.timeline.find((e) => /fencing job .*out-of-service/.test(e.text))!.t).toBe(at);
  });

  it("the ha-jobs values drive the timings: fencing threshold and schedule, descheduler schedule (fixture repo, real chart)", async () => {
    await withFixtureRepo(
      (root) =>
        editFixture(
          root,
          "values/homelab/ha-jobs.yaml",
          /^descheduler:\n(.*\n)fencing:\n/m,
          'descheduler:\n$1  schedule: "*/10 * * * *"\nfencing:\n  thresholdSeconds: 300\n  schedule: "*/3 * * * *"\n',
        ),
      async (root) => {
        const r = await simulateEnvironment("homelab", { root });
        const down = scenario(r.scenarios, "w1-down");
        expect(down.facts.fencedAt).toEqual({ w1: 300 - 1 + 180 + 30 });
        expect(down.timeline.find((e) => /fencing job .*out-of-service/.test(e.text))!.t).toBe(509);
        // Runs every 180 s in the worst phase: 119 and 299 are below the threshold, 479 fences after its 30 s probe.
        expect(down.timeline.find((e) => /fencing job run .*"\*\/3 \* \* \* \*".*below the 300s threshold/.test(e.text))!.t).toBe(119);
        const back = scenario(r.scenarios, "w1-back");
        const reschedule = maxGrace(await render("homelab")) + LONGHORN_REATTACH_SECONDS;
        expect(back.bound!.seconds).toBe(600 + reschedule);
        expect(back.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(600 + reschedule);
        expect(back.timeline.find((e) => /descheduler run 1 .*"\*\/10 \* \* \* \*"/.test(e.text))!.t).toBe(600);
        // The fence set in w1-down holds w1 for FENCING_RECOVERY_SECONDS (unset: the threshold) + one fencing period.
        expect(back.facts).toMatchObject({ fenceHoldSeconds: 300 + 180, failbackSeconds: 600 + reschedule, failbackFromReturnSeconds: 480 + 600 + reschedule });
        expect(back.timeline.find((e) => /Ready again; still fenced/.test(e.text))!.t).toBe(-480);
      },
    );
  });

  it("a FENCING_DRY_RUN the job would refuse is an input error naming the CronJob, the value and the fix", async () => {
    const rs = editHaCronJob(await render("homelab"), "fencing", (c) => {
      c.spec.jobTemplate.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "FENCING_DRY_RUN").value = "ture";
    });
    // The message is the job's own (tools/fencing/main.ts settingsFromEnv), not a copy of its rule.
    expect(() => simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" })).toThrow(
      /clusters\/homelab\/apps\/ha-jobs.yaml: CronJob ha-jobs\/ha-jobs-fencing container fencing: 'FENCING_DRY_RUN' \("ture"\) must be true or false; the fencing job exits with code 2 on this setting and never runs. Fix: /,
    );
  });

  it.each([
    ["FENCING_DRY_RUN=true", (c: Obj) => c.spec.jobTemplate.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "FENCING_DRY_RUN").value = "true", /runs in dry run \(FENCING_DRY_RUN=true\): it logs cordon k3s-w1, taint k3s-w1 and executes none/],
    ["spec.suspend: true", (c: Obj) => { c.spec.suspend = true; }, /is suspended \(spec.suspend: true\), it never runs/],
  ])("a fencing job with %s never fences; Longhorn's policy still fails the pods over", async (_name, edit, finding) => {
    const rs = editHaCronJob(await render("homelab"), "fencing", edit);
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" }).scenarios, "w1-down");
    expect(s.facts.fencedAt).toEqual({});
    expect(s.timeline.filter((e) => /out-of-service/.test(e.text))).toEqual([]);
    expect(s.findings.join("\n")).toMatch(finding);
    expect(s.violations).toEqual([]);
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ from: "w1", to: "w2", status: "Running" });
  });

  it("never fences a control-plane node, like the fencing job (tools/fencing/decide.ts)", async () => {
    const inventory = loadInventory("homelab");
    inventory.nodes.w1.roles = ["storage", "control-plane"];
    const s = scenario(simulateReleases("homelab", await render("homelab"), inventory, { scenario: "w1-down" }).scenarios, "w1-down");
    expect(s.facts.fencedAt).toEqual({});
    // The hold comes from decide.ts itself, which reads the role from k3s's node-role labels.
    expect(s.timeline.map((e) => e.text).join("\n")).toMatch(/k3s-w1 not fenced: control-plane: .*its roles \(control-plane, master\) make it a control-plane node: never fenced/);
  });

  it("changing tolerationSeconds in the repo changes the reported eviction time (and breaks the failover bound)", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", /^streaming:/m, "placement:\n  tolerationSeconds: 45\nstreaming:"),
      async (root) => {
        const r = await simulateEnvironment("homelab", { root, scenario: "w1-down" });
        const s = scenario(r.scenarios, "w1-down");
        expect(s.timeline.find((e) => /decypharr-streaming-0.*evicted by the taint-eviction/.test(e.text))!.t).toBe(45);
        expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(45 + 30 + LONGHORN_REATTACH_SECONDS);
        expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: running again after 105s, later than 90s/);
        expect(r.ok).toBe(false);
      },
    );
  });

  it("with Longhorn's do-nothing policy and no fencing, the StatefulSet pods stay stuck Terminating (violation)", async () => {
    const rs = (await render("homelab")).filter((r) => !r.objects.some((o) => JSON.stringify(o).includes("FENCING_THRESHOLD_SECONDS")));
    const longhorn = { nodeDownPodDeletionPolicy: "do-nothing" as const, policySource: "test", warnings: [], storageClasses: new Map([["longhorn", { provisioner: "driver.longhorn.io", replicas: 2 }], ["longhorn-rwx", { provisioner: "driver.longhorn.io", replicas: 2 }]]), defaultClass: "longhorn" };
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down", longhorn }).scenarios, "w1-down");
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")).toMatchObject({ status: "Stuck", to: "w1" });
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: Stuck/);
  });
});

describe("homelab: w1-back", () => {
  it("the descheduler evicts the failed-over pods in its first run and they return to w1 within one period + rescheduling", async () => {
    const rs = await render("homelab");
    const period = periodOf(haCronJob(rs, "descheduler"));
    const reschedule = maxGrace(rs) + LONGHORN_REATTACH_SECONDS;
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations).toEqual([]);
    expect(s.pods.length).toBeGreaterThan(0);
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ from: "w2", to: "w1", status: "Running", detail: expect.stringMatching(/^evicted in run 1: preferredDuringSchedulingIgnoredDuringExecution: best ready node weight \d+ > 0/) });
    expect(s.bound!.seconds).toBe(period + reschedule);
    expect(s.bound!.measured).toBeLessThanOrEqual(s.bound!.seconds);
    const streaming = workload(rs, "decypharr-streaming");
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(period + graceSeconds(streaming) + LONGHORN_REATTACH_SECONDS);
    expect(s.timeline.filter((e) => /descheduler run \d.*no eviction/.test(e.text))).toHaveLength(2); // runs 2 and 3: stable
    expect(s.findings.join("\n")).toMatch(new RegExp(`time to failback: ${s.bound!.measured}s after w1 is schedulable again, \\d+s after it is Ready again`));
  });

  it("with only requiredDuringScheduling in the rendered policy the pods stay on w2 (they still satisfy it)", async () => {
    const rs = editHaPolicy(await render("homelab"), (p) => {
      pluginArgs(p, "RemovePodsViolatingNodeAffinity").nodeAffinityType = ["requiredDuringSchedulingIgnoredDuringExecution"];
    });
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: not failed back to w1 after 3 descheduler runs: requiredDuringSchedulingIgnoredDuringExecution: pod still matches its node selector\/affinity on k3s-w2/);
    expect(s.findings.join("\n")).toMatch(/time to failback: never/);
  });

  it("a suspended descheduler CronJob never fails the pods back", async () => {
    const rs = editHaCronJob(await render("homelab"), "descheduler", (c) => { c.spec.suspend = true; });
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: not failed back to w1 .*descheduler CronJob ha-jobs\/ha-jobs-descheduler is suspended/);
    expect(s.bound!.measured).toBeNull();
  });

  it("the bound follows the rendered schedule", async () => {
    const rs = editHaCronJob(await render("homelab"), "descheduler", (c) => { c.spec.schedule = "0 * * * *"; });
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    const reschedule = maxGrace(rs) + LONGHORN_REATTACH_SECONDS;
    expect(s.bound!.seconds).toBe(3600 + reschedule);
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(3600 + reschedule);
  });

  it("without disabling the PodsWithLocalStorage protection, decypharr-streaming (hostPath) is never failed back", async () => {
    const rs = editHaPolicy(await render("homelab"), (p) => {
      delete pluginArgs(p, "DefaultEvictor").podProtections;
    });
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: not failed back to w1 .*local storage/);
    expect(s.violations.join("\n")).not.toMatch(/decypharr-download-0/);
  });

  it("without a descheduler the scenario fails with a clear message", async () => {
    const rs = (await render("homelab")).filter((r) => findDescheduler([r]) === null);
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations).toEqual([expect.stringMatching(/environment homelab renders no descheduler: no ConfigMap holds a DeschedulerPolicy .* Fix: add the ha-jobs HelmRelease/)]);
  });
});

describe("homelab: w1-cordoned", () => {
  it("drains to w2 and the descheduler evicts nothing over several periods; nodeFit is named as the setting that prevents the loop", async () => {
    const rs = await render("homelab");
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-cordoned" }).scenarios, "w1-cordoned");
    expect(s.assumptions.join("\n")).toMatch(/descheduler policy: ConfigMap ha-jobs\/ha-jobs-descheduler-policy \(data key policy.yaml, clusters\/homelab\/apps\/ha-jobs.yaml\)/);
    expect(s.violations).toEqual([]);
    expect(s.facts.evictions).toEqual([]);
    expect(s.timeline.filter((e) => /descheduler run \d.*no eviction/.test(e.text))).toHaveLength(3);
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ from: "w1", to: "w2", status: "Running" });
    expect(s.findings.join("\n")).toMatch(/nodeFit: true .* prevents the loop: without it .*decypharr-streaming-0/);
  });

  it("with nodeFit: false in the rendered policy it evicts in a loop (exit-code violation)", async () => {
    // The chart refuses nodeFit: false (charts/ha-jobs/templates/_validate.tpl), so the rendered policy is edited.
    const rs = editHaPolicy(await render("homelab"), (p) => {
      pluginArgs(p, "DefaultEvictor").nodeFit = false;
    });
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-cordoned" });
    const s = scenario(r.scenarios, "w1-cordoned");
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: evicted by the descheduler in run 1 while w1 is cordoned .* goes back to w2, an eviction loop/);
    expect(r.ok).toBe(false);
  });

  it("the descheduler and the fencing job are found by content, not by name (renamed objects)", async () => {
    const rs = withHaJobs(await render("homelab"), "homelab");
    expect(rs.some((r) => r.chart === "ha-jobs")).toBe(false);
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-cordoned" });
    const s = scenario(r.scenarios, "w1-cordoned");
    expect(s.timeline.filter((e) => /descheduler run \d \(CronJob ha-jobs\/fixture-failback, "\*\/5 \* \* \* \*"\): no eviction/.test(e.text))).toHaveLength(3);
    expect(findFencing(rs)!.cronJob.name).toBe("fixture-fence");
    expect(s.violations).toEqual([]);
  });
});

describe("homelab: w3-down and w2-down", () => {
  it("w3-down: GPU workers go Pending (node affinity), PMS follows TRANSCODE_OPERATING_MODE from the render", async () => {
    const rs = await render("homelab");
    const pms = objects(rs).find((o) => (o.spec?.template?.spec?.containers ?? []).some((c: Obj) => (c.env ?? []).some((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE")));
    expect(pms, "clusterplex PMS with TRANSCODE_OPERATING_MODE").toBeDefined();
    const mode = pms!.spec.template.spec.containers.flatMap((c: Obj) => c.env ?? []).find((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE").value;
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w3-down" }).scenarios, "w3-down");
    const workers = s.pods.filter((p) => /worker/.test(p.pod));
    expect(workers.map((w) => w.pod).sort()).toEqual(podNames(clusterplexWorkers(rs)).sort());
    for (const w of workers) {
      expect(w.status).toBe("Pending");
      expect(w.detail).toMatch(/didn't match Pod's node affinity\/selector/);
    }
    expect(s.facts.transcodeMode).toBe(mode);
    const line = s.timeline.find((e) => /TRANSCODE_OPERATING_MODE/.test(e.text))!.text;
    expect(line).toMatch(mode === "remote" ? /transcoding is unavailable/ : /transcod\w* locally|keeps transcoding/);
    expect(s.violations).toEqual([]);
  });

  it("w3-down: TRANSCODE_OPERATING_MODE=remote makes transcoding unavailable", async () => {
    const rs = cloneReleases(await render("homelab"));
    const env = objects(rs).flatMap((o) => (o.spec?.template?.spec?.containers ?? []).flatMap((c: Obj) => c.env ?? [])).find((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE");
    expect(env, "TRANSCODE_OPERATING_MODE in the render").toBeDefined();
    env.value = "remote";
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w3-down" }).scenarios, "w3-down");
    expect(s.findings.join("\n")).toMatch(/TRANSCODE_OPERATING_MODE=remote\): transcoding is unavailable/);
  });

  it("w2-down: the pods on w1 are unaffected and nothing needs to move", async () => {
    const rs = await render("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w2-down" });
    const s = scenario(r.scenarios, "w2-down");
    expect(s.violations).toEqual([]);
    expect(s.pods).toEqual([]); // nothing ran on w2
    expect(s.findings.join("\n")).toMatch(/pod\(s\) on w1 keep running; 0 pod\(s\) were on w2/);
    const fencing = haCronJob(rs, "fencing");
    expect(s.facts.fencedAt).toEqual({ w2: Number(fencingEnv(fencing, "FENCING_THRESHOLD_SECONDS")) - 1 + periodOf(fencing) + Number(fencingEnv(fencing, "FENCING_PROBE_WINDOW_SECONDS")) });
  });
});

describe("deliberately broken profiles fail with the pod and the reason", () => {
  it("a stateful pod without the storage toleration is Pending with the taint reason", async () => {
    const rs = cloneReleases(await render("homelab"));
    const sts = workload(rs, "decypharr-streaming");
    sts.spec.template.spec.tolerations = sts.spec.template.spec.tolerations.filter((t: Obj) => t.key !== "node.longhorn.io/storage");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w2-down" });
    const p = r.placement.find((x) => x.pod === "decypharr-streaming-0")!;
    expect(p.status).toBe("Pending");
    expect(p.message).toBe(
      "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.longhorn.io/storage: enabled}.",
    );
    expect(r.placementViolations.join("\n")).toMatch(/^decypharr-streaming-0 \(StatefulSet\/media\/decypharr-streaming\): Pending: .*untolerated taint \{node.longhorn.io\/storage: enabled\}/m);
    expect(r.ok).toBe(false);
  });

  it("a stateful pod without its storage affinity lands on cp1 and is reported", async () => {
    const rs = cloneReleases(await render("homelab"));
    const sts = workload(rs, "decypharr-download");
    delete sts.spec.template.spec.affinity;
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w2-down" });
    expect(r.placement.find((x) => x.pod === "decypharr-download-0")!.node).toBe("cp1");
    expect(r.placementViolations).toContain("decypharr-download-0: stateful pod (Longhorn ReadWriteOnce volume) placed on cp1 (k3s-cp1), which is not a storage node");
  });

  it('the GPU label misspelled (gpu: "ture") leaves the workers Pending with the NodeAffinity reason', async () => {
    clusterplexWorkers(await render("homelab")); // fails when clusterplex is not rendered
    await withFixtureRepo(
      // gpu: true must go too, or loadInventory's cross-check rejects the file first (next test).
      (root) => editFixture(root, "values/homelab/cluster.yaml", /gpu: true\n(?:\s+#.*\n)*\s+accelerator:\n\s+vendor: unknown\n(\s+)labels:\n(\s+)gpu: "true"/, 'labels:\n$2gpu: "ture"'),
      async (root) => {
        const r = await simulateEnvironment("homelab", { root, scenario: "w2-down" });
        const workers = r.placement.filter((p) => /^clusterplex-worker-\d+$/.test(p.pod));
        expect(workers.length).toBeGreaterThan(0);
        for (const w of workers) {
          expect(w.status).toBe("Pending");
          expect(w.verdicts.find((v) => v.node === "w3")!.rejections).toEqual(["NodeAffinity: node(s) didn't match Pod's node affinity/selector"]);
          expect(r.placementViolations.join("\n")).toContain(`${w.pod} (StatefulSet/media/clusterplex-worker): Pending: 0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector`);
        }
        expect(r.ok).toBe(false);
      },
    );
  });

  it("the GPU label misspelled while gpu: true stays is rejected by the inventory check, naming the node", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/cluster.yaml", /gpu: "true"/, 'gpu: "ture"'),
      async (root) => {
        await expect(simulateEnvironment("homelab", { root })).rejects.toThrow(/nodes\.w3\.labels: node w3 has gpu: true but not the label gpu: "true"/);
      },
    );
  });
});
