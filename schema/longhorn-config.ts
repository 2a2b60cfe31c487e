/**
 * Values of charts/longhorn-config: the cluster's Longhorn StorageClasses (`longhorn`, RWO and the
 * default class; `longhorn-rwx`, RWX over Longhorn's share manager), optional RecurringJobs they
 * select, and Setting CRs that keep the seed's non-negotiable Longhorn settings enforced on every
 * Flux reconcile (see the chart README, "Settings stay enforced").
 */
import type { AbsolutePath, IPv4 } from "./common.ts";
import type { RecurringJobTask } from "./crds/longhorn.ts";

/** A recurring snapshot or backup job (a `recurringjobs.longhorn.io` object). */
export interface RecurringJobValues {
  /**
   * Job name. The object is named `<release>-<name>` (`longhorn-config-snapshot-daily`), which
   * Longhorn limits to 40 characters; recurringJobSelector refers to the short name.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @maxLength 24
   * @examples ["snapshot-daily"]
   */
  name: string;
  /**
   * `snapshot` keeps local snapshots on the replicas (they fail together with the volume);
   * `backup` also copies them to the backup target, off the storage nodes (`backupTarget` must
   * be set, the chart refuses a backup job without it).
   */
  task: Extract<RecurringJobTask, "snapshot" | "backup">;
  /**
   * Cron schedule, five fields, in the longhorn-manager's time zone (UTC).
   * @pattern ^(\S+\s+){4}\S+$
   * @examples ["0 3 * * *"]
   */
  cron: string;
  /**
   * Snapshots or backups to keep per volume.
   * @TJS-type integer
   * @minimum 1
   * @maximum 100
   * @default 7
   */
  retain?: number;
  /**
   * Volumes the job processes at the same time.
   * @TJS-type integer
   * @minimum 1
   * @default 1
   */
  concurrency?: number;
  /**
   * Groups the job belongs to. A StorageClass (recurringJobSelector) or a volume can select the
   * job by group. The group `default` applies the job to every volume without job labels.
   * @default []
   */
  groups?: string[];
  /** Labels put on the snapshots/backups the job creates. @default {} */
  labels?: { [key: string]: string };
}

/**
 * Longhorn's backup target on an NFS share: rendered as the `BackupTarget` object named `default`
 * (Longhorn >= 1.8: the target is a `backuptargets.longhorn.io` object, no longer the
 * `backup-target` setting; longhorn-manager datastore/longhorn.go CreateOrUpdateDefaultBackupTarget).
 * The server and path must be the inventory's NAS (`nfs.unraid.server`, under
 * `nfs.unraid.exports.backups`): lint checks it.
 */
export interface BackupTargetValues {
  /** The NFS server: the inventory's `nfs.unraid.server`. @examples ["192.168.1.50"] */
  server: IPv4;
  /**
   * Directory on the server: the inventory's `nfs.unraid.exports.backups` or a directory below it.
   * @examples ["/mnt/user/backups/longhorn"]
   */
  path: AbsolutePath;
  /**
   * NFS mount options Longhorn uses for the target (`?nfsOptions=` of the URL; Longhorn's
   * default is `vers=4.0,noresvport,timeo=600`, hard). Unraid serves NFSv4 since 7.0, v3 before.
   * @default null
   */
  nfsOptions?: string | null;
  /**
   * Name of a Secret in longhorn-system with the target's credentials. NFS needs none; the
   * Secret is created out of band (never in Git).
   * @default null
   */
  credentialSecret?: string | null;
  /**
   * How often Longhorn lists the target for backups made elsewhere (a Go duration).
   * @pattern ^([0-9]+(\.[0-9]+)?(s|m|h))+$
   * @default "5m0s"
   */
  pollInterval?: string;
}

/** One entry of the StorageClasses' `recurringJobSelector`. */
export interface RecurringJobSelectorEntry {
  /** Name of a job, or of a group when isGroup is true. It must be defined in recurringJobs. */
  name: string;
  /** `name` is a group rather than a job. @default false */
  isGroup?: boolean;
}

/**
 * The seed's non-negotiable Longhorn settings, rendered as `settings.longhorn.io` objects so Flux
 * drift detection puts them back on every reconcile (a change in the Longhorn UI is reverted).
 * Each value must equal the Longhorn HelmRelease's `defaultSettings` (lint checks it); the replica
 * count comes from `numberOfReplicas`.
 */
