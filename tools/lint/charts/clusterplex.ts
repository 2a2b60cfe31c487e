/**
 * Lint assertions of charts/clusterplex: the facts its values repeat from the inventory
 * (values/<env>/cluster.yaml) and the scheduling rules helm cannot check because it does not know
 * the nodes.
 */
import type { Cluster, GpuResource, GpuVendor } from "../../../schema/cluster.ts";
import type { Values } from "../../../schema/clusterplex.ts";
import type { K8sObject } from "../../lib/render.ts";
import { filterNode } from "../../scheduling/index.ts";
import { inventoryNodes, podTemplate } from "../common.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";

/** The label the worker StatefulSet requires (required node affinity `gpu In ["true"]`). */
export const GPU_LABEL = { key: "gpu", value: "true" } as const;

/** Node ids of the inventory that carry `gpu=true`, sorted. */
export function gpuNodes(inventory: Cluster): string[] {
  return Object.entries(inventory.nodes)
    .filter(([, n]) => n.labels[GPU_LABEL.key] === GPU_LABEL.value)
    .map(([id]) => id)
    .sort();
}

const valuesOf = (ctx: LintContext) => ctx.values as unknown as Values;
const workersEnabled = (v: Values) => v.workers?.enabled !== false;
const inventoryFile = (env: string) => `values/${env}/cluster.yaml`;

/** Workers need a node labelled gpu=true; without one every worker stays Pending. */
export const workersNeedGpuNode: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  if (!workersEnabled(v) || gpuNodes(ctx.inventory).length > 0) return [];
  return [{
    severity: "error",
    location: ctx.locate(["workers", "enabled"]),
    message:
      `workers.enabled is true but no node of ${inventoryFile(ctx.env)} has the label ${GPU_LABEL.key}=${GPU_LABEL.value} ` +
      `the workers require (seed: "Workers: StatefulSet on w3 (GPU node affinity required)"), so they would stay Pending. ` +
      `Fix: set workers.enabled: false and pms.transcodeOperatingMode: local, or label a GPU node ${GPU_LABEL.key}=${GPU_LABEL.value} in the inventory.`,
  }];
};

/**
 * The gpu=true nodes a worker pod can be placed on (required node affinity, taints), judged by
 * the scheduling model on the rendered StatefulSet; without a rendered StatefulSet, every gpu=true
 * node. A gpu=true node with a taint the workers do not tolerate (e.g. a storage node's
 * NoSchedule taint) does not count.
 */
export function workerNodes(ctx: LintContext): { fit: string[]; excluded: { id: string; reason: string }[] } {
  const gpu = gpuNodes(ctx.inventory);
  const sts = ctx.objects.find((o) => o.kind === "StatefulSet" && o.metadata.labels?.["app.kubernetes.io/component"] === "worker");
  const tpl = sts ? podTemplate(sts) : undefined;
  if (!sts || !tpl) return { fit: gpu, excluded: [] };
  const fit: string[] = [];
  const excluded: { id: string; reason: string }[] = [];
  for (const n of inventoryNodes(ctx.inventory).filter((x) => gpu.includes(x.id))) {
    const r = filterNode({ name: sts.metadata.name, namespace: sts.metadata.namespace, labels: tpl.labels, spec: tpl.spec }, n);
    // A missing GPU resource is reported by gpuMatchesVendorAndInventory, with the vendor's fix.
    if (r.ok || r.rejections.every((x) => x.plugin === "NodeResourcesFit")) fit.push(n.id);
    else excluded.push({ id: n.id, reason: r.rejections.map((x) => x.reason).join("; ") });
  }
  return { fit: fit.sort(), excluded };
}

/**
 * The worker anti-affinity rule, derived from the inventory: `workers.antiAffinity: hard` puts at
 * most one worker per node, so it is accepted only when at least `workers.replicas` gpu=true nodes
 * can take a worker; otherwise the rest never schedule (the default `soft` always schedules).
 */
export const hardAntiAffinityFits: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  if (!workersEnabled(v) || v.workers?.antiAffinity !== "hard") return [];
  if (gpuNodes(ctx.inventory).length === 0) return []; // reported by workersNeedGpuNode
  const { fit, excluded } = workerNodes(ctx);
  const replicas = v.workers.replicas ?? 2;
  if (fit.length >= replicas) return [];
  const skipped = excluded.length > 0 ? ` (not counted: ${excluded.map((e) => `${e.id}, ${e.reason}`).join("; ")})` : "";
  return [{
    severity: "error",
    location: ctx.locate(["workers", "antiAffinity"]),
    message:
      `workers.antiAffinity is hard with workers.replicas ${replicas}, but ${inventoryFile(ctx.env)} has ${fit.length} ` +
      `${GPU_LABEL.key}=${GPU_LABEL.value} node(s) the workers can run on (${fit.join(", ") || "none"})${skipped}: required anti-affinity allows one worker per node, ` +
      `so ${replicas - fit.length} worker(s) would stay Pending. Fix: set workers.antiAffinity: soft ` +
      `(the schema's minimum of 2 replicas rules out fewer workers), or label ${replicas - fit.length} more schedulable GPU node(s).`,
  }];
};

