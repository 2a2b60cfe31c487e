/**
 * simulate/explain with Longhorn's own placement and extended resources: the placement table lists
 * where longhorn-manager puts its DaemonSets, instance managers and share managers; a worker asking
 * for a GPU resource the node does not advertise is Pending with NodeResourcesFit's
 * "Insufficient <resource>", and explain shows the arithmetic.
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment } from "../../tools/lib/render.ts";
import { explainPod, formatExplanation } from "../../tools/simulate/explain.ts";
import { buildContext, formatReport, simulateReleases } from "../../tools/simulate/index.ts";

const homelab = renderEnvironment("homelab");

describe("Longhorn in the placement table", () => {
  it("CSI plugin, instance managers and engine image on w1, w2, w3; share managers on w1, w2; nothing on cp1", async () => {
    const r = simulateReleases("homelab", await homelab, loadInventory("homelab"), { scenario: "w2-down" });
    const on = Object.fromEntries(r.longhorn!.components.map((c) => [c.component, c.nodes]));
    expect(on["longhorn-manager (DaemonSet)"]).toEqual(["w1", "w2", "w3"]);
    expect(on["longhorn-csi-plugin (DaemonSet)"]).toEqual(["w1", "w2", "w3"]);
    expect(on["instance-manager (pod per node)"]).toEqual(["w1", "w2", "w3"]);
    expect(on["engine-image (DaemonSet)"]).toEqual(["w1", "w2", "w3"]);
    expect(on["share-manager (RWX volumes of StorageClass longhorn-rwx)"]).toEqual(["w1", "w2"]);
    expect(formatReport(r)).toMatch(/longhorn-csi-plugin \(DaemonSet\)\s+-> w1, w2, w3/);
    expect(r.placementViolations.filter((v) => v.includes("CSI plugin"))).toEqual([]);
  });

  it("without w3's Longhorn label the workers on w3 are a placement violation (their volumes never attach)", async () => {
    const inv = structuredClone(loadInventory("homelab"));
    delete inv.nodes.w3.labels["node.longhorn.io/csi"];
    const r = simulateReleases("homelab", await homelab, inv, { scenario: "w2-down" });
    expect(r.longhorn!.components.find((c) => c.component.startsWith("longhorn-csi-plugin"))!.nodes).toEqual(["w1", "w2"]);
    expect(r.placementViolations.join("\n")).toMatch(/clusterplex-worker-0: placed on w3, where Longhorn's CSI plugin does not run, but mounts Longhorn claim\(s\) .*codecs-clusterplex-worker-0: it would stay ContainerCreating/);
    expect(r.ok).toBe(false);
  });
});

describe("extended resources in simulate and explain", () => {
  /** The workers ask for nvidia.com/gpu (as the NVIDIA profile renders them); the inventory's w3 advertises none or one. */
  async function withGpuRequest(shares: number | null) {
    const releases = structuredClone(await homelab);
    const sts = releases.flatMap((r) => r.objects).find((o) => o.kind === "StatefulSet" && o.metadata.name === "clusterplex-worker") as any;
    sts.spec.template.spec.containers[0].resources.limits = { "nvidia.com/gpu": 1 };
    const inv = structuredClone(loadInventory("homelab"));
    inv.nodes.w3.accelerator = shares === null ? { vendor: "nvidia" } : { vendor: "nvidia", access: { kind: "device-plugin", resource: "nvidia.com/gpu", shares }, runtimeClassName: "nvidia" };
    return { releases, inv };
  }

  it('no device plugin on w3: both workers Pending with "Insufficient nvidia.com/gpu"', async () => {
    const { releases, inv } = await withGpuRequest(null);
    const r = simulateReleases("homelab", releases, inv, { scenario: "w2-down" });
    for (const w of r.placement.filter((p) => /^clusterplex-worker-\d$/.test(p.pod))) {
      expect(w.status).toBe("Pending");
      expect(w.verdicts.find((v) => v.node === "w3")!.rejections).toEqual(["NodeResourcesFit: Insufficient nvidia.com/gpu"]);
      expect(w.message).toContain("1 Insufficient nvidia.com/gpu");
    }
  });

  it("one share for two workers: the second is Pending, and explain shows the allocatable arithmetic", async () => {
    const { releases, inv } = await withGpuRequest(1);
    const r = simulateReleases("homelab", releases, inv, { scenario: "w2-down" });
    const workers = r.placement.filter((p) => /^clusterplex-worker-\d$/.test(p.pod));
    expect(workers.map((w) => w.status)).toEqual(["Scheduled", "Pending"]);
    const ctx = buildContext("homelab", releases, inv);
    const p = ctx.pods.find((x) => x.name === "clusterplex-worker-1")!;
    const text = formatExplanation(explainPod(ctx, p), ctx);
    expect(text).toContain("- NodeResourcesFit: nvidia.com/gpu: requests 1, node allocatable 1, used by pods placed before it 1 -> Insufficient nvidia.com/gpu");
  });
});
