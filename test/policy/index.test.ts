import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderEnvironment } from "../../tools/lib/render.ts";
import { checkPolicy, formatReport, formatSummary, formatViolation, policyStage } from "../../tools/policy/index.ts";
import { violation } from "../../tools/policy/types.ts";
import { goodContainer, sc, sts, TEST_POLICY, workload } from "./fixtures.ts";

describe("checkPolicy", () => {
  it("runs every rule family over every object", () => {
    const objects = [
      sts("radarr", sc({ privileged: true })),
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "x" }, rules: [] },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "media" }, data: { a: "Yg==" } },
      workload("Deployment", "ok", { containers: [goodContainer()] }),
    ];
    expect(checkPolicy(objects, TEST_POLICY).map((v) => `${v.rule} ${v.object}`)).toEqual([
      "privileged StatefulSet/media/radarr",
      "rbac-cluster-scope ClusterRole/x",
      "secret-object Secret/media/s",
    ]);
  });
});

describe("formatting", () => {
  it.each([
    [
      violation("privileged", "StatefulSet/media/sonarr", "securityContext.privileged: true", { container: "sonarr", containerKind: "container" }),
      "ERROR - StatefulSet/media/sonarr container sonarr: privileged: securityContext.privileged: true. Fix: remove securityContext.privileged, or add the workload to workloads[].privileged in the environment's policy.yaml with a reason",
    ],
    [
      violation("image-pinned", "StatefulSet/media/decypharr-download", "image cy01/blackhole:latest uses the tag latest", { severity: "warning", container: "init", containerKind: "initContainer", fix: "pin it" }),
      "WARNING - StatefulSet/media/decypharr-download initContainer init: image-pinned: image cy01/blackhole:latest uses the tag latest. Fix: pin it",
    ],
    [
      violation("secret-scan", "a.yaml", "AWS access key id AKIA... (20 chars)", { location: { file: "a.yaml", line: 3, col: 7 }, fix: "rotate it" }),
      "ERROR - a.yaml:3:7: secret-scan: AWS access key id AKIA... (20 chars). Fix: rotate it",
    ],
  ])("formats %#", (v, line) => {
    expect(formatViolation(v)).toBe(line);
  });

  it.each([
    [[], "INFO - policy passed for homelab: 1 object checked, 0 errors, 0 warnings"],
    [[violation("image-pinned", "o", "m", { severity: "warning" })], "INFO - policy passed for homelab: 1 object checked, 0 errors, 1 warning"],
    [[violation("privileged", "o", "m"), violation("capabilities", "o", "m")], "ERROR - policy FAILED for homelab: 1 object checked, 2 errors, 0 warnings"],
  ])("summarises %#", (vs, line) => {
    expect(formatSummary(vs, { env: "homelab", objects: 1 })).toBe(line);
  });

  it("puts errors before warnings and ends with the summary", () => {
    const report = formatReport([violation("image-pinned", "w", "m", { severity: "warning" }), violation("privileged", "e", "m")], { env: "e", objects: 2 });
    expect(report.split("\n").map((l) => l.split(" ")[0])).toEqual(["ERROR", "WARNING", "ERROR"]);
  });
});

describe("policyStage", () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "policy-stage-"));
    write("values/t/policy.yaml", "workloads:\n  - names: [radarr]\n    reason: image needs root (PUID/PGID)\n    runAsRoot: true\n");
    write("values/t/apps.yaml", "apps:\n  radarr:\n    existingSecret: radarr\n    apiKey: abc123\n");
    write("charts/apps/values.yaml", "auth:\n  password: \"\"\n  passwordKey: password\n");
    write("clusters/t/apps.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: apps\nspec:\n  values:\n    plexToken: claim-abc\n");
    write("leak.yaml", "aws: AKIAIOSFODNN7EXAMPLE\n");
    const git = (...args: string[]) => execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: root });
    await git("init", "-q");
    await git("add", ".");
    await git("commit", "-q", "-m", "fixture");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("checks objects against the environment's allowlist, its values, and the committed YAML", async () => {
    const objects = [sts("radarr", sc({ runAsUser: 0 })), sts("sonarr", sc({ runAsUser: 0 }))];
    const got = await policyStage("t", objects, root);
    expect(got.map((v) => `${v.rule} ${v.location ? `${v.location.file}:${v.location.line}:${v.location.col}` : v.object}`)).toEqual([
      "run-as-non-root StatefulSet/media/sonarr",
      "credential-value values/t/apps.yaml:4:5",
      "credential-value clusters/t/apps.yaml:7:5",
      "secret-scan leak.yaml:1:6",
    ]);
    expect(got[1].message).toBe("apps.radarr.apiKey: key apiKey holds a literal credential");
  });

  it("fails with the file name when the environment has no allowlist", async () => {
    await expect(policyStage("missing", [], root)).rejects.toThrow(/values\/missing\/policy\.yaml/);
  });
});

// The issue requires the real homelab and staging renders to pass. renderEnvironment is delivered
// separately; until it is, these cases are reported as skipped rather than silently passing.
const renderReady = await renderEnvironment("homelab").then(
  () => true,
  (err: Error) => !/not implemented yet/.test(err.message),
);
describe.skipIf(!renderReady)("the real environments", () => {
  it.each(["homelab", "staging"])("%s renders without policy errors", async (env) => {
    const objects = (await renderEnvironment(env)).flatMap((r) => r.objects);
    expect(objects.length).toBeGreaterThan(0);
    const errors = (await policyStage(env, objects)).filter((v) => v.severity === "error").map(formatViolation);
    expect(errors).toEqual([]);
  });

  it("homelab reports the blackhole:latest exception as its only warning kind", async () => {
    const objects = (await renderEnvironment("homelab")).flatMap((r) => r.objects);
    const warnings = (await policyStage("homelab", objects)).filter((v) => v.severity === "warning");
    expect(warnings.map((v) => `${v.rule} ${v.object} ${v.container}`)).toEqual([expect.stringMatching(/^image-pinned StatefulSet\/\S+\/decypharr-download decypharr$/)]);
  });
});
