/**
 * The facts the scenarios take from the rendered manifests and the Flux objects: the descheduler
 * (its CronJob and DeschedulerPolicy), the fencing job (its CronJob and threshold), Longhorn's
 * node-down pod deletion policy, the Longhorn StorageClasses and the DFS producer/consumers.
 * Everything is found by content, not by name, so renamed releases keep working.
 */
import { parse } from "yaml";
import { loadEnvironment } from "../lib/flux.ts";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import type { Cluster } from "../lib/inventory.ts";
import { PREFERRED, REQUIRED, type DeschedulerOptions } from "../scheduling/index.ts";
import { maxGapSeconds, parseCron } from "./cron.ts";
import type { SimNode, SimPod } from "./model.ts";

type Obj = Record<string, any>;

/** A CronJob and its schedule. */
export interface CronJobFacts {
  namespace: string;
  name: string;
  /** Where it was rendered from (HelmRelease file). */
  source: string;
  schedule: string;
  /** Worst-case wait from any instant to the next run (the longest gap between runs). */
  periodSeconds: number;
  suspend: boolean;
}

/** The descheduler as rendered. */
export interface DeschedulerFacts {
  cronJob: CronJobFacts;
  /** `namespace/name` of the ConfigMap holding the policy, and its data key. */
  policySource: string;
  profile: string;
  /** Options for deschedulerDecision (plugin + DefaultEvictor args). */
  options: DeschedulerOptions;
  /** RemovePodsViolatingNodeAffinity args.namespaces. */
  namespaces: { include: string[]; exclude: string[] };
  /** Settings read with their literal policy path, for reports. */
  settings: Record<string, unknown>;
}

/** The fencing job as rendered. */
export interface FencingFacts {
  cronJob: CronJobFacts;
  thresholdSeconds: number;
  /** FENCING_RECOVERY_SECONDS, or the threshold when unset (tools/fencing/main.ts). */
  recoverySeconds: number;
  /** FENCING_STORAGE_LABEL (`key=value`), default node.longhorn.io/storage=enabled (tools/fencing/main.ts). */
  storageLabel: { key: string; value: string };
  /** FENCING_DRY_RUN=true: the job only logs its decisions, it never cordons or taints (tools/fencing/main.ts). */
  dryRun: boolean;
  container: string;
}

export class SimulationInputError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "SimulationInputError", enumerable: false });
  }
}

function allObjects(releases: readonly RenderedRelease[]): Array<{ o: Obj; r: RenderedRelease }> {
  return releases.flatMap((r) => (r.objects as Obj[]).map((o) => ({ o, r })));
}

function cronJobFacts(o: Obj, r: RenderedRelease): CronJobFacts {
  const schedule = String(o.spec?.schedule ?? "");
  let period: number;
  try {
    period = maxGapSeconds(parseCron(schedule));
  } catch (e) {
    throw new SimulationInputError(`${r.source}: CronJob ${o.metadata.namespace}/${o.metadata.name} spec.schedule: ${(e as Error).message}`);
  }
  return { namespace: o.metadata.namespace ?? r.namespace, name: o.metadata.name, source: r.source, schedule, periodSeconds: period, suspend: o.spec?.suspend === true };
}

/** ConfigMaps whose data holds a DeschedulerPolicy (any data key whose YAML has kind DeschedulerPolicy). */
function policyConfigMaps(releases: readonly RenderedRelease[]): Array<{ o: Obj; r: RenderedRelease; key: string; policy: Obj }> {
  const out: Array<{ o: Obj; r: RenderedRelease; key: string; policy: Obj }> = [];
  for (const { o, r } of allObjects(releases)) {
    if (o.kind !== "ConfigMap") continue;
    for (const [key, text] of Object.entries((o.data ?? {}) as Record<string, string>)) {
      let doc: unknown;
      try {
        doc = parse(String(text));
      } catch {
        continue;
      }
      if (doc && typeof doc === "object" && (doc as Obj).kind === "DeschedulerPolicy") out.push({ o, r, key, policy: doc as Obj });
    }
  }
  return out;
}

