/**
 * Rules every chart of the suite follows, checked on every chart and every environment.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listCharts } from "../../tools/gen/schemas.ts";
import { listEnvironments } from "../../tools/lib/flux.ts";
import { provisionHelm, resolveHelm } from "../../tools/lib/helm.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { compileSchema } from "../../tools/lib/values-validate.ts";

const charts = listCharts(repoRoot);
const NAME_FIXED_BY_CONTRACT = new Set(["StorageClass", "Setting", "BackupTarget"]);
const envs = listEnvironments(repoRoot);

describe.each(charts)("chart %s", (chart) => {
  const dir = join(repoRoot, "charts", chart);

  it("values.yaml starts with the schema modeline and validates against the schema", () => {
    const text = readFileSync(join(dir, "values.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=values.schema.json");
    const validate = compileSchema(join(dir, "values.schema.json"));
    const ok = validate(parse(text) ?? {});
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it("schema defaults agree with values.yaml where both give one", () => {
    const values = parse(readFileSync(join(dir, "values.yaml"), "utf8")) as Record<string, unknown>;
    const schema = JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8")) as { properties: Record<string, { default?: unknown }> };
    for (const [key, prop] of Object.entries(schema.properties)) {
      if (prop.default !== undefined && key in values) expect(values[key], key).toEqual(prop.default);
    }
  });

  it("Chart.yaml is apiVersion v2 with a kubeVersion", () => {
    const meta = parse(readFileSync(join(dir, "Chart.yaml"), "utf8")) as { apiVersion: string; kubeVersion?: string; name: string };
    expect(meta).toMatchObject({ apiVersion: "v2", name: chart });
    expect(meta.kubeVersion).toMatch(/^>=1\.\d+/);
  });
});

function podSelectors(o: K8sObject): Record<string, string>[] {
  const spec = o.spec as { selector?: { matchLabels?: Record<string, string> } | Record<string, string> } | undefined;
  if (!spec?.selector) return [];
  if (o.kind === "Service") return [spec.selector as Record<string, string>];
  return [(spec.selector as { matchLabels?: Record<string, string> }).matchLabels ?? {}];
}

describe.each(envs)("environment %s", (env) => {
  it("renders every release with standard labels and version-free selectors", async () => {
    const releases = await renderEnvironment(env);
    expect(releases.length).toBeGreaterThan(0);
    // Our charts' conventions; the upstream releases (Traefik, Longhorn, MetalLB) label as they do.
    const ours = new Set(listCharts());
    for (const r of releases.filter((x) => ours.has(x.chart))) {
      for (const o of r.objects) {
        const labels = o.metadata.labels ?? {};
        expect(labels["app.kubernetes.io/managed-by"], `${o.kind}/${o.metadata.name}`).toBe("Helm");
        expect(labels["app.kubernetes.io/instance"], `${o.kind}/${o.metadata.name}`).toBe(r.release);
        // Names fixed by a contract are not ours to prefix: StorageClasses (`longhorn`, `longhorn-rwx`)
        // are what PVCs refer to, a Longhorn Setting must carry the setting's own name, and the
        // BackupTarget that recurring backup jobs use is the one named `default`.
        if (!NAME_FIXED_BY_CONTRACT.has(o.kind)) {
          expect(o.metadata.name.startsWith(r.release) || o.metadata.name.startsWith(r.chart), `${o.kind}/${o.metadata.name} is prefixed`).toBe(true);
        }
        for (const sel of podSelectors(o)) {
          expect(Object.keys(sel), `${o.kind}/${o.metadata.name} selector`).not.toContain("app.kubernetes.io/version");
          expect(Object.keys(sel), `${o.kind}/${o.metadata.name} selector`).not.toContain("helm.sh/chart");
        }
      }
    }
  });

  it("renders the same objects with helm 3.17 as with helm 4 (Flux < 1.5 and >= 1.5)", async () => {
    const helm4 = await resolveHelm({});
    const helm3 = await resolveHelm({ HELM_BIN: provisionHelm("helm3") });
    expect(helm3.version).toMatch(/^v3\.17\./);
    const [a, b] = await Promise.all([renderEnvironment(env, { helm: helm4 }), renderEnvironment(env, { helm: helm3 })]);
    expect(b.map((r) => r.objects)).toEqual(a.map((r) => r.objects));
  });
});
