import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { formatLocation } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";

/**
 * Lines of the environment-level reports (Flux layer, upstream releases, install order). With
 * `chart`, only that chart's releases are linted besides the Flux layer (fast: no helm).
 */
async function envLines(edit: (root: string) => void, env = "homelab", chart?: string) {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, root, ...(chart ? { chart } : {}) });
    return {
      ok: report.ok,
      lines: report.profiles
        .filter((p) => p.kind !== "chart")
        .flatMap((p) => p.findings.map((f) => `${p.release}: ${f.severity}: ${formatLocation(f.location)}${f.object ? `${f.object}: ` : ""}${f.message}`)),
    };
  });
}

const TRAEFIK = "clusters/homelab/infrastructure/traefik.yaml";
const INFRA = "clusters/homelab/infrastructure";

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
      edit: (root: string) => editFixture(root, TRAEFIK, "metallb.io/loadBalancerIPs: 192.168.1.200", "metallb.io/loadBalancerIPs: 192.168.1.99"),
      want: /\(LAN addresses\): error: clusters\/homelab\/infrastructure\/traefik\.yaml:\d+:\d+: HelmRelease\/traefik\/traefik: metallb\.io\/loadBalancerIPs 192\.168\.1\.99 is outside MetalLB's pool \(192\.168\.1\.200-192\.168\.1\.220 in values\/homelab\/cluster\.yaml metallb\.addresses\).*Fix: pick a free address from the pool/,
    },
    {
      name: "a MetalLB pool that is not the inventory's",
      edit: (root: string) => editFixture(root, "clusters/homelab/metallb-config/pool.yaml", "192.168.1.200-192.168.1.220", "192.168.1.100-192.168.1.120"),
      want: /\(environment\): error: clusters\/homelab\/metallb-config\/pool\.yaml:\d+:\d+: IPAddressPool\/metallb-system\/default: MetalLB pools hold 192\.168\.1\.100-192\.168\.1\.120 but values\/homelab\/cluster\.yaml says metallb\.addresses is 192\.168\.1\.200-192\.168\.1\.220/,
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

  it("a LoadBalancer address used twice (PMS and Traefik) fails once, naming both", async () => {
    const r = await envLines((root) => editFixture(root, "values/homelab/clusterplex.yaml", "lanAddress: 192.168.1.201", "lanAddress: 192.168.1.200"), "homelab", "clusterplex");
    expect(r.ok).toBe(false);
    expect(r.lines.filter((l) => l.includes("lan/") || l.includes("already requested"))).toEqual([
      "(LAN addresses): error: Service/media/clusterplex-pms-lan: metallb.io/loadBalancerIPs 192.168.1.200 is already requested by HelmRelease/traefik/traefik; MetalLB gives an address to one Service (no metallb.io/allow-shared-ip here), so one of them stays Pending. Fix: pick another free address from the pool (192.168.1.200-192.168.1.220)",
    ]);
  });

  it("a DFS export address inside the MetalLB pool fails in the LAN report", async () => {
    const r = await envLines((root) => editFixture(root, "values/homelab/cluster.yaml", "address: 192.168.1.30", "address: 192.168.1.210"), "homelab", "decypharr");
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(expect.stringMatching(/^\(LAN addresses\): error: values\/homelab\/cluster\.yaml: nfs\.dfsExport\.address 192\.168\.1\.210 lies in the MetalLB pool/));
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
      expect.stringMatching(/^rendered with longhorn 1\.12\.1 \(mirror .*longhorn-1\.12\.1\.tgz\), \d+ objects$/),
      expect.stringMatching(/^rendered with metallb 0\.16\.1 /),
      expect.stringMatching(/^rendered with traefik 41\.3\.0 /),
    ]);
  });
});

