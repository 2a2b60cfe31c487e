/**
 * Seed rules checked on the rendered objects of every chart, so a template edit that breaks one
 * fails lint as surely as a values change (the values schema only sees values):
 *
 * - `rendered/storage-failover-tolerations`: every pod with the seed's storage placement (required
 *   `node.longhorn.io/storage In [enabled]`) tolerates `node.kubernetes.io/unreachable` and
 *   `not-ready` (NoExecute) for the configured seconds (placement.tolerationSeconds, default 30).
 *   Without them the DefaultTolerationSeconds admission plugin adds 300 s, and failover takes
 *   five minutes instead of the seed's ~60 s (kubernetes.io/docs/concepts/scheduling-eviction/
 *   taint-and-toleration/#taint-based-evictions).
 * - `rendered/storage-prefers-primary`: the preferred node affinity of those pods gives the
 *   inventory's storage.primary node the highest weight (seed, "HA Strategy": prefer w1), judged
 *   on the inventory's labels with the descheduler's/scheduler's weight sum.
 * - `rendered/shared-claim-access-mode`: a PersistentVolumeClaim that more than one pod mounts
 *   (several workloads, or replicas > 1) is ReadWriteMany or ReadOnlyMany: a ReadWriteOnce volume
 *   attaches to one node only, so the second pod stays ContainerCreating on any other node
 *   (kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes). This covers the seed's
 *   shared /transcode (PMS and the workers) and PMS's single replica (its RWO /config).
 * - `rendered/bidirectional-needs-privileged`: the API server rejects a pod whose non-privileged
 *   container mounts with `mountPropagation: Bidirectional` (kubernetes/kubernetes
 *   pkg/apis/core/validation/validation.go validateMountPropagation: "Bidirectional mount
 *   propagation is available only to privileged containers"). Which containers may be privileged,
 *   and which host paths they may propagate, is the policy stage's (values/<env>/policy.yaml:
 *   `privileged`, `hostpath`); which pod creates or reads the DFS is the data path's
 *   (tools/lint/datapath.ts). Each rule lives in that one place.
 */
import { allContainers, asObj, asObjList, isWorkload, objectRef, podSpecOf, type K8sObject, type Obj } from "../lib/k8s.ts";
import { deschedulerPreferredWeight } from "../scheduling/descheduler.ts";
import type { PodSpec } from "../scheduling/index.ts";
import { inventoryNodes } from "./common.ts";
import type { ChartAssertion, Finding, LintContext } from "./types.ts";

const STORAGE_LABEL = "node.longhorn.io/storage";
const DEFAULT_TOLERATION_SECONDS = 30;
const FAILOVER_TAINTS = ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"];

