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

// Addresses are parsed by ipaddr.js: the hand-written split/Number math accepted 10.0.0.0/40 and
// 10.0.0.256. Each row fails when its check in crossCheck is removed.
describe("loadInventory: addresses", () => {
  const reject = (edits: [string, string][], want: RegExp[]) =>
    withFixtureRepo(
      (root) => edits.forEach(([from, to]) => editFixture(root, INV, from, to)),
      async (root) => {
        let message = "";
        try {
          loadInventory("homelab", root);
        } catch (err) {
          message = (err as Error).message;
        }
        for (const w of want) expect(message).toMatch(w);
        return message;
      },
    );

  it.each([
    { name: "two nodes with one IP", edits: [["ip: 192.168.1.13", "ip: 192.168.1.12"]], want: /^values\/homelab\/cluster\.yaml:\d+:\d+: nodes\.w3\.ip: 192\.168\.1\.12 is also the address of node w1.*Fix:/m },
    { name: "a node CIDR with prefix /33", edits: [["nodeCIDR: 192.168.1.0/24", "nodeCIDR: 192.168.1.0/33"]], want: /network\.nodeCIDR: "192\.168\.1\.0\/33" is not an IPv4 CIDR.*Fix:/ },
    { name: "a pod CIDR with prefix /40", edits: [["podCIDR: 10.42.0.0/16", "podCIDR: 10.0.0.0/40"]], want: /network\.podCIDR: "10\.0\.0\.0\/40" is not an IPv4 CIDR/ },
    { name: "a CIDR with host bits", edits: [["podCIDR: 10.42.0.0/16", "podCIDR: 10.42.1.0/16"]], want: /network\.podCIDR: 10\.42\.1\.0\/16 has host bits set.*Fix: set podCIDR: 10\.42\.0\.0\/16/ },
    { name: "overlapping pod and service networks", edits: [["serviceCIDR: 10.43.0.0/16", "serviceCIDR: 10.42.128.0/17"]], want: /network\.serviceCIDR: 10\.42\.128\.0\/17 overlaps network\.podCIDR/ },
    { name: "a pool address 10.0.0.256-style", edits: [["192.168.1.200-192.168.1.220", "192.168.1.200-192.168.1.256"]], want: /metallb\.addresses\.0: "192\.168\.1\.200-192\.168\.1\.256" is not an address range/ },
    { name: "a pool overlapping a node", edits: [["192.168.1.200-192.168.1.220", "192.168.1.10-192.168.1.20"]], want: /metallb\.addresses\.0: 192\.168\.1\.10-192\.168\.1\.20 contains 192\.168\.1\.10, the address of node cp1.*Fix: shrink the pool/ },
    { name: "a pool containing the NAS", edits: [["192.168.1.200-192.168.1.220", "192.168.1.48/29"]], want: /contains 192\.168\.1\.50, the address of the Unraid NAS/ },
    { name: "a pool outside the node subnet", edits: [["192.168.1.200-192.168.1.220", "192.168.5.200-192.168.5.220"]], want: /is not inside network\.nodeCIDR 192\.168\.1\.0\/24/ },
    { name: "backup equal to primary", edits: [["backup: w2", "backup: w1"]], want: /storage\.backup: is w1, the same node as storage\.primary.*Fix:/ },
  ] as { name: string; edits: [string, string][]; want: RegExp }[])("rejects $name", async ({ edits, want }) => {
    await reject(edits, [want]);
  });

  it("reports every error of the file at once", async () => {
    const message = await reject(
      [["ip: 192.168.1.13", "ip: 192.168.1.12"], ["nodeCIDR: 192.168.1.0/24", "nodeCIDR: 192.168.1.0/33"], ["backup: w2", "backup: w1"]],
      [/nodes\.w3\.ip: .*also the address/, /network\.nodeCIDR: .*not an IPv4 CIDR/, /storage\.backup: is w1/],
    );
    expect(message.split("\n").length).toBeGreaterThanOrEqual(3);
    for (const line of message.split("\n")) expect(line).toMatch(/^values\/homelab\/cluster\.yaml:\d+:\d+: /);
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
    ["10.0.0.256", "10.0.0.0/8", false],
    ["10.0.0.1", "10.0.0.0/40", false],
  ] as const)("%s in %s is %s", (ip, cidr, want) => {
    expect(ipInCidr(ip, cidr)).toBe(want);
  });
});
