/**
 * The simulated cluster: the inventory's nodes and the pods the rendered workloads create.
 *
 * Node names are the Kubernetes names (`k3s-w1`), as the scheduler sees them (metadata.name and
 * the kubernetes.io/hostname label); reports show the inventory id next to them (`w1`).
 */
import { nodeFit } from "../scheduling/descheduler.ts";
import { podSpecOf as k8sPodSpecOf } from "../lib/k8s.ts";
import type { Cluster } from "../lib/inventory.ts";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { inventoryAllocatable, type Node, type Pod, type PodSpec } from "../scheduling/index.ts";

/** A node of the inventory, with its id. */
export interface SimNode extends Node {
  id: string;
  ip: string;
  roles: string[];
  gpu: boolean;
}

/** The workload a pod belongs to. */
export interface WorkloadRef {
  kind: "StatefulSet" | "Deployment" | "CronJob" | "DaemonSet";
  name: string;
  namespace: string;
  release: string;
  chart: string;
  /** The HelmRelease file the workload is rendered from. */
  source: string;
  /** Rendered from an upstream chart (Longhorn, MetalLB, Traefik). */
  upstream?: boolean;
}

/** One pod the rendered workloads create. */
export interface SimPod {
  /** Pod name: `<sts>-<ordinal>`, `<deploy>` (or `<deploy>-<i>` with several replicas), `<cronjob>`. */
  name: string;
  workload: WorkloadRef;
  /** StatefulSet ordinal / Deployment replica index; null for a CronJob's pod. */
  index: number | null;
  pod: Pod;
  /** PVC names of the pod: spec.volumes claims plus `<template>-<pod>` for volumeClaimTemplates. */
  claims: Array<{ volume: string; claimName: string; storageClassName: string | null; accessModes: string[]; fromTemplate: boolean }>;
}

/** The inventory's nodes, in file order. */
export function inventoryNodes(inv: Cluster): SimNode[] {
  return Object.entries(inv.nodes).map(([id, n]) => ({
    id,
    name: n.name,
    ip: n.ip,
    roles: [...n.roles],
    gpu: n.gpu === true,
    labels: { ...n.labels },
    taints: n.taints.map((t) => ({ ...t })),
    allocatable: inventoryAllocatable(n),
  }));
}

/** `w1 (k3s-w1)` */
export function nodeLabel(n: { id: string; name: string }): string {
  return n.id === n.name ? n.id : `${n.id} (${n.name})`;
}

type Obj = Record<string, any>;

/**
 * Releases in Flux's install order: the HelmReleases' `dependsOn` graph (a release after every
 * release it depends on), ties kept in the given order. Dependencies on releases that are not
 * rendered (upstream charts) are satisfied; a cycle keeps the remaining releases in input order.
 */
export function orderReleases(releases: readonly RenderedRelease[]): RenderedRelease[] {
  const present = new Set(releases.map((r) => r.helmRelease).filter(Boolean));
  const done = new Set<string>();
  const out: RenderedRelease[] = [];
  const left = [...releases];
  while (left.length > 0) {
    const i = left.findIndex((r) => (r.dependsOn ?? []).every((d) => !present.has(d) || done.has(d)));
    const [next] = left.splice(i < 0 ? 0 : i, 1);
    out.push(next);
    if (next.helmRelease) done.add(next.helmRelease);
  }
  return out;
}

function templateOf(o: Obj): Obj | undefined {
  return o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : o.spec?.template;
}

/** The pod template spec of a workload object (CronJob: jobTemplate.spec.template). */
export function podSpecOf(o: K8sObject): PodSpec | undefined {
  return k8sPodSpecOf(o) as PodSpec | undefined;
}

/**
 * Every pod of the rendered StatefulSets, Deployments and CronJobs, in placement order: releases
 * in dependency order, objects in helm's output order, StatefulSet ordinals ascending (the
 * OrderedReady and Parallel policies both create them in that order), one pod per CronJob (one run).
 * `replicas` absent means 1 (the API default); 0 creates no pod.
 */
