/**
 * preflight --longhorn-nodes (Longhorn's Node objects: disks only on storage nodes, every Longhorn
 * node registered) and the GPU drift of `kubectl get nodes -o json` (allocatable and vendor labels).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../schema/cluster.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { observedGpuVendors, preflight } from "../../tools/preflight/compare.ts";
import { checkLonghornNodes, parseLonghornNodes } from "../../tools/preflight/longhorn.ts";
import { parseNodeList } from "../../tools/preflight/nodes.ts";

const homelab = loadInventory("homelab");
const lhNode = (name: string, disks: Record<string, string> = {}) => ({
  apiVersion: "longhorn.io/v1beta2",
  kind: "Node",
  metadata: { name, namespace: "longhorn-system" },
  spec: { disks: Object.fromEntries(Object.entries(disks).map(([d, path]) => [d, { path, allowScheduling: true, diskType: "filesystem" }])) },
});
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });
const DISK = { "default-disk-1": "/var/lib/longhorn/" };

describe("preflight --longhorn-nodes", () => {
  it("passes when w1/w2 have a disk and w3 is registered without one", () => {
    const f = checkLonghornNodes(homelab, parseLonghornNodes(list(lhNode("k3s-w1", DISK), lhNode("k3s-w2", DISK), lhNode("k3s-w3")), "lh.json"));
    expect(f).toEqual([]);
  });

  it("a default disk w3 got before createDefaultDiskLabeledNodes is an error with the eviction steps", () => {
    const f = checkLonghornNodes(homelab, parseLonghornNodes(list(lhNode("k3s-w1", DISK), lhNode("k3s-w2", DISK), lhNode("k3s-w3", DISK)), "lh.json"));
    expect(f).toEqual([expect.objectContaining({ severity: "error", kind: "longhorn-disk-extra", node: "k3s-w3", actual: "default-disk-1 (/var/lib/longhorn/)" })]);
    expect(f[0].fix).toContain("evictionRequested: true");
  });

  it("a Longhorn node without its Node object (no manager there) and a storage node without a disk are errors", () => {
    const f = checkLonghornNodes(homelab, parseLonghornNodes(list(lhNode("k3s-w1", DISK), lhNode("k3s-w2")), "lh.json"));
    expect(f.map((x) => [x.kind, x.node])).toEqual([["longhorn-disk-missing", "k3s-w2"], ["longhorn-node-missing", "k3s-w3"]]);
  });

  it("w3 without open-iscsi/nfs-common: Longhorn's RequiredPackages condition is an error with the install command", () => {
    const w3 = { ...lhNode("k3s-w3"), status: { conditions: [
      { type: "Ready", status: "True", reason: "", message: "" },
      { type: "RequiredPackages", status: "False", reason: "PackagesNotInstalled", message: "Missing packages: [nfs-common open-iscsi]" },
    ] } };
    const f = checkLonghornNodes(homelab, parseLonghornNodes(list(lhNode("k3s-w1", DISK), lhNode("k3s-w2", DISK), w3), "lh.json"));
    expect(f).toEqual([expect.objectContaining({ severity: "error", kind: "longhorn-node-condition", node: "k3s-w3", key: "RequiredPackages", actual: "False (PackagesNotInstalled)" })]);
    expect(f[0].message).toContain("Missing packages: [nfs-common open-iscsi]");
    expect(f[0].fix).toContain("apt-get install -y nfs-common open-iscsi");
  });

  it("rejects a Kubernetes node list passed by mistake", () => {
    const k8s = readFileSync(join(repoRoot, "test/preflight/fixtures/homelab-nodes.json"), "utf8");
    expect(() => parseLonghornNodes(k8s, "nodes.json")).toThrow(/not a longhorn\.io Node.*kubectl -n longhorn-system get nodes\.longhorn\.io -o json/);
  });
});

describe("preflight GPU drift from node capacity/allocatable and vendor labels", () => {
  const nodes = () => JSON.parse(readFileSync(join(repoRoot, "test/preflight/fixtures/homelab-nodes.json"), "utf8"));
  const withNvidia = (shares: number): Cluster => {
    const inv = structuredClone(homelab);
    inv.nodes.w3.accelerator = { vendor: "nvidia", access: { kind: "device-plugin", resource: "nvidia.com/gpu", shares }, runtimeClassName: "nvidia" };
    return inv;
  };
  const run = (inv: Cluster, edit: (w3: any) => void = () => {}) => {
    const doc = nodes();
    edit(doc.items.find((n: any) => n.metadata.name === "k3s-w3"));
    return preflight(inv, parseNodeList(JSON.stringify(doc), "nodes.json")).findings.filter((f) => f.kind.startsWith("gpu-"));
  };

  it("reads the vendor from NFD's PCI labels and the plugins' labels", () => {
    expect(observedGpuVendors({ "feature.node.kubernetes.io/pci-0300_8086.present": "true" })).toEqual(["intel"]);
    expect(observedGpuVendors({ "feature.node.kubernetes.io/pci-0380_1002.present": "true" })).toEqual(["amd"]);
    expect(observedGpuVendors({ "nvidia.com/gpu.present": "true" })).toEqual(["nvidia"]);
    expect(observedGpuVendors({ "feature.node.kubernetes.io/pci-0200_8086.present": "true" })).toEqual([]);
  });

  it("homelab (vendor unknown) on a node whose labels show NVIDIA: an INFO naming the vendor to record", () => {
    expect(run(homelab)).toEqual([expect.objectContaining({ severity: "info", kind: "gpu-vendor", actual: "nvidia" })]);
  });

  it("the plugin's resource matches the inventory: no finding; missing or a different count: an error", () => {
    const set = (v?: string) => (w3: any) => {
      w3.status.allocatable = { ...(w3.status.allocatable ?? {}) };
      if (v === undefined) delete w3.status.allocatable["nvidia.com/gpu"];
      else w3.status.allocatable["nvidia.com/gpu"] = v;
    };
    expect(run(withNvidia(2), set("2"))).toEqual([]);
    expect(run(withNvidia(2), set(undefined))).toEqual([expect.objectContaining({ severity: "error", kind: "gpu-resource-missing", key: "nvidia.com/gpu" })]);
    expect(run(withNvidia(2), set("1"))).toEqual([expect.objectContaining({ severity: "error", kind: "gpu-resource-count", expected: "2", actual: "1" })]);
  });

  it("the inventory's vendor against the node's labels: Intel recorded, NVIDIA seen is an error", () => {
    const inv = structuredClone(homelab);
    inv.nodes.w3.accelerator = { vendor: "intel", access: { kind: "dri", renderGroup: 109 } };
    expect(run(inv)).toEqual([expect.objectContaining({ severity: "error", kind: "gpu-vendor", expected: "intel", actual: "nvidia" })]);
  });
});
