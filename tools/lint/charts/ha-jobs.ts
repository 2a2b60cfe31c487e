/**
 * charts/ha-jobs assertions: the descheduler (failback) and the fencing job must cover exactly the
 * namespaces and nodes the seed's active-passive storage design uses (ARCHITECTURE-DECISIONS.md,
 * "HA Strategy"), and the rendered CronJobs and policy must keep the properties failback and
 * fencing depend on. Each rule below says which mistake it catches; most of them would otherwise
 * fail silently (a job that runs green and does nothing).
 */
import { longhornDefaultSettings } from "../../lib/flux.ts";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { K8sObject } from "../../lib/render.ts";
import { asObj } from "../../policy/workloads.ts";
import { CronError, gapsSeconds, parseCron } from "../../simulate/cron.ts";
import { deschedulerProfiles } from "../../simulate/facts.ts";
import { DEFAULT_CONFIG, DEFAULT_LIFE_SIGNS, LONGHORN_DEFAULT_NODE_DOWN_POLICY, NODE_DOWN_POLICY_FOR_MODE, type FencingMode } from "../../fencing/decide.ts";
import { parseStorageLabel } from "../../fencing/main.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";

/** The seed's reason for failback, quoted in messages. */
const SEED_FAILBACK = 'the seed\'s failback: the stateful media pods prefer the primary storage node and the descheduler moves them back after a failover (ARCHITECTURE-DECISIONS.md, "HA Strategy")';

const PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution";

interface JobValues {
  enabled?: boolean;
  namespaces?: string[];
  podNamespaces?: string[];
  dryRun?: boolean;
  storageLabel?: string;
  mode?: FencingMode;
  lifeSigns?: { nodePorts?: Record<string, number> };
}

function job(ctx: LintContext, name: "descheduler" | "fencing"): JobValues {
  return (asObj(ctx.values[name]) ?? {}) as JobValues;
}

const enabled = (v: JobValues) => v.enabled !== false;

/**
 * The shortest time between two runs of a CronJob schedule, from the one cron parser
 * (tools/simulate/cron.ts, robfig/cron semantics); undefined when the schedule does not parse
 * (the CronJob schema and the simulation report that).
 */
export function cronMinGapSeconds(schedule: string): number | undefined {
  try {
    return gapsSeconds(parseCron(schedule)).min;
  } catch (e) {
    if (e instanceof CronError) return undefined;
    throw e;
  }
}

/**
 * Namespaces of the environment's releases, and the subset whose chart places pods on the storage
 * nodes with the seed's active-passive pattern (a template includes `<chart>.placement.storage`).
 */
export function releaseNamespaces(ctx: LintContext): { all: Map<string, string[]>; storage: Map<string, string[]> } {
  const all = new Map<string, string[]>();
  const storage = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, ns: string, release: string) => m.set(ns, [...(m.get(ns) ?? []), release]);
  for (const p of ctx.environment.profiles) {
    if (p.chart === ctx.profile.chart) continue;
    add(all, p.namespace, p.release);
    const dir = join(p.chartDir, "templates");
    if (!existsSync(dir)) continue;
    const marker = `include "${p.chart}.placement.storage"`;
    const placed = readdirSync(dir).some((f) => f !== "_shared.tpl" && readFileSync(join(dir, f), "utf8").includes(marker));
    if (placed) add(storage, p.namespace, p.release);
  }
  return { all, storage };
}

/**
 * descheduler.namespaces and fencing.podNamespaces: each must be a release namespace of the
 * environment (a typo makes the job do nothing, green), and each namespace whose pods use the
 * storage placement must be listed (or its pods never fail back / are never checked for split-brain).
 */
