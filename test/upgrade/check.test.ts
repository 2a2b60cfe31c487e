import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { K8sObject, RenderedRelease, RenderOptions } from "../../tools/lib/render.ts";
import { upgradeCheck } from "../../tools/upgrade/check.ts";
import { hasErrors } from "../../tools/upgrade/compare.ts";
import { IMMUTABLE_FIELDS } from "../../tools/upgrade/immutable.ts";
import { exampleObjects, expectedPath, fixtureFiles, objectsFixtureFiles, tempRepo, type TempRepo } from "./repo.ts";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

// ---- upgradeCheck with a render that reads render.json (no helm) ------------------------------

const stsWith = (storage: string): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "demo", namespace: "apps" },
  spec: {
    serviceName: "demo",
    selector: { matchLabels: { app: "demo" } },
    template: { metadata: { labels: { app: "demo" } }, spec: { containers: [{ name: "demo", image: "busybox:1.36" }] } },
    volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } }],
  },
});

const renderJson = (objects: K8sObject[]) => JSON.stringify({ objects });

/** Reads `<root>/clusters/<env>/render.json`; records which roots it rendered. */
function fakeRender(seen: string[]) {
  return async (env: string, opts: RenderOptions): Promise<RenderedRelease[]> => {
    seen.push(`${env}@${opts.root}`);
    const { objects } = JSON.parse(readFileSync(join(opts.root!, "clusters", env, "render.json"), "utf8")) as { objects: K8sObject[] };
    return [{ env, release: "demo", namespace: "apps", chart: "demo", source: `clusters/${env}/demo.yaml`, objects }];
  };
}

describe("upgradeCheck", () => {
  it("compares the base revision with the uncommitted working tree, per environment", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", {
      "clusters/prod/render.json": renderJson([stsWith("1Gi")]),
      "clusters/lab/render.json": renderJson([stsWith("1Gi")]),
    });
    repo.write({ "clusters/prod/render.json": renderJson([stsWith("2Gi")]), "clusters/new/render.json": renderJson([]) });
    const seen: string[] = [];
    const result = await upgradeCheck({ root: repo.dir, base: "main", render: fakeRender(seen) });

    expect(result.baseCommit).toBe(await repo.git("rev-parse", "HEAD"));
    expect(result.environments.map((e) => [e.env, e.skipped ?? null, e.findings.length])).toEqual([
      ["lab", null, 0],
      ["new", expect.stringContaining("new environment"), 0],
      ["prod", null, 1],
    ]);
    const [f] = result.environments[2].findings;
    expect(f).toMatchObject({
      severity: "error",
      kind: "immutable-field",
      path: "spec.volumeClaimTemplates",
      object: { kind: "StatefulSet", namespace: "apps", name: "demo", release: "apps/demo" },
    });
    // Both roots were rendered: the working tree and a temporary worktree that is gone now.
    const baseRoots = seen.filter((s) => !s.endsWith(`@${repo.dir}`)).map((s) => s.split("@")[1]);
    expect(baseRoots.length).toBeGreaterThan(0);
    for (const r of baseRoots) expect(existsSync(r)).toBe(false);
  });

  it("checks one environment with env, and rejects an unknown one with exit code 2", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", { "clusters/prod/render.json": renderJson([stsWith("1Gi")]), "clusters/lab/render.json": renderJson([stsWith("1Gi")]) });
    repo.write({ "clusters/lab/render.json": renderJson([stsWith("5Gi")]) });
    const seen: string[] = [];
    const only = await upgradeCheck({ root: repo.dir, base: "HEAD", env: "prod", render: fakeRender(seen) });
    expect(only.environments).toEqual([{ env: "prod", findings: [] }]);
    expect(seen.every((s) => s.startsWith("prod@"))).toBe(true);
    await expect(upgradeCheck({ root: repo.dir, base: "HEAD", env: "nope", render: fakeRender([]) })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining("Fix: use one of lab, prod"),
    });
  });
});

// ---- the real renderEnvironment on a tiny fixture repository ----------------------------------


describe("upgradeCheck with the real render (fixture repo)", () => {
  it("reports a claim template change made in values as an immutable-field error", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    await repo.commit("grow the claim template", { "values/test/demo.yaml": "storage: 2Gi\n" });
    const result = await upgradeCheck({ root: repo.dir, base: "HEAD~1" });
    const [env] = result.environments;
    expect(env.env).toBe("test");
    expect(hasErrors(env.findings)).toBe(true);
    expect(env.findings[0]).toMatchObject({
      kind: "immutable-field",
      path: "spec.volumeClaimTemplates",
      object: { kind: "StatefulSet", namespace: "apps", name: "demo", release: "apps/demo" },
      changes: [{ path: "spec.volumeClaimTemplates[0].spec.resources.requests.storage", old: "1Gi", new: "2Gi" }],
    });
  });

  it("passes an image bump with a roll warning only", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    repo.write({ "values/test/demo.yaml": "storage: 1Gi\nimage: busybox:1.37\n" });
    const result = await upgradeCheck({ root: repo.dir, base: "main", env: "test" });
    expect(result.environments[0].findings.map((f) => [f.kind, f.severity])).toEqual([["rolls-pods", "warning"]]);
  });
});

// ---- every immutable field and the benign changes, through git commits and helm -----------------

