import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { formatLocation } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

/** Lines of the environment-level reports (Flux layer, upstream releases, install order). */
async function envLines(edit: (root: string) => void, env = "homelab") {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, root });
    return {
      ok: report.ok,
      lines: report.profiles
        .filter((p) => p.kind !== "chart")
        .flatMap((p) => p.findings.map((f) => `${p.release}: ${f.severity}: ${formatLocation(f.location)}${f.object ? `${f.object}: ` : ""}${f.message}`)),
    };
  });
}

const TRAEFIK = "clusters/homelab/infrastructure/traefik.yaml";

// GIVEN a mistake in the Flux layer WHEN lint runs THEN it names the object, the line and the fix.
describe("environment-level lint", () => {
  it.each([
    {
      name: "Traefik keeps the chart's web/websecure instead of http/https",
      edit: (root: string) => editFixture(root, TRAEFIK, "      web: null\n      websecure: null\n", ""),
      want: /traefik: error: clusters\/homelab\/infrastructure\/traefik\.yaml:\d+:\d+: HelmRelease\/traefik\/traefik: spec\.values\.ports(\.web)?: (is required but missing|unknown)/,
    },
    {
      name: "a misspelt key in Traefik's typed values",
      edit: (root: string) => editFixture(root, TRAEFIK, "exposedPort: 443", "exposedPrt: 443"),
      want: /traefik: error: clusters\/homelab\/infrastructure\/traefik\.yaml:\d+:\d+: HelmRelease\/traefik\/traefik: spec\.values\.ports\.https\.exposedPrt: unknown key "exposedPrt" \(did you mean "exposedPort"\?\)/,
    },
    {
      name: "a LoadBalancer address outside MetalLB's pool",
      edit: (root: string) => editFixture(root, TRAEFIK, "loadBalancerIP: 192.168.1.200", "loadBalancerIP: 192.168.1.99"),
      want: /traefik: error: clusters\/homelab\/infrastructure\/traefik\.yaml:\d+:\d+: .*loadBalancerIP 192\.168\.1\.99 is outside MetalLB's pool \(192\.168\.1\.200-192\.168\.1\.220\).*Fix:/,
    },
    {
      name: "a MetalLB pool that is not the inventory's",
      edit: (root: string) => editFixture(root, "clusters/homelab/infrastructure/metallb-pool.yaml", "192.168.1.200-192.168.1.220", "192.168.1.100-192.168.1.120"),
      want: /\(environment\): error: clusters\/homelab\/infrastructure\/metallb-pool\.yaml:\d+:\d+: IPAddressPool\/metallb-system\/default: MetalLB pools hold 192\.168\.1\.100-192\.168\.1\.120 but values\/homelab\/cluster\.yaml says metallb\.addresses is 192\.168\.1\.200-192\.168\.1\.220/,
    },
    {
      name: "a misspelt HelmRelease field the CRD would ignore",
      edit: (root: string) => editFixture(root, "clusters/homelab/apps/decypharr.yaml", "      valuesFiles:", "      valueFiles:\n        - x.yaml\n      valuesFiles:"),
      want: /\(environment\): error: clusters\/homelab\/apps\/decypharr\.yaml:\d+:\d+: HelmRelease\/media\/decypharr: spec\.chart\.spec\.valueFiles: unknown key "valueFiles" \(did you mean "valuesFiles"\?\)/,
    },
    {
      name: "dependsOn naming a release that does not exist",
      edit: (root: string) => editFixture(root, "clusters/homelab/apps/decypharr.yaml", "    - name: longhorn-config", "    - name: longhorn-configs"),
      want: /\(environment\): error: clusters\/homelab\/apps\/decypharr\.yaml:\d+:\d+: HelmRelease\/media\/decypharr: dependsOn longhorn-system\/longhorn-configs is not a HelmRelease of clusters\/homelab\/, so Flux would wait for it forever\. Fix: use one of/,
    },
    {
      name: "a release with PVCs that does not depend on the StorageClasses' release",
      edit: (root: string) => editFixture(root, "clusters/homelab/apps/decypharr.yaml", /  dependsOn:\n    - name: longhorn-config\n      namespace: longhorn-system\n/, ""),
      want: /\(install order\): error: clusters\/homelab\/apps\/decypharr\.yaml:\d+:\d+: HelmRelease\/media\/decypharr: uses StorageClass longhorn, which HelmRelease longhorn-system\/longhorn-config provides, but does not depend on it.*Fix: add dependsOn: \[\{name: longhorn-config, namespace: longhorn-system\}\]/,
    },
  ])("$name", async ({ edit, want }) => {
    const r = await envLines(edit);
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(expect.stringMatching(want));
  });

  it("a DFS consumer that does not depend on decypharr", async () => {
    const r = await withFixtureRepo(
      (root) => editFixture(root, "clusters/homelab/apps/media-apps.yaml", /    - name: decypharr\n      namespace: media\n/, ""),
      async (root) => lintEnvironment({ env: "homelab", root }),
    );
    const order = r.profiles.find((p) => p.release === "(install order)")!;
    expect(order.ok).toBe(false);
    expect(order.findings.map((f) => f.message)).toContainEqual(expect.stringMatching(/^uses the DFS mount, which HelmRelease media\/decypharr provides, but does not depend on it/));
  });

  it("passes the committed environments and says which upstream releases are not rendered", async () => {
    const report = await lintEnvironment({ chart: "decypharr" });
    const upstream = report.profiles.filter((p) => p.kind === "upstream");
    expect(upstream.map((p) => `${p.env}/${p.release}`).sort()).toEqual([]);
    const all = await lintEnvironment({ env: "staging" });
    expect(all.ok).toBe(true);
    expect(all.profiles.filter((p) => p.kind === "upstream").map((p) => p.note)).toEqual([
      expect.stringMatching(/^validated, not rendered: upstream chart longhorn from HelmRepository\/flux-system\/longhorn/),
      expect.stringMatching(/^validated, not rendered: upstream chart metallb/),
      expect.stringMatching(/^validated, not rendered: upstream chart traefik/),
    ]);
  });
});
