/**
 * Values of charts/ha-jobs: the two CronJobs the seed's HA story depends on (ARCHITECTURE-DECISIONS.md,
 * "HA Strategy"): the descheduler, which moves the stateful media pods back to the primary storage
 * node (w1) once it is usable again (failback), and the fencing job (tools/fencing/), which fences
 * a storage node that stays NotReady and keeps a recovering node fenced while it could cause a
 * split-brain.
 */
import type { Image, Resources } from "./common.ts";

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week), as CronJob
 * `spec.schedule` takes it.
 * @pattern ^\S+\s+\S+\s+\S+\s+\S+\s+\S+$
 * @examples ["0-59/5 * * * *", "30 3 * * *"]
 */
export type CronSchedule = string;

/**
 * A namespace name (a DNS-1123 label).
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @maxLength 63
 */
export type NamespaceName = string;

/**
 * Settings both CronJobs have. `concurrencyPolicy` is always `Forbid` and not a value: two
 * descheduler runs would evict the same pods twice, and two fencing runs would act on the same
 * snapshot twice (the fencing job's idempotence holds run after run, not for runs in parallel).
 */
export interface CronJobSettings {
  /** Render this CronJob, its ConfigMap and its RBAC. @default true */
  enabled?: boolean;
  /** When the job runs (CronJob `spec.schedule`, in the controller manager's time zone). */
  schedule: CronSchedule;
  /** Suspend the CronJob (no new runs; a running job finishes). @default false */
  suspend?: boolean;
  /**
   * Seconds a run may take before Kubernetes kills it (Job `activeDeadlineSeconds`). It must be
   * shorter than the schedule's period (lint checks it), so a hung run ends before the next one
   * is due instead of blocking it under `concurrencyPolicy: Forbid` (the upstream descheduler
   * chart gives the same advice).
   * @TJS-type integer
   * @minimum 10
   */
  activeDeadlineSeconds: number;
  /**
   * Seconds after its scheduled time a run may still start (CronJob `startingDeadlineSeconds`);
   * a later one is skipped and the next run is the retry. Without it the CronJob controller counts
   * the missed runs since the last one it started, and after more than 100 (200 minutes of a
   * stopped controller manager at a 2-minute schedule) it never starts the job again
   * (kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations). Below 10
   * the run may never start: the controller checks every 10 seconds.
   * @TJS-type integer
   * @minimum 10
   */
  startingDeadlineSeconds: number;
  /** Finished successful Jobs kept for inspection. @default 1 @TJS-type integer @minimum 0 @maximum 10 */
  successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept for inspection. @default 3 @TJS-type integer @minimum 0 @maximum 10 */
  failedJobsHistoryLimit?: number;
  /** Container image, pinned to an exact tag (optionally a digest). */
  image: Image;
  /** Container resources; requests are required by the policy gate. */
  resources: Resources;
}

/**
 * The descheduler CronJob (kubernetes-sigs/descheduler v0.36) with one profile: the
 * `RemovePodsViolatingNodeAffinity` plugin for both affinity types, and the `DefaultEvictor`
 * configured so the media pods can move at all (see the chart README, "Pod protections").
 */
export interface Descheduler extends CronJobSettings {
  /**
   * Namespaces whose pods may be evicted (`namespaces.include` of RemovePodsViolatingNodeAffinity).
   * Only the media namespaces: the descheduler's reason to exist here is failback of the
   * stateful media pods, which carry the seed's preferred affinity to the primary storage node.
   * Each must be the namespace of a release in the environment (lint checks it: a typo would
   * silently disable failback).
   * @default ["media"]
   * @minItems 1
   * @uniqueItems true
   */
  namespaces: NamespaceName[];
  /**
   * DefaultEvictor `nodeFit`: evict a pod only if it fits another ready node (node selector,
   * required affinity, taints, `unschedulable`). Always `true`: with `false`, cordoning w1 for
   * maintenance makes every pod on w2 "violate" its preferred affinity to w1, so the descheduler
   * would evict them every run (5 minutes) and the scheduler would put each one back on w2, the
   * only schedulable storage node. With `true` the cordoned w1 does not count, and nothing is
   * evicted until w1 is schedulable again (and, after a fence, until its out-of-service taint is
   * gone).
   * @default true
   */
  nodeFit?: true;
  /**
   * Log verbosity (`--v`). 3 logs each eviction and the reason a pod was not evicted.
   * @default 3
   * @TJS-type integer
   * @minimum 0
   * @maximum 10
   */
  logLevel?: number;
}

