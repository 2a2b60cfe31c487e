/**
 * The facts the scenarios take from the rendered manifests and the Flux objects: the descheduler
 * (its CronJob and DeschedulerPolicy), the fencing job (its CronJob and settings, parsed by the
 * job's own settingsFromEnv: no second copy of its defaults or validation), Longhorn's
 * node-down pod deletion policy, the Longhorn StorageClasses and the DFS producer/consumers.
 * Everything is found by content, not by name, so renamed releases keep working.
 */
import { parse } from "yaml";
import { longhornDefaultSettings, type Environment } from "../lib/flux.ts";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import type { Cluster } from "../lib/inventory.ts";
import { dfsPaths, under } from "../lib/manual-steps.ts";
import { PREFERRED, REQUIRED, type DeschedulerOptions } from "../scheduling/index.ts";
import { maxGapSeconds, parseCron } from "./cron.ts";
import { LONGHORN_DEFAULT_NODE_DOWN_POLICY, longhornDeletesPodsOf, NODE_DOWN_POLICIES, type NodeDownPolicy } from "../fencing/decide.ts";
import { FencingConfigError, settingsFromEnv, type JobSettings } from "../fencing/main.ts";
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

/** The fencing job as rendered: its settings come from the job's own parser (tools/fencing/main.ts settingsFromEnv). */
export interface FencingFacts {
  cronJob: CronJobFacts;
  /** The settings the job would run with, parsed by settingsFromEnv from the container's env. */
  settings: JobSettings;
  /**
   * Where FENCING_NODE_NAME comes from: the downward API (`spec.nodeName`: the node the job's pod
   * is scheduled on, the probes' origin), a literal value, or nowhere (the job never fences).
   */
  nodeName: { from: "downward-api" } | { from: "literal"; value: string } | { from: "unset" };
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
      // Only a text naming the kind can hold one; the others (scripts, the ha-jobs bundles of
      // hundreds of kB) are not parsed: that was 1.8 s of CPU per test run (issue 18).
      if (!String(text).includes("DeschedulerPolicy")) continue;
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
    for (const profile of deschedulerProfiles(cm.policy)) {
      if (!profile.deschedulePlugins.includes("RemovePodsViolatingNodeAffinity")) continue;
      if (profile.options.nodeAffinityType.length === 0) {
        // node_affinity.go ValidateRemovePodsViolatingNodeAffinityArgs: the list must not be empty.
        throw new SimulationInputError(`${where}: profile ${profile.name}: RemovePodsViolatingNodeAffinity args.nodeAffinityType is empty; descheduler v0.36 rejects that. Fix: set [${PREFERRED}] (failback) and/or [${REQUIRED}]`);
      }
      return {
        cronJob: cronJobFacts(mounting.o, mounting.r),
        policySource: where,
        profile: profile.name,
        options: profile.options,
        namespaces: profile.namespaces,
        settings: profile.settings,
      };
    }
    throw new SimulationInputError(`${where}: no profile enables RemovePodsViolatingNodeAffinity under plugins.deschedule.enabled, so the descheduler never fails pods back. Fix: enable it in a profile`);
  }
  return null;
}

/** One profile of a DeschedulerPolicy (descheduler/v1alpha2), as the descheduler reads it. */
export interface DeschedulerProfile {
  name: string;
  /** plugins.deschedule.enabled. */
  deschedulePlugins: string[];
  /** RemovePodsViolatingNodeAffinity + DefaultEvictor args, with the descheduler's defaults. */
  options: DeschedulerOptions;
  /** RemovePodsViolatingNodeAffinity args.namespaces. */
  namespaces: { include: string[]; exclude: string[] };
  /** Settings with their literal policy path, for reports. */
  settings: Record<string, unknown>;
}

/**
 * The profiles of a DeschedulerPolicy: the one reading of the policy, used by the simulation
 * (findDescheduler) and by lint (tools/lint/charts/ha-jobs.ts checkPolicy).
 */