function cronPodSpec(o: Obj): Obj | undefined {
  return o.spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * Finds the descheduler: the ConfigMap holding a DeschedulerPolicy (descheduler/v1alpha2) and
 * the CronJob mounting it (or, failing that, running a descheduler image). Returns null when the
 * environment renders none.
 */
export function findDescheduler(releases: readonly RenderedRelease[]): DeschedulerFacts | null {
  const cms = policyConfigMaps(releases);
  if (cms.length === 0) return null;
  const cronJobs = allObjects(releases).filter(({ o }) => o.kind === "CronJob");
  for (const cm of cms) {
    const mounting = cronJobs.find(({ o }) =>
      o.metadata.namespace === cm.o.metadata.namespace && ((cronPodSpec(o)?.volumes ?? []) as Obj[]).some((v) => v.configMap?.name === cm.o.metadata.name),
    ) ?? cronJobs.find(({ o }) => ((cronPodSpec(o)?.containers ?? []) as Obj[]).some((c) => /descheduler/.test(String(c.image ?? ""))));
    if (!mounting) continue;
    const where = `ConfigMap ${cm.o.metadata.namespace}/${cm.o.metadata.name} (data key ${cm.key}, ${cm.r.source})`;
    if (cm.policy.apiVersion !== "descheduler/v1alpha2") {
      throw new SimulationInputError(`${where}: apiVersion ${JSON.stringify(cm.policy.apiVersion)} is not descheduler/v1alpha2, the only policy version descheduler v0.36 reads. Fix: write a v1alpha2 policy (profiles/pluginConfig/plugins)`);
    }
    for (const profile of (cm.policy.profiles ?? []) as Obj[]) {
      const enabled: string[] = profile.plugins?.deschedule?.enabled ?? [];
      if (!enabled.includes("RemovePodsViolatingNodeAffinity")) continue;
      const cfg = (name: string): Obj => ((profile.pluginConfig ?? []) as Obj[]).find((p) => p.name === name)?.args ?? {};
      const na = cfg("RemovePodsViolatingNodeAffinity");
      const ev = cfg("DefaultEvictor");
      const nodeAffinityType: string[] = na.nodeAffinityType ?? [];
      if (nodeAffinityType.length === 0) {
        // node_affinity.go ValidateRemovePodsViolatingNodeAffinityArgs: the list must not be empty.
        throw new SimulationInputError(`${where}: profile ${profile.name}: RemovePodsViolatingNodeAffinity args.nodeAffinityType is empty; descheduler v0.36 rejects that. Fix: set [${PREFERRED}] (failback) and/or [${REQUIRED}]`);
      }
      const options: DeschedulerOptions = {
        nodeAffinityType,
        // DefaultEvictorArgs.nodeFit defaults to false (defaultevictor/defaults.go).
        nodeFit: ev.nodeFit === true,
        podProtections: ev.podProtections ? { defaultDisabled: ev.podProtections.defaultDisabled ?? [], extraEnabled: ev.podProtections.extraEnabled ?? [] } : undefined,
        evictLocalStoragePods: ev.evictLocalStoragePods === true,
        evictSystemCriticalPods: ev.evictSystemCriticalPods === true,
        ignorePvcPods: ev.ignorePvcPods === true,
      };
      return {
        cronJob: cronJobFacts(mounting.o, mounting.r),
        policySource: where,
        profile: String(profile.name),
        options,
        namespaces: { include: na.namespaces?.include ?? [], exclude: na.namespaces?.exclude ?? [] },
        settings: {
          "RemovePodsViolatingNodeAffinity.nodeAffinityType": nodeAffinityType,
          "DefaultEvictor.nodeFit": options.nodeFit,
          "DefaultEvictor.podProtections": ev.podProtections ?? null,
          "DefaultEvictor.evictLocalStoragePods": ev.evictLocalStoragePods ?? null,
          "DefaultEvictor.ignorePvcPods": ev.ignorePvcPods ?? null,
        },
      };
    }
    throw new SimulationInputError(`${where}: no profile enables RemovePodsViolatingNodeAffinity under plugins.deschedule.enabled, so the descheduler never fails pods back. Fix: enable it in a profile`);
  }
  return null;
}

/** The descheduler, or a clear error naming what is missing. */
export function requireDescheduler(env: string, releases: readonly RenderedRelease[]): DeschedulerFacts {
  const d = findDescheduler(releases);
  if (d === null) {
    throw new SimulationInputError(
      `environment ${env} renders no descheduler: no ConfigMap holds a DeschedulerPolicy mounted by a CronJob (charts: ${[...new Set(releases.map((r) => r.chart))].join(", ")}). ` +
        `Fix: add the ha-jobs HelmRelease (clusters/${env}/apps/ha-jobs.yaml) with descheduler.enabled: true`,
    );
  }
  return d;
}

/** Finds the fencing CronJob: a CronJob whose container sets FENCING_THRESHOLD_SECONDS. */
export function findFencing(releases: readonly RenderedRelease[]): FencingFacts | null {
  for (const { o, r } of allObjects(releases)) {
    if (o.kind !== "CronJob") continue;
    for (const c of (cronPodSpec(o)?.containers ?? []) as Obj[]) {
      const env = new Map<string, string>(((c.env ?? []) as Obj[]).filter((e) => typeof e.value === "string").map((e) => [e.name, e.value]));
      const raw = env.get("FENCING_THRESHOLD_SECONDS");
      if (raw === undefined) continue;
      const where = `${r.source}: CronJob ${o.metadata.namespace}/${o.metadata.name} container ${c.name}`;
      const num = (name: string, text: string) => {
        if (!/^\d+$/.test(text.trim())) throw new SimulationInputError(`${where}: env ${name}=${JSON.stringify(text)} is not a whole number of seconds. Fix: set e.g. "120"`);
        return Number(text.trim());
      };
      const thresholdSeconds = num("FENCING_THRESHOLD_SECONDS", raw);
      const rec = env.get("FENCING_RECOVERY_SECONDS");
      const label = (env.get("FENCING_STORAGE_LABEL") ?? "").trim() || "node.longhorn.io/storage=enabled";
      // Parsed as tools/fencing/main.ts settingsFromEnv does; anything else makes the job exit with an error.
      const dry = (env.get("FENCING_DRY_RUN") ?? "").trim().toLowerCase();
      if (!["", "true", "1", "false", "0"].includes(dry)) {
        throw new SimulationInputError(`${where}: env FENCING_DRY_RUN=${JSON.stringify(env.get("FENCING_DRY_RUN"))} is not true or false; the fencing job refuses to start. Fix: set "true" or "false"`);
      }
      const eq = label.indexOf("=");
      if (eq <= 0) throw new SimulationInputError(`${where}: env FENCING_STORAGE_LABEL=${JSON.stringify(label)} is not key=value. Fix: e.g. node.longhorn.io/storage=enabled`);
      return {
        cronJob: cronJobFacts(o, r),
        thresholdSeconds,
        recoverySeconds: rec === undefined || rec.trim() === "" ? thresholdSeconds : num("FENCING_RECOVERY_SECONDS", rec),
        storageLabel: { key: label.slice(0, eq), value: label.slice(eq + 1) },
        dryRun: dry === "true" || dry === "1",
        container: c.name,
      };
    }
  }
  return null;
}

/** Longhorn's nodeDownPodDeletionPolicy values (longhorn-manager types.NodeDownPodDeletionPolicy). */
export const NODE_DOWN_POLICIES = ["do-nothing", "delete-statefulset-pod", "delete-deployment-pod", "delete-both-statefulset-and-deployment-pod"] as const;
export type NodeDownPolicy = (typeof NODE_DOWN_POLICIES)[number];

/** Longhorn facts. */
export interface LonghornFacts {
  nodeDownPodDeletionPolicy: NodeDownPolicy;
  /** Where the value came from ("Longhorn's default" when nowhere). */
  policySource: string;
  /** Disagreement between the HelmRelease and a rendered Setting, if any. */
  warnings: string[];
  /** StorageClass name -> provisioner, and the default class. */
  storageClasses: Map<string, { provisioner: string; replicas: number | null }>;
  defaultClass: string | null;
}

/**
 * Longhorn's node-down policy: the upstream Longhorn HelmRelease's
 * spec.values.defaultSettings.nodeDownPodDeletionPolicy (clusters/<env>/infrastructure/longhorn.yaml);
 * a rendered `Setting` node-down-pod-deletion-policy (longhorn.io) is used when the HelmRelease
 * does not set it; without either, Longhorn's default `do-nothing`.
 */
export function longhornFacts(env: string, releases: readonly RenderedRelease[], root?: string): LonghornFacts {
  const warnings: string[] = [];
  const hr = loadEnvironment(env, root).upstream.find((u) => u.chart === "longhorn");
  const fromHr = hr ? ((hr.hr as Obj).spec?.values?.defaultSettings?.nodeDownPodDeletionPolicy as string | undefined) : undefined;
  const setting = allObjects(releases).find(({ o }) => o.kind === "Setting" && String(o.apiVersion).startsWith("longhorn.io/") && o.metadata.name === "node-down-pod-deletion-policy");
  const fromSetting = setting ? String(setting.o.value) : undefined;
  let value: string;
  let source: string;
  if (fromHr !== undefined) {
    value = fromHr;
    source = `${hr!.file} spec.values.defaultSettings.nodeDownPodDeletionPolicy`;
    if (fromSetting !== undefined && fromSetting !== fromHr) {
      warnings.push(`${setting!.r.source} renders Setting node-down-pod-deletion-policy=${fromSetting} but ${source} is ${fromHr}; longhorn-manager re-applies the default settings, the HelmRelease value is used`);
    }
  } else if (fromSetting !== undefined) {
    value = fromSetting;
    source = `${setting!.r.source} Setting longhorn-system/node-down-pod-deletion-policy`;
  } else {
    value = "do-nothing";
    source = "Longhorn's default (no HelmRelease defaultSettings and no Setting set it)";
  }
  if (!(NODE_DOWN_POLICIES as readonly string[]).includes(value)) {
    throw new SimulationInputError(`${source}: ${JSON.stringify(value)} is not a Longhorn node-down pod deletion policy. Fix: use one of ${NODE_DOWN_POLICIES.join(", ")}`);
  }
  const storageClasses = new Map<string, { provisioner: string; replicas: number | null }>();
  let defaultClass: string | null = null;
  for (const { o } of allObjects(releases)) {
    if (o.kind !== "StorageClass") continue;
    const n = Number(o.parameters?.numberOfReplicas);
    storageClasses.set(o.metadata.name, { provisioner: String(o.provisioner), replicas: Number.isFinite(n) ? n : null });
    if (o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true") defaultClass = o.metadata.name;
  }
  return { nodeDownPodDeletionPolicy: value as NodeDownPolicy, policySource: source, warnings, storageClasses, defaultClass };
}

/** The Longhorn claims of a pod (provisioner driver.longhorn.io; no class = the default class). */
export function longhornClaims(p: SimPod, lh: LonghornFacts): SimPod["claims"] {
  return p.claims.filter((c) => {
    const cls = c.storageClassName === null ? lh.defaultClass : c.storageClassName;
    return cls !== null && cls !== "" && lh.storageClasses.get(cls)?.provisioner === "driver.longhorn.io";
  });
}

/** Whether Longhorn's policy force-deletes this pod's terminating pod on a down node (handlePodDeletionIfNodeDown). */
export function longhornForceDeletes(p: SimPod, lh: LonghornFacts): boolean {
  if (longhornClaims(p, lh).length === 0) return false;
  const pol = lh.nodeDownPodDeletionPolicy;
  if (p.workload.kind === "StatefulSet") return pol === "delete-statefulset-pod" || pol === "delete-both-statefulset-and-deployment-pod";
  if (p.workload.kind === "Deployment") return pol === "delete-deployment-pod" || pol === "delete-both-statefulset-and-deployment-pod";
  return false;
}

/** The DFS roles of the pods. */
export interface DfsFacts {
  /** Pods that create the FUSE mount on the host (hostPath with Bidirectional propagation above a DFS path). */
  producers: SimPod[];
  /** Pods binding the host's DFS path (hostPath at or under it). */
  hostConsumers: SimPod[];
  /** Pods reading the DFS over NFS from a storage node: pod -> the node id serving the export. */
  nfsConsumers: Array<{ pod: SimPod; server: string; pv: string }>;
  paths: string[];
}

const under = (path: string, base: string) => path === base || path.startsWith(base.endsWith("/") ? base : `${base}/`);

/** Finds the DFS producer and consumers from the inventory's nfs.dfs paths and the pods' volumes. */
export function dfsFacts(pods: readonly SimPod[], inv: Cluster, nodes: readonly SimNode[], releases: readonly RenderedRelease[]): DfsFacts {
  const paths = [...new Set(Object.values(inv.nfs.dfs).map((d) => d.path))];
  const producers: SimPod[] = [];
  const hostConsumers: SimPod[] = [];
  for (const p of pods) {
    const vols = (p.pod.spec.volumes ?? []) as Obj[];
    const mounts = ((p.pod.spec.containers ?? []) as Obj[]).flatMap((c) => (c.volumeMounts ?? []) as Obj[]);
    const hostPathOf = (name: string) => vols.find((v) => v.name === name)?.hostPath?.path as string | undefined;
    const produces = mounts.some((m) => m.mountPropagation === "Bidirectional" && paths.some((d) => under(d, hostPathOf(m.name) ?? "\0")));
    if (produces) producers.push(p);
    // A consumer binds the DFS path or the stable parent directory above it (docs/decisions.md#dfs-data-path).
    else if (vols.some((v) => typeof v.hostPath?.path === "string" && paths.some((d) => under(v.hostPath.path, d) || under(d, v.hostPath.path)))) hostConsumers.push(p);
  }
  const pvs = new Map<string, Obj>();
  const pvcs = new Map<string, Obj>();
  for (const { o } of allObjects(releases)) {
    if (o.kind === "PersistentVolume") pvs.set(o.metadata.name, o);
    if (o.kind === "PersistentVolumeClaim") pvcs.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
  }
  const nfsConsumers: DfsFacts["nfsConsumers"] = [];
  for (const p of pods) {
    for (const c of p.claims) {
      const pvName = pvcs.get(`${p.workload.namespace}/${c.claimName}`)?.spec?.volumeName;
      const pv = pvName ? pvs.get(pvName) : undefined;
      const nfs = pv?.spec?.nfs;
      if (!nfs) continue;
      const server = nodes.find((n) => n.ip === nfs.server);
      if (server && paths.some((d) => under(String(nfs.path), d))) nfsConsumers.push({ pod: p, server: server.id, pv: pv.metadata.name });
    }
  }
  return { producers, hostConsumers, nfsConsumers, paths };
}

/** The PMS transcoding mode: the TRANSCODE_OPERATING_MODE env of a rendered container. */
export function transcodeMode(pods: readonly SimPod[]): { pod: SimPod; mode: string } | null {
  for (const p of pods) {
    for (const c of (p.pod.spec.containers ?? []) as Obj[]) {
      const e = ((c.env ?? []) as Obj[]).find((x) => x.name === "TRANSCODE_OPERATING_MODE");
      if (e) return { pod: p, mode: String(e.value ?? "") };
    }
  }
  return null;
}

export type { K8sObject };
