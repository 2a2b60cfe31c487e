/**
 * Values of charts/media-apps: the DFS consumers and their helpers (Sonarr, Radarr, Prowlarr, ...)
 * of the seed's "DFS Sharing" design. Each app is one entry of the `apps` map; adding an app is
 * one values entry (image and port; everything else has a default).
 */
import type { AbsolutePath, EnvMap, ExtraMount, Image, IPv4, Ingress, LinuxServerIds, Resources, StoragePlacement, Volume, VolumeBackup } from "./common.ts";

/**
 * The app's `/config` volume: a separate PersistentVolumeClaim on Longhorn (ReadWriteOnce),
 * annotated `helm.sh/resource-policy: keep` so uninstalling the release never deletes an app's
 * database. Only `size` may change later (Longhorn volumes expand; a PVC never shrinks).
 */
export interface ConfigVolume extends Volume {
  /**
   * Longhorn recurring jobs of the claim: the app's database is state, so by default it joins
   * the backed-up group `config` of charts/longhorn-config.
   * @default {"group": "config"}
   */
  backup?: VolumeBackup;
  /**
   * Where the claim is mounted in the container. linuxserver images keep everything under `/config`.
   * @default "/config"
   */
  mountPath?: AbsolutePath;
}

/**
 * An app's DFS consumer mount: the host's DFS parent directory (top-level `dfs.parent`) bound at
 * the same path with `mountPropagation: HostToContainer`, so the FUSE mount decypharr-streaming
 * creates (or re-creates) below it propagates into the running pod (kubernetes#66567). A startup
 * probe waits until the FUSE mount below the parent is live. Only decypharr-streaming, the FUSE
 * source, may use Bidirectional.
 */
export interface DfsConsumerMount {
  /**
   * Mount the DFS. On by default because the *arr download managers (Sonarr, Radarr, ...) import
   * from it; set `false` for apps that never read media files (Prowlarr, an indexer manager).
   * @default true
   */
  enabled?: boolean;
  /**
   * Always `HostToContainer` for a consumer. `Bidirectional` is reserved for decypharr-streaming,
   * the FUSE source; on a consumer it would need a privileged container and could propagate the
   * consumer's own mounts back onto the node (seed, "DFS Sharing").
   * @default "HostToContainer"
   */
  mountPropagation?: "HostToContainer";
}

/**
 * Where the DFS lives, identical on the host and in every pod (decypharr-streaming's
 * `streaming.dfs` values; the data-path lint compares them).
 */
export interface DfsPaths {
  /** The stable parent directory on the storage nodes, bound by every consumer. @default "/mnt/decypharr" */
  parent: AbsolutePath;
  /** Decypharr's FUSE mount point below `parent`; the startup probe checks it is live. @default "/mnt/decypharr/dfs" */
  mountPath: AbsolutePath;
  /**
   * Pod labels of decypharr-streaming: DFS consumers prefer its node (preferred pod affinity,
   * weight 100), because the DFS exists only there.
   * @default {"app.kubernetes.io/name": "decypharr", "app.kubernetes.io/component": "streaming"}
   */
  producerSelector: { [label: string]: string };
}

/**
 * The streaming library: decypharr's kept RWX claim `<decypharr fullname>-library` (decypharr is
 * installed before this release, which depends on it), mounted read-write by the apps with
 * `library: true`, at the same path as in every other pod.
 */
export interface LibraryMount {
  /** The claim decypharr creates. @default "decypharr-library" */
  claimName: string;
  /** Mount path in every pod. @default "/mnt/streaming-media" */
  mountPath: AbsolutePath;
}

/** How an app mounts the shared Unraid media library (see `media` at the top level). */
export interface MediaLibraryMount {
  /**
   * Mount the library. On by default; Prowlarr and other apps that never touch media set `false`.
   * @default true
   */
  enabled?: boolean;
  /**
   * Path in the container.
   * @default "/mnt/media"
   */
  mountPath?: AbsolutePath;
  /**
   * Mount read-only. The seed treats the Unraid library as read-only bulk data; only an app that
   * must write into it (e.g. imports by moving files) sets this to `false`, explicitly.
   * @default true
   */
  readOnly?: boolean;
}