export interface EnforcedSettings {
  /**
   * Render the Setting objects. Turn off only to hand a setting back to the Longhorn UI.
   * @default true
   */
  enforce?: boolean;
  /**
   * `replica-soft-anti-affinity`. Seed: "Must be false; true prevents replica scheduling on 2
   * nodes" — replicas of one volume must land on different storage nodes.
   * @default false
   */
  replicaSoftAntiAffinity?: false;
  /**
   * `node-down-pod-deletion-policy`. Seed (HA Strategy, failover step 1): "w1 goes down →
   * Longhorn force-deletes stuck pod (nodeDownPodDeletionPolicy:
   * delete-both-statefulset-and-deployment-pod)".
   * @default "delete-both-statefulset-and-deployment-pod"
   */
  nodeDownPodDeletionPolicy?: "delete-both-statefulset-and-deployment-pod";
  /**
   * `system-managed-components-node-selector`: every node that runs a pod with a Longhorn volume
   * (label `node.longhorn.io/csi=enabled`), so the CSI plugin reaches the GPU node. The seed's
   * `node.longhorn.io/storage:enabled` ("Prevents share-manager landing on cp1") is corrected:
   * `rwx.shareManagerNodeSelector` keeps that purpose (docs/decisions.md#longhorn-placement).
   * @default "node.longhorn.io/csi:enabled"
   */
  systemManagedComponentsNodeSelector?: "node.longhorn.io/csi:enabled";
  /**
   * `taint-toleration` (kubectl taint syntax, `;`-separated): must tolerate every
   * NoSchedule/NoExecute taint of every Longhorn node, the storage nodes' taint
   * `node.longhorn.io/storage=enabled:NoSchedule` (seed runbook, step 3) included; lint checks it
   * against the inventory.
   * @default "node.longhorn.io/storage=enabled:NoSchedule"
   * @pattern ^\s*[^=:;\s]*(=[^:;]*)?:(NoSchedule|PreferNoSchedule|NoExecute)?\s*(;\s*[^=:;\s]*(=[^:;]*)?:(NoSchedule|PreferNoSchedule|NoExecute)?\s*)*$
   */
  taintToleration?: string;
  /**
   * `create-default-disk-labeled-nodes`. Seed: `node.longhorn.io/create-default-disk=true`
   * "triggers disk creation (requires createDefaultDiskLabeledNodes: true in HelmRelease)".
   * @default true
   */
  createDefaultDiskLabeledNodes?: true;
}

/** charts/longhorn-config values. */
export interface Values {
  /** Replaces the chart name in labels. @default null */
  nameOverride?: string | null;
  /** Replaces the full name prefix in labels. @default null */
  fullnameOverride?: string | null;
  /**
   * Replicas of every volume of both StorageClasses (`numberOfReplicas`), and Longhorn's
   * `default-replica-count`. It must equal the number of storage nodes, up to 2: the seed's
   * `defaultReplicaCount: 2` on homelab's two storage nodes, 1 on staging. More replicas than
   * storage nodes, with replica soft anti-affinity off, leaves every volume degraded. A change
   * only affects new volumes (StorageClass parameters are immutable: see the README).
   * @TJS-type integer
   * @minimum 1
   * @maximum 3
   * @default 2
   */
  numberOfReplicas?: number;
  /**
   * Minutes a failed replica is kept before it is cleaned up (`staleReplicaTimeout`).
   * @TJS-type integer
   * @minimum 1
   * @default 30
   */
  staleReplicaTimeout?: number;
  /**
   * `dataLocality` of both classes. `best-effort` keeps a replica on the node running the pod
   * when possible; `strict-local` needs numberOfReplicas 1 and gives up HA.
   * @default "disabled"
   */
  dataLocality?: "disabled" | "best-effort" | "strict-local";
  /**
   * What happens to a volume when its claim is deleted.
   * @default "Delete"
   */
  reclaimPolicy?: "Delete" | "Retain";
  /**
   * Claims of both classes can be grown in place.
   * @default true
   */
  allowVolumeExpansion?: boolean;
  /** The RWX class `longhorn-rwx`. */
  rwx?: {
    /**
     * NFS mount options of RWX volumes (`nfsOptions`), replacing Longhorn's defaults. `softerr`
     * with `timeo`/`retrans` returns errors instead of hanging a node forever when the share
     * manager moves (longhorn#6655); `noresvport` lets the client reconnect from a new port.
     * @default "vers=4.1,noresvport,softerr,timeo=600,retrans=5"
     */
    nfsOptions?: string;
    /**
     * `shareManagerNodeSelector` of both classes (a claim asking ReadWriteMany of `longhorn` gets a share manager too; Longhorn's `key:value;key2:value2` form):
     * where the share-manager pod exporting an RWX volume runs. longhorn-manager merges it into
     * the system-managed components' selector (controller/share_manager_controller.go), so the
     * share managers run only on the storage nodes, never on cp1 or the GPU node (the seed's
     * "Prevents share-manager landing on cp1"). Lint checks the merged selector against the
     * inventory. Immutable like every parameter: see the README, "Changing a StorageClass".
     * @default "node.longhorn.io/storage:enabled"
     */
    shareManagerNodeSelector?: string;
  };
  /**
   * Longhorn's backup target (the `BackupTarget` named `default`); null renders none, and then
   * a `backup` job fails.
   * @default null
   */
  backupTarget?: BackupTargetValues | null;
  /**
   * Recurring snapshot/backup jobs. None by default. Volumes join a job's group by the labels
   * their PVC carries (`recurring-job.longhorn.io/source: enabled` and
   * `recurring-job-group.longhorn.io/<group>: enabled`, set by each chart's `backup` values);
   * a volume without any job label is in group `default`. Lint checks that every Longhorn PVC of
   * the environment is in a group with a `backup` job, or is declared scratch.
   * @default []
   */
  recurringJobs?: RecurringJobValues[];
  /**
   * Jobs or groups new volumes of both StorageClasses are attached to (`recurringJobSelector`).
   * Every name must be a job or group of recurringJobs.
   * @default []
   */
  recurringJobSelector?: RecurringJobSelectorEntry[];
  /** The Setting objects that keep the seed's non-negotiable settings enforced. */
  settings?: EnforcedSettings;
}
