import { describe, expect, it } from "vitest";
import { ipInCidr, loadInventory, nodesWithRole } from "../../tools/lib/inventory.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const INV = "values/homelab/cluster.yaml";

describe("loadInventory", () => {
  it("loads the homelab inventory: the seed's four nodes", () => {
    const inv = loadInventory("homelab");
    expect(Object.keys(inv.nodes)).toEqual(["cp1", "w1", "w2", "w3"]);
    expect(inv.storage).toEqual({ primary: "w1", backup: "w2" });
    expect(nodesWithRole(inv, "storage")).toEqual(["w1", "w2"]);
    expect(nodesWithRole(inv, "gpu")).toEqual(["w3"]);
    expect(inv.nodes.w1.ip).toBe("192.168.1.12");
    expect(inv.nodes.w2.ip).toBe("192.168.1.22");
  });

  it.each([
    { name: "a schema violation", from: "ip: 192.168.1.12", to: "ip: 192.168.1.300", want: /^values\/homelab\/cluster\.yaml:\d+:\d+: nodes\.w1\.ip: must match format "ipv4"/ },
    { name: "a primary that is not a node", from: "primary: w1", to: "primary: w9", want: /storage\.primary: names node "w9", which is not under nodes \(cp1, w1, w2, w3\)\. Fix: use a node id/ },
    { name: "a backup that is not a storage node", from: "backup: w2", to: "backup: w3", want: /storage\.backup: node w3 does not have the storage role\. Fix:/ },
    { name: "a GPU node without the gpu label", from: 'gpu: "true"', to: 'gpu: "yes"', want: /nodes\.w3\.labels: node w3 has gpu: true but not the label gpu: "true"/ },
    { name: "a node IP outside the node CIDR", from: "ip: 192.168.1.13", to: "ip: 192.168.2.13", want: /nodes\.w3\.ip: 192\.168\.2\.13 is outside network\.nodeCIDR 192\.168\.1\.0\/24/ },
    { name: "a name that is not the directory's", from: "name: homelab", to: "name: prod", want: /name: is "prod" but the file is values\/homelab\/\. Fix: set name: homelab/ },
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
