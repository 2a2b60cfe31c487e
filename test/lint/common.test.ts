import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { knownAddresses, knownNodeNames, schedulable } from "../../tools/lint/common.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

async function findings(env: string, chart: string, edit: (root: string) => void) {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart, root });
    const p = report.profiles.find((x) => x.chart === chart && x.kind === "chart")!;
    return { ok: p.ok, lines: p.findings.map((f) => `${f.location ? `${f.location.file}:${f.location.line}:${f.location.col}: ` : ""}${f.object ? `${f.object}: ` : ""}${f.message}`) };
  });
}

// GIVEN an inventory or values mistake WHEN lint runs THEN the cross-chart rules name the pod/key and the fix.
describe("cross-chart lint rules", () => {
  it("a GPU label misspelled in the inventory leaves the clusterplex workers unschedulable", async () => {
    const r = await findings("homelab", "clusterplex", (root) => {
      editFixture(root, "values/homelab/cluster.yaml", 'labels:\n      gpu: "true"', 'labels:\n      gpu: "ture"');
      editFixture(root, "values/homelab/cluster.yaml", "gpu: true\n", "gpu: false\n");
    });
    expect(r.ok).toBe(false);
    expect(r.lines.join("\n")).toMatch(/StatefulSet\/media\/clusterplex-worker: can never schedule: no node of values\/homelab\/cluster\.yaml satisfies.*w3 \(k3s-w3\): NodeAffinity: node\(s\) didn't match Pod's node affinity\/selector.*Fix:/);
  });

  it("storage nodes without the storage label leave every stateful pod unschedulable", async () => {
    const r = await findings("homelab", "decypharr", (root) => {
      for (let i = 0; i < 2; i++) editFixture(root, "values/homelab/cluster.yaml", "node.longhorn.io/storage: enabled\n", "node.longhorn.io/storage: disabled\n");
    });
    expect(r.ok).toBe(false);
    const text = r.lines.join("\n");
    expect(text).toMatch(/StatefulSet\/media\/decypharr-streaming: can never schedule/);
    expect(text).toMatch(/w1 \(k3s-w1\): TaintToleration|w1 \(k3s-w1\): NodeAffinity/);
  });

  it("an address that is not in the inventory is reported at its values line", async () => {
    const r = await findings("homelab", "decypharr", (root) => {
      editFixture(root, "values/homelab/decypharr.yaml", "server: 192.168.1.50", "server: 192.168.1.51");
    });
    expect(r.ok).toBe(false);
    expect(r.lines).toContainEqual(expect.stringMatching(/^values\/homelab\/decypharr\.yaml:\d+:\d+: download\.media\.server: 192\.168\.1\.51 is not an address of values\/homelab\/cluster\.yaml .*Fix:/));
  });

  it("the GPU workers' Longhorn volumes are reachable on w3 (the CSI plugin runs there); without w3's Longhorn label lint fails", async () => {
    const report = await lintEnvironment({ env: "homelab", chart: "clusterplex" });
    const p = report.profiles.find((x) => x.kind === "chart")!;
    expect(p.findings.filter((f) => f.rule === "common/longhorn-reachable")).toEqual([]);
    const r = await findings("homelab", "clusterplex", (root) => {
      editFixture(root, "values/homelab/cluster.yaml", /(gpu: "true"\n(?:\s+#.*\n)*)\s+node\.longhorn\.io\/csi: enabled\n/, "$1");
    });
    expect(r.ok).toBe(false);
    expect(r.lines.join("\n")).toMatch(/StatefulSet\/media\/clusterplex-worker: mounts Longhorn volume\(s\) codecs, .* and can run on w3, where Longhorn's CSI plugin does not run .*"node\.longhorn\.io\/csi:enabled".*never attach.*Fix: label w3 node\.longhorn\.io\/csi=enabled/);
  });

  it("the committed profiles pass", async () => {
    const report = await lintEnvironment({ chart: "decypharr" });
    expect(report.profiles.filter((p) => p.kind === "chart").every((p) => p.ok)).toBe(true);
  });
});

/**
 * The cross-chart rules called directly on a hand-made rendered profile, so each branch (label,
 * toleration, pinned node name, known address) is proven on its own without helm.
 */
describe("cross-chart rules on a hand-made profile", () => {
  type Ctx = Parameters<typeof schedulable>[0];
  const homelab = loadInventory("homelab");
  /** The seed's pattern for stateful media pods (ARCHITECTURE-DECISIONS.md, "Pod affinity pattern"). */
  const seedPod = () => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "node.longhorn.io/storage", operator: "In", values: ["enabled"] }] }] } } },
    tolerations: [{ key: "node.longhorn.io/storage", operator: "Equal", value: "enabled", effect: "NoSchedule" }],
    containers: [{ name: "app", image: "busybox:1.36" }],
  });
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: "media" },
    spec: { replicas: 1, selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec } },
  });
  const ctx = (objects: unknown[], opts: { values?: Record<string, unknown>; inventory?: typeof homelab } = {}): Ctx =>
    ({
      env: "homelab",
      profile: undefined as never,
      values: opts.values ?? {},
      objects,
      inventory: opts.inventory ?? homelab,
      upstream: [],
      locate: (path: readonly (string | number)[]) => ({ file: "values/homelab/x.yaml", line: path.length, col: 1 }),
    }) as unknown as Ctx;

  it("the seed's pattern fits the storage nodes: no finding", () => {
    expect(schedulable(ctx([deployment(seedPod())]))).toEqual([]);
  });

  it.each([
    {
      name: "a toleration no inventory taint matches (storage nodes tainted with another value)",
      inventory: (() => {
        const inv = structuredClone(homelab);
        for (const id of ["w1", "w2"]) inv.nodes[id].taints = [{ key: "node.longhorn.io/storage", value: "on", effect: "NoSchedule" as const }];
        return inv;
      })(),
      pod: seedPod(),
      want: [/w1 \(k3s-w1\): TaintToleration: node\(s\) had untolerated taint \{node\.longhorn\.io\/storage: on\}/, /cp1 \(k3s-cp1\): NodeAffinity/],
    },
    {
      name: "a pod without the storage toleration",
      inventory: homelab,
      pod: { ...seedPod(), tolerations: [] },
      want: [/w2 \(k3s-w2\): TaintToleration/, /w3 \(k3s-w3\): NodeAffinity/],
    },
    {
      name: "a nodeSelector label no node carries",
      inventory: homelab,
      pod: { ...seedPod(), nodeSelector: { gpu: "yes" } },
      want: [/w3 \(k3s-w3\): NodeAffinity/, /w1 \(k3s-w1\): NodeAffinity/],
    },
  ])("can never schedule: $name", ({ inventory, pod, want }) => {
    const f = schedulable(ctx([deployment(pod)], { inventory }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "error", rule: "common/schedulable", object: "Deployment/media/app" });
    expect(f[0].message).toMatch(/^can never schedule: no node of values\/homelab\/cluster\.yaml satisfies/);
    for (const w of want) expect(f[0].message).toMatch(w);
    expect(f[0].message).toMatch(/Fix: /);
  });

  it("ignores a workload scaled to 0", () => {
    const d = deployment({ ...seedPod(), tolerations: [] });
    d.spec.replicas = 0;
    expect(schedulable(ctx([d]))).toEqual([]);
  });

  it.each([
    { name: "nodeName of an inventory node", spec: { ...seedPod(), nodeName: "k3s-w1" }, want: [] as string[] },
    { name: "nodeName not in the inventory", spec: { ...seedPod(), nodeName: "k3s-w9" }, want: ["k3s-w9"] },
    { name: "a node id instead of the node name", spec: { ...seedPod(), nodeName: "w1" }, want: ["w1"] },
    {
      name: "hostname affinity naming an unknown node",
      spec: {
        ...seedPod(),
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["k3s-w2", "k3s-w4"] }] }] } } },
      },
      want: ["k3s-w4"],
    },
  ])("pinned node names: $name", ({ spec, want }) => {
    const f = knownNodeNames(ctx([deployment(spec)]));
    expect(f.map((x) => x.message)).toEqual(
      want.map((n) => `pins node "${n}", which is not a node of values/homelab/cluster.yaml (k3s-cp1, k3s-w1, k3s-w2, k3s-w3). Fix: refer to an inventory node`),
    );
    for (const x of f) expect(x).toMatchObject({ severity: "error", rule: "common/known-node-names", object: "Deployment/media/app" });
  });

  it.each([
    { name: "a node IP", ip: homelab.nodes.w2.ip, ok: true },
    { name: "the Unraid server", ip: homelab.nfs.unraid.server, ok: true },
    { name: "an address of the MetalLB pool", ip: "192.168.1.210", ok: true },
    { name: "the address after the pool", ip: "192.168.1.221", ok: false },
    { name: "a former node address", ip: "192.168.1.11", ok: false },
  ])("addresses in values: $name ($ip) known=$ok", ({ ip, ok }) => {
    const f = knownAddresses(ctx([], { values: { dfs: { servers: { w1: { ip } } } } }));
    if (ok) {
      expect(f).toEqual([]);
      return;
    }
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "error", rule: "common/known-addresses", location: { file: "values/homelab/x.yaml", line: 4 } });
    expect(f[0].message).toMatch(new RegExp(`^dfs\\.servers\\.w1\\.ip: ${ip.replaceAll(".", "\\.")} is not an address of values/homelab/cluster\\.yaml \\(nodes: cp1=192\\.168\\.1\\.10, w1=192\\.168\\.1\\.12, w2=192\\.168\\.1\\.22, w3=192\\.168\\.1\\.13; .*Fix: `));
  });
});
