/**
 * The simulator against the real renders of every environment: the placement of every workload
 * and each scenario's outcome and timing bound, computed from the rendered manifests. The
 * descheduler/fencing come from the rendered ha-jobs chart when present, else from the fixture
 * test/simulate/fixtures/ha-jobs.yaml (tests that vary the policy always use the fixture).
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type RenderedRelease } from "../../tools/lib/render.ts";
import { findDescheduler } from "../../tools/simulate/facts.ts";
import { simulateReleases, simulateEnvironment, type ScenarioResult } from "../../tools/simulate/index.ts";
import { LONGHORN_REATTACH_SECONDS, SEED_FAILOVER_SECONDS } from "../../tools/simulate/scenarios.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { cloneReleases, withHaJobs } from "./fixtures/index.ts";

type Obj = Record<string, any>;

const renders = new Map<string, Promise<RenderedRelease[]>>();
const render = (env: string) => {
  if (!renders.has(env)) renders.set(env, renderEnvironment(env));
  return renders.get(env)!;
};
/** Real releases, plus the fixture ha-jobs when the environment renders no descheduler yet. */
async function releasesWithHa(env: string): Promise<RenderedRelease[]> {
  const r = await render(env);
  return findDescheduler(r) ? r : withHaJobs(r, env);
}
const scenario = (s: ScenarioResult[], name: string) => s.find((x) => x.name === name)!;
const objects = (rs: RenderedRelease[]) => rs.flatMap((r) => r.objects as Obj[]);
const workload = (rs: RenderedRelease[], name: string) => objects(rs).find((o) => ["StatefulSet", "Deployment"].includes(o.kind) && o.metadata.name === name)!;
const unreachableSeconds = (w: Obj): number => w.spec.template.spec.tolerations.find((t: Obj) => t.key === "node.kubernetes.io/unreachable").tolerationSeconds;
const graceSeconds = (w: Obj): number => w.spec.template.spec.terminationGracePeriodSeconds ?? 30;
/** Longhorn-backed pods that admit the primary: the stateful media pods. */
const statefulMedia = (rs: RenderedRelease[]) =>
  objects(rs)
    .filter((o) => ["StatefulSet", "Deployment"].includes(o.kind))
    .filter((o) => (o.spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).some((t: Obj) => (t.matchExpressions ?? []).some((e: Obj) => e.key === "node.longhorn.io/storage")))
    .filter((o) => o.kind === "StatefulSet" ? (o.spec.volumeClaimTemplates ?? []).length > 0 : (o.spec.template.spec.volumes ?? []).some((v: Obj) => v.persistentVolumeClaim));
const podNames = (o: Obj) => (o.kind === "StatefulSet" ? Array.from({ length: o.spec.replicas ?? 1 }, (_, i) => `${o.metadata.name}-${i}`) : [o.metadata.name]);

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

  it("clusterplex workers run only on w3 (when the clusterplex chart is rendered)", async () => {
    const rs = await render("homelab");
    const sts = objects(rs).find((o) => o.kind === "StatefulSet" && /worker/.test(o.metadata.name) && rs.find((r) => r.objects.includes(o as never))?.chart === "clusterplex");
    if (!sts) return; // clusterplex not rendered in this checkout
    const r = simulateReleases("homelab", rs, loadInventory("homelab"));
    for (const name of podNames(sts)) {
      const p = r.placement.find((x) => x.pod === name)!;
      expect(p.node).toBe("w3");
      expect(p.verdicts.filter((v) => v.feasible).map((v) => v.node)).toEqual(["w3"]);
    }
  });

  it("nothing but CronJob pods (control jobs) may land on cp1", async () => {
    const r = simulateReleases("homelab", await releasesWithHa("homelab"), loadInventory("homelab"));
    const onCp1 = r.placement.filter((p) => p.node === "cp1");
    expect(onCp1.filter((p) => !p.workload.startsWith("CronJob/"))).toEqual([]);
  });
});

describe("staging: one node", () => {
  it("places everything on s1 and reports the multi-node scenarios as not applicable, with the reason", async () => {
    const r = simulateReleases("staging", await releasesWithHa("staging"), loadInventory("staging"));
    expect(r.placement.filter((p) => p.status !== "Scheduled")).toEqual([]);
    expect(new Set(r.placement.map((p) => p.node))).toEqual(new Set(["s1"]));
    for (const s of r.scenarios) {
      expect(s.applicable, s.name).toBe(false);
      expect(s.reason, s.name).toMatch(/values\/staging\/cluster.yaml|needs w1-down/);
    }
    expect(r.ok).toBe(true);
  });
});