/**
 * The fencing CronJob: `node /fencing/fencing.mjs`, the bundle of tools/fencing/ shipped in a
 * ConfigMap. Its settings become the job's `FENCING_*` environment variables.
 */
export interface Fencing extends CronJobSettings {
  /**
   * Seconds a storage node must be continuously NotReady (Ready condition `False` or `Unknown`)
   * before it is fenced: cordoned and tainted `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`
   * (`FENCING_THRESHOLD_SECONDS`). Below 60 s a kubelet restart or a short network blip would
   * force-delete pods and force-detach volumes.
   * @default 120
   * @TJS-type integer
   * @minimum 60
   * @maximum 3600
   */
  thresholdSeconds?: number;
  /**
   * Seconds a fenced node must be Ready again, with no stale pod deleted meanwhile, before it is
   * unfenced (`FENCING_RECOVERY_SECONDS`). `null` uses the threshold.
   * @default null
   * @multipleOf 1
   * @minimum 30
   * @maximum 3600
   */
  recoverySeconds?: number | null;
  /**
   * Log every planned action, execute none (`FENCING_DRY_RUN`). On an environment with a single
   * storage node fencing has nothing to fail over to; lint requires dry-run (or `enabled: false`) there.
   * @default false
   */
  dryRun?: boolean;
  /**
   * `key=value` label of the storage nodes (`FENCING_STORAGE_LABEL`); other nodes are never
   * fenced. Must select exactly the inventory's storage nodes (lint checks it).
   * @default "node.longhorn.io/storage=enabled"
   * @pattern ^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?=([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$
   */
  storageLabel?: string;
  /**
   * Namespace of the Longhorn `volumes.longhorn.io` objects (`FENCING_LONGHORN_NAMESPACE`). The
   * job reads them through a Role in that namespace, not cluster-wide.
   * @default "longhorn-system"
   */
  longhornNamespace?: NamespaceName;
  /**
   * Namespaces whose pods the job lists and may delete (stale pods of a recovering node), through
   * one Role per namespace (`FENCING_POD_NAMESPACES`). Must cover every namespace with pods on
   * the storage nodes (lint checks it).
   * @default ["media"]
   * @minItems 1
   * @uniqueItems true
   */
  podNamespaces: NamespaceName[];
  /**
   * Who moves the pods of a NotReady storage node (`FENCING_MODE`; docs/decisions.md
   * "Failover and fencing"):
   * - `availability` (the seed): Longhorn's `nodeDownPodDeletionPolicy:
   *   delete-both-statefulset-and-deployment-pod` force-deletes them and their VolumeAttachments
   *   about tolerationSeconds + terminationGracePeriodSeconds after NotReady, whatever this job
   *   decides: fast failover, and a partitioned node that still runs keeps writing (two writers).
   * - `safety`: Longhorn's policy is `do-nothing`; only this job moves the pods, after it found the
   *   node silent. Slower (threshold + one period + the probe window), no failover while the node
   *   shows life signs.
   * Lint checks the environment's Longhorn HelmRelease against the mode.
   * @default "availability"
   */
  mode?: "availability" | "safety";
  /** The life-sign probes run from the peer storage node before a fence. */
  lifeSigns?: LifeSigns;
}

/**
 * The life-sign probes (tools/fencing/probe.ts): TCP connects from the node the job runs on to
 * the NotReady node's kubelet port, a host port from the inventory and its Longhorn
 * instance-manager pods. Silent = every connect timed out for the whole window; a refused
 * connection is a life sign (a kernel answered).
 */
export interface LifeSigns {
  /** Seconds every probe must time out before the node counts as silent. @default 30 @TJS-type integer @minimum 10 @maximum 60 */
  windowSeconds?: number;
  /** Seconds between probe rounds. @default 5 @TJS-type integer @minimum 1 @maximum 30 */
  intervalSeconds?: number;
  /** Milliseconds one connect may take. @default 2000 @TJS-type integer @minimum 100 @maximum 10000 */
  timeoutMs?: number;
  /** kubelet's port. @default 10250 @TJS-type integer @minimum 1 @maximum 65535 */
  kubeletPort?: number;
  /** Longhorn instance-manager's process-manager port (longhorn-manager engineapi/types.go). @default 8500 @TJS-type integer @minimum 1 @maximum 65535 */
  instanceManagerPort?: number;
  /**
   * Kubernetes node name -> a TCP port on that host (`FENCING_NODE_PORTS`); unlisted nodes use
   * 22. Must equal the inventory's `lifeSignPort` of each storage node (lint checks it).
   * @default {}
   */
  nodePorts?: { [nodeName: string]: number };
}