// GIVEN one mistake in an upstream release, a source or a MetalLB object WHEN lint runs (upstream
// releases only, no helm) THEN the finding names the file:line, the object and the fix.
describe("Flux and MetalLB objects: CRD schemas, references, typed upstream values, inventory cross-checks", () => {
  it.each([
    {
      name: "Longhorn: 3 replicas on homelab's 2 storage nodes with soft anti-affinity off",
      chart: "longhorn",
      edit: (root: string) => {
        editFixture(root, `${INFRA}/longhorn.yaml`, `defaultReplicaCount: '{"v1":"2","v2":"2"}'`, `defaultReplicaCount: '{"v1":"3","v2":"3"}'`);
        editFixture(root, `${INFRA}/longhorn.yaml`, "defaultClassReplicaCount: 2", "defaultClassReplicaCount: 3");
      },
      want: /^longhorn: error: clusters\/homelab\/infrastructure\/longhorn\.yaml:\d+:\d+: HelmRelease\/longhorn-system\/longhorn: spec\.values\.defaultSettings\.defaultReplicaCount: must be "\{\\"v1\\":\\"2\\",\\"v2\\":\\"2\\"\}" \(got "\{\\"v1\\":\\"3\\",\\"v2\\":\\"3\\"\}"\)\. Why: .*true prevents replica scheduling on 2 nodes/,
    },
    {
      name: "MetalLB: a misspelt key (the chart's schema leaves it open; checked against its values.yaml)",
      chart: "metallb",
      edit: (root: string) => editFixture(root, `${INFRA}/metallb.yaml`, "tolerateMaster: true", "tolerateMastr: true"),
      want: /^metallb: error: clusters\/homelab\/infrastructure\/metallb\.yaml:\d+:\d+: HelmRelease\/metallb-system\/metallb: spec\.values\.speaker\.tolerateMastr: unknown key "tolerateMastr": metallb 0\.16\.1's values\.yaml has no such key under speaker, so the chart ignores it \(did you mean "tolerateMaster"\?\)/,
    },
    {
      name: "a HelmRepository sourceRef that names no source",
      chart: "traefik",
      edit: (root: string) => editFixture(root, TRAEFIK, "        name: traefik\n        namespace: flux-system", "        name: traefk\n        namespace: flux-system"),
      want: /^\(environment\): error: clusters\/homelab\/infrastructure\/traefik\.yaml:\d+:\d+: HelmRelease traefik\/traefik: sourceRef HelmRepository\/flux-system\/traefk is not defined in clusters\/homelab\/\. Fix:/,
    },
    {
      name: "an IPAddressPool field the metallb.io/v1beta1 CRD does not have",
      chart: "metallb",
      edit: (root: string) => editFixture(root, "clusters/homelab/metallb-config/pool.yaml", "spec:\n  addresses:", "spec:\n  autoAsign: false\n  addresses:"),
      want: /^\(environment\): error: clusters\/homelab\/metallb-config\/pool\.yaml:\d+:\d+: IPAddressPool\/metallb-system\/default: spec: must NOT have additional properties/,
    },
    {
      name: "an L2Advertisement whose pools are not a list (metallb.io/v1beta1 CRD)",
      chart: "metallb",
      edit: (root: string) => editFixture(root, "clusters/homelab/metallb-config/l2.yaml", "ipAddressPools: [default]", "ipAddressPools: default"),
      want: /^\(environment\): error: clusters\/homelab\/metallb-config\/l2\.yaml:\d+:\d+: L2Advertisement\/metallb-system\/default: spec\.ipAddressPools: must be array/,
    },
    {
      // Needs tools/lint/environment.ts: GitRepository and HelmRepository against this repo's closed
      // schemas (schema/generated/{git,helm}repository.schema.json), as HelmReleases already are. The
      // flux-cd models miss the CRD's interval pattern, and the API server prunes unknown fields.
      name: "a GitRepository interval that is not a duration (source.toolkit.fluxcd.io/v1 CRD pattern)",
      chart: "metallb",
      edit: (root: string) => editFixture(root, "clusters/homelab/flux-system/gotk-sync.yaml", "interval: 1m0s", "interval: 1 minute"),
      want: /^\(environment\): error: clusters\/homelab\/flux-system\/gotk-sync\.yaml:\d+:\d+: GitRepository\/flux-system\/flux-system: spec\.interval: must match pattern/,
    },
    {
      // Needs the same change: `brnach` would be pruned and Flux would track the default branch.
      name: "a misspelt GitRepository field",
      chart: "metallb",
      edit: (root: string) => editFixture(root, "clusters/homelab/flux-system/gotk-sync.yaml", "    branch: main", "    brnach: main"),
      want: /^\(environment\): error: clusters\/homelab\/flux-system\/gotk-sync\.yaml:\d+:\d+: GitRepository\/flux-system\/flux-system: spec\.ref\.brnach: unknown key "brnach" \(did you mean "branch"\?\)/,
    },
    {
      name: "a HelmRepository without url (source.toolkit.fluxcd.io/v1 CRD)",
      chart: "metallb",
      edit: (root: string) => editFixture(root, `${INFRA}/metallb-source.yaml`, "  url: https://metallb.github.io/metallb", "  urls: https://metallb.github.io/metallb"),
      want: /^\(environment\): error: clusters\/homelab\/infrastructure\/metallb-source\.yaml:\d+:\d+: HelmRepository\/flux-system\/metallb: spec: must have required property url/,
    },
    {
      // Needs tools/lint/environment.ts: L2Advertisement spec.ipAddressPools must name IPAddressPools
      // of the same namespace (MetalLB announces nothing for a name that matches no pool).
      name: "an L2Advertisement naming a pool that does not exist",
      chart: "metallb",
      edit: (root: string) => editFixture(root, "clusters/homelab/metallb-config/l2.yaml", "ipAddressPools: [default]", "ipAddressPools: [defualt]"),
      want: /^\(environment\): error: clusters\/homelab\/metallb-config\/l2\.yaml:\d+:\d+: L2Advertisement\/metallb-system\/default: ipAddressPools names defualt, which is not an IPAddressPool of clusters\/homelab\/ in metallb-system.*Fix: use one of default/,
    },
  ])("$name", async ({ edit, want, chart }) => {
    const r = await envLines(edit, "homelab", chart);
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(expect.stringMatching(want));
  });

  it.each(["homelab", "staging"])("%s: each upstream release is reported as rendered with the real chart, by name", async (env) => {
    const report = await lintEnvironment({ env, chart: "longhorn" });
    const all = [...report.profiles];
    for (const chart of ["metallb", "traefik"]) all.push(...(await lintEnvironment({ env, chart })).profiles.filter((p) => p.kind === "upstream"));
    const upstream = all.filter((p) => p.kind === "upstream");
    expect(upstream.map((p) => `${p.release}: ${p.note}`).sort()).toEqual(
      ["longhorn 1.12.1", "metallb 0.16.1", "traefik 41.3.0"].map((c) => expect.stringMatching(new RegExp(`^${c.split(" ")[0]}: rendered with ${c.replace(/\./g, "\\.")} \\(mirror `))),
    );
    expect(upstream.every((p) => p.ok)).toBe(true);
  });
});

