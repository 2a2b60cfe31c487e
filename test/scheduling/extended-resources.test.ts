/**
 * NodeResourcesFit for extended resources (kubernetes pkg/scheduler/framework/plugins/noderesources/
 * fit.go, fitsRequest): a pod asking for a device-plugin resource the node does not advertise, or
 * more than is left after the pods already placed, is rejected with "Insufficient <resource>".
 */
import { describe, expect, it } from "vitest";
import { extendedRequests, filterNode, inventoryAllocatable, isExtendedResourceName, pickNode } from "../../tools/scheduling/index.ts";
import type { PlacedPod, Pod } from "../../tools/scheduling/types.ts";
import { cp1, node } from "./fixtures.ts";

const gpuPod = (name: string, resource: string, n: number | string, where: "requests" | "limits" = "limits"): Pod => ({
  name,
  namespace: "media",
  labels: { app: "worker" },
  spec: { containers: [{ name: "worker", resources: { requests: { cpu: "1" }, [where]: { [resource]: n } } }] },
});

describe("extended resources", () => {
  it("recognises extended resource names as Kubernetes does", () => {
    expect(isExtendedResourceName("nvidia.com/gpu")).toBe(true);
    expect(isExtendedResourceName("gpu.intel.com/i915")).toBe(true);
    expect(isExtendedResourceName("amd.com/gpu")).toBe(true);
    expect(isExtendedResourceName("cpu")).toBe(false);
    expect(isExtendedResourceName("kubernetes.io/something")).toBe(false);
    expect(isExtendedResourceName("requests.nvidia.com/gpu")).toBe(false);
  });

  it("a limit alone is the request; requests of several containers add up", () => {
    expect(extendedRequests(gpuPod("a", "nvidia.com/gpu", 1).spec)).toEqual({ "nvidia.com/gpu": 1 });
    expect(extendedRequests({ containers: [{ resources: { limits: { "amd.com/gpu": "1" } } }, { resources: { requests: { "amd.com/gpu": 2 } } }] })).toEqual({ "amd.com/gpu": 3 });
    expect(extendedRequests({ containers: [{ resources: { requests: { cpu: "2", memory: "1Gi" } } }] })).toEqual({});
  });

  it('a node without the resource rejects the pod with "Insufficient <resource>" (NodeResourcesFit, Unschedulable)', () => {
    const w3 = node("w3", { gpu: "true" });
    const r = filterNode(gpuPod("worker-0", "gpu.intel.com/i915", 1), w3);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejections).toEqual([{ plugin: "NodeResourcesFit", reason: "Insufficient gpu.intel.com/i915", status: "Unschedulable", message: "NodeResourcesFit: Insufficient gpu.intel.com/i915" }]);
  });

  it("counts the pods already placed on the node against its allocatable (a GPU with 2 shares takes 2 workers)", () => {
    const w3 = node("w3", { gpu: "true" }, [], { allocatable: inventoryAllocatable({ accelerator: { vendor: "nvidia", access: { kind: "device-plugin", resource: "nvidia.com/gpu", shares: 2 } } }) });
    const placed: PlacedPod[] = [];
    for (const i of [0, 1]) {
      const d = pickNode(gpuPod(`worker-${i}`, "nvidia.com/gpu", 1), [cp1, w3], placed);
      expect(d.outcome, `worker-${i}`).toBe("scheduled");
      placed.push({ ...gpuPod(`worker-${i}`, "nvidia.com/gpu", 1), nodeName: "w3" });
    }
    const third = pickNode(gpuPod("worker-2", "nvidia.com/gpu", 1), [cp1, w3], placed);
    expect(third.outcome).toBe("unschedulable");
    expect(third.outcome === "unschedulable" && third.message).toBe("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.");
  });

  it("a pod without extended requests is not affected", () => {
    expect(filterNode({ spec: { containers: [{ resources: { requests: { cpu: "1" } } }] } }, node("x")).ok).toBe(true);
  });
});
