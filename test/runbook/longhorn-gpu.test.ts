/**
 * The runbook's Longhorn placement and GPU sections, generated from the inventory.
 */
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../schema/cluster.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { nodeRequirements } from "../../tools/runbook/packages.ts";
import { buildRunbook, listCommands, renderRunbook } from "../../tools/runbook/runbook.ts";

const homelab = loadInventory("homelab");
const withAccelerator = (acc: NonNullable<Cluster["nodes"][string]["accelerator"]>): Cluster => {
  const inv = structuredClone(homelab);
  inv.nodes.w3.accelerator = acc;
  return inv;
};
const gpuRuns = (inv: Cluster) => listCommands(buildRunbook(inv)).filter((c) => c.section === "gpu").map((c) => c.run);

describe("Longhorn placement section", () => {
  const rb = buildRunbook(homelab);
  const md = renderRunbook(rb);
  const cmds = listCommands(rb).filter((c) => c.section === "longhorn").map((c) => c.run);

  it("says where Longhorn runs and where its disks are, from the inventory labels", () => {
    expect(md).toContain("run on w1 (k3s-w1), w2 (k3s-w2), w3 (k3s-w3): every node labelled `node.longhorn.io/csi=enabled`");
    expect(md).toContain("Disks and replicas only on w1 (k3s-w1), w2 (k3s-w2)");
    expect(md).toContain("No Longhorn pod on cp1 (k3s-cp1).");
  });

  it("applies a changed node selector with every volume detached, in order, and checks the CSI plugin on every Longhorn node", () => {
    const i = (prefix: string) => cmds.findIndex((c) => c.startsWith(prefix));
    expect(i("flux suspend helmrelease --all -n media")).toBeGreaterThanOrEqual(0);
    expect(i("kubectl scale statefulset,deployment --all -n media --replicas=0")).toBeGreaterThan(i("flux suspend"));
    expect(i("kubectl -n longhorn-system get volumes.longhorn.io")).toBeGreaterThan(i("kubectl scale"));
    expect(i("flux reconcile helmrelease longhorn -n longhorn-system")).toBeGreaterThan(i("kubectl -n longhorn-system get volumes.longhorn.io"));
    expect(i("flux resume helmrelease --all -n media")).toBeGreaterThan(i("flux reconcile helmrelease longhorn -n"));
    expect(listCommands(rb).find((c) => c.run.startsWith("kubectl -n longhorn-system get pods -o wide -l app=longhorn-csi-plugin"))?.reason).toContain("k3s-w1, k3s-w2, k3s-w3");
    expect(cmds).toContain("kubectl -n longhorn-system get nodes.longhorn.io -o json | npm run --silent preflight -- --env homelab --longhorn-nodes -");
  });

  it("every node that attaches Longhorn volumes gets open-iscsi with iscsid and nfs-common, w3 included", () => {
    const host = listCommands(rb).filter((c) => c.section === "packages" && c.target.kind === "host" && c.target.node === "k3s-w3").map((c) => c.run);
    expect(host).toEqual(expect.arrayContaining(["apt-get install -y nfs-common", "apt-get install -y open-iscsi", "systemctl enable --now iscsid"]));
    // A control-plane node carrying the Longhorn label (something there uses Longhorn) gets them too.
    expect(nodeRequirements({ roles: ["control-plane"], labels: { "node.longhorn.io/csi": "enabled" } }).packages.map((p) => p.name)).toEqual(["nfs-common", "open-iscsi"]);
  });
});

describe("GPU section per vendor", () => {
  it("homelab: the vendor is the missing fact, found with lspci", () => {
    expect(gpuRuns(homelab)).toEqual(["lspci -nn | grep -Ei 'vga|3d|display'"]);
  });

  it("NVIDIA: driver, container toolkit, RuntimeClass, device plugin, allocatable check", () => {
    const runs = gpuRuns(withAccelerator({ vendor: "nvidia", access: { kind: "device-plugin", resource: "nvidia.com/gpu", shares: 2 }, runtimeClassName: "nvidia" }));
    expect(runs).toEqual(expect.arrayContaining(["apt-get install -y nvidia-container-toolkit", "kubectl get runtimeclass nvidia", "kubectl get node k3s-w3 -o jsonpath='{.status.allocatable.nvidia\\.com/gpu}'"]));
    expect(runs.some((r) => r.includes("nvidia-device-plugin"))).toBe(true);
  });

  it("Intel: media driver, render group, Intel GPU plugin", () => {
    const runs = gpuRuns(withAccelerator({ vendor: "intel", access: { kind: "device-plugin", resource: "gpu.intel.com/i915", shares: 2 } }));
    expect(runs).toEqual(expect.arrayContaining(["apt-get install -y intel-media-va-driver-non-free vainfo", "stat -c %g /dev/dri/renderD128"]));
    expect(runs.some((r) => r.includes("intel-device-plugins-for-kubernetes/deployments/gpu_plugin"))).toBe(true);
    expect(runs.some((r) => r.includes("nvidia"))).toBe(false);
  });

  it("AMD: mesa VA driver, render group, ROCm device plugin; with /dev/dri no plugin but the policy note", () => {
    const runs = gpuRuns(withAccelerator({ vendor: "amd", access: { kind: "device-plugin", resource: "amd.com/gpu", shares: 1 } }));
    expect(runs).toEqual(expect.arrayContaining(["apt-get install -y mesa-va-drivers vainfo", "stat -c %g /dev/dri/renderD128"]));
    expect(runs.some((r) => r.includes("ROCm/k8s-device-plugin"))).toBe(true);
    const dri = buildRunbook(withAccelerator({ vendor: "amd", access: { kind: "dri", renderGroup: 110 } }));
    expect(listCommands(dri).filter((c) => c.section === "gpu").some((c) => c.run.includes("device-plugin"))).toBe(false);
    expect(renderRunbook(dri)).toContain("allow it for clusterplex-worker in values/<env>/policy.yaml");
  });

  it("documents the Plex post-deploy hardware transcoding setting and what PMS sends to a worker", () => {
    const md = renderRunbook(buildRunbook(homelab));
    expect(md).toContain('"Use hardware acceleration when available" and "Use hardware-accelerated video encoding"');
    expect(md).toContain("posts `args`, `env`, `cwd` to the orchestrator");
  });
});
