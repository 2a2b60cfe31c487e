import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { loadPolicy, selects } from "../../tools/policy/allowlist.ts";
import { podSpecOf } from "../../tools/policy/workloads.ts";
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

// The issue requires the real homelab and staging renders (all five charts) to pass.
describe("the real environments", () => {
  const rendered = new Map<string, Promise<K8sObject[]>>();
  const render = (env: string) => {
    if (!rendered.has(env)) rendered.set(env, renderEnvironment(env).then((rs) => rs.flatMap((r) => r.objects)));
    return rendered.get(env)!;
  };

  it.each(["homelab", "staging"])("%s renders every chart of the environment without policy errors", async (env) => {
    const objects = await render(env);
    const charts = new Set(objects.map((o) => o.metadata.labels?.["helm.sh/chart"]?.replace(/-\d.*$/, "")).filter(Boolean));
    // Our five charts and the upstream releases, rendered from the chart mirror (tools/lib/charts.ts).
    expect([...charts].sort()).toEqual(["clusterplex", "decypharr", "ha-jobs", "longhorn", "longhorn-config", "media-apps", "metallb", "traefik"]);
    // Our charts against the policy; the upstream releases are gated per release by lint-charts'
    // policy stage with policy.yaml upstreamReleases (test/lint/upstream/release.test.ts).
    const ours = objects.filter((o) => !/^(longhorn|metallb|traefik)-\d/.test(o.metadata.labels?.["helm.sh/chart"] ?? ""));
    const errors = (await policyStage(env, ours)).filter((v) => v.severity === "error").map(formatViolation);
    expect(errors).toEqual([]);
  });

  it.each(["homelab", "staging"])("%s reports the blackhole:latest exception as its only warning", async (env) => {
    const warnings = (await policyStage(env, await render(env))).filter((v) => v.severity === "warning");
    expect(warnings.map((v) => `${v.rule} ${v.object} ${v.container}`)).toEqual(["image-pinned StatefulSet/media/decypharr-download decypharr"]);
  });

  it.each(["homelab", "staging"])("%s allowlists exactly the ClusterRoles ha-jobs renders (descheduler, fencing), and they pass the RBAC rules", async (env) => {
    // ha-jobs' own: the upstream releases' ClusterRoles are accepted per release (policy.yaml upstreamReleases).
    const objects = (await render(env)).filter((o) => o.metadata.labels?.["helm.sh/chart"]?.startsWith("ha-jobs-"));
    const clusterRoles = objects.filter((o) => o.kind === "ClusterRole").map((o) => o.metadata.name).sort();
    expect(clusterRoles).toEqual(["ha-jobs-descheduler", "ha-jobs-fencing"]);
    const bound = objects.filter((o) => o.kind === "ClusterRoleBinding").map((o) => (o.roleRef as { name: string }).name).sort();
    expect(bound).toEqual(clusterRoles);
    const allowances = loadPolicy(env).clusterRoles ?? [];
    expect(allowances.map((a) => [a.names, a.pattern])).toEqual(clusterRoles.map((n) => [[n], undefined]));
    expect(checkPolicy(objects.filter((o) => o.kind.includes("Role")), loadPolicy(env))).toEqual([]);
  });

  it.each(["homelab", "staging"])("%s: every allowlist entry is used by a rendered workload (no stale grants)", async (env) => {
    const names = (await render(env)).filter((o) => podSpecOf(o)).map((o) => o.metadata.name);
    for (const entry of loadPolicy(env).workloads ?? []) {
      expect(names.filter((n) => selects(entry, n)), `${entry.names ?? entry.pattern}`).not.toEqual([]);
    }
  });
});
