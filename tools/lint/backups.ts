/**
 * Environment-level lint of backups and planned maintenance, over every release's rendered objects:
 *
 * - backup coverage: every Longhorn-backed claim (PersistentVolumeClaim objects and StatefulSet
 *   volumeClaimTemplates) is in a recurring-job group that a RecurringJob with task `backup`
 *   serves, or is declared scratch with a reason (`homelab-media/backup-scratch`);
 * - disruption budgets: a PodDisruptionBudget never blocks `kubectl drain` forever.
 *
 * Longhorn's rules for which jobs a volume gets (longhorn/longhorn-manager):
 * - a PVC labelled `recurring-job.longhorn.io/source: enabled` is the source of its volume's job
 *   labels: longhorn-manager copies its `recurring-job.longhorn.io/<job>` and
 *   `recurring-job-group.longhorn.io/<group>` labels to the volume and removes the volume's
 *   others (controller/volume_controller.go syncPVCRecurringJobLabels,
 *   controller/recurring_job_controller.go syncRecurringJobLabelsToTargetResource). Without the
 *   source label the PVC's job labels are ignored;
 * - otherwise the volume gets the StorageClass's `recurringJobSelector` when it is created
 *   (csi/util.go, recurringJobSelector parameter);
 * - a volume left without any job label is put into the group `default`
 *   (datastore/longhorn.go FixupRecurringJob, RecurringJobGroupDefault).
 * A StatefulSet's claims carry the volumeClaimTemplate's labels plus the StatefulSet's selector
 * labels (kubernetes/kubernetes pkg/controller/statefulset/stateful_set_utils.go
 * getPersistentVolumeClaims).
 */
import type { K8sObject } from "../lib/render.ts";
import type { RenderedProfile } from "./environment.ts";
import { objectRef, type Finding } from "./types.ts";

export const SOURCE_LABEL = "recurring-job.longhorn.io/source";
const JOB_PREFIX = "recurring-job.longhorn.io/";
const GROUP_PREFIX = "recurring-job-group.longhorn.io/";
/** Annotation a chart puts on a claim it declares scratch, with the reason. */
export const SCRATCH_ANNOTATION = "homelab-media/backup-scratch";
const BACKUP_TASKS = new Set(["backup", "backup-force-create"]);

interface Claim {
  /** How the claim is named in messages. */
  name: string;
  owner: K8sObject;
  profile: RenderedProfile["profile"];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  storageClassName: string | null | undefined;
}

interface Membership {
  jobs: string[];
  groups: string[];
  /** Where the membership comes from, for messages. */
  via: string;
}

type Sc = K8sObject & { provisioner?: string; parameters?: Record<string, string> };

function claimsOf(r: RenderedProfile): Claim[] {
  const out: Claim[] = [];
  for (const o of r.objects) {
    if (o.kind === "PersistentVolumeClaim") {
      out.push({
        name: objectRef(o),
        owner: o,
        profile: r.profile,
        labels: o.metadata.labels ?? {},
        annotations: o.metadata.annotations ?? {},
        storageClassName: (o.spec as { storageClassName?: string | null } | undefined)?.storageClassName,
      });
    }
    if (o.kind === "StatefulSet") {
      const spec = o.spec as {
        selector?: { matchLabels?: Record<string, string> };
        volumeClaimTemplates?: { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: { storageClassName?: string | null } }[];
      };
      for (const t of spec.volumeClaimTemplates ?? []) {
        out.push({
          name: `${objectRef(o)} volumeClaimTemplate ${t.metadata?.name ?? "?"}`,
          owner: o,
          profile: r.profile,
          labels: { ...(t.metadata?.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) },
          annotations: t.metadata?.annotations ?? {},
          storageClassName: t.spec?.storageClassName,
        });
      }
    }
  }
  return out;
}

