/**
 * tools/lint/charts/ha-jobs.ts through the real lint pipeline: GIVEN a fixture repository with
 * one thing broken WHEN lintEnvironment runs THEN the ha-jobs profile fails and says why and how
 * to fix it (at the values line where one exists).
 */
import { describe, expect, it } from "vitest";
import { cronMinGapSeconds } from "../../../tools/lint/charts/ha-jobs.ts";
import { lintEnvironment, type ProfileReport } from "../../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

const VALUES = (env: string) => `values/${env}/ha-jobs.yaml`;
const CM = "charts/ha-jobs/templates/cm.yaml";
const CRONJOB = "charts/ha-jobs/templates/cronjob.yaml";

async function lintHaJobs(env: string, edit: (root: string) => void): Promise<ProfileReport> {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart: "ha-jobs", root });
    const profile = report.profiles.find((p) => p.chart === "ha-jobs");
    expect(profile, `the ha-jobs profile was linted (clusters/${env}/apps/kustomization.yaml lists ha-jobs.yaml)`).toBeDefined();
    return profile!;
  });
}

const messages = (p: ProfileReport) => p.findings.map((f) => f.message).join("\n");

describe("cronMinGapSeconds (the one cron parser, tools/simulate/cron.ts)", () => {
  it.each([
    ["*/5 * * * *", 300],
    ["*/2 * * * *", 120],
    ["* * * * *", 60],
    ["*/7 * * * *", 240], // uneven within the hour: :56 -> :00
    ["0 * * * *", 3600],
    ["*/5 3 * * *", 300],
    ["@hourly", 3600],
    ["not a schedule", undefined],
  ])("%s -> %s", (schedule, period) => {
    expect(cronMinGapSeconds(schedule)).toBe(period);
  });
});