export function checkNamespaces(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const { all, storage } = releaseNamespaces(ctx);
  const rules = [
    {
      key: "namespaces",
      v: job(ctx, "descheduler"),
      job: "descheduler",
      list: job(ctx, "descheduler").namespaces ?? [],
      why: `its pods would never fail back to the primary storage node (${SEED_FAILBACK})`,
    },
    {
      key: "podNamespaces",
      v: job(ctx, "fencing"),
      job: "fencing",
      list: job(ctx, "fencing").podNamespaces ?? [],
      why: "the fencing job could not see its stale pods on a recovering storage node, and split-brain protection would not cover it (issue 7, rule 3)",
    },
  ] as const;
  for (const r of rules) {
    if (!enabled(r.v)) continue;
    r.list.forEach((ns, i) => {
      if (all.has(ns)) return;
      out.push({
        severity: "error",
        location: ctx.locate([r.job, r.key, i]),
        message:
          `${r.job}.${r.key}[${i}] is ${JSON.stringify(ns)}, which is no release namespace of ${ctx.env} ` +
          `(${[...all.keys()].sort().join(", ") || "none"}): the ${r.job} job would act on nothing there and still succeed. ` +
          `Fix: use the namespace of the media releases, e.g. ${[...storage.keys()].sort()[0] ?? "media"}.`,
      });
    });
    for (const [ns, releases] of storage) {
      if (r.list.includes(ns)) continue;
      out.push({
        severity: "error",
        location: ctx.locate([r.job, r.key]),
        message:
          `${r.job}.${r.key} does not include ${JSON.stringify(ns)}, where ${releases.join(", ")} run pods with the storage placement: ` +
          `${r.why}. Fix: add ${ns} to ${r.job}.${r.key}.`,
      });
    }
  }
  return out;
}

/**
 * fencing.storageLabel must select exactly the inventory's storage nodes: a label no node carries
 * means the job never fences anything; one a non-storage node carries would fence the control
 * plane or the GPU node.
 */
export function checkStorageLabel(ctx: LintContext): Finding[] {
  const f = job(ctx, "fencing");
  if (!enabled(f)) return [];
  const label = f.storageLabel ?? `${DEFAULT_CONFIG.storageLabel.key}=${DEFAULT_CONFIG.storageLabel.value}`;
  let key: string;
  let value: string;
  try {
    ({ key, value } = parseStorageLabel(label));
  } catch {
    return []; // the values schema and _validate.tpl reject it with the fix
  }
  const out: Finding[] = [];
  for (const [id, node] of Object.entries(ctx.inventory.nodes)) {
    const has = node.labels?.[key] === value;
    const isStorage = node.roles.includes("storage");
    if (isStorage === has) continue;
    out.push({
      severity: "error",
      location: ctx.locate(["fencing", "storageLabel"]),
      message: isStorage
        ? `fencing.storageLabel ${JSON.stringify(label)} does not select storage node ${id} (${node.name}) of values/${ctx.env}/cluster.yaml: ` +
          `the fencing job would never fence it. Fix: set fencing.storageLabel to a label every storage node carries, e.g. node.longhorn.io/storage=enabled.`
        : `fencing.storageLabel ${JSON.stringify(label)} selects ${id} (${node.name}), which is not a storage node: the fencing job would cordon and ` +
          `taint it out-of-service when it is NotReady. Fix: use a label only the storage nodes carry.`,
    });
  }
  return out;
}

/**
 * A live fencing job on an environment with fewer than two storage nodes has no failover target:
 * it can never fence (decide.ts rule 2), so it only holds node patch and pod delete rights.
 */
export function checkFencingTarget(ctx: LintContext): Finding[] {
  const f = job(ctx, "fencing");
  if (!enabled(f) || f.dryRun === true) return [];
  const storage = Object.entries(ctx.inventory.nodes).filter(([, n]) => n.roles.includes("storage")).map(([id]) => id);
  if (storage.length >= 2) return [];
  return [{
    severity: "error",
    location: ctx.locate(["fencing", "dryRun"]),
    message:
      `fencing runs live on ${ctx.env}, which has ${storage.length} storage node(s) (${storage.join(", ") || "none"}): with no other storage node ` +
      `to fail over to, fencing never fences (a fence would force-delete pods and detach volumes that have nowhere to go), so a live job only ` +
      `holds node-patch and pod-delete rights. Fix: set fencing.dryRun: true (exercises the job read-only) or fencing.enabled: false.`,
  }];
}

function cronJobs(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => o.kind === "CronJob");
}

/**
 * Every CronJob: `concurrencyPolicy: Forbid`, and `activeDeadlineSeconds` shorter than the
 * schedule's period, so a hung run is killed before the next one is due instead of blocking it.
 */