/** The StorageClass a claim gets: its own, or the default class when it names none. */
function classOf(c: Claim, classes: Sc[]): Sc | undefined {
  if (c.storageClassName === "") return undefined; // static binding, no provisioner
  if (c.storageClassName === undefined || c.storageClassName === null) {
    return classes.find((s) => s.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
  }
  return classes.find((s) => s.metadata.name === c.storageClassName);
}

function enabledKeys(labels: Record<string, string>, prefix: string): string[] {
  return Object.entries(labels)
    .filter(([k, v]) => k.startsWith(prefix) && k !== SOURCE_LABEL && v === "enabled")
    .map(([k]) => k.slice(prefix.length));
}

/** The jobs and groups Longhorn gives the claim's volume (see the file comment). */
export function membership(labels: Record<string, string>, sc: Sc | undefined): Membership {
  if (labels[SOURCE_LABEL] === "enabled") {
    const jobs = enabledKeys(labels, JOB_PREFIX);
    const groups = enabledKeys(labels, GROUP_PREFIX);
    if (jobs.length + groups.length === 0) return { jobs: [], groups: ["default"], via: "its PVC has the source label but no job label, so Longhorn puts it into group default" };
    return { jobs, groups, via: "its PVC labels" };
  }
  let selector: { name: string; isGroup?: boolean }[] = [];
  try {
    selector = JSON.parse(sc?.parameters?.recurringJobSelector ?? "[]") as typeof selector;
  } catch {
    selector = [];
  }
  if (selector.length === 0) return { jobs: [], groups: ["default"], via: "no job label and no recurringJobSelector of its StorageClass, so Longhorn puts it into group default" };
  return {
    jobs: selector.filter((s) => !s.isGroup).map((s) => s.name),
    groups: selector.filter((s) => s.isGroup).map((s) => s.name),
    via: `the recurringJobSelector of StorageClass ${sc!.metadata.name}`,
  };
}

/** Every Longhorn claim of the environment is backed up or declared scratch. */
export function checkBackupCoverage(rendered: RenderedProfile[]): Finding[] {
  const all = rendered.flatMap((r) => r.objects);
  const classes = all.filter((o) => o.kind === "StorageClass") as Sc[];
  const jobs = all.filter((o) => o.kind === "RecurringJob") as (K8sObject & { spec: { name: string; task: string; groups?: string[] } })[];
  // Without the release that defines the classes and jobs (lint --chart X), nothing can be judged.
  if (!classes.some((s) => s.provisioner === "driver.longhorn.io")) return [];
  const backups = jobs.filter((j) => BACKUP_TASKS.has(j.spec.task));
  const groupsWithBackup = [...new Set(backups.flatMap((j) => j.spec.groups ?? []))].sort();
  const out: Finding[] = [];
  for (const r of rendered) {
    for (const c of claimsOf(r)) {
      const sc = classOf(c, classes);
      if (sc?.provisioner !== "driver.longhorn.io") continue;
      const location = { file: c.profile.file, ...c.profile.doc.position(["spec"]) };
      const ignored = [...enabledKeys(c.labels, JOB_PREFIX), ...enabledKeys(c.labels, GROUP_PREFIX)];
      if (c.labels[SOURCE_LABEL] !== "enabled" && ignored.length > 0) {
        out.push({
          severity: "error",
          rule: "backups/source-label",
          object: c.name,
          location,
          message: `carries recurring-job labels (${ignored.join(", ")}) without ${SOURCE_LABEL}: enabled, so longhorn-manager ignores them (controller/volume_controller.go syncPVCRecurringJobLabels). Fix: add the label ${SOURCE_LABEL}: enabled (the charts' longhornJobLabels helper does)`,
        });
        continue;
      }
      const m = membership(c.labels, sc);
      const by = backups.filter((j) => m.jobs.includes(j.spec.name) || (j.spec.groups ?? []).some((g) => m.groups.includes(g)));
      if (by.length > 0) continue;
      const reason = c.annotations[SCRATCH_ANNOTATION]?.trim();
      if (reason) continue;
      const member = [...m.groups.map((g) => `group ${g}`), ...m.jobs.map((j) => `job ${j}`)].join(", ");
      out.push({
        severity: "error",
        rule: "backups/coverage",
        object: c.name,
        location,
        message: `is a Longhorn volume in ${member} (${m.via}), but no RecurringJob with task backup serves it (groups with a backup job: ${groupsWithBackup.join(", ") || "none"}), so its data lives only on the replicas of the storage nodes. Fix: set the claim's backup value to {group: <one of ${groupsWithBackup.join(", ") || "a group you add"}>}, add the group to a backup job in values/${c.profile.env}/longhorn-config.yaml, or declare it {scratch: <why losing it is harmless>}`,
      });
    }
  }
  return out;
}

/** `intstr` scaled against a replica count, rounded up (pkg/controller/disruption, GetScaledValueFromIntOrPercent(..., true)). */
function scaled(v: number | string, replicas: number): number {
  if (typeof v === "number") return v;
  const pct = /^(\d+)%$/.exec(v);
  return pct ? Math.ceil((Number(pct[1]) * replicas) / 100) : Number(v);
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  if (!sel.matchLabels && !sel.matchExpressions) return false; // an empty PDB selector matches nothing (policy/v1)
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(e.key);
    if (e.operator === "In" && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
  function k(key: string) {
    return Object.hasOwn(labels, key);
  }
}

/** A PodDisruptionBudget with the workloads it selects and the disruptions it allows. */
export interface BudgetFacts {
  pdb: K8sObject;
  /** `Kind/namespace/name` of the selected workloads. */
  workloads: string[];
  replicas: number;
  /** Pods that may be evicted at once (<= 0: none). */
  allowed: number;
}

/** Every PodDisruptionBudget of `objects` with what it selects (namespace: the object's own). */
export function budgetFacts(objects: readonly K8sObject[]): BudgetFacts[] {
  const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "ReplicaSet"].includes(o.kind));
  return objects
    .filter((o) => o.kind === "PodDisruptionBudget")
    .map((pdb) => {
      const spec = (pdb.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelector };
      const matched = workloads.filter((o) => o.metadata.namespace === pdb.metadata.namespace && selects(spec.selector, ((o.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels) ?? {}));
      const replicas = matched.reduce((n, o) => n + ((o.spec as { replicas?: number }).replicas ?? 1), 0);
      const allowed = spec.maxUnavailable !== undefined ? scaled(spec.maxUnavailable, replicas) : spec.minAvailable !== undefined ? replicas - scaled(spec.minAvailable, replicas) : replicas;
      return { pdb, workloads: matched.map(objectRef), replicas, allowed };
    });
}

/** The budgets that allow no eviction of the pods they select (a drain waits for them forever). */
export function blockingBudgets(objects: readonly K8sObject[]): { pdb: string; workloads: string[] }[] {
  return budgetFacts(objects).filter((b) => b.workloads.length > 0 && b.allowed <= 0).map((b) => ({ pdb: objectRef(b.pdb), workloads: b.workloads }));
}

/**
 * A PodDisruptionBudget must not block a drain forever: with minAvailable >= replicas (or
 * maxUnavailable 0) the eviction API refuses every eviction of a healthy pod (429, "Cannot evict
 * pod as it would violate the pod's disruption budget"), and `kubectl drain` retries until its
 * timeout, so a storage node cannot be taken down for maintenance. With one replica on two
 * storage nodes a PDB can only ever block: it never keeps the service up, because the one pod
 * must stop to move. Kubernetes docs, "Specifying a Disruption Budget for your Application" and
 * "Safely Drain a Node".
 */
export function checkDisruptionBudgets(rendered: RenderedProfile[]): Finding[] {
  const out: Finding[] = [];
  const all = rendered.flatMap((r) => r.objects);
  for (const r of rendered) {
    for (const b of budgetFacts(all).filter((x) => r.objects.includes(x.pdb))) {
      const pdb = b.pdb;
      const spec = (pdb.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
      const location = { file: r.profile.file, ...r.profile.doc.position(["spec"]) };
      if (b.workloads.length === 0) {
        out.push({ severity: "warning", rule: "disruption/pdb-selects-nothing", object: objectRef(pdb), location, message: "selects no pod of the environment, so it protects nothing. Fix: correct its selector or remove it" });
        continue;
      }
      const names = b.workloads.join(", ");
      if (b.allowed <= 0) {
        const what = spec.maxUnavailable !== undefined ? `maxUnavailable ${JSON.stringify(spec.maxUnavailable)}` : `minAvailable ${JSON.stringify(spec.minAvailable)}`;
        out.push({
          severity: "error",
          rule: "disruption/pdb-blocks-drain",
          object: objectRef(pdb),
          location,
          message: `${what} with ${b.replicas} replica(s) (${names}) allows no eviction at all, so \`kubectl drain\` of the node running them retries forever and the storage node can never be taken down for maintenance. Fix: ${b.replicas <= 1 ? "remove the PDB: a single replica must stop to move, a budget cannot keep it up" : `allow at least one disruption (minAvailable ${b.replicas - 1} or maxUnavailable 1)`}`,
        });
      } else if (b.replicas <= 1) {
        out.push({
          severity: "warning",
          rule: "disruption/pdb-single-replica",
          object: objectRef(pdb),
          location,
          message: `guards a single replica (${names}) and allows its eviction, so it changes nothing. Fix: remove it (docs/decisions.md, "Backups, alerts and maintenance")`,
        });
      }
    }
  }
  return out;
}
