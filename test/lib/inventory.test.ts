import { describe, expect, it } from "vitest";
import { ipInCidr, loadInventory, nodesWithRole } from "../../tools/lib/inventory.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const INV = "values/homelab/cluster.yaml";

describe("loadInventory", () => {
  it("loads the homelab inventory: the seed's four nodes, labels and taints", () => {
    const inv = loadInventory("homelab");
    expect(Object.keys(inv.nodes)).toEqual(["cp1", "w1", "w2", "w3"]);
    expect(inv.storage).toEqual({ primary: "w1", backup: "w2" });
    expect(nodesWithRole(inv, "storage")).toEqual(["w1", "w2"]);
    expect(nodesWithRole(inv, "gpu")).toEqual(["w3"]);
    expect(nodesWithRole(inv, "control-plane")).toEqual(["cp1"]);
    expect(Object.entries(inv.nodes).filter(([, n]) => n.gpu).map(([id]) => id)).toEqual(["w3"]);
    expect(inv.nodes.w1.ip).toBe("192.168.1.12");
    expect(inv.nodes.w2.ip).toBe("192.168.1.22");
    // ARCHITECTURE-DECISIONS.md, "Node Setup Runbook" and "HA Strategy": w1 primary, w2 backup.
    const storageTaint = [{ key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" }];
    const storageLabels = (primary: "true" | "false", priority: "primary" | "backup") => ({
      "node.longhorn.io/storage": "enabled",
      "node.longhorn.io/create-default-disk": "true",
      "node.longhorn.io/primary": primary,
      "workload-priority": priority,
    });
    expect(inv.nodes.w1).toMatchObject({ name: "k3s-w1", labels: storageLabels("true", "primary"), taints: storageTaint });
    expect(inv.nodes.w2).toMatchObject({ name: "k3s-w2", labels: storageLabels("false", "backup"), taints: storageTaint });
    // ClusterPlex: workers on the GPU node through gpu=true.
    expect(inv.nodes.w3).toMatchObject({ name: "k3s-w3", gpu: true, labels: { gpu: "true" }, taints: [] });
    expect(inv.nodes.cp1).toMatchObject({ name: "k3s-cp1", labels: {}, taints: [] });
    expect(inv.traefik.entrypoints).toEqual(["http", "https"]);
    expect(Object.keys(inv.nfs.dfs)).toEqual(["w1", "w2"]);
  });

  it("loads staging: one node that is storage and primary, without GPU or backup", () => {
    const inv = loadInventory("staging");
    const ids = Object.keys(inv.nodes);
    expect(ids).toHaveLength(1);
    const [id] = ids;
    expect(inv.storage).toEqual({ primary: id });
    expect(inv.nodes[id].roles).toContain("storage");
    expect(inv.nodes[id].gpu ?? false).toBe(false);
    expect(inv.nodes[id].labels).toMatchObject({ "node.longhorn.io/storage": "enabled", "node.longhorn.io/primary": "true" });
    expect(inv.nodes[id].labels.gpu).toBeUndefined();
    expect(Object.keys(inv.nfs.dfs)).toEqual([id]);
  });

  it.each([
    { name: "a schema violation", from: "ip: 192.168.1.12", to: "ip: 192.168.1.300", want: /^values\/homelab\/cluster\.yaml:\d+:\d+: nodes\.w1\.ip: must match format "ipv4"/ },
    { name: "a primary that is not a node", from: "primary: w1", to: "primary: w9", want: /storage\.primary: names node "w9", which is not under nodes \(cp1, w1, w2, w3\)\. Fix: use a node id/ },
    { name: "a backup that is not a storage node", from: "backup: w2", to: "backup: w3", want: /storage\.backup: node w3 does not have the storage role\. Fix:/ },
    { name: "a GPU node without the gpu label", from: 'gpu: "true"', to: 'gpu: "yes"', want: /nodes\.w3\.labels: node w3 has gpu: true but not the label gpu: "true"/ },
    { name: "a node IP outside the node CIDR", from: "ip: 192.168.1.13", to: "ip: 192.168.2.13", want: /nodes\.w3\.ip: 192\.168\.2\.13 is outside network\.nodeCIDR 192\.168\.1\.0\/24/ },
    { name: "a name that is not the directory's", from: "name: homelab", to: "name: prod", want: /name: is "prod" but the file is values\/homelab\/\. Fix: set name: homelab/ },
    // The primary/backup fact is stated twice: storage.primary/backup (failover, the DFS export,
    // simulate) and the node.longhorn.io/primary label the pods' preferred affinity follows.
    // Needs tools/lib/inventory.ts (crossCheck) to compare them.
    {
      name: "storage.primary on a node labelled node.longhorn.io/primary=false",
      from: 'node.longhorn.io/primary: "true"',
      to: 'node.longhorn.io/primary: "false"',
      want: /^values\/homelab\/cluster\.yaml:\d+:\d+: nodes\.w1\.labels: node w1 is storage\.primary but its label node\.longhorn\.io\/primary is "false".*Fix: set node\.longhorn\.io\/primary: "true"/,
    },
    {
      name: "a second node labelled node.longhorn.io/primary=true",
      from: 'node.longhorn.io/primary: "false"',
      to: 'node.longhorn.io/primary: "true"',
      want: /^values\/homelab\/cluster\.yaml:\d+:\d+: nodes\.w2\.labels: node w2 is storage\.backup but its label node\.longhorn\.io\/primary is "true".*Fix: set node\.longhorn\.io\/primary: "false"/,
    },
  ])("rejects $name with file:line:col", async ({ from, to, want }) => {
    await withFixtureRepo(
      (root) => editFixture(root, INV, from, to),
      async (root) => {
        expect(() => loadInventory("homelab", root)).toThrow(want);
      },
    );
  });
});

describe("ipInCidr", () => {
  it.each([
    ["192.168.1.12", "192.168.1.0/24", true],
    ["192.168.2.12", "192.168.1.0/24", false],
    ["10.42.3.4", "10.0.0.0/8", true],
    ["1.2.3.4", "0.0.0.0/0", true],
    ["10.10.0.11", "10.10.0.11/32", true],
    ["10.10.0.12", "10.10.0.11/32", false],
  ] as const)("%s in %s is %s", (ip, cidr, want) => {
    expect(ipInCidr(ip, cidr)).toBe(want);
  });
});