export function checkCronJobs(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  for (const o of cronJobs(ctx.objects)) {
    const spec = asObj(o.spec) ?? {};
    const component = o.metadata.labels?.["app.kubernetes.io/component"] ?? "";
    if (spec.concurrencyPolicy !== "Forbid") {
      out.push({
        severity: "error",
        object: objectRef(o),
        message:
          `${objectRef(o)} has concurrencyPolicy ${JSON.stringify(spec.concurrencyPolicy ?? "Allow")}: two runs at once would evict the same pods ` +
          `or act twice on one snapshot. Fix: set concurrencyPolicy: Forbid in charts/ha-jobs/templates/cronjob.yaml.`,
      });
    }
    const schedule = typeof spec.schedule === "string" ? spec.schedule : "";
    const period = cronMinGapSeconds(schedule);
    const deadline = asObj(asObj(spec.jobTemplate)?.spec)?.activeDeadlineSeconds;
    if (period !== undefined && typeof deadline === "number" && deadline >= period) {
      out.push({
        severity: "error",
        object: objectRef(o),
        location: ctx.locate([component, "activeDeadlineSeconds"]),
        message:
          `${component}.activeDeadlineSeconds (${deadline}) is not shorter than the period of ${component}.schedule ${JSON.stringify(schedule)} ` +
          `(${period} s): with concurrencyPolicy Forbid a hung run would delay the next one. Fix: set it below ${period}, e.g. ${Math.floor(period * 0.8)}.`,
      });
    }
  }
  return out;
}

/** The DeschedulerPolicy of the rendered policy ConfigMap, or undefined. */
export function renderedPolicy(objects: readonly K8sObject[]): { cm: K8sObject; policy: Record<string, unknown> } | undefined {
  const cm = objects.find((o) => o.kind === "ConfigMap" && typeof asObj(o.data)?.["policy.yaml"] === "string");
  if (!cm) return undefined;
  return { cm, policy: (parse(asObj(cm.data)!["policy.yaml"] as string) ?? {}) as Record<string, unknown> };
}

/**
 * The rendered policy must keep what failback depends on: RemovePodsViolatingNodeAffinity with
 * the preferred type, DefaultEvictor nodeFit true, no PodsWithPVC protection and the local-storage
 * protection disabled (the media pods have Longhorn PVCs and hostPath mounts).
 */
export function checkPolicy(ctx: LintContext): Finding[] {
  if (!enabled(job(ctx, "descheduler"))) return [];
  const found = renderedPolicy(ctx.objects);
  if (!found) return [{ severity: "error", message: "the descheduler is enabled but no ConfigMap renders a policy.yaml. Fix: restore charts/ha-jobs/templates/cm.yaml." }];
  const out: Finding[] = [];
  const object = objectRef(found.cm);
  const bad = (what: string, fix: string) => out.push({ severity: "error", object, message: `${object}: ${what}. Fix: ${fix} in charts/ha-jobs/templates/cm.yaml.` });
  for (const profile of deschedulerProfiles(found.policy)) {
    const o = profile.options;
    if (!profile.deschedulePlugins.includes("RemovePodsViolatingNodeAffinity")) {
      bad("RemovePodsViolatingNodeAffinity is not enabled at the deschedule extension point, so nothing ever fails back", "enable it under plugins.deschedule.enabled");
    }
    if (!o.nodeAffinityType.includes(PREFERRED)) {
      bad(`nodeAffinityType lacks ${PREFERRED}: the media pods only *prefer* the primary node, so only that type fails them back (${SEED_FAILBACK})`, `add ${PREFERRED}`);
    }
    if (!o.nodeFit) {
      bad("DefaultEvictor nodeFit is not true: with w1 cordoned, the pods on w2 would be evicted every run and land on w2 again", "set nodeFit: true");
    }
    const extra = o.podProtections?.extraEnabled ?? [];
    const disabled = o.podProtections?.defaultDisabled ?? [];
    if (extra.includes("PodsWithPVC") || o.ignorePvcPods === true) {
      bad("pods with a PVC are protected from eviction (PodsWithPVC), and every stateful media pod has a Longhorn PVC, so none would fail back", "remove PodsWithPVC from podProtections.extraEnabled (and ignorePvcPods)");
    }
    const localStorageOff = disabled.includes("PodsWithLocalStorage") || (disabled.length === 0 && extra.length === 0 && o.evictLocalStoragePods === true);
    if (!localStorageOff) {
      bad("pods with local storage are protected (PodsWithLocalStorage is a default protection), and decypharr, sonarr and radarr mount hostPath /mnt/decypharr, so they would never fail back", "list PodsWithLocalStorage under podProtections.defaultDisabled");
    }
  }
  return out;
}

/**
 * fencing.mode against the environment's Longhorn release
 * (clusters/<env>/infrastructure/longhorn.yaml spec.values.defaultSettings.nodeDownPodDeletionPolicy;
 * unset = Longhorn's default do-nothing): `availability` needs Longhorn to delete a NotReady
 * node's StatefulSet and Deployment pods, `safety` needs it to do nothing (only the fencing job
 * moves pods, after its life-sign check). A mismatch either silently brings back the two-writer
 * risk safety promises to avoid, or leaves failover to a job that was told Longhorn does it.
 */
