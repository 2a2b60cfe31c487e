import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

async function findings(env: string, chart: string, edit: (root: string) => void) {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart, root });
    const p = report.profiles.find((x) => x.chart === chart && x.kind === "chart")!;
    return { ok: p.ok, lines: p.findings.map((f) => `${f.location ? `${f.location.file}:${f.location.line}:${f.location.col}: ` : ""}${f.object ? `${f.object}: ` : ""}${f.message}`) };
  });
}

// GIVEN an inventory or values mistake WHEN lint runs THEN the cross-chart rules name the pod/key and the fix.
describe("cross-chart lint rules", () => {
  it("a GPU label misspelled in the inventory leaves the clusterplex workers unschedulable", async () => {
    const r = await findings("homelab", "clusterplex", (root) => {
      editFixture(root, "values/homelab/cluster.yaml", 'labels:\n      gpu: "true"', 'labels:\n      gpu: "ture"');
      editFixture(root, "values/homelab/cluster.yaml", "gpu: true\n", "gpu: false\n");
    });
    expect(r.ok).toBe(false);
    expect(r.lines.join("\n")).toMatch(/StatefulSet\/media\/clusterplex-worker: can never schedule: no node of values\/homelab\/cluster\.yaml satisfies.*w3 \(k3s-w3\): NodeAffinity: node\(s\) didn't match Pod's node affinity\/selector.*Fix:/);
  });

  it("storage nodes without the storage label leave every stateful pod unschedulable", async () => {
    const r = await findings("homelab", "decypharr", (root) => {
      for (let i = 0; i < 2; i++) editFixture(root, "values/homelab/cluster.yaml", "node.longhorn.io/storage: enabled\n", "node.longhorn.io/storage: disabled\n");
    });
    expect(r.ok).toBe(false);
    const text = r.lines.join("\n");
    expect(text).toMatch(/StatefulSet\/media\/decypharr-streaming: can never schedule/);
    expect(text).toMatch(/w1 \(k3s-w1\): TaintToleration|w1 \(k3s-w1\): NodeAffinity/);
  });

  it("an address that is not in the inventory is reported at its values line", async () => {
    const r = await findings("homelab", "decypharr", (root) => {
      editFixture(root, "values/homelab/decypharr.yaml", "server: 192.168.1.50", "server: 192.168.1.51");
    });
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(expect.stringMatching(/^values\/homelab\/decypharr\.yaml:\d+:\d+: download\.media\.server: 192\.168\.1\.51 is not an address of values\/homelab\/cluster\.yaml .*Fix:/));
  });

  it("warns that the GPU workers' Longhorn volumes cannot attach on w3, where Longhorn's CSI plugin does not run", async () => {
    const report = await lintEnvironment({ env: "homelab", chart: "clusterplex" });
    const p = report.profiles.find((x) => x.kind === "chart")!;
    const warning = p.findings.find((f) => f.object === "StatefulSet/media/clusterplex-worker" && /Longhorn/.test(f.message));
    expect(warning?.severity).toBe("warning");
    expect(warning?.message).toMatch(/mounts Longhorn volume\(s\) codecs, .* but can only run on w3, where Longhorn's CSI plugin does not run .*"node\.longhorn\.io\/storage:enabled"/);
    // On staging everything runs on the one storage node, where the CSI plugin runs.
    const staging = await lintEnvironment({ env: "staging", chart: "clusterplex" });
    expect(staging.profiles.flatMap((x) => x.findings).filter((f) => /Longhorn's CSI plugin/.test(f.message))).toEqual([]);
  });

  it("the committed profiles pass", async () => {
    const report = await lintEnvironment({ chart: "decypharr" });
    expect(report.profiles.filter((p) => p.kind === "chart").every((p) => p.ok)).toBe(true);
  });
});
