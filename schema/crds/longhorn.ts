/**
 * The Longhorn custom resources charts/longhorn-config renders, typed from the CRD facts of
 * longhorn-manager (k8s/pkg/apis/longhorn/v1beta2/setting.go and recurringjob.go, storage
 * version v1beta2). There is no kubernetes-models package for longhorn.io, so JSON schemas for
 * offline validation are generated from these types.
 */

/** Object metadata of a namespaced Longhorn resource (the subset a chart sets). */
export interface LonghornObjectMeta {
  /** Object name. @pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ */
  name: string;
  /** Namespace: Longhorn only reads its resources in longhorn-system. */
  namespace?: string;
  /** Labels. */
  labels?: { [key: string]: string };
  /** Annotations. */
  annotations?: { [key: string]: string };
}

/**
 * `settings.longhorn.io` (v1beta2): one Longhorn setting. The value is a string at the top level
 * (not under spec); per-data-engine settings such as `default-replica-count` take a JSON map
 * string, e.g. `{"v1":"2","v2":"2"}`.
 */
export interface Setting {
  /** API version. */
  apiVersion: "longhorn.io/v1beta2";
  /** Kind. */
  kind: "Setting";
  /** Metadata; the name is the setting's name, e.g. `replica-soft-anti-affinity`. */
  metadata: LonghornObjectMeta;
  /** The value of the setting, always a string. */
  value: string;
}

/** A recurring job task (kubebuilder enum of RecurringJobType). */
export type RecurringJobTask =
  | "snapshot"
  | "snapshot-force-create"
  | "snapshot-cleanup"
  | "snapshot-delete"
  | "backup"
  | "backup-force-create"
  | "filesystem-trim"
  | "system-backup";

/** `spec` of a RecurringJob. */
export interface RecurringJobSpec {
  /** The recurring job name (equals metadata.name). */
  name: string;
  /** Groups the job belongs to; volumes and StorageClasses select jobs by name or group. `default` applies to volumes without job labels. */
  groups?: string[];
  /** What the job does. */
  task: RecurringJobTask;
  /** Cron schedule (five fields). @examples ["0 3 * * *"] */
  cron: string;
  /** Snapshots/backups to keep (count-based retention). @TJS-type integer @minimum 0 */
  retain: number;
  /** Volumes processed concurrently. @TJS-type integer @minimum 1 */
  concurrency: number;
  /** Labels put on the snapshots/backups. */
  labels?: { [key: string]: string };
  /** Task parameters (`full-backup-interval`, `volume-backup-policy`). */
  parameters?: { [key: string]: string };
}

/** `recurringjobs.longhorn.io` (v1beta2): a scheduled snapshot/backup job. */
export interface RecurringJob {
  /** API version. */
  apiVersion: "longhorn.io/v1beta2";
  /** Kind. */
  kind: "RecurringJob";
  /** Metadata. */
  metadata: LonghornObjectMeta;
  /** The job. */
  spec: RecurringJobSpec;
}

/**
 * `spec` of a BackupTarget (longhorn-manager k8s/pkg/apis/longhorn/v1beta2/backuptarget.go). Since
 * Longhorn 1.8 the backup target is this object (the one named `default` is what recurring
 * backup jobs and StorageClasses with `backupTargetName: default` use), no longer the
 * `backup-target` setting.
 */
export interface BackupTargetSpec {
  /**
   * Where backups go: `nfs://<server>:<path>` for NFS (optionally `?nfsOptions=...`),
   * `s3://bucket@region/path`, `cifs://`, `azblob://`.
   * @pattern ^(nfs|s3|cifs|azblob)://
   */
  backupTargetURL: string;
  /** Secret in longhorn-system with the target's credentials (S3, CIFS, Azure); not needed for NFS. */
  credentialSecret?: string;
  /** How often Longhorn lists the target for new backups (a Go duration, e.g. `5m0s`). @pattern ^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$ */
  pollInterval?: string;
}

/** `backuptargets.longhorn.io` (v1beta2). */
export interface BackupTarget {
  /** API version. */
  apiVersion: "longhorn.io/v1beta2";
  /** Kind. */
  kind: "BackupTarget";
  /** Metadata. */
  metadata: LonghornObjectMeta;
  /** The target. */
  spec: BackupTargetSpec;
}
