/**
 * GPU transcoding per vendor (docs/decisions.md#gpu-transcoding). For each vendor a test profile
 * (homelab with w3's accelerator recorded and the workers' gpu values set) renders a worker that
 * would get the GPU on a real node: the vendor's device-plugin resource (request = limit), the
 * RuntimeClass and NVIDIA_DRIVER_CAPABILITIES with `video` for NVIDIA, the render group, the
 * matching FFMPEG_HWACCEL; lint passes it and the scheduling model places both workers on w3
 * against the node's allocatable. Mismatches fail lint with the fix.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../tools/lint/run.ts";
import type { Finding } from "../../tools/lint/types.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type K8sObject } from "../../tools/lib/render.ts";
import { inventoryNodes } from "../../tools/lint/common.ts";
import { pickNode, type PlacedPod, type PodSpec } from "../../tools/scheduling/index.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const INVENTORY = "values/homelab/cluster.yaml";
const VALUES = "values/homelab/clusterplex.yaml";

interface Profile {
  vendor: "intel" | "nvidia" | "amd";
  accelerator: string;
  gpu: string;
  hwaccel: string;
  resource: string;
}

const PROFILES: Profile[] = [
  {
    vendor: "intel",
    accelerator: "      vendor: intel\n      access: {kind: device-plugin, resource: gpu.intel.com/i915, shares: 2}\n",
    gpu: "    vendor: intel\n    renderGroup: 109\n",
    hwaccel: "vaapi",
    resource: "gpu.intel.com/i915",
  },
  {
    vendor: "nvidia",
    accelerator: "      vendor: nvidia\n      access: {kind: device-plugin, resource: nvidia.com/gpu, shares: 2}\n      runtimeClassName: nvidia\n",
    gpu: "    vendor: nvidia\n    runtimeClassName: nvidia\n",
    hwaccel: "nvdec",
    resource: "nvidia.com/gpu",
  },
  {
    vendor: "amd",
    accelerator: "      vendor: amd\n      access: {kind: device-plugin, resource: amd.com/gpu, shares: 2}\n",
    gpu: "    vendor: amd\n    renderGroup: 109\n",
    hwaccel: "vaapi",
    resource: "amd.com/gpu",
  },
];

/** Records the profile's accelerator on w3 and sets the workers' gpu values. */
function applyProfile(root: string, p: { accelerator: string; gpu: string; hwaccel: string }) {
  if (p.accelerator !== "      vendor: unknown\n") editFixture(root, INVENTORY, "    accelerator:\n      vendor: unknown\n", `    accelerator:\n${p.accelerator}`);
  editFixture(root, VALUES, "  gpu:\n    vendor: null\n  ffmpegHwaccel: null\n", `  gpu:\n${p.gpu}  ffmpegHwaccel: ${p.hwaccel}\n`);
}

async function lintAndRender(root: string): Promise<{ findings: Finding[]; ok: boolean; worker: K8sObject & { spec: any } }> {
  const report = await lintEnvironment({ env: "homelab", chart: "clusterplex", root });
  const profile = report.profiles.find((x) => x.chart === "clusterplex" && x.kind === "chart")!;
  const objects = (await renderEnvironment("homelab", { chart: "clusterplex", root }))[0].objects;
  const worker = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "clusterplex-worker") as K8sObject & { spec: any };
  return { findings: profile.findings, ok: profile.ok, worker };
}

const text = (fs: Finding[]) => fs.map((f) => `${f.severity}: ${f.location ? `${f.location.file}:${f.location.line}: ` : ""}${f.message}`).join("\n");