/** dfs.address is the inventory's DFS export address (the virtual IP that follows Decypharr). */
export const dfsAddressIsExportAddress: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  const want = ctx.inventory.nfs.dfsExport?.address;
  const got = v.dfs?.address ?? null;
  if (got === (want ?? null)) return [];
  if (want === undefined) {
    return [{
      severity: "error",
      location: ctx.locate(["dfs", "address"]),
      message: `dfs.address is ${got}, but ${inventoryFile(ctx.env)} declares no DFS export address (nfs.dfsExport), so nothing moves ${got} with decypharr-streaming. Fix: declare nfs.dfsExport (address, virtualRouterId) in the inventory, or dfs.address: null.`,
    }];
  }
  return [{
    severity: got === null ? "warning" : "error",
    location: ctx.locate(["dfs", "address"]),
    message: got === null
      ? `dfs.address is null, so PMS and the workers mount no DFS, although ${inventoryFile(ctx.env)} declares the DFS export address ${want}. Fix: dfs.address: ${want}.`
      : `dfs.address is ${got}, but the DFS export address of ${inventoryFile(ctx.env)} (nfs.dfsExport.address, the virtual IP that follows decypharr-streaming) is ${want}: a fixed node address leads to a node without the DFS after a failover. Fix: dfs.address: ${want}.`,
  }];
};

interface NfsPv extends K8sObject {
  spec: { nfs?: { server: string; path: string; readOnly?: boolean }; mountOptions?: string[]; accessModes?: string[] };
}

/** The rendered DFS PV is read-only (the export is `ro`). Address, path and options: tools/lint/datapath.ts. */
export const renderedDfsPv: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  for (const pv of ctx.objects.filter((o): o is NfsPv => o.kind === "PersistentVolume" && !!(o as NfsPv).spec?.nfs)) {
    if (pv.spec.nfs!.readOnly !== true || (pv.spec.accessModes ?? []).some((m) => m !== "ReadOnlyMany")) {
      out.push({ severity: "error", object: objectRef(pv), message: "the DFS PV must be read-only (nfs.readOnly: true, accessModes [ReadOnlyMany]): the export is ro. Fix: keep templates/pv.yaml as it is." });
    }
  }
  return out;
};

/** The media library is the inventory's Unraid export. */
export const mediaIsUnraid: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  const unraid = ctx.inventory.nfs.unraid;
  const out: Finding[] = [];
  if (v.media?.server !== unraid.server) {
    out.push({
      severity: "error",
      location: ctx.locate(["media", "server"]),
      message: `media.server is ${v.media?.server} but ${inventoryFile(ctx.env)} nfs.unraid.server is ${unraid.server}. Fix: set media.server: ${unraid.server}.`,
    });
  }
  if (v.media?.path !== unraid.exports.media) {
    out.push({
      severity: "error",
      location: ctx.locate(["media", "path"]),
      message: `media.path is ${v.media?.path} but ${inventoryFile(ctx.env)} nfs.unraid.exports.media is ${unraid.exports.media}. Fix: set media.path: ${unraid.exports.media}.`,
    });
  }
  return out;
};

/** Configurations that render and schedule but do not do what the operator likely meant. */
export const transcodeSettings: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  const out: Finding[] = [];
  if (workersEnabled(v) && v.pms?.transcodeOperatingMode === "local") {
    out.push({
      severity: "warning",
      location: ctx.locate(["pms", "transcodeOperatingMode"]),
      message: "pms.transcodeOperatingMode is local while workers are enabled: the workers run but never get a job. Fix: set both (or remote), or workers.enabled: false.",
    });
  }
  return out;
};

/** Per vendor: the device plugin's extended resource and the `-hwaccel` methods that drive its decoder. */
export const VENDORS: Record<GpuVendor, { resource: GpuResource; hwaccel: string[]; name: string }> = {
  // ffmpeg HWAccelIntro: NVDEC/CUDA on NVIDIA; VA-API (and QSV through libmfx/oneVPL) on Intel;
  // VA-API (Mesa radeonsi) on AMD.
  nvidia: { resource: "nvidia.com/gpu", hwaccel: ["nvdec", "cuda"], name: "NVIDIA" },
  intel: { resource: "gpu.intel.com/i915", hwaccel: ["vaapi", "qsv"], name: "Intel" },
  amd: { resource: "amd.com/gpu", hwaccel: ["vaapi"], name: "AMD" },
};