/**
 * One app: a single-replica Deployment (strategy Recreate), its config PVC, a Service and an
 * Ingress. There is deliberately no `securityContext` (or `privileged`) key: no app may be
 * privileged, only decypharr-streaming, the DFS FUSE source, is (seed, "DFS Sharing"). Nor is
 * there an `smb`/`cifs`/`samba` mount: the seed removed Samba in commit e828583.
 */
export interface App {
  /** Deploy this app. @default true */
  enabled?: boolean;
  /**
   * Container image; pin a real version tag (and optionally a digest), never `latest`.
   * linuxserver images start as root and drop to PUID/PGID with s6-overlay.
   */
  image: Image;
  /**
   * The app's web port in the container. The Service listens on 80 and targets this port (seed,
   * "Traefik / Ingress": Traefik routes to port 80; other ports caused 404s).
   * @TJS-type integer
   * @minimum 1
   * @maximum 65535
   * @examples [8989, 7878, 9696]
   */
  port: number;
  /** Extra environment variables (PUID, PGID, UMASK and TZ come from `ids`). @default {} */
  env?: EnvMap;
  /** The `/config` PVC. @default {"size": "1Gi", "storageClass": "longhorn", "mountPath": "/config"} */
  config?: ConfigVolume;
  /** The DFS consumer mount (hostPath `dfs.parent`, HostToContainer, read-only). @default {"enabled": true} */
  dfs?: DfsConsumerMount;
  /**
   * Mount the streaming library read-write at `library.mountPath` (apps that import into it:
   * Sonarr, Radarr).
   * @default false
   */
  library?: boolean;
  /** The Unraid media library mount (NFS, read-only unless `readOnly: false`). @default {"enabled": true} */
  media?: MediaLibraryMount;
  /**
   * Further mounts from an existing PVC or an NFS export (exactly one of `existingClaim`/`nfs`).
   * There is no SMB/CIFS option: SMB/Samba was removed in commit e828583 (2026-02-28) and must
   * not be re-added (seed, "DFS Sharing"); lint rejects a key that names it, a share value and SMB storage drivers (docs/decisions.md "Chart conventions").
   * @default []
   */
  extraMounts?: ExtraMount[];
  /**
   * Container resources; requests are required by the policy gate.
   * @default {"requests": {"cpu": "50m", "memory": "256Mi"}}
   */
  resources?: Resources;
  /** Ingress through Traefik; `null` for none. @default null */
  ingress?: Ingress | null;
  /**
   * Overrides the top-level `placement` for this app only; `null` uses the top-level one.
   * @default null
   */
  placement?: StoragePlacement | null;
}

/** The Unraid NFS export every app with `media.enabled` mounts. */
export interface MediaLibrary {
  /** The inventory's Unraid server (`nfs.unraid.server` in values/<env>/cluster.yaml). */
  server: IPv4;
  /**
   * Exported path (`nfs.unraid.exports.media` in the inventory).
   * @default "/mnt/user/media"
   */
  path: AbsolutePath;
}

/** charts/media-apps values. */
export interface Values {
  /** Replaces the chart name in resource names. @default null */
  nameOverride?: string | null;
  /** Replaces the full resource name prefix. @default null */
  fullnameOverride?: string | null;
  /**
   * The seed's active-passive storage placement, rendered on every app (each has a Longhorn
   * config volume, so each is a stateful pod).
   * @default {"tolerationSeconds": 30}
   */
  placement?: StoragePlacement;
  /** PUID, PGID, UMASK and TZ passed to every app; linuxserver images drop root to PUID/PGID. */
  ids?: LinuxServerIds;
  /** The Unraid media library (NFS). */
  media: MediaLibrary;
  /** Where the DFS lives (same paths as decypharr-streaming). */
  dfs: DfsPaths;
  /**
   * The streaming library (decypharr's claim); `null` for none.
   * @default {"claimName": "decypharr-library", "mountPath": "/mnt/streaming-media"}
   */
  library?: LibraryMount | null;
  /**
   * The apps, by name. The name becomes part of resource names (`<fullname>-<name>`) and the
   * container name, so it must be a DNS label (`_validate.tpl` checks it; the pattern lets the
   * editor and lint say so too).
   * @propertyNames {"pattern": "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"}
   * @examples [{"sonarr": {"image": {"repository": "lscr.io/linuxserver/sonarr", "tag": "4.0.16.2944-ls302"}, "port": 8989}}]
   */
  apps: { [name: string]: App };
}