export function deschedulerProfiles(policy: Obj): DeschedulerProfile[] {
  return ((policy.profiles ?? []) as Obj[]).map((profile) => {
    const cfg = (name: string): Obj => ((profile.pluginConfig ?? []) as Obj[]).find((p) => p.name === name)?.args ?? {};
    const na = cfg("RemovePodsViolatingNodeAffinity");
    const ev = cfg("DefaultEvictor");
    const nodeAffinityType: string[] = Array.isArray(na.nodeAffinityType) ? na.nodeAffinityType : [];
    const options: DeschedulerOptions = {
      nodeAffinityType,
      // DefaultEvictorArgs.nodeFit defaults to false (defaultevictor/defaults.go).
      nodeFit: ev.nodeFit === true,
      podProtections: ev.podProtections ? { defaultDisabled: ev.podProtections.defaultDisabled ?? [], extraEnabled: ev.podProtections.extraEnabled ?? [] } : undefined,
      evictLocalStoragePods: ev.evictLocalStoragePods === true,
      evictSystemCriticalPods: ev.evictSystemCriticalPods === true,
      ignorePvcPods: ev.ignorePvcPods === true,
    };
    const enabled = profile.plugins?.deschedule?.enabled;
    return {
      name: String(profile.name),
      deschedulePlugins: Array.isArray(enabled) ? enabled.map(String) : [],
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
  });
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

/**
 * Finds the fencing CronJob: a CronJob whose container sets a `FENCING_*` variable. Its literal
 * env values go through the job's own settingsFromEnv, so the simulation runs with exactly the
 * settings (and fails with exactly the error) of the real job; FENCING_NODE_NAME from the
 * downward API is left for the scenario, which knows where the pod is scheduled.
 */
export function findFencing(releases: readonly RenderedRelease[]): FencingFacts | null {
  for (const { o, r } of allObjects(releases)) {
    if (o.kind !== "CronJob") continue;
    for (const c of (cronPodSpec(o)?.containers ?? []) as Obj[]) {
      const vars = (c.env ?? []) as Obj[];
      if (!vars.some((e) => String(e.name).startsWith("FENCING_"))) continue;
      const where = `${r.source}: CronJob ${o.metadata.namespace}/${o.metadata.name} container ${c.name}`;
      const env: Record<string, string> = {};
      for (const e of vars) if (typeof e.value === "string") env[e.name] = e.value;
      const nodeVar = vars.find((e) => e.name === "FENCING_NODE_NAME");
      const nodeName: FencingFacts["nodeName"] = nodeVar?.valueFrom?.fieldRef?.fieldPath === "spec.nodeName"
        ? { from: "downward-api" }
        : typeof nodeVar?.value === "string" && nodeVar.value.trim() !== ""
          ? { from: "literal", value: nodeVar.value.trim() }
          : { from: "unset" };
      let settings: JobSettings;
      try {
        settings = settingsFromEnv(env);
      } catch (e) {
        if (!(e instanceof FencingConfigError)) throw e;
        throw new SimulationInputError(`${where}: ${e.message}; the fencing job exits with code 2 on this setting and never runs. Fix: correct the value in values/<env>/ha-jobs.yaml (fencing.*)`);
      }
      return { cronJob: cronJobFacts(o, r), settings, nodeName, container: c.name };
    }
  }
  return null;
}

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
export function longhornFacts(flux: Environment, releases: readonly RenderedRelease[]): LonghornFacts {
  const warnings: string[] = [];
  const lh = longhornDefaultSettings(flux.upstream);
  const hr = lh?.release;
  const set = lh?.settings.nodeDownPodDeletionPolicy;
  const fromHr = set === undefined ? undefined : String(set);
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
    value = LONGHORN_DEFAULT_NODE_DOWN_POLICY;
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

/**
 * Whether Longhorn's policy force-deletes this pod's terminating pod on a down node
 * (longhorn-manager controller/kubernetes_pod_controller.go handlePodDeletionIfNodeDown; every
 * longhorn-manager runs that controller for every pod, so any manager that reaches the API does it).
 */
export function longhornForceDeletes(p: SimPod, lh: LonghornFacts): boolean {
  if (longhornClaims(p, lh).length === 0) return false;
  return longhornDeletesPodsOf(lh.nodeDownPodDeletionPolicy, p.workload.kind);
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

/** Finds the DFS producer and consumers from the inventory's nfs.dfs paths and the pods' volumes. */
export function dfsFacts(pods: readonly SimPod[], inv: Cluster, nodes: readonly SimNode[], releases: readonly RenderedRelease[]): DfsFacts {
  const paths = dfsPaths(inv);
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