/** Whether the pod requires the storage nodes (the seed's storage placement). */
function hasStoragePlacement(spec: Obj): boolean {
  const terms = asObjList(asObj(asObj(asObj(spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms);
  return terms.some((t) => asObjList(t.matchExpressions).some((e) => e.key === STORAGE_LABEL));
}

/** Every placement.tolerationSeconds the values set (any chart layout), plus the default. */
function configuredSeconds(values: unknown, out = new Set<number>([DEFAULT_TOLERATION_SECONDS])): Set<number> {
  const o = asObj(values);
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) {
    if (k === "placement" && typeof asObj(v)?.tolerationSeconds === "number") out.add(asObj(v)!.tolerationSeconds as number);
    configuredSeconds(v, out);
  }
  return out;
}

function storageWorkloads(ctx: LintContext): { o: K8sObject; spec: Obj }[] {
  return ctx.objects.flatMap((o) => {
    const spec = isWorkload(o) ? podSpecOf(o) : undefined;
    return spec && hasStoragePlacement(spec) ? [{ o, spec }] : [];
  });
}

export const storageFailoverTolerations: ChartAssertion = (ctx) => {
  const allowed = configuredSeconds(ctx.values);
  const out: Finding[] = [];
  for (const { o, spec } of storageWorkloads(ctx)) {
    const tolerations = asObjList(spec.tolerations);
    for (const key of FAILOVER_TAINTS) {
      const t = tolerations.find((x) => x.key === key && (x.effect === "NoExecute" || x.effect === undefined));
      const seconds = t?.tolerationSeconds;
      if (typeof seconds === "number" && allowed.has(seconds)) continue;
      out.push({
        severity: "error",
        rule: "rendered/storage-failover-tolerations",
        object: objectRef(o),
        message: `${objectRef(o)} runs on the storage nodes but ${t ? `tolerates ${key} for ${seconds === undefined ? "ever" : `${seconds} s`}` : `has no toleration for ${key} (NoExecute), so Kubernetes adds 300 s`}, not the configured ${[...allowed].sort((a, b) => a - b).join(" or ")} s: failover after a node loss takes that long instead of the seed's ~60 s. Fix: render the chart's placement.storage helper in the pod template (tolerations for ${FAILOVER_TAINTS.join(" and ")} with tolerationSeconds from placement.tolerationSeconds)`,
      });
    }
  }
  return out;
};

export const storagePrefersPrimary: ChartAssertion = (ctx) => {
  const primary = ctx.inventory.storage.primary;
  const storageNodes = inventoryNodes(ctx.inventory).filter((n) => ctx.inventory.nodes[n.id].roles.includes("storage"));
  if (storageNodes.length < 2) return [];
  const out: Finding[] = [];
  for (const { o, spec } of storageWorkloads(ctx)) {
    const weights = storageNodes.map((n) => ({ id: n.id, w: deschedulerPreferredWeight(spec as unknown as PodSpec, n) }));
    const top = Math.max(...weights.map((x) => x.w));
    const mine = weights.find((x) => x.id === primary)?.w ?? 0;
    if (mine === top && weights.filter((x) => x.w === top).length === 1) continue;
    const best = weights.filter((x) => x.w === top).map((x) => x.id).join(", ");
    out.push({
      severity: "error",
      rule: "rendered/storage-prefers-primary",
      object: objectRef(o),
      message: `${objectRef(o)}'s preferred node affinity favours ${best} (weights ${weights.map((x) => `${x.id} ${x.w}`).join(", ")}), not storage.primary ${primary}: the pod would start away from its Longhorn replica's primary (seed, "HA Strategy": prefer w1). Fix: prefer node.longhorn.io/primary In ["true"] (the chart's placement.storage helper)`,
    });
  }
  return out;
};

/** Pods a workload runs (replicas, default 1; a CronJob runs one at a time here). */
function podCount(o: K8sObject): number {
  if (o.kind === "CronJob" || o.kind === "Job" || o.kind === "Pod") return 1;
  if (o.kind === "DaemonSet") return 2; // one per node: always more than one in this cluster
  const r = asObj(o.spec)?.replicas;
  return typeof r === "number" ? r : 1;
}

export const sharedClaimAccessMode: ChartAssertion = (ctx) => {
  const claims = new Map(ctx.objects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => [o.metadata.name, o]));
  const users = new Map<string, { o: K8sObject; pods: number }[]>();
  for (const o of ctx.objects) {
    const spec = isWorkload(o) ? podSpecOf(o) : undefined;
    if (!spec) continue;
    for (const v of asObjList(spec.volumes)) {
      const name = asObj(v.persistentVolumeClaim)?.claimName;
      if (typeof name !== "string" || !claims.has(name)) continue;
      users.set(name, [...(users.get(name) ?? []), { o, pods: podCount(o) }]);
    }
  }
  const out: Finding[] = [];
  for (const [name, list] of users) {
    const pods = list.reduce((n, u) => n + u.pods, 0);
    const pvc = claims.get(name)!;
    const modes = (asObj(pvc.spec)?.accessModes as string[] | undefined) ?? [];
    if (pods <= 1 || modes.some((m) => m === "ReadWriteMany" || m === "ReadOnlyMany")) continue;
    out.push({
      severity: "error",
      rule: "rendered/shared-claim-access-mode",
      object: objectRef(pvc),
      message: `${objectRef(pvc)} is ${modes.join(", ") || "without accessModes"} but ${pods} pods mount it (${list.map((u) => `${objectRef(u.o)}${u.pods > 1 ? ` x${u.pods}` : ""}`).join(", ")}): a ReadWriteOnce volume attaches to one node, so the others never start elsewhere. Fix: make the claim ReadWriteMany (storageClassName longhorn-rwx), or run one pod (replicas: 1, strategy Recreate)`,
    });
  }
  return out;
};

export const bidirectionalNeedsPrivileged: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  for (const o of ctx.objects) {
    const spec = podSpecOf(o);
    if (!spec) continue;
    for (const { container: c } of allContainers(spec)) {
      if (asObj(c.securityContext)?.privileged === true) continue;
      for (const m of asObjList(c.volumeMounts)) {
        if (m.mountPropagation !== "Bidirectional") continue;
        out.push({
          severity: "error",
          rule: "rendered/bidirectional-needs-privileged",
          object: objectRef(o),
          message: `${objectRef(o)} container ${String(c.name)} mounts ${String(m.mountPath)} with mountPropagation: Bidirectional but is not privileged: the API server rejects the pod ("Bidirectional mount propagation is available only to privileged containers"). Fix: mountPropagation: HostToContainer (only the DFS FUSE source, decypharr-streaming, propagates mounts to the host)`,
        });
      }
    }
  }
  return out;
};

export const assertions: ChartAssertion[] = [storageFailoverTolerations, storagePrefersPrimary, sharedClaimAccessMode, bidirectionalNeedsPrivileged];

/**
 * `rendered/ingress-host-unique`: each Ingress host of an environment is served by one Ingress,
 * across every chart: Traefik routes a host (and path) to one router, so a second Ingress for the
 * same host silently takes or loses the traffic. Environment-wide, so run.ts calls it with every
 * release's rendered objects.
 */
export function checkIngressHostsUnique(rendered: readonly { objects: readonly K8sObject[] }[]): Finding[] {
  const seen = new Map<string, K8sObject>();
  const out: Finding[] = [];
  for (const o of rendered.flatMap((r) => r.objects)) {
    if (o.kind !== "Ingress") continue;
    for (const rule of asObjList(asObj(o.spec)?.rules)) {
      const host = rule.host;
      if (typeof host !== "string") continue;
      const first = seen.get(host.toLowerCase());
      if (first && first !== o) {
        out.push({
          severity: "error",
          rule: "rendered/ingress-host-unique",
          object: objectRef(o),
          message: `${objectRef(o)} serves host ${host}, which ${objectRef(first)} serves too: Traefik sends the host's traffic to only one of them. Fix: give one app another ingress.host`,
        });
      } else seen.set(host.toLowerCase(), o);
    }
  }
  return out;
}
