/**
 * Floating tags never run with IfNotPresent (tools/lint/images.ts): unit cases of what is floating,
 * the rule on crafted objects, and a values break through the lint pipeline.
 */
import { describe, expect, it } from "vitest";
import { checkPullPolicy, floatingReason } from "../../tools/lint/images.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";
import type { LintContext } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("floatingReason", () => {
  it.each([
    ["cy01/blackhole:beta", /channel tag beta/],
    ["cy01/blackhole:latest", /channel tag latest/],
    ["cy01/blackhole", /no tag/],
    ["lscr.io/linuxserver/plex:1.42.2", /linuxserver image without its -lsNNN build tag/],
    ["ghcr.io/linuxserver/sonarr:4.0.16.2944", /linuxserver image without its -lsNNN/],
    ["registry.example:5000/team/app:latest", /channel tag latest/],
  ])("%s is floating", (image, want) => {
    expect(floatingReason(image)).toMatch(want);
  });

  it.each([
    "lscr.io/linuxserver/plex:1.42.2.10156-f737b826c-ls287",
    "lscr.io/linuxserver/sonarr:4.0.16.2944-ls302",
    "registry.k8s.io/descheduler/descheduler:v0.36.0",
    `cy01/blackhole:beta@${DIGEST}`,
    "registry.example:5000/team/app:1.2.3",
  ])("%s is pinned", (image) => {
    expect(floatingReason(image)).toBeNull();
  });
});

describe("checkPullPolicy", () => {
  const ctx = (image: string, policy?: string, init = false) => {
    const c = { name: "app", image, ...(policy ? { imagePullPolicy: policy } : {}) };
    return { objects: [{ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "media" }, spec: { template: { spec: init ? { initContainers: [c], containers: [] } : { containers: [c] } } } }] } as unknown as LintContext;
  };

  it.each([
    ["cy01/blackhole:beta", "IfNotPresent", false],
    ["cy01/blackhole:beta", "IfNotPresent", true],
    ["lscr.io/linuxserver/plex:1.42.2", "IfNotPresent", false],
    ["lscr.io/linuxserver/plex:1.42.2", undefined, false],
  ])("rejects %s with %s (init container: %s)", (image, policy, init) => {
    const f = checkPullPolicy(ctx(image, policy, init));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "error", object: "Deployment/media/x", rule: "images/floating-tag-pull-policy" });
    expect(f[0].message).toMatch(new RegExp(`^container app: image ${image.replace(/[.]/g, "\\.")} .*Fix: pin a digest \\(image\\.digest: sha256:\\.\\.\\.\\) or set image\\.pullPolicy: Always`));
  });

  it.each([
    ["cy01/blackhole:beta", "Always"],
    [`cy01/blackhole:beta@${DIGEST}`, "IfNotPresent"],
    ["lscr.io/linuxserver/plex:1.42.2.10156-f737b826c-ls287", "IfNotPresent"],
    ["cy01/blackhole:latest", undefined],
  ])("accepts %s with %s", (image, policy) => {
    expect(checkPullPolicy(ctx(image, policy))).toEqual([]);
  });
});

describe("through lint", () => {
  it("decypharr-streaming's beta with IfNotPresent fails, naming the object and the fix", async () => {
    const r = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", "streaming:\n", "streaming:\n  image: {repository: cy01/blackhole, tag: beta, pullPolicy: IfNotPresent}\n"),
      (root) => lintEnvironment({ env: "homelab", chart: "decypharr", root }),
    );
    const p = r.profiles.find((x) => x.chart === "decypharr")!;
    expect(p.ok).toBe(false);
    expect(p.findings.filter((f) => f.rule === "images/floating-tag-pull-policy").map((f) => f.message)).toEqual([
      expect.stringMatching(/^container initial-config: image cy01\/blackhole:beta uses the channel tag beta/),
      expect.stringMatching(/^container decypharr: image cy01\/blackhole:beta uses the channel tag beta/),
    ]);
  }, 240_000);
});