export function checkLonghornMode(ctx: LintContext): Finding[] {
  const f = job(ctx, "fencing");
  const mode: FencingMode = f.mode ?? DEFAULT_CONFIG.mode;
  const lh = longhornDefaultSettings(ctx.upstream);
  if (!lh) return [];
  const set = lh.settings.nodeDownPodDeletionPolicy;
  const policy = set === undefined ? LONGHORN_DEFAULT_NODE_DOWN_POLICY : String(set);
  const wanted = NODE_DOWN_POLICY_FOR_MODE[mode];
  if (policy === wanted && (enabled(f) || mode === "availability")) return [];
  const where = `${lh.release.file} spec.values.defaultSettings.nodeDownPodDeletionPolicy${set === undefined ? " (unset: Longhorn's default do-nothing)" : ""}`;
  if (policy === wanted) {
    return [{
      severity: "error",
      location: ctx.locate(["fencing", "enabled"]),
      message: `fencing.mode is safety and ${where} is do-nothing, but the fencing job is disabled: nothing moves the pods of a NotReady storage node, they stay stuck until it returns. Fix: set fencing.enabled: true, or mode availability with Longhorn's ${NODE_DOWN_POLICY_FOR_MODE.availability}.`,
    }];
  }
  const why = mode === "safety"
    ? `with ${policy}, longhorn-manager force-deletes a NotReady node's pods and their VolumeAttachments itself (controller/kubernetes_pod_controller.go handlePodDeletionIfNodeDown), before and regardless of the job's life-sign check: a partitioned node that still runs keeps writing (two writers), which safety mode exists to prevent`
    : `availability mode relies on Longhorn to delete a NotReady node's StatefulSet and Deployment pods (${wanted}); with ${policy} ${policy === "do-nothing" ? "nothing but the fencing job moves them, minutes later" : "only some of them move"}, so the failover the mode promises does not happen`;
  return [{
    severity: "error",
    location: ctx.locate(["fencing", "mode"]),
    message: `fencing.mode is ${mode}, but ${where} is ${policy}: ${why}. Fix: set nodeDownPodDeletionPolicy: ${wanted} in ${lh.release.file}, or fencing.mode: ${mode === "safety" ? "availability" : "safety"} (docs/decisions.md#failover-and-fencing).`,
  }];
}

/**
 * fencing.lifeSigns.nodePorts must give each storage node the port the inventory names
 * (values/<env>/cluster.yaml nodes.<id>.lifeSignPort, default 22) and name no other node: a
 * wrong port turns a running node's silence into a fence, or its closed port into a life sign.
 */
export function checkLifeSignPorts(ctx: LintContext): Finding[] {
  const f = job(ctx, "fencing");
  if (!enabled(f)) return [];
  const ports = f.lifeSigns?.nodePorts ?? {};
  const out: Finding[] = [];
  const storage = Object.entries(ctx.inventory.nodes).filter(([, n]) => n.roles.includes("storage"));
  for (const [id, n] of storage) {
    const want = n.lifeSignPort ?? DEFAULT_LIFE_SIGNS.defaultNodePort;
    const got = ports[n.name] ?? DEFAULT_LIFE_SIGNS.defaultNodePort;
    if (want === got) continue;
    out.push({
      severity: "error",
      location: ctx.locate(["fencing", "lifeSigns", "nodePorts"]),
      message: `fencing.lifeSigns.nodePorts gives ${n.name} port ${got}, but values/${ctx.env}/cluster.yaml nodes.${id}.lifeSignPort is ${want}: the life-sign probe would knock on the wrong port. Fix: set fencing.lifeSigns.nodePorts.${n.name}: ${want}.`,
    });
  }
  for (const name of Object.keys(ports)) {
    if (storage.some(([, n]) => n.name === name)) continue;
    out.push({
      severity: "error",
      location: ctx.locate(["fencing", "lifeSigns", "nodePorts", name]),
      message: `fencing.lifeSigns.nodePorts names ${name}, which is no storage node of values/${ctx.env}/cluster.yaml (${storage.map(([, n]) => n.name).join(", ")}): the job only probes storage nodes. Fix: use the Kubernetes node name of a storage node, or remove it.`,
    });
  }
  return out;
}

export const assertions: ChartAssertion[] = [checkNamespaces, checkStorageLabel, checkFencingTarget, checkCronJobs, checkPolicy, checkLonghornMode, checkLifeSignPorts];