describe.each(PROFILES)("the $vendor profile", (p) => {
  it("renders a worker that gets the GPU on w3, lints clean, and both workers fit the node's allocatable", async () => {
    await withFixtureRepo(
      (root) => applyProfile(root, p),
      async (root) => {
        const { findings, ok, worker } = await lintAndRender(root);
        expect(findings.filter((f) => f.rule === "clusterplex/gpu"), text(findings)).toEqual([]);
        expect(ok, text(findings)).toBe(true);
        const spec = worker.spec.template.spec;
        const c = spec.containers[0];
        const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
        expect(c.resources.requests[p.resource]).toBe(1);
        expect(c.resources.limits[p.resource]).toBe(1);
        expect(env.FFMPEG_HWACCEL).toBe(p.hwaccel);
        if (p.vendor === "nvidia") {
          expect(spec.runtimeClassName).toBe("nvidia");
          expect(env.NVIDIA_DRIVER_CAPABILITIES).toBe("compute,video,utility");
          expect(spec.securityContext?.supplementalGroups).toBeUndefined();
        } else {
          expect(spec.runtimeClassName).toBeUndefined();
          expect(env.NVIDIA_DRIVER_CAPABILITIES).toBeUndefined();
          expect(spec.securityContext.supplementalGroups).toEqual([109]);
        }
        // The real node advertises the resource (inventory accelerator.access.shares = 2): both workers land on w3.
        const nodes = inventoryNodes(loadInventory("homelab", root));
        const placed: PlacedPod[] = [];
        for (const i of [0, 1]) {
          const pod = { name: `clusterplex-worker-${i}`, namespace: "media", labels: worker.spec.template.metadata.labels, spec: spec as PodSpec };
          const d = pickNode(pod, nodes, placed);
          expect(d.outcome === "scheduled" ? d.node : d.message).toBe("k3s-w3");
          placed.push({ ...pod, nodeName: "k3s-w3" });
        }
      },
    );
  });
});