describe("the committed Flux layer", () => {
  type Hr = { metadata: { name: string; namespace: string }; spec: { dependsOn?: { name: string; namespace?: string }[]; install?: unknown; upgrade?: unknown } };

  it.each(["homelab", "staging"])("%s: install/upgrade strategy defaults come from the one kustomization patch, not from each HelmRelease", (env) => {
    const e = loadEnvironment(env);
    const hrs = e.objects.filter((o) => o.obj.kind === "HelmRelease");
    expect(hrs.length).toBe(8);
    for (const o of hrs) {
      // The file itself sets neither install nor upgrade...
      const own = parseAllDocuments(readFileSync(join(repoRoot, o.file), "utf8")).map((d) => d.toJS() as Hr).find((d) => d?.metadata?.name === o.obj.metadata.name)!;
      // (a release may set other install fields, e.g. disableWait for a manual step).
      const ownInstall = own.spec.install as { strategy?: unknown; remediation?: unknown } | undefined;
      expect(ownInstall?.strategy, `${o.file} sets spec.install.strategy`).toBeUndefined();
      expect(ownInstall?.remediation, `${o.file} sets spec.install.remediation`).toBeUndefined();
      expect(own.spec.upgrade, `${o.file} sets spec.upgrade`).toBeUndefined();
      // ...and every release gets them from clusters/<env>/kustomization.yaml.
      expect(o.obj.spec, o.file).toMatchObject({
        install: { strategy: { name: "RetryOnFailure" } },
        upgrade: { cleanupOnFail: true, strategy: { name: "RetryOnFailure" } },
      });
    }
  });

  it.each(["homelab", "staging"])("%s: dependsOn orders storage, decypharr, MetalLB and Traefik", (env) => {
    const e = loadEnvironment(env);
    const deps = new Map(
      e.objects
        .filter((o) => o.obj.kind === "HelmRelease")
        .map((o) => {
          const hr = o.obj as unknown as Hr;
          return [`${hr.metadata.namespace}/${hr.metadata.name}`, (hr.spec.dependsOn ?? []).map((d) => `${d.namespace ?? hr.metadata.namespace}/${d.name}`)];
        }),
    );
    const closure = (k: string, seen = new Set<string>()): Set<string> => {
      for (const d of deps.get(k) ?? []) if (!seen.has(d)) closure(d, seen.add(d));
      return seen;
    };
    expect([...closure("traefik/traefik")]).toEqual(["metallb-system/metallb"]);
    expect([...closure("longhorn-system/longhorn-config")]).toEqual(["longhorn-system/longhorn"]);
    for (const app of ["media/decypharr", "media/media-apps", "media/clusterplex", "ha-jobs/ha-jobs"]) expect(closure(app), app).toContain("longhorn-system/longhorn");
    for (const consumer of ["media/media-apps", "media/clusterplex"]) expect(closure(consumer), consumer).toContain("media/decypharr");
    // Infrastructure waits for nothing of ours.
    for (const infra of ["longhorn-system/longhorn", "metallb-system/metallb"]) expect(deps.get(infra)).toEqual([]);
  });

  it.each(["homelab", "staging"])("%s: sources are bootstrap's GitRepository flux-system (this repository) and the Longhorn, Traefik and MetalLB chart repositories", (env) => {
    const e = loadEnvironment(env);
    const sources = e.objects.filter((o) => o.obj.kind.endsWith("Repository")).map((o) => `${o.obj.apiVersion} ${o.obj.kind}/${o.obj.metadata.name}`).sort();
    expect(sources).toEqual([
      "source.toolkit.fluxcd.io/v1 GitRepository/flux-system",
      "source.toolkit.fluxcd.io/v1 HelmRepository/longhorn",
      "source.toolkit.fluxcd.io/v1 HelmRepository/metallb",
      "source.toolkit.fluxcd.io/v1 HelmRepository/traefik",
    ]);
    expect(e.profiles.map((p) => p.chart).sort()).toEqual(["clusterplex", "decypharr", "ha-jobs", "longhorn-config", "media-apps"]);
    expect(e.upstream.map((u) => u.chart).sort()).toEqual(["longhorn", "metallb", "traefik"]);
    expect(e.objects.filter((o) => o.obj.apiVersion === "metallb.io/v1beta1").map((o) => o.obj.kind).sort()).toEqual(["IPAddressPool", "L2Advertisement"]);
  });
});