describe("lint ha-jobs", () => {
  it.each(["homelab", "staging"])("passes on the checked-in %s values", async (env) => {
    const p = await lintHaJobs(env, () => {});
    expect(p.findings).toEqual([]);
    expect(p.ok).toBe(true);
  });

  it("rejects a descheduler namespace no release uses, at the values line", async () => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, VALUES("homelab"), "namespaces: [media]", "namespaces: [medai]"));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => /descheduler\.namespaces\[0\] is "medai", which is no release namespace/.test(x.message));
    expect(f?.message).toMatch(/Fix: use the namespace of the media releases, e.g\. media/);
    expect(f?.location).toMatchObject({ file: VALUES("homelab") });
    // ... and says what the typo costs: media is not covered any more.
    expect(messages(p)).toMatch(/descheduler\.namespaces does not include "media", where decypharr, media-apps, clusterplex run pods with the storage placement: its pods would never fail back/);
  });

  it("rejects fencing.podNamespaces that leave out the media namespace", async () => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, VALUES("homelab"), "podNamespaces: [media]", "podNamespaces: [longhorn-system]"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/fencing\.podNamespaces does not include "media".*split-brain protection would not cover it.*Fix: add media to fencing\.podNamespaces/);
  });

  it("rejects a storage label that selects no storage node", async () => {
    const p = await lintHaJobs("homelab", (root) =>
      editFixture(root, VALUES("homelab"), "fencing:\n", "fencing:\n  storageLabel: node.longhorn.io/storage=true\n"),
    );
    expect(p.ok).toBe(false);
    const found = p.findings.filter((f) => /does not select storage node/.test(f.message)).map((f) => f.message.match(/storage node (\w+)/)![1]);
    expect(found.sort()).toEqual(["w1", "w2"]);
  });

  it("rejects a storage label that also selects the GPU node", async () => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, VALUES("homelab"), "fencing:\n", "fencing:\n  storageLabel: gpu=true\n"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/selects w3 \(k3s-w3\), which is not a storage node: the fencing job would cordon and taint it/);
  });

  it("rejects live fencing on staging (one storage node, nothing to fail over to)", async () => {
    const p = await lintHaJobs("staging", (root) => editFixture(root, VALUES("staging"), "dryRun: true", "dryRun: false"));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => /fencing runs live on staging, which has 1 storage node\(s\) \(s1\)/.test(x.message));
    expect(f?.message).toMatch(/Fix: set fencing\.dryRun: true .* or fencing\.enabled: false/);
    expect(f?.location).toMatchObject({ file: VALUES("staging") });
  });

  it("accepts staging with fencing disabled", async () => {
    const p = await lintHaJobs("staging", (root) => editFixture(root, VALUES("staging"), "dryRun: true", "enabled: false"));
    expect(p.findings).toEqual([]);
  });

  it("rejects an activeDeadlineSeconds that is not shorter than the period", async () => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, VALUES("homelab"), "descheduler:\n", "descheduler:\n  activeDeadlineSeconds: 300\n"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/descheduler\.activeDeadlineSeconds \(300\) is not shorter than the period of descheduler\.schedule "\*\/5 \* \* \* \*" \(300 s\)/);
  });

  it("rejects concurrencyPolicy other than Forbid (template changed)", async () => {
    const p = await lintHaJobs("homelab", (root) =>
      editFixture(root, CRONJOB, "  # Two runs at once would evict the same pods twice.\n  concurrencyPolicy: Forbid", "  concurrencyPolicy: Allow"),
    );
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/CronJob\/ha-jobs\/ha-jobs-descheduler has concurrencyPolicy "Allow"/);
  });

  it.each([
    [
      "PVC protection",
      "                  - PodsWithLocalStorage\n",
      "                  - PodsWithLocalStorage\n                extraEnabled:\n                  - PodsWithPVC\n",
      /pods with a PVC are protected from eviction \(PodsWithPVC\)/,
    ],
    [
      "local-storage protection",
      "              podProtections:\n                defaultDisabled:\n                  - PodsWithLocalStorage\n",
      "              podProtections:\n                defaultDisabled:\n                  - FailedBarePods\n",
      /pods with local storage are protected.*hostPath \/mnt\/decypharr/,
    ],
    [
      "no preferred type",
      "                - preferredDuringSchedulingIgnoredDuringExecution\n",
      "",
      /nodeAffinityType lacks preferredDuringSchedulingIgnoredDuringExecution/,
    ],
    ["nodeFit false", 'nodeFit: {{ ne (toString .nodeFit) "false" }}', "nodeFit: false", /DefaultEvictor nodeFit is not true/],
  ])("rejects a policy with %s (template changed)", async (_title, from, to, expected) => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, CM, from, to));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(expected);
  });

  it("rejects fencing.mode safety while the Longhorn release still deletes a NotReady node's pods, at the values line", async () => {
    const p = await lintHaJobs("homelab", (root) => editFixture(root, VALUES("homelab"), "mode: availability", "mode: safety"));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => /fencing\.mode is safety/.test(x.message));
    expect(f?.message).toMatch(/clusters\/homelab\/infrastructure\/longhorn.yaml spec.values.defaultSettings.nodeDownPodDeletionPolicy is delete-both-statefulset-and-deployment-pod: .*handlePodDeletionIfNodeDown.*two writers.*Fix: set nodeDownPodDeletionPolicy: do-nothing in clusters\/homelab\/infrastructure\/longhorn.yaml, or fencing.mode: availability/);
    expect(f?.location).toMatchObject({ file: VALUES("homelab") });
  });

  it("accepts safety mode once the Longhorn release says do-nothing, and rejects availability then", async () => {
    const LH = "clusters/homelab/infrastructure/longhorn.yaml";
    const toDoNothing = (root: string) => editFixture(root, LH, "nodeDownPodDeletionPolicy: delete-both-statefulset-and-deployment-pod", "nodeDownPodDeletionPolicy: do-nothing");
    const safe = await lintHaJobs("homelab", (root) => {
      toDoNothing(root);
      editFixture(root, VALUES("homelab"), "mode: availability", "mode: safety");
    });
    expect(messages(safe)).not.toMatch(/fencing\.mode/);
    const p = await lintHaJobs("homelab", toDoNothing);
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/fencing\.mode is availability, but .* is do-nothing: availability mode relies on Longhorn .*Fix: set nodeDownPodDeletionPolicy: delete-both-statefulset-and-deployment-pod/);
  });

  it("rejects a life-sign port that differs from the inventory's lifeSignPort, and a node that is no storage node", async () => {
    const p = await lintHaJobs("homelab", (root) => {
      editFixture(root, "values/homelab/cluster.yaml", "    name: k3s-w1\n", "    name: k3s-w1\n    lifeSignPort: 2222\n");
      editFixture(root, VALUES("homelab"), "fencing:\n", "fencing:\n  lifeSigns:\n    nodePorts: { k3s-w3: 22 }\n");
    });
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/fencing\.lifeSigns\.nodePorts gives k3s-w1 port 22, but values\/homelab\/cluster.yaml nodes.w1.lifeSignPort is 2222.*Fix: set fencing.lifeSigns.nodePorts.k3s-w1: 2222/);
    expect(messages(p)).toMatch(/fencing\.lifeSigns\.nodePorts names k3s-w3, which is no storage node/);
  });
});