describe("GPU lint failures name the fix", () => {
  it.each<[string, { accelerator: string; gpu: string; hwaccel: string }, RegExp]>([
    [
      "an NVIDIA decoder on an Intel GPU",
      { accelerator: PROFILES[0].accelerator, gpu: PROFILES[0].gpu, hwaccel: "nvdec" },
      /workers\.ffmpegHwaccel is nvdec, which Intel GPUs do not support \(workers\.gpu\.vendor: intel\).*Fix: set workers\.ffmpegHwaccel: vaapi or qsv/,
    ],
    [
      "workers say AMD, the inventory says NVIDIA",
      { accelerator: PROFILES[1].accelerator, gpu: PROFILES[2].gpu, hwaccel: "vaapi" },
      /workers\.gpu\.vendor is amd but w3 \(k3s-w3\) has an NVIDIA GPU.*Fix: set workers\.gpu\.vendor: nvidia and workers\.ffmpegHwaccel: nvdec/,
    ],
    [
      "a resource the node does not advertise (inventory: /dev/dri, no plugin)",
      { accelerator: "      vendor: intel\n      access: {kind: dri, renderGroup: 109}\n", gpu: PROFILES[0].gpu, hwaccel: "vaapi" },
      /the workers request gpu\.intel\.com\/i915, but w3 \(k3s-w3\) has no device plugin.*"Insufficient gpu\.intel\.com\/i915".*Fix: set workers\.gpu\.access: dri and workers\.gpu\.renderGroup: 109/,
    ],
    [
      "a GPU with one share requested by two workers",
      { accelerator: "      vendor: amd\n      access: {kind: device-plugin, resource: amd.com/gpu, shares: 1}\n", gpu: PROFILES[2].gpu, hwaccel: "vaapi" },
      /2 workers × 1 amd\.com\/gpu = 2, but the GPU node\(s\) w3 advertise 1 .*1 worker\(s\) would stay Pending with "Insufficient amd\.com\/gpu"\. Fix: set workers\.replicas: 1/,
    ],
    [
      "NVIDIA without its RuntimeClass",
      { accelerator: PROFILES[1].accelerator, gpu: "    vendor: nvidia\n", hwaccel: "nvdec" },
      /workers\.gpu\.vendor is nvidia but workers\.gpu\.runtimeClassName is null.*Fix: set workers\.gpu\.runtimeClassName: nvidia/,
    ],
    [
      "NVIDIA without the video driver capability",
      { accelerator: PROFILES[1].accelerator, gpu: '    vendor: nvidia\n    runtimeClassName: nvidia\n    driverCapabilities: "compute,utility"\n', hwaccel: "nvdec" },
      /without "video" the NVIDIA runtime does not mount libnvcuvid\/libnvidia-encode.*Fix: set it to "compute,video,utility"/,
    ],
    [
      "a decoder while the inventory does not know the vendor",
      { accelerator: "      vendor: unknown\n", gpu: "    vendor: null\n", hwaccel: "vaapi" },
      /workers\.ffmpegHwaccel is vaapi but workers\.gpu\.vendor is null: no GPU reaches the container/,
    ],
  ])("%s fails lint", async (_name, profile, want) => {
    await withFixtureRepo(
      (root) => applyProfile(root, profile),
      async (root) => {
        const { findings, ok } = await lintAndRender(root);
        expect(ok).toBe(false);
        const gpu = findings.filter((f) => f.rule === "clusterplex/gpu" && f.severity === "error");
        expect(text(gpu)).toMatch(want);
        // At the key in the environment's values file, or in the chart's defaults when the key is not set there.
        for (const f of gpu) expect([VALUES, "charts/clusterplex/values.yaml"]).toContain(f.location?.file);
      },
    );
  });

  it("homelab as committed: the one missing fact (w3's vendor) is a warning naming lspci", async () => {
    const report = await lintEnvironment({ env: "homelab", chart: "clusterplex" });
    const profile = report.profiles.find((x) => x.chart === "clusterplex" && x.kind === "chart")!;
    const gpu = profile.findings.filter((f) => f.rule === "clusterplex/gpu");
    expect(gpu.map((f) => f.severity)).toEqual(["warning"]);
    expect(gpu[0].message).toContain("does not record the GPU vendor of w3 (k3s-w3)");
    expect(gpu[0].message).toContain("lspci -nn | grep -Ei 'vga|3d|display'");
  });

  it("a tainted GPU node: workers.tolerations and workers.nodeSelector reach the pods, and without them the workers cannot schedule", async () => {
    const taint = (root: string) => editFixture(root, INVENTORY, /(accelerator:\n\s+vendor: unknown\n(?:.*\n)*?\s+)taints: \[\]/, '$1taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]');
    await withFixtureRepo(
      (root) => {
        taint(root);
        editFixture(root, VALUES, "  ffmpegHwaccel: null\n", '  ffmpegHwaccel: null\n  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]\n  nodeSelector: {nvidia.com/gpu.present: "true"}\n');
      },
      async (root) => {
        const { worker } = await lintAndRender(root);
        expect(worker.spec.template.spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(worker.spec.template.spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
      },
    );
    await withFixtureRepo(taint, async (root) => {
      const report = await lintEnvironment({ env: "homelab", chart: "clusterplex", root });
      const profile = report.profiles.find((x) => x.chart === "clusterplex" && x.kind === "chart")!;
      expect(profile.ok).toBe(false);
      expect(text(profile.findings)).toMatch(/can never schedule.*w3 \(k3s-w3\): TaintToleration: node\(s\) had untolerated taint \{nvidia\.com\/gpu: present\}/);
    });
  });

  it("the /dev/dri mode renders the host's render nodes into a privileged worker with the render group", async () => {
    await withFixtureRepo(
      (root) => applyProfile(root, { accelerator: "      vendor: amd\n      access: {kind: dri, renderGroup: 110}\n", gpu: "    vendor: amd\n    access: dri\n    renderGroup: 110\n", hwaccel: "vaapi" }),
      async (root) => {
        const { findings, worker } = await lintAndRender(root);
        expect(findings.filter((f) => f.rule === "clusterplex/gpu"), text(findings)).toEqual([]);
        const spec = worker.spec.template.spec;
        expect(spec.volumes.find((v: { name: string }) => v.name === "dri")).toEqual({ name: "dri", hostPath: { path: "/dev/dri", type: "Directory" } });
        expect(spec.containers[0].volumeMounts).toContainEqual({ name: "dri", mountPath: "/dev/dri" });
        expect(spec.containers[0].securityContext).toEqual({ privileged: true });
        expect(spec.securityContext.supplementalGroups).toEqual([110]);
        expect(Object.keys(spec.containers[0].resources.limits ?? {}).filter((k) => k.includes("/"))).toEqual([]);
      },
    );
  });
});
