import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";
import { runCli } from "../helpers/cli.ts";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const cli = (script: string, args: string[], env: Record<string, string> = {}) => runCli(script, args, { env });

const DECYPHARR_VALUES = "values/homelab/decypharr.yaml";
const DECYPHARR_HR = "clusters/homelab/apps/decypharr.yaml";

// GIVEN a broken input WHEN lint-charts runs THEN it exits 1 with one line naming file, key and fix.
describe("lint-charts on bad input", () => {
  it.each([
    {
      name: "an unknown key",
      edit: (root: string) => editFixture(root, DECYPHARR_VALUES, "streaming:\n", "streaming:\n  imagee: {}\n"),
      want: /values\/homelab\/decypharr\.yaml:3:3: streaming\.imagee: unknown key "imagee" \(did you mean "image"\?\)\. Fix: rename it to image/,
    },
    {
      name: "a wrong type",
      edit: (root: string) => editFixture(root, DECYPHARR_VALUES, "streaming:\n", "port: eighty\nstreaming:\n"),
      want: /values\/homelab\/decypharr\.yaml:2:7: port: must be integer \(got "eighty"\)/,
    },
    {
      name: "a toleration outside the schema's bounds",
      edit: (root: string) => editFixture(root, DECYPHARR_VALUES, "streaming:\n", "placement:\n  tolerationSeconds: 3600\nstreaming:\n"),
      want: /values\/homelab\/decypharr\.yaml:3:22: placement\.tolerationSeconds: must be <= 300 \(got 3600\)/,
    },
    {
      name: "malformed YAML",
      edit: (root: string) => editFixture(root, DECYPHARR_VALUES, "streaming:\n", "streaming: [\n"),
      want: /values\/homelab\/decypharr\.yaml:\d+:\d+: YAML syntax: /,
    },
    {
      name: "duplicate keys",
      edit: (root: string) => editFixture(root, DECYPHARR_VALUES, "download:\n", "streaming: {}\ndownload:\n"),
      want: /values\/homelab\/decypharr\.yaml:\d+:1: duplicate key "streaming".*Fix: remove one streaming: line, or merge their values/,
    },
    {
      name: "a missing values file",
      edit: (root: string) => rmSync(join(root, DECYPHARR_VALUES)),
      want: /clusters\/homelab\/apps\/decypharr\.yaml:\d+:\d+: HelmRelease media\/decypharr: values file values\/homelab\/decypharr\.yaml does not exist\. Fix:/,
    },
    {
      name: "a HelmRelease pointing at a missing chart",
      edit: (root: string) => editFixture(root, DECYPHARR_HR, "chart: ./charts/decypharr", "chart: ./charts/decypharrr"),
      want: /clusters\/homelab\/apps\/decypharr\.yaml:\d+:\d+: HelmRelease media\/decypharr: chart \.\/charts\/decypharrr is not a chart of this repository.*Fix:/,
    },
  ])("$name", async ({ edit, want }) => {
    await withFixtureRepo(edit, async (root) => {
      const res = await cli("lint-charts.ts", ["--root", root, "--env", "homelab", "--chart", "decypharr"]);
      expect(res.exitCode).toBe(1);
      expect(`${res.stdout}\n${res.stderr}`).toMatch(want);
      expect(res.stdout).toMatch(/lint-charts: \d+ passed, [1-9]\d* failed/);
    });
  });

  it("fails with one clear error and exit 3 when helm is missing or broken", async () => {
    const res = await cli("lint-charts.ts", ["--env", "homelab", "--chart", "decypharr"], { HELM_BIN: "/nonexistent/helm" });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toMatch(/HELM_BIN \(\/nonexistent\/helm\) does not run: no such file\. Fix:/);
  });

  it("passes the committed decypharr profiles, one line per profile, and --json is machine-readable", async () => {
    const res = await cli("lint-charts.ts", ["--chart", "decypharr", "--json"]);
    expect(res.exitCode).toBe(0);
    const envelope = JSON.parse(res.stdout) as { tool: string; ok: boolean; data: { profiles: { env: string; release: string; ok: boolean; objects?: number }[] } };
    expect(envelope.tool).toBe("lint-charts");
    const report = { ok: envelope.ok, profiles: envelope.data.profiles };
    expect(report.ok).toBe(true);
    const chartProfiles = report.profiles.filter((p) => p.release === "decypharr");
    expect(chartProfiles.map((p) => p.env).sort()).toEqual(["homelab", "staging"]);
    expect(chartProfiles.every((p) => (p.objects ?? 0) > 0)).toBe(true);
  });
});