describe("upgradeCheck between two commits of a temporary repo (real helm render)", () => {
  it("detects every entry of the immutable-field list", async () => {
    // One object per entry (named after its index), before in the first commit, after in the second.
    const pairs = IMMUTABLE_FIELDS.map((field, i) => exampleObjects(field, `field-${i}`));
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("before", objectsFixtureFiles(pairs.map(([before]) => before)));
    await repo.commit("after", objectsFixtureFiles(pairs.map(([, after]) => after)));
    const { environments } = await upgradeCheck({ root: repo.dir, base: "HEAD~1" });
    expect(environments.map((e) => e.env)).toEqual(["test"]);
    const found = environments[0].findings;

    const rows = IMMUTABLE_FIELDS.map((field, i) => {
      const hits = found.filter((f) => f.object.name === `field-${i}`);
      return { id: field.id, hits: hits.map((f) => [f.severity, f.kind, f.rule?.id, f.path, f.object.kind, f.object.release]) };
    });
    expect(rows).toEqual(
      IMMUTABLE_FIELDS.map((field) => ({ id: field.id, hits: [["error", "immutable-field", field.id, expectedPath(field), field.kind, "apps/objects"]] })),
    );
    expect(found).toHaveLength(IMMUTABLE_FIELDS.length);
  });

  // The realistic workloads of a benign change: a Deployment and a StatefulSet with a claim template.
  const labels = { "app.kubernetes.io/name": "sonarr", "app.kubernetes.io/instance": "media" };
  const podSpec = {
    containers: [
      {
        name: "app",
        image: "ghcr.io/home-operations/sonarr:4.0.14",
        env: [{ name: "TZ", value: "Europe/Paris" }],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
      },
    ],
  };
  const workloads = (): K8sObject[] => [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { ...labels, "helm.sh/chart": "media-apps-1.0.0" } },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: structuredClone(podSpec) } },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", labels: { ...labels, "helm.sh/chart": "media-apps-1.0.0" } },
      spec: {
        serviceName: "db",
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: structuredClone(podSpec) },
        volumeClaimTemplates: [{ metadata: { name: "config" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } }],
      },
    },
  ];
  type Workload = { metadata: { labels: Record<string, string> }; spec: { template: { metadata: { labels: Record<string, string> }; spec: typeof podSpec } } };
  const benign: [string, (o: Workload) => void][] = [
    ["an image tag", (o) => (o.spec.template.spec.containers[0].image = "ghcr.io/home-operations/sonarr:4.0.15")],
    ["env", (o) => o.spec.template.spec.containers[0].env.push({ name: "PUID", value: "1000" })],
    ["resources", (o) => (o.spec.template.spec.containers[0].resources = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } })],
    ["labels outside selectors", (o) => {
      o.metadata.labels["helm.sh/chart"] = "media-apps-1.1.0";
      o.spec.template.metadata.labels = { ...o.spec.template.metadata.labels, "app.kubernetes.io/version": "4.0.15" };
    }],
  ];

  it.each(benign)("passes %s (the StatefulSet only warns that its pods roll)", async (_name, change) => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("before", objectsFixtureFiles(workloads()));
    await repo.commit("after", objectsFixtureFiles(workloads().map((o) => (change(o as unknown as Workload), o))));
    const { environments } = await upgradeCheck({ root: repo.dir, base: "HEAD~1", env: "test" });
    const found = environments[0].findings;
    expect(hasErrors(found)).toBe(false);
    expect(found.map((f) => [f.severity, f.kind, f.object.kind, f.object.name])).toEqual([["warning", "rolls-pods", "StatefulSet", "db"]]);
  });
});

// ---- a breaking chart release with an Upgrading note (tools/upgrade/acknowledge.ts) -----------

describe("acknowledged breaking chart releases", () => {
  const chart = (version: string) => `apiVersion: v2\nname: demo\nversion: ${version}\n`;
  const readme = (note: string) => `# demo\n\n## Upgrading\n\n${note}\n\n## Values\n\nTo 9.9.9 is not here.\n`;

  async function check(files: Record<string, string>) {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", { "clusters/prod/render.json": renderJson([stsWith("1Gi")]), "charts/demo/Chart.yaml": chart("0.1.0"), "charts/demo/README.md": readme("nothing yet") });
    repo.write({ "clusters/prod/render.json": renderJson([stsWith("2Gi")]), ...files });
    const result = await upgradeCheck({ root: repo.dir, base: "main", render: fakeRender([]) });
    return result.environments[0].findings;
  }

  it("turns the immutable-field error into a warning when the chart's breaking version rises and its README's Upgrading section names it", async () => {
    const [f] = await check({ "charts/demo/Chart.yaml": chart("0.2.0"), "charts/demo/README.md": readme("- **To 0.2.0**: delete the StatefulSet with --cascade=orphan first.") });
    expect(f).toMatchObject({ severity: "warning", kind: "immutable-field" });
    expect(f.message).toContain("Acknowledged: chart demo 0.1.0 -> 0.2.0 is a breaking release with an Upgrading note");
    expect(f.fixes.length).toBeGreaterThan(0);
  });

  it.each([
    ["a patch bump", { "charts/demo/Chart.yaml": chart("0.1.1"), "charts/demo/README.md": readme("- **To 0.1.1**: orphan the StatefulSet.") }],
    ["no note naming the new version", { "charts/demo/Chart.yaml": chart("0.2.0"), "charts/demo/README.md": readme("- **To 0.1.5**: something else.") }],
    ["the version named outside the Upgrading section", { "charts/demo/Chart.yaml": chart("9.9.9"), "charts/demo/README.md": readme("none") }],
    ["no version change", {}],
  ])("keeps the error with %s", async (_name, files) => {
    const [f] = await check(files);
    expect(f).toMatchObject({ severity: "error", kind: "immutable-field" });
  });
});
