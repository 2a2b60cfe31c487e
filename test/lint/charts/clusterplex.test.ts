/**
 * tools/lint/charts/clusterplex.ts through the real pipeline (lintEnvironment on a temporary copy
 * of the repo with one file broken), GIVEN / WHEN / THEN: the finding's severity, the values file
 * position it points at, and the fix it names.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../../tools/lint/run.ts";
import { formatLocation, type Finding } from "../../../tools/lint/types.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

const HOMELAB = "values/homelab/clusterplex.yaml";
const STAGING = "values/staging/clusterplex.yaml";
const INVENTORY = "values/homelab/cluster.yaml";
/** A second untainted GPU node, w4, in the homelab inventory. */
const addGpuNode = (root: string) =>
  editFixture(root, INVENTORY, "storage:\n  primary:", "  w4:\n    name: k3s-w4\n    roles: [gpu, worker]\n    ip: 192.168.1.14\n    gpu: true\n    labels:\n      gpu: \"true\"\n      node.longhorn.io/csi: enabled\n    taints: []\nstorage:\n  primary:");

async function findings(env: string, root?: string): Promise<{ ok: boolean; findings: Finding[] }> {
  const report = await lintEnvironment({ env, chart: "clusterplex", root });
  const profile = report.profiles.find((p) => p.chart === "clusterplex");
  if (!profile) throw new Error(`no clusterplex profile in ${env}: ${JSON.stringify(report.profiles.map((p) => p.findings))}`);
  // Rules shared by every chart (tools/lint/common.ts: reachability of Longhorn volumes, known
  // addresses, schedulability) have their own tests in test/lint/common.test.ts; these tests are
  // about clusterplex's own assertions.
  // The GPU rules (clusterplex/gpu: vendor, resource, shares) have their own tests in
  // test/charts/clusterplex-gpu.test.ts; homelab's unrecorded GPU vendor is a warning there.
  return { ...profile, findings: profile.findings.filter((f) => !f.rule?.startsWith("common/") && f.rule !== "clusterplex/gpu") };
}

const line = (f: Finding) => `${f.severity}: ${formatLocation(f.location)}${f.object ? `${f.object}: ` : ""}${f.message}`;

describe("clusterplex lint on this repository", () => {
  it.each(["homelab", "staging"])("%s passes without findings", async (env) => {
    const p = await findings(env);
    expect(p.findings.map(line)).toEqual([]);
    expect(p.ok).toBe(true);
  });
});

describe("clusterplex lint failures", () => {
  it.each([
    {
      name: "workers enabled on staging, which has no gpu=true node",
      env: "staging",
      edit: (root: string) => editFixture(root, STAGING, "  enabled: false", "  enabled: true"),
      want: [
        /^error: values\/staging\/clusterplex\.yaml:\d+:\d+: workers\.enabled is true but no node of values\/staging\/cluster\.yaml has the label gpu=true .*Fix: set workers\.enabled: false and pms\.transcodeOperatingMode: local/,
        // staging's PMS still transcodes locally, so the enabled workers would also sit idle
        /^warning: values\/staging\/clusterplex\.yaml:\d+:\d+: pms\.transcodeOperatingMode is local while workers are enabled/,
      ],
    },
    {
      name: "hard anti-affinity with 2 workers and one GPU node",
      env: "homelab",
      edit: (root: string) => editFixture(root, HOMELAB, "antiAffinity: soft", "antiAffinity: hard"),
      want: [/^error: values\/homelab\/clusterplex\.yaml:\d+:\d+: workers\.antiAffinity is hard with workers\.replicas 2, but values\/homelab\/cluster\.yaml has 1 gpu=true node\(s\) the workers can run on \(w3\).*1 worker\(s\) would stay Pending\. Fix: set workers\.antiAffinity: soft/],
    },
    {
      name: "hard anti-affinity with a second gpu=true node the workers cannot run on (a tainted storage node)",
      env: "homelab",
      edit: (root: string) => {
        editFixture(root, HOMELAB, "antiAffinity: soft", "antiAffinity: hard");
        editFixture(root, INVENTORY, "      workload-priority: backup\n", "      workload-priority: backup\n      gpu: \"true\"\n");
      },
      want: [/^error: values\/homelab\/clusterplex\.yaml:\d+:\d+: workers\.antiAffinity is hard .* has 1 gpu=true node\(s\) the workers can run on \(w3\) \(not counted: w2, node\(s\) had untolerated taint.*node\.longhorn\.io\/storage/],
    },
    {
      name: "a DFS address that is a node's IP instead of the export address",
      env: "homelab",
      edit: (root: string) => editFixture(root, HOMELAB, "  address: 192.168.1.30", "  address: 192.168.1.12"),
      want: [/^error: values\/homelab\/clusterplex\.yaml:\d+:\d+: dfs\.address is 192\.168\.1\.12, but the DFS export address of values\/homelab\/cluster\.yaml \(nfs\.dfsExport\.address, the virtual IP that follows decypharr-streaming\) is 192\.168\.1\.30.*Fix: dfs\.address: 192\.168\.1\.30\.$/],
    },
    {
      name: "a media server that is not the inventory's Unraid",
      env: "homelab",
      edit: (root: string) => editFixture(root, HOMELAB, "server: 192.168.1.50", "server: 192.168.1.51"),
      want: [/^error: values\/homelab\/clusterplex\.yaml:\d+:\d+: media\.server is 192\.168\.1\.51 but values\/homelab\/cluster\.yaml nfs\.unraid\.server is 192\.168\.1\.50/],
    },
  ])("GIVEN $name WHEN lint runs THEN it fails naming the key and the fix", async ({ env, edit, want }) => {
    await withFixtureRepo(edit, async (root) => {
      const p = await findings(env, root);
      expect(p.ok).toBe(false);
      const got = p.findings.map(line);
      expect(got).toHaveLength(want.length);
      for (const re of want) expect(got.some((l) => re.test(l)), `${re}\nin\n${got.join("\n")}`).toBe(true);
    });
  });

  it("GIVEN hard anti-affinity and as many schedulable gpu=true nodes as workers WHEN lint runs THEN it passes", async () => {
    await withFixtureRepo(
      (root) => {
        editFixture(root, HOMELAB, "antiAffinity: soft", "antiAffinity: hard");
        addGpuNode(root);
      },
      async (root) => {
        const p = await findings("homelab", root);
        expect(p.findings.map(line)).toEqual([]);
        expect(p.ok).toBe(true);
      },
    );
  });

  it.each([
    {
      name: "workers enabled but PMS transcodes locally",
      edit: (root: string) => editFixture(root, HOMELAB, "\npms:\n", "\npms:\n  transcodeOperatingMode: local\n"),
      want: /^warning: values\/homelab\/clusterplex\.yaml:\d+:\d+: pms\.transcodeOperatingMode is local while workers are enabled/,
    },
    // A decoder without a GPU for the container is an error now (clusterplex/gpu): test/charts/clusterplex-gpu.test.ts.
  ])("GIVEN $name WHEN lint runs THEN it warns and passes", async ({ edit, want }) => {
    await withFixtureRepo(edit, async (root) => {
      const p = await findings("homelab", root);
      expect(p.ok).toBe(true);
      expect(p.findings.map(line)).toEqual([expect.stringMatching(want)]);
    });
  });
});