describe("render --out", () => {
  it("writes one file per release, and nothing when rendering fails", async () => {
    await withFixtureRepo(
      (root) => writeFixture(root, "out/.keep", ""),
      async (root) => {
        const ok = await cli("render.ts", ["--root", root, "--env", "staging", "--chart", "decypharr", "--out", join(root, "out")]);
        expect(ok.exitCode).toBe(0);
        expect(readdirSync(join(root, "out")).sort()).toEqual([".keep", "media-decypharr.yaml"]);

        editFixture(root, "values/staging/decypharr.yaml", "streaming:\n", "port: 0\nstreaming:\n");
        const bad = await cli("render.ts", ["--root", root, "--env", "staging", "--chart", "decypharr", "--out", join(root, "out2")]);
        expect(bad.exitCode).toBe(1);
        expect(bad.stderr).toMatch(/ERROR - .*decypharr/);
        expect(existsSync(join(root, "out2"))).toBe(false);
      },
    );
  });
});

describe("lint-charts with helm 3.17 (Flux helm-controller < 1.5)", () => {
  it("passes every profile when HELM_BIN points at the -v32 package's helm", async () => {
    const { provisionHelm } = await import("../../tools/lib/helm.ts");
    const res = await cli("lint-charts.ts", ["--json"], { HELM_BIN: provisionHelm("helm3") });
    expect(res.exitCode, res.stderr).toBe(0);
    const envelope = JSON.parse(res.stdout) as { tool: string; ok: boolean; data: { profiles: { kind: string; ok: boolean }[] } };
    const report = { ok: envelope.ok, profiles: envelope.data.profiles };
    expect(envelope.tool).toBe("lint-charts");
    expect(report.ok).toBe(true);
    expect(report.profiles.filter((p) => p.kind === "chart").length).toBeGreaterThanOrEqual(10);
  });
});

// A release whose pods cannot be Ready before a documented manual step (tools/lib/manual-steps.ts).
describe("lint-charts: releases blocked by a manual step", () => {
  it("clusterplex without install.disableWait: its pods mount the DFS, which exists only after decypharr-setup", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "clusters/homelab/apps/clusterplex.yaml", "  install:\n    disableWait: true\n", ""),
      async (root) => {
        const res = await cli("lint-charts.ts", ["--root", root, "--env", "homelab", "--chart", "clusterplex"]);
        expect(res.exitCode).toBe(1);
        expect(res.stdout).toMatch(/clusters\/homelab\/apps\/clusterplex\.yaml:\d+:\d+: .*the install waits for its pods to be Ready, but Deployment\/media\/clusterplex-pms: volume \S+ is claim clusterplex-dfs, bound to PersistentVolume clusterplex-dfs: NFS 192\.168\.1\.30:.*after step decypharr-setup.*Fix: set install\.disableWait: true in clusters\/homelab\/apps\/clusterplex\.yaml/);
      },
    );
  });
  it("a step its chart's NOTES do not name: error at the NOTES file", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "charts/decypharr/templates/NOTES.txt", /decypharr-setup/g, "the UI setup"),
      async (root) => {
        const res = await cli("lint-charts.ts", ["--root", root, "--env", "homelab", "--chart", "decypharr"]);
        expect(res.exitCode).toBe(1);
        expect(res.stdout).toMatch(/charts\/decypharr\/templates\/NOTES\.txt:1:1: HelmRelease\/media\/decypharr: manual step decypharr-setup \(.*\) is not named in charts\/decypharr\/templates\/NOTES\.txt.*Fix: add a line naming "decypharr-setup"/);
      },
    );
  });
});