export function podsOf(releases: readonly RenderedRelease[], nodes: readonly SimNode[] = []): SimPod[] {
  const out: SimPod[] = [];
  for (const r of orderReleases(releases)) {
    for (const o of r.objects as Obj[]) {
      if (o.kind === "DaemonSet") {
        out.push(...daemonPods(o, r, nodes));
        continue;
      }
      if (o.kind !== "StatefulSet" && o.kind !== "Deployment" && o.kind !== "CronJob") continue;
      const tpl = templateOf(o);
      if (!tpl?.spec) continue;
      const workload: WorkloadRef = { kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? r.namespace, release: r.release, chart: r.chart, source: r.source, ...(r.upstream ? { upstream: true } : {}) };
      const replicas = o.kind === "CronJob" ? 1 : typeof o.spec.replicas === "number" ? o.spec.replicas : 1;
      for (let i = 0; i < replicas; i++) {
        const name = o.kind === "StatefulSet" ? `${o.metadata.name}-${i}` : o.kind === "Deployment" && replicas > 1 ? `${o.metadata.name}-${i}` : o.metadata.name;
        const claims: SimPod["claims"] = [];
        for (const v of (tpl.spec.volumes ?? []) as Obj[]) {
          if (v.persistentVolumeClaim?.claimName) claims.push({ volume: v.name, claimName: v.persistentVolumeClaim.claimName, storageClassName: null, accessModes: [], fromTemplate: false });
        }
        for (const vct of (o.kind === "StatefulSet" ? o.spec.volumeClaimTemplates ?? [] : []) as Obj[]) {
          claims.push({
            volume: vct.metadata.name,
            claimName: `${vct.metadata.name}-${name}`,
            storageClassName: vct.spec?.storageClassName ?? null,
            accessModes: vct.spec?.accessModes ?? [],
            fromTemplate: true,
          });
        }
        // A StatefulSet's volumeClaimTemplates become persistentVolumeClaim volumes of the pod
        // (the StatefulSet controller adds them; pkg/controller/statefulset/stateful_set_utils.go
        // updateStorage), which is what the descheduler's PodsWithPVC protection looks at.
        const spec: PodSpec = JSON.parse(JSON.stringify(tpl.spec));
        const vcts = claims.filter((c) => c.fromTemplate);
        if (vcts.length > 0) {
          const volumes = (spec.volumes ?? []).filter((v) => !vcts.some((c) => c.volume === v.name));
          for (const c of vcts) volumes.push({ name: c.volume, persistentVolumeClaim: { claimName: c.claimName } });
          spec.volumes = volumes;
        }
        out.push({
          name,
          workload,
          index: o.kind === "CronJob" ? null : i,
          pod: { name, namespace: workload.namespace, labels: { ...(tpl.metadata?.labels ?? {}) }, spec },
          claims,
        });
      }
    }
  }
  return out;
}

/**
 * The pods of a DaemonSet (Longhorn's manager and CSI plugin, MetalLB's speaker): one per node
 * whose labels and taints admit the pod, as the DaemonSet controller decides
 * (kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go nodeShouldRunDaemonPod →
 * predicates on node affinity/selector and NoSchedule/NoExecute taints, with the tolerations
 * util.AddOrUpdateDaemonPodTolerations adds), each pinned to its node by a matchFields
 * metadata.name term (util.ReplaceDaemonSetPodNodeNameNodeAffinity). Named `<ds>-<node id>`.
 */
function daemonPods(o: Obj, r: RenderedRelease, nodes: readonly SimNode[]): SimPod[] {
  const tpl = templateOf(o);
  if (!tpl?.spec) return [];
  const workload: WorkloadRef = { kind: "DaemonSet", name: o.metadata.name, namespace: o.metadata.namespace ?? r.namespace, release: r.release, chart: r.chart, source: r.source, ...(r.upstream ? { upstream: true } : {}) };
  const added = [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
    { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
    { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ...(tpl.spec.hostNetwork ? [{ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" }] : []),
  ];
  const out: SimPod[] = [];
  nodes.forEach((node, i) => {
    const spec: PodSpec = JSON.parse(JSON.stringify(tpl.spec));
    spec.tolerations = [...(spec.tolerations ?? []), ...added] as PodSpec["tolerations"];
    const probe = { ...node, unschedulable: false };
    if (nodeFit(spec, probe) !== null) return;
    spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node.name] }] }] } } };
    delete spec.nodeSelector;
    const name = `${o.metadata.name}-${node.id}`;
    out.push({ name, workload, index: i, pod: { name, namespace: workload.namespace, labels: { ...(tpl.metadata?.labels ?? {}) }, spec }, claims: [] });
  });
  return out;
}

/** Resolves claim storage classes / access modes from the rendered PVCs of the same namespace. */
export function resolveClaims(pods: SimPod[], releases: readonly RenderedRelease[]): void {
  const pvcs = new Map<string, Obj>();
  for (const r of releases) for (const o of r.objects as Obj[]) if (o.kind === "PersistentVolumeClaim") pvcs.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  for (const p of pods) {
    for (const c of p.claims) {
      if (c.fromTemplate) continue;
      const pvc = pvcs.get(`${p.workload.namespace}/${c.claimName}`);
      if (!pvc) continue;
      c.storageClassName = pvc.spec?.storageClassName ?? null;
      c.accessModes = pvc.spec?.accessModes ?? [];
    }
  }
}
