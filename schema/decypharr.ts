/**
 * Values of charts/decypharr: the two Decypharr StatefulSets of the seed's "Decypharr
 * Architecture" — `streaming` (RealDebrid/AllDebrid, creates the DFS FUSE mount and propagates it
 * to the host) and `download` (Usenet/torrent, reads the Unraid library over NFS).
 */
import type { AbsolutePath, EnvMap, Quantity, Image, Ingress, LinuxServerIds, NfsMount, Resources, StoragePlacement, Volume, VolumeBackup } from "./common.ts";

/**
 * Settings both Decypharr instances have. There are deliberately no liveness, readiness or
 * startup probes: every Decypharr endpoint returns 401 until auth is set up in the UI, so any
 * probe would keep the pod from ever becoming ready (seed, "Health probes"). There is no
 * `securityContext` (or `privileged`) key either: the chart makes streaming privileged (FUSE and
 * Bidirectional need it) and nothing else; and no `smb`/`cifs`/`samba` share: the seed removed
 * Samba in commit e828583.
 */
export interface DecypharrInstance {
  /** Deploy this instance. @default true */
  enabled?: boolean;
  /**
   * Container image. The seed names `cy01/blackhole` as the official image;
   * `ghcr.io/cowboy/decypharr` and `sirrobot01/decypharr` are wrong or private.
   */
  image: Image;
  /** The `/app` config volume, a volumeClaimTemplate on Longhorn (RWO). */
  config: Volume;
  /** Container resources; requests are required by the policy gate. */
  resources: Resources;
  /** Ingress through Traefik; `null` for none. */
  ingress?: Ingress | null;
  /** Extra environment variables. */
  env?: EnvMap;
}

/**
 * The streaming instance: RealDebrid/AllDebrid through a FUSE mount under the host's /mnt. Its
 * container is privileged (set by the chart, not by a `securityContext` key). No probes and no
 * `smb`/`cifs`/`samba` share (see DecypharrInstance).
 */
export interface StreamingInstance extends DecypharrInstance {
  /** Where the DFS lives on the host and in every pod (docs/decisions.md#dfs-data-path). */
  dfs: DfsPaths;
  /**
   * Write `/app/config.json` with `mount.type: dfs` and `mount.mount_path: <dfs.mountPath>` when
   * no config exists yet (an init container; an existing config is never changed, a differing
   * mount path is logged). `false` leaves the first config to the UI (NOTES name the setting).
   * @default true
   */
  initialConfig?: boolean;
  /**
   * Seconds between the preStop unmount and SIGKILL. Must exceed Decypharr's own unmount on
   * SIGTERM (10 s for the DFS manager's Stop, then up to 10 s of forced unmount); the preStop's
   * lazy unmount itself returns at once. Also the time a failover waits for this pod, so no longer
   * than needed.
   * @default 30
   * @TJS-type integer
   * @minimum 21
   * @maximum 120
   */
  terminationGracePeriodSeconds?: number;
}

/**
 * The DFS paths: a stable parent directory (a plain directory the runbook creates on the storage
 * nodes, on a `shared` mount) and Decypharr's FUSE mount point below it. Both are the same on the
 * host and in every container, so Decypharr's symlinks into the DFS resolve everywhere.
 */
export interface DfsPaths {
  /**
   * The parent directory: bound with Bidirectional here, HostToContainer in the consumers.
   * @default "/mnt/decypharr"
   */
  parent: AbsolutePath;
  /**
   * Decypharr's `mount.mount_path`: the FUSE mount point, directly below `parent`.
   * @default "/mnt/decypharr/dfs"
   */
  mountPath: AbsolutePath;
}

/**
 * The streaming library this release owns: a Longhorn RWX claim `<fullname>-library`, kept on
 * uninstall, mounted read-write by decypharr-streaming (and by Sonarr/Radarr of media-apps), read-only
 * by PMS and the workers, at the same path everywhere. decypharr owns it because media-apps and
 * clusterplex are installed after it (their HelmReleases depend on decypharr).
 */
export interface Library {
  /** Size of the claim. @default "50Gi" */
  size?: Quantity;
  /** StorageClass: RWX, because writers and readers run on different nodes. @default "longhorn-rwx" */
  storageClass?: "longhorn-rwx";
  /** Mount path in every pod. @default "/mnt/streaming-media" */
  mountPath: AbsolutePath;
  /**
   * Longhorn recurring jobs of the claim: the streaming library is state, backed up by
   * longhorn-config's group `streaming` (docs/decisions.md "Backups, alerts and maintenance").
   * @default {"group": "streaming"}
   */
  backup?: VolumeBackup;
}

/**
 * The download instance: Usenet/torrent, with the Unraid media library mounted read-only. There
 * is no `securityContext` (or `privileged`) key: only decypharr-streaming may be privileged (seed,
 * "DFS Sharing"). No probes and no `smb`/`cifs`/`samba` share: the seed removed Samba in commit e828583.
 */
export interface DownloadInstance extends DecypharrInstance {
  /** The Unraid media library (NFS, read-only unless explicitly set). */
  media: NfsMount;
  /**
   * Where the media library is mounted in the container.
   * @default "/mnt/media"
   */
  mediaMountPath?: string;
}

/** charts/decypharr values. */
export interface Values {
  /** Replaces the chart name in resource names. @default null */
  nameOverride?: string | null;
  /** Replaces the full resource name prefix. @default null */
  fullnameOverride?: string | null;
  /**
   * The seed's active-passive storage placement, shared by both StatefulSets.
   * @default {"tolerationSeconds": 30}
   */
  placement?: StoragePlacement;
  /** PUID, PGID, UMASK and TZ passed to both containers. */
  ids?: LinuxServerIds;
  /**
   * Decypharr's web port in the container. Services expose port 80 and target this port (the
   * seed's Traefik convention).
   * @default 8282
   * @TJS-type integer
   * @minimum 1
   * @maximum 65535
   */
  port?: number;
  /**
   * RealDebrid/AllDebrid instance with the DFS FUSE mount (privileged, host `/mnt` with
   * Bidirectional propagation: the only such pod). Image `cy01/blackhole:beta`. No probes: every
   * endpoint returns 401 until auth is set up in the UI (seed, "Health probes").
   */
  streaming: StreamingInstance;
  /**
   * Usenet/torrent instance. Image `cy01/blackhole:latest` (the seed's choice; the policy gate
   * warns). No probes: every endpoint returns 401 until auth is set up in the UI (seed, "Health probes").
   */
  download: DownloadInstance;
  /**
   * The streaming library this release owns (kept on uninstall), mounted read-write by
   * decypharr-streaming; `null` creates and mounts none.
   * @default {"size": "50Gi", "storageClass": "longhorn-rwx", "mountPath": "/mnt/streaming-media", "backup": {"group": "streaming"}}
   */
  library?: Library | null;
}
