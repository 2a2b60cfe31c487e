/**
 * Lint assertions of charts/clusterplex: the facts its values repeat from the inventory
 * (values/<env>/cluster.yaml) and the scheduling rules helm cannot check because it does not know
 * the nodes.
 */
import type { Cluster } from "../../../schema/cluster.ts";
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
    if (r.ok) fit.push(n.id);
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
  const hw = v.workers?.ffmpegHwaccel;
  if (workersEnabled(v) && (hw === "nvdec" || hw === "cuda") && !v.workers.gpuCount && !v.workers.runtimeClassName) {
    out.push({
      severity: "warning",
      location: ctx.locate(["workers", "ffmpegHwaccel"]),
      message: `workers.ffmpegHwaccel is ${hw} but the workers neither request nvidia.com/gpu (workers.gpuCount) nor use an NVIDIA runtimeClassName: the container cannot see the GPU and ffmpeg fails to initialise ${hw}. Fix: set workers.runtimeClassName (e.g. nvidia) or workers.gpuCount.`,
    });
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
];