describe("what Flux applies", () => {
  it("follows the Flux Kustomization that applies MetalLB's objects after their CRDs exist", async () => {
    const env = loadEnvironment("homelab");
    const pool = env.objects.find((o) => o.obj.kind === "IPAddressPool")!;
    expect(pool.file).toBe("clusters/homelab/metallb-config/pool.yaml");
    // Not in the build of clusters/homelab/ itself, so its dry-run never meets the unknown kind.
    const k = env.objects.find((o) => o.obj.kind === "Kustomization" && o.obj.metadata.name === "metallb-config")!;
    expect((k.obj.spec as { path: string }).path).toBe("./clusters/homelab/metallb-config");
    expect(env.unreferenced).toEqual([]);
  });

  it("reports a file under clusters/<env>/ that nothing applies", async () => {
    const r = await envLines((root) => writeFixture(root, "clusters/homelab/apps/forgotten.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: media\n"));
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(
      "(environment): error: clusters/homelab/apps/forgotten.yaml:1:1: no kustomization.yaml or Flux Kustomization under clusters/homelab/ lists this file, so Flux never applies it. Fix: add it to the resources of its directory's kustomization.yaml, or delete it",
    );
  });

  it("rejects a Flux Kustomization whose path is not a directory of the repository", async () => {
    await expect(
      withFixtureRepo(
        (root) => editFixture(root, "clusters/homelab/infrastructure/metallb-config.yaml", "path: ./clusters/homelab/metallb-config", "path: ./clusters/homelab/metallb-configs"),
        async (root) => loadEnvironment("homelab", root),
      ),
    ).rejects.toThrow(/^clusters\/homelab\/infrastructure\/metallb-config\.yaml:\d+:\d+: Kustomization flux-system\/metallb-config: spec\.path \.\/clusters\/homelab\/metallb-configs is not a directory of this repository/);
  });
});