/** The one command that tells the vendor, and how to read it. */
export const FIND_VENDOR = "lspci -nn | grep -Ei 'vga|3d|display'";
const FIND_VENDOR_HOW = `run \`${FIND_VENDOR}\` on the node (PCI vendor id [8086:…] Intel, [10de:…] NVIDIA, [1002:…] AMD)`;

/**
 * The workers' GPU against the vendor and the inventory (docs/decisions.md#gpu-transcoding): the
 * acceleration mode suits the vendor, the requested resource exists on the GPU node, a shared GPU is
 * not requested by more workers than it has shares, NVIDIA gets its runtime and the `video` driver
 * capability. An inventory that does not record the vendor is named as the one missing fact.
 */
export const gpuMatchesVendorAndInventory: ChartAssertion = (ctx) => {
  const v = valuesOf(ctx);
  if (!workersEnabled(v)) return [];
  const out: Finding[] = [];
  const w = v.workers ?? ({} as Values["workers"]);
  const gpu = w.gpu ?? {};
  const vendor = gpu.vendor ?? null;
  const access = gpu.access ?? "device-plugin";
  const hw = w.ffmpegHwaccel ?? null;
  const file = inventoryFile(ctx.env);
  const nodes = workerNodes(ctx).fit.map((id) => ({ id, node: ctx.inventory.nodes[id] }));
  const err = (path: (string | number)[], message: string, severity: Finding["severity"] = "error") =>
    out.push({ severity, rule: "clusterplex/gpu", location: ctx.locate(path), message });

  if (vendor === null) {
    for (const { id, node } of nodes) {
      const acc = node.accelerator;
      if (!acc || acc.vendor === "unknown") {
        err(["workers", "gpu"], `${file} does not record the GPU vendor of ${id} (${node.name}) (nodes.${id}.accelerator.vendor), the one fact missing for hardware transcoding: the workers transcode in software. Fix: ${FIND_VENDOR_HOW}, record nodes.${id}.accelerator {vendor, access} (npm run runbook -- --env ${ctx.env} prints the driver and device-plugin steps) and set workers.gpu to match.`, "warning");
      } else {
        err(["workers", "gpu", "vendor"], `${id} (${node.name}) has an ${VENDORS[acc.vendor].name} GPU (${file}) but workers.gpu.vendor is null: the workers transcode in software. Fix: set workers.gpu.vendor: ${acc.vendor} and workers.ffmpegHwaccel: ${VENDORS[acc.vendor].hwaccel[0]}.`, "warning");
      }
    }
    if (hw !== null) err(["workers", "ffmpegHwaccel"], `workers.ffmpegHwaccel is ${hw} but workers.gpu.vendor is null: no GPU reaches the container and ffmpeg fails to initialise ${hw}, so every transcode fails over to PMS (or fails with remote). Fix: set workers.gpu.vendor (and the inventory's accelerator), or ffmpegHwaccel: null.`);
    return out;
  }

  const spec = VENDORS[vendor];
  if (hw === null) {
    err(["workers", "ffmpegHwaccel"], `workers.gpu.vendor is ${vendor} but workers.ffmpegHwaccel is null: the worker decodes in software (ClusterPlex passes -hwaccel only when FFMPEG_HWACCEL is set). Fix: set workers.ffmpegHwaccel: ${spec.hwaccel[0]}.`, "warning");
  } else if (!spec.hwaccel.includes(hw)) {
    err(["workers", "ffmpegHwaccel"], `workers.ffmpegHwaccel is ${hw}, which ${spec.name} GPUs do not support (workers.gpu.vendor: ${vendor}): ffmpeg fails to initialise the decoder. Fix: set workers.ffmpegHwaccel: ${spec.hwaccel.join(" or ")}.`);
  }
  if (access === "dri" && vendor === "nvidia") {
    err(["workers", "gpu", "access"], "workers.gpu.access is dri but NVIDIA GPUs are not exposed as /dev/dri render nodes for NVENC/NVDEC: the container needs the NVIDIA runtime and device plugin. Fix: set workers.gpu.access: device-plugin and workers.gpu.runtimeClassName: nvidia.");
  }
  if (access === "dri" && !gpu.renderGroup) {
    err(["workers", "gpu", "renderGroup"], "workers.gpu.access is dri but workers.gpu.renderGroup is null: the worker's user cannot open /dev/dri/renderD128. Fix: set it to the GID from `stat -c %g /dev/dri/renderD128` on the GPU node (the inventory's accelerator.access.renderGroup).");
  }
  if (vendor === "nvidia") {
    if (!gpu.runtimeClassName) err(["workers", "gpu", "runtimeClassName"], "workers.gpu.vendor is nvidia but workers.gpu.runtimeClassName is null: without the NVIDIA container runtime the driver libraries never reach the container. Fix: set workers.gpu.runtimeClassName: nvidia (the RuntimeClass k3s creates for nvidia-container-toolkit).");
    const caps = (gpu.driverCapabilities ?? "compute,video,utility").split(",").map((c) => c.trim());
    if (!caps.includes("video") && !caps.includes("all")) err(["workers", "gpu", "driverCapabilities"], `workers.gpu.driverCapabilities is ${JSON.stringify(gpu.driverCapabilities)}: without "video" the NVIDIA runtime does not mount libnvcuvid/libnvidia-encode, so NVDEC/NVENC are unavailable. Fix: set it to "compute,video,utility".`);
  }

  let shares = 0;
  for (const { id, node } of nodes) {
    const acc = node.accelerator;
    if (!acc || acc.vendor === "unknown") {
      err(["workers", "gpu", "vendor"], `workers.gpu.vendor is ${vendor} but ${file} does not record the GPU vendor of ${id} (${node.name}). Fix: ${FIND_VENDOR_HOW}, then record nodes.${id}.accelerator {vendor: ${vendor}, access: ...}.`);
      continue;
    }
    if (acc.vendor !== vendor) {
      err(["workers", "gpu", "vendor"], `workers.gpu.vendor is ${vendor} but ${id} (${node.name}) has an ${VENDORS[acc.vendor].name} GPU (${file} nodes.${id}.accelerator.vendor: ${acc.vendor}): the workers would ask for hardware that is not there. Fix: set workers.gpu.vendor: ${acc.vendor} and workers.ffmpegHwaccel: ${VENDORS[acc.vendor].hwaccel[0]}.`);
      continue;
    }
    if (!acc.access) {
      err(["workers", "gpu", "access"], `${file} does not say how the GPU of ${id} reaches pods (nodes.${id}.accelerator.access). Fix: record {kind: device-plugin, resource: ${spec.resource}, shares: N} once the device plugin runs, or {kind: dri, renderGroup: GID}.`);
      continue;
    }
    if (access === "device-plugin") {
      if (acc.access.kind !== "device-plugin" || acc.access.resource !== spec.resource) {
        const has = acc.access.kind === "device-plugin" ? `advertises ${acc.access.resource}` : "has no device plugin (accelerator.access.kind: dri)";
        err(["workers", "gpu", "access"], `the workers request ${spec.resource}, but ${id} (${node.name}) ${has} (${file}): they would stay Pending with "Insufficient ${spec.resource}". Fix: ${acc.access.kind === "dri" ? `set workers.gpu.access: dri and workers.gpu.renderGroup: ${acc.access.renderGroup}, or install the ${spec.name} device plugin and record it` : `correct nodes.${id}.accelerator.access.resource to ${spec.resource}`}.`);
        continue;
      }
      shares += acc.access.shares;
    } else if (acc.access.kind === "dri" && gpu.renderGroup && acc.access.renderGroup !== gpu.renderGroup) {
      err(["workers", "gpu", "renderGroup"], `workers.gpu.renderGroup is ${gpu.renderGroup} but /dev/dri/renderD128 on ${id} belongs to group ${acc.access.renderGroup} (${file}): the worker could not open it. Fix: set workers.gpu.renderGroup: ${acc.access.renderGroup}.`);
    }
    if (vendor === "nvidia" && acc.runtimeClassName && gpu.runtimeClassName && acc.runtimeClassName !== gpu.runtimeClassName) {
      err(["workers", "gpu", "runtimeClassName"], `workers.gpu.runtimeClassName is ${gpu.runtimeClassName} but ${id} provides the RuntimeClass ${acc.runtimeClassName} (${file}): the pods would fail to start (RuntimeClass not found). Fix: set workers.gpu.runtimeClassName: ${acc.runtimeClassName}.`);
    }
  }
  if (access === "device-plugin" && shares > 0) {
    const replicas = w.replicas ?? 2;
    const count = gpu.count ?? 1;
    if (replicas * count > shares) {
      const fit = Math.floor(shares / count);
      err(["workers", "replicas"], `${replicas} workers × ${count} ${spec.resource} = ${replicas * count}, but the GPU node(s) ${nodes.map((n) => n.id).join(", ")} advertise ${shares} (${file} accelerator.access.shares): ${replicas - fit} worker(s) would stay Pending with "Insufficient ${spec.resource}". Fix: set workers.replicas: ${Math.max(fit, 1)}${count > 1 ? " or workers.gpu.count: 1" : ""}, or share the GPU further (Intel sharedDevNum, NVIDIA time-slicing replicas) and raise shares.`);
    }
  }
  return out;
};

export const assertions: ChartAssertion[] = [
  workersNeedGpuNode,
  hardAntiAffinityFits,
  dfsAddressIsExportAddress,
  renderedDfsPv,
  mediaIsUnraid,
  transcodeSettings,
  gpuMatchesVendorAndInventory,
];
