/**
 * Upstream releases linted with the real chart (tools/lint/upstream/release.ts): the chart's own
 * values.schema.json at the HelmRelease line, Longhorn's keys against its values.yaml, the typed
 * consts, and the rendered objects through Kubernetes validation and the policy gate.
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../../tools/lib/flux.ts";
import { resolveHelm } from "../../../tools/lib/helm.ts";
import { loadInventory } from "../../../tools/lib/inventory.ts";
import { checkOwned } from "../../../tools/policy/index.ts";
import { loadPolicy } from "../../../tools/policy/allowlist.ts";
import { lintUpstreamRelease } from "../../../tools/lint/upstream/release.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

const lint = async (env: string, chart: string, root?: string) => {
  const e = loadEnvironment(env, root);
  const u = e.upstream.find((x) => x.chart === chart)!;
  return lintUpstreamRelease(u, loadInventory(env, root), await resolveHelm());
};
const errors = (r: { findings: { severity: string; location?: { file: string; line: number }; message: string }[] }) =>
  r.findings.filter((f) => f.severity === "error").map((f) => `${f.location ? `${f.location.file}:${f.location.line}: ` : ""}${f.message}`);

describe("upstream releases with the real chart", () => {
  for (const env of ["homelab", "staging"]) {
    for (const chart of ["traefik", "longhorn", "metallb"]) {
      it(`${env}/${chart} passes the chart's schema and renders`, async () => {
        const r = await lint(env, chart);
        expect(errors(r)).toEqual([]);
        expect(r.objects!.length).toBeGreaterThan(10);
        expect(r.note).toMatch(/^rendered with /);
      });
    }
  }

  it("Traefik's ports.https.tls (not in chart 41.3.0) is an error at the HelmRelease line", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "clusters/homelab/infrastructure/traefik.yaml", /        http:\n          tls:\n            enabled: true\n/, "        tls:\n          enabled: true\n"),
      async (root) => {
        const errs = errors(await lint("homelab", "traefik", root));
        expect(errs).toHaveLength(1);
        expect(errs[0]).toMatch(/^clusters\/homelab\/infrastructure\/traefik\.yaml:\d+: spec\.values\.ports\.https\.tls: unknown key "tls".*traefik 41\.3\.0's values\.schema\.json/);
      },
    );
  });

  it("Longhorn accepts every key its values.yaml has and rejects a misspelt one, with the real key", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "clusters/homelab/infrastructure/longhorn.yaml", "      createDefaultDiskLabeledNodes: true\n", "      createDefaultDiskLabeledNodes: true\n      storageOverProvisioningPercentage: 150\n      storageMinimalAvailablePercentag: 10\n"),
      async (root) => {
        const errs = errors(await lint("homelab", "longhorn", root));
        expect(errs).toHaveLength(1);
        expect(errs[0]).toMatch(/longhorn\.yaml:\d+: spec\.values\.defaultSettings\.storageMinimalAvailablePercentag: unknown key .*longhorn 1\.12\.1's values\.yaml .*did you mean "storageMinimalAvailablePercentage"/);
      },
    );
  });

  it("keeps the typed consts: MetalLB's frr-k8s backend stays off, with the reason", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "clusters/staging/infrastructure/metallb.yaml", /frrk8s:\n      enabled: false/, "frrk8s:\n      enabled: true"),
      async (root) => {
        const errs = errors(await lint("staging", "metallb", root));
        expect(errs.join("\n")).toMatch(/spec\.values\.frrk8s\.enabled: must be false \(got true\)\. Why: .*L2 mode/);
      },
    );
  });
});

describe("policy over upstream objects", () => {
  it("accepts only the rules values/<env>/policy.yaml lists for that release", async () => {
    const r = await lint("homelab", "longhorn");
    const objects = r.objects!;
    const policy = loadPolicy("homelab");
    const owners = new Map(objects.map((o) => [o, "longhorn-system/longhorn"] as const));
    expect(checkOwned(objects, policy, owners).filter((v) => v.severity === "error")).toEqual([]);
    const without = { ...policy, upstreamReleases: (policy.upstreamReleases ?? []).filter((e) => e.release !== "longhorn-system/longhorn") };
    const rules = new Set(checkOwned(objects, without, owners).map((v) => v.rule));
    expect([...rules]).toEqual(expect.arrayContaining(["privileged", "hostpath", "rbac-cluster-scope"]));
    // Objects of another release do not inherit Longhorn's acceptance.
    const other = new Map(objects.map((o) => [o, "traefik/traefik"] as const));
    expect(checkOwned(objects, policy, other).some((v) => v.rule === "privileged")).toBe(true);
  });
});
