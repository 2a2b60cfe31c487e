/**
 * `simulate --scenario drain-w1|drain-w2` (tools/simulate/drain.ts) on the real renders: the
 * timeline's times are the rendered terminationGracePeriodSeconds, the descheduler's period and
 * the PVC sizes; Longhorn's node-drain-policy decides whether the drain can finish.
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type K8sObject, type RenderedRelease } from "../../tools/lib/render.ts";
import { maxGapSeconds, parseCron } from "../../tools/simulate/cron.ts";
import { MAINTENANCE_SECONDS, quantityBytes, REBUILD_BYTES_PER_SECOND, scenarioDrain } from "../../tools/simulate/drain.ts";
import { buildContext, simulateReleases } from "../../tools/simulate/index.ts";
import { LONGHORN_REATTACH_SECONDS } from "../../tools/simulate/scenarios.ts";

type Obj = Record<string, any>;
const renders = new Map<string, Promise<RenderedRelease[]>>();
const render = (env: string) => {
  if (!renders.has(env)) renders.set(env, renderEnvironment(env));
  return renders.get(env)!;
};
const objects = (rs: RenderedRelease[]) => rs.flatMap((r) => r.objects as Obj[]);

describe("drain scenarios", () => {
  it.each([["homelab", "drain-w1"], ["homelab", "drain-w2"], ["staging", "drain-w1"]] as const)("%s %s: meets its expectations", async (env, name) => {
    const rs = await render(env);
    const report = simulateReleases(env, rs, loadInventory(env), { scenario: name });
    const s = report.scenarios[0];
    expect(s.applicable).toBe(true);
    expect(s.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("staging drain-w2: not applicable, there is no backup storage node", async () => {
    const s = simulateReleases("staging", await render("staging"), loadInventory("staging"), { scenario: "drain-w2" }).scenarios[0];
    expect(s.applicable).toBe(false);
    expect(s.reason).toContain("storage.backup");
  });

  it("homelab drain-w1: each stateful pod moves to w2 at its rendered grace period + reattach, and fails back one descheduler period after the uncordon", async () => {
    const rs = await render("homelab");
    const s = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "drain-w1" }).scenarios[0];
    const sonarr = objects(rs).find((o) => o.kind === "Deployment" && o.metadata.name === "media-apps-sonarr")!;
    const grace = sonarr.spec.template.spec.terminationGracePeriodSeconds ?? 30;
    const pod = s.pods.find((p) => p.pod === "media-apps-sonarr")!;
    expect(pod).toMatchObject({ from: "w1", to: "w2", status: "Running", runningAt: grace + LONGHORN_REATTACH_SECONDS });
    const descheduler = objects(rs).find((o) => o.kind === "CronJob" && /descheduler/.test(o.metadata.name))!;
    const period = maxGapSeconds(parseCron(descheduler.spec.schedule));
    const uncordon = s.facts.uncordonAt as number;
    expect(uncordon).toBe((s.facts.drainFinishedAt as number) + MAINTENANCE_SECONDS);
    const failback = s.timeline.find((e) => e.text.startsWith("failback: media-apps-sonarr"))!;
    expect(failback.t).toBe(uncordon + period + grace + LONGHORN_REATTACH_SECONDS);
    expect((s.facts.failback as { to: string }[]).every((f) => f.to === "w1")).toBe(true);
    // the DFS export address follows decypharr-streaming (keepalived): no step, and no failover command
    expect(s.findings.join("\n")).toContain("the DFS export address follows it by itself");
    expect(s.findings.join("\n")).not.toContain("npm run failover");
    // rebuild time from the PVC sizes
    const lhClasses = new Set(objects(rs).filter((o) => o.kind === "StorageClass" && o.provisioner === "driver.longhorn.io").map((o) => o.metadata.name));
    let bytes = 0;
    for (const o of objects(rs)) {
      if (o.kind === "PersistentVolumeClaim" && lhClasses.has(o.spec.storageClassName)) bytes += quantityBytes(o.spec.resources.requests.storage);
      if (o.kind === "StatefulSet") for (const t of o.spec.volumeClaimTemplates ?? []) if (lhClasses.has(t.spec.storageClassName)) bytes += (o.spec.replicas ?? 1) * quantityBytes(t.spec.resources.requests.storage);
    }
    expect(s.facts.rebuildSeconds).toBe(Math.ceil(bytes / REBUILD_BYTES_PER_SECOND));
  });

  it("block-for-eviction on two storage nodes: the drain never finishes (a violation)", async () => {
    const rs = await render("homelab");
    const ctx = buildContext("homelab", rs, loadInventory("homelab"));
    const s = scenarioDrain(ctx, "drain-w1", rs, { value: "block-for-eviction", source: "test" });
    expect(s.violations.join("\n")).toMatch(/Longhorn blocks the drain of w1 forever: block-for-eviction/);
  });

  it("one storage node with Longhorn's default policy: the drain never finishes (a violation naming the fix)", async () => {
    const rs = await render("staging");
    const ctx = buildContext("staging", rs, loadInventory("staging"));
    const s = scenarioDrain(ctx, "drain-w1", rs, { value: "block-if-contains-last-replica", source: "test" });
    expect(s.violations.join("\n")).toContain("set nodeDrainPolicy: allow-if-replica-is-stopped");
  });

  it("a PodDisruptionBudget with minAvailable 1 on a single replica: the drain never finishes (a violation)", async () => {
    const rs = (await render("homelab")).map((r) => ({ ...r, objects: [...r.objects] }));
    const apps = rs.find((r) => r.chart === "media-apps")!;
    const pdb = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "sonarr", namespace: "media" }, spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/instance": "media-apps", "app.kubernetes.io/component": "sonarr" } } } };
    apps.objects.push(pdb as unknown as K8sObject);
    const s = simulateReleases("homelab", rs, loadInventory("homelab"), { scenario: "drain-w1" }).scenarios[0];
    expect(s.violations.join("\n")).toContain("PodDisruptionBudget/media/sonarr allows no disruption of media-apps-sonarr");
  });
});