/**
 * The report CronJob (tools/report/): Longhorn volume health (degraded, faulted) and what the
 * descheduler and the fencing job did (their Kubernetes Events), posted to Flux's
 * notification-controller as events about this release, so the environment's Alert
 * (clusters/<env>/alerts/alert-ha-jobs.yaml) sends them to the operator's Provider. See the chart
 * README, "Reports", and docs/decisions.md "Backups, alerts and maintenance".
 */
export interface Report extends CronJobSettings {
  /**
   * notification-controller's event endpoint (its Service `notification-controller` in
   * flux-system, port 80). Flux's default NetworkPolicy allow-webhooks admits it from every namespace.
   * @default "http://notification-controller.flux-system.svc.cluster.local./"
   */
  notifyUrl?: string;
  /** Log the reports instead of posting them. @default false */
  dryRun?: boolean;
  /**
   * Seconds between reminders about a volume that stays degraded.
   * @TJS-type integer
   * @minimum 300
   * @default 21600
   */
  remindSeconds?: number;
  /** Namespace of the Longhorn Volume objects. @default "longhorn-system" */
  longhornNamespace?: NamespaceName;
  /**
   * Namespaces whose Events are read: the descheduler's evictions are Events of the media pods;
   * Events about Nodes (the fencing job's) are recorded in `default`.
   * @default ["media", "default"]
   * @minItems 1
   * @uniqueItems true
   */
  eventNamespaces: NamespaceName[];
  /**
   * Events forwarded by their reporting component (prefix of reportingComponent or
   * source.component): the descheduler (`sigs.k8s.io/descheduler`) and the fencing job
   * (`ha-jobs-fencing`, which issue 16's job must use as reportingComponent).
   * @default ["sigs.k8s.io/descheduler", "ha-jobs-fencing"]
   */
  components: string[];
  /**
   * Events forwarded by reason, whoever reported them (the descheduler's evictions are
   * `Descheduled`).
   * @default ["Descheduled"]
   */
  reasons?: string[];
}

/**
 * The PriorityClass both CronJobs' pods run with, so a full cluster preempts a media pod rather
 * than leave the jobs that keep it safe Pending. Not the upstream descheduler chart's
 * `system-cluster-critical`: since Kubernetes 1.17 the API server admits the two system classes
 * outside kube-system only where a ResourceQuota with a PriorityClass scopeSelector allows them
 * (kubernetes.io/docs/concepts/policy/resource-quotas/#limit-priority-class-consumption-by-default,
 * kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/), and this release's
 * namespace has none.
 */
export interface PriorityClassSettings {
  /** Render the PriorityClass (`false`: use an existing one named by `name`). @default true */
  create?: boolean;
  /**
   * Name of the class; `null` for the release's full name. Required when `create` is false.
   * @default null
   */
  name?: string | null;
  /**
   * Priority of the jobs' pods: above every workload without a class (0), below the system classes
   * (2000000000 and up); user classes may not exceed 1000000000.
   * @default 1000000
   * @TJS-type integer
   * @minimum 1
   * @maximum 1000000000
   */
  value?: number;
}

/** charts/ha-jobs values. */
export interface Values {
  /** The PriorityClass of the descheduler and fencing pods. */
  priorityClass?: PriorityClassSettings;
  /** Replaces the chart name in resource names. @default null */
  nameOverride?: string | null;
  /** Replaces the full resource name prefix. @default null */
  fullnameOverride?: string | null;
  /** The descheduler CronJob: failback of the media pods to the primary storage node. */
  descheduler: Descheduler;
  /** The fencing CronJob: non-graceful shutdown handling and split-brain protection. */
  fencing: Fencing;
  /** The report CronJob: Longhorn volume health and the jobs' events to Flux's alerts. */
  report?: Report;
}