describe("homelab: w1-down", () => {
  it("evicts at the rendered tolerationSeconds, moves every pod of w1 to w2 within the seed's ~60s + reattach, DFS consumers follow decypharr", async () => {
    const rs = await releasesWithHa("homelab");
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

  it("the fencing job taints w1 out-of-service at FENCING_THRESHOLD_SECONDS + one period of its schedule", async () => {
    const rs = withHaJobs(await render("homelab"), "homelab", (t) => t.replace('value: "120"', 'value: "300"').replace('"*/2 * * * *"', '"*/3 * * * *"'));
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-down" }).scenarios, "w1-down");
    expect(s.facts.fencedAt).toEqual({ w1: 300 + 180 });
    expect(s.timeline.find((e) => /fencing job .*out-of-service/.test(e.text))!.t).toBe(480);
  });

  it("changing tolerationSeconds in the repo changes the reported eviction time (and breaks the failover bound)", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", /^streaming:/m, "placement:\n  tolerationSeconds: 45\nstreaming:"),
      async (root) => {
        const r = await simulateEnvironment("homelab", { root, scenario: "w1-down" });
        const s = scenario(r.scenarios, "w1-down");
        expect(s.timeline.find((e) => /decypharr-streaming-0.*evicted by the taint-eviction/.test(e.text))!.t).toBe(45);
        expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(45 + 30 + LONGHORN_REATTACH_SECONDS);
        expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: running again after 105s, later than .* = 90s/);
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
    const rs = await releasesWithHa("homelab");
    const d = findDescheduler(rs)!;
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.violations).toEqual([]);
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ to: "w1", status: "Running" });
    const period = d.cronJob.periodSeconds;
    expect(s.bound!.seconds).toBe(period + 30 + LONGHORN_REATTACH_SECONDS);
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(period + 30 + LONGHORN_REATTACH_SECONDS);
    expect(s.timeline.filter((e) => /descheduler run \d.*no eviction/.test(e.text))).toHaveLength(2); // runs 2 and 3: stable
  });

  it("the bound follows the rendered schedule", async () => {
    const rs = withHaJobs(await render("homelab"), "homelab", (t) => t.replace('"*/5 * * * *"', '"*/10 * * * *"'));
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-back" }).scenarios, "w1-back");
    expect(s.bound!.seconds).toBe(600 + 30 + LONGHORN_REATTACH_SECONDS);
    expect(s.pods.find((p) => p.pod === "decypharr-streaming-0")!.runningAt).toBe(600 + 30 + LONGHORN_REATTACH_SECONDS);
  });

  it("without disabling the PodsWithLocalStorage protection, decypharr-streaming (hostPath) is never failed back", async () => {
    const rs = withHaJobs(await render("homelab"), "homelab", (t) => t.replace(/\s+podProtections:\n\s+defaultDisabled:\n\s+- "PodsWithLocalStorage"/, ""));
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
    const rs = await releasesWithHa("homelab");
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-cordoned" }).scenarios, "w1-cordoned");
    expect(s.violations).toEqual([]);
    expect(s.facts.evictions).toEqual([]);
    expect(s.timeline.filter((e) => /descheduler run \d.*no eviction/.test(e.text))).toHaveLength(3);
    for (const p of s.pods) expect(p, p.pod).toMatchObject({ from: "w1", to: "w2", status: "Running" });
    expect(s.findings.join("\n")).toMatch(/nodeFit: true .* prevents the loop: without it .*decypharr-streaming-0/);
  });

  it("with nodeFit: false the same policy evicts in a loop (exit-code violation)", async () => {
    const rs = withHaJobs(await render("homelab"), "homelab", (t) => t.replace("nodeFit: true", "nodeFit: false"));
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w1-cordoned" });
    const s = scenario(r.scenarios, "w1-cordoned");
    expect(s.violations.join("\n")).toMatch(/decypharr-streaming-0: evicted by the descheduler in run 1 while w1 is cordoned .* goes back to w2, an eviction loop/);
    expect(r.ok).toBe(false);
  });
});

describe("homelab: w3-down and w2-down", () => {
  it("w3-down: GPU workers go Pending (node affinity), PMS follows TRANSCODE_OPERATING_MODE from the render", async () => {
    const rs = await releasesWithHa("homelab");
    const pms = objects(rs).find((o) => (o.spec?.template?.spec?.containers ?? []).some((c: Obj) => (c.env ?? []).some((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE")));
    if (!pms) return; // clusterplex not rendered
    const mode = pms.spec.template.spec.containers.flatMap((c: Obj) => c.env ?? []).find((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE").value;
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w3-down" }).scenarios, "w3-down");
    const workers = s.pods.filter((p) => /worker/.test(p.pod));
    expect(workers.length).toBeGreaterThan(0);
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
    const rs = cloneReleases(await releasesWithHa("homelab"));
    const env = objects(rs).flatMap((o) => (o.spec?.template?.spec?.containers ?? []).flatMap((c: Obj) => c.env ?? [])).find((e: Obj) => e.name === "TRANSCODE_OPERATING_MODE");
    if (!env) return;
    env.value = "remote";
    const s = scenario(simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w3-down" }).scenarios, "w3-down");
    expect(s.findings.join("\n")).toMatch(/TRANSCODE_OPERATING_MODE=remote\): transcoding is unavailable/);
  });

  it("w2-down: the pods on w1 are unaffected and nothing needs to move", async () => {
    const rs = await releasesWithHa("homelab");
    const r = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "w2-down" });
    const s = scenario(r.scenarios, "w2-down");
    expect(s.violations).toEqual([]);
    expect(s.pods).toEqual([]); // nothing ran on w2
    expect(s.findings.join("\n")).toMatch(/pod\(s\) on w1 keep running; 0 pod\(s\) were on w2/);
    expect(s.facts.fencedAt).toEqual({ w2: expect.any(Number) });
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
    const rs = await render("homelab");
    if (!rs.some((r) => r.chart === "clusterplex")) return;
    await withFixtureRepo(
      // gpu: true must go too, or loadInventory's cross-check rejects the file first (next test).
      (root) => editFixture(root, "values/homelab/cluster.yaml", /gpu: true\n(\s+)labels:\n(\s+)gpu: "true"/, 'labels:\n$2gpu: "ture"'),
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
