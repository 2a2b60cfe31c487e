/**
 * The lint pipeline's stages, each proven on a minimal repository: a failure at a stage is
 * reported as that stage's finding, and later stages do not run on a broken profile.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { formatReport } from "../../tools/lint/format.ts";
import { demoRelease, withMiniRepo } from "../helpers/mini-repo.ts";

const OPEN_SCHEMA = JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" });
const POOL = "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: default\n  namespace: metallb-system\nspec:\n  addresses: [10.0.0.100-10.0.0.110]\n";
const POLICY = "workloads: []\n";
const base: Record<string, string> = {
  "charts/demo/values.schema.json": OPEN_SCHEMA,
  "clusters/test/hr.yaml": demoRelease("demo"),
  "clusters/test/pool.yaml": POOL,
  // the release's namespace exists (lint requires a Namespace object for it)
  "clusters/test/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
  "values/test/policy.yaml": POLICY,
};

async function demoFindings(files: Record<string, string>) {
  return withMiniRepo({ ...base, ...files }, async (root) => {
    const report = await lintEnvironment({ env: "test", root });
    const p = report.profiles.find((x) => x.kind === "chart")!;
    return { ok: report.ok, p, text: formatReport(report) };
  });
}

describe("lint pipeline stages", () => {
  it("passes a clean profile and prints one line per profile and a summary", async () => {
    const { ok, p, text } = await demoFindings({});
    expect(ok, text).toBe(true);
    expect(p.findings).toEqual([]);
    expect(p.objects?.map((o) => o.kind)).toEqual(["ConfigMap"]);
    expect(text).toMatch(/^PASS test\/demo \(demo\) +\d+ ms$/m);
    expect(text).toMatch(/^INFO - lint-charts: \d+ passed, 0 failed \(0 errors, 0 warnings\) in \d+ ms$/m);
  });

  it("reports 1. a missing values schema", async () => {
    const { "charts/demo/values.schema.json": _schema, ...rest } = base;
    void _schema;
    const p = await withMiniRepo(rest, async (root) => (await lintEnvironment({ env: "test", root })).profiles.find((x) => x.kind === "chart")!);
    expect(p.ok).toBe(false);
    expect(p.findings.map((f) => f.message)).toEqual(["charts/demo/values.schema.json is missing. Fix: npm run gen-schema"]);
  });

  it.each([
    {
      name: "1. values that break the schema (no helm run)",
      files: { "charts/demo/values.schema.json": JSON.stringify({ type: "object", properties: { greeting: { type: "integer" } } }) },
      want: /^greeting: must be integer \(got "hello"\)$/,
      objects: false,
    },
    {
      name: "3. a template helm cannot parse",
      files: { "charts/demo/templates/broken.yaml": "{{ if }}\n" },
      want: /helm v[\d.]+ template demo failed: .*charts\/demo\/templates\/broken\.yaml/,
      objects: false,
    },
    {
      name: "2. helm lint's Chart.yaml rules (one helm process per release: lint's checks are ours)",
      files: { "charts/demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\nkubeVersion: \">=1.29.0-0\"\nmaintainer: me\n" },
      want: /^helm lint: Chart\.yaml: unknown key "maintainer"/,
      objects: false,
    },
    {
      name: "2. helm lint's object name rule on rendered objects",
      files: { "charts/demo/templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: 9lives\nspec:\n  ports:\n    - port: 80\n" },
      want: /^helm lint: object name "9lives" does not conform to Kubernetes naming requirements: metadata\.name must be a DNS-1035 label/,
      objects: true,
    },
    {
      name: "4. a rendered object that breaks its Kubernetes schema",
      files: { "charts/demo/templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  ports:\n    - port: eighty\n" },
      want: /^spec\.ports\.0\.port: must be integer$/,
      objects: true,
    },
    {
      name: "4. a misspelt field the API server would drop",
      files: {
        "charts/demo/templates/deploy.yaml": [
          "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: x", "spec:", "  selector:", "    matchLabels: {app: x}", "  template:",
          "    metadata:", "      labels: {app: x}", "    spec:", "      containers:", "        - name: x", "          image: x:1",
          "          volumeMounts:", "            - name: dfs", "              mountPath: /mnt/dfs", "              mountPropogation: HostToContainer",
          "      volumes:", "        - name: dfs", "          hostPath: {path: /mnt/dfs}", "",
        ].join("\n"),
      },
      want: /^spec\.template\.spec\.containers\.0\.volumeMounts\.0\.mountPropogation: unknown field: apps\/v1 Deployment has no such field/,
      objects: true,
    },
    {
      name: "4. a kind without a schema",
      files: { "charts/demo/templates/w.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n" },
      want: /^no schema for example\.com\/v1 Widget, so it cannot be validated offline\. Fix:/,
      objects: true,
    },
  ] as { name: string; files: Record<string, string>; want: RegExp; objects: boolean }[])("reports $name", async ({ files, want, objects }) => {
    const { ok, p } = await withMiniRepo({ ...base, ...files }, async (root) => {
      const report = await lintEnvironment({ env: "test", root });
      return { ok: report.ok, p: report.profiles.find((x) => x.kind === "chart")! };
    });
    expect(ok).toBe(false);
    expect(p.ok).toBe(false);
    expect(p.findings.map((f) => f.message)).toContainEqual(expect.stringMatching(want));
    expect(p.objects !== undefined).toBe(objects);
  });

  it("says an upstream release is validated but not rendered", async () => {
    const upstream = [
      "apiVersion: source.toolkit.fluxcd.io/v1", "kind: HelmRepository", "metadata:", "  name: charts", "  namespace: flux-system",
      "spec:", "  interval: 1h", "  url: https://charts.example", "---", "apiVersion: helm.toolkit.fluxcd.io/v2", "kind: HelmRelease",
      "metadata:", "  name: traefik", "  namespace: traefik", "spec:", "  interval: 10m", "  chart:", "    spec:", "      chart: traefik",
      "      sourceRef:", "        kind: HelmRepository", "        name: charts", "        namespace: flux-system", "",
    ].join("\n");
    // Neither a chart mirror nor the network (vitest.config.ts sets the mirror for every other test).
    const saved = { mirror: process.env.CHART_MIRROR, online: process.env.CHART_ONLINE };
    delete process.env.CHART_MIRROR;
    process.env.CHART_ONLINE = "0";
    const { text } = await demoFindings({ "clusters/test/upstream.yaml": upstream }).finally(() => {
      if (saved.mirror === undefined) delete process.env.CHART_MIRROR;
      else process.env.CHART_MIRROR = saved.mirror;
      if (saved.online === undefined) delete process.env.CHART_ONLINE;
      else process.env.CHART_ONLINE = saved.online;
    });
    expect(text).toMatch(/^(SKIP|FAIL) test\/traefik \(traefik\) +\d+ ms {2}NOT rendered: chart traefik \* unavailable$/m);
    // never a silent pass: a warning names the release and the fix
    expect(text).toContain("upstream release traefik/traefik (chart traefik * from HelmRepository/flux-system/charts) was NOT rendered: no chart mirror is set and CHART_ONLINE=0. Fix: set CHART_MIRROR (or --chart-mirror)");
  });
});
