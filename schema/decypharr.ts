/**
 * Values of charts/decypharr: the two Decypharr StatefulSets of the seed's "Decypharr
 * Architecture" — `streaming` (RealDebrid/AllDebrid, creates the DFS FUSE mount and propagates it
 * to the host) and `download` (Usenet/torrent, reads the Unraid library over NFS).
 */
import type { EnvMap, Image, Ingress, LinuxServerIds, NfsMount, Resources, StoragePlacement, Volume } from "./common.ts";

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
  /**
   * Host directory mounted with `mountPropagation: Bidirectional`; the FUSE mount decypharr
   * creates at `<hostMount>/dfs` in the container propagates back to the host at the same path,
   * where consumers bind it with HostToContainer.
   * @default "/mnt"
   */
  hostMount?: "/mnt";
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
}
