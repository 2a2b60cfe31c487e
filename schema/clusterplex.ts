/**
 * Values of charts/clusterplex: the seed's "ClusterPlex (Distributed Plex Transcoding)" — Plex
 * Media Server (PMS) on the storage nodes, a stateless orchestrator next to it, and GPU transcode
 * workers on the `gpu=true` node, all sharing one RWX `/transcode` volume, with the DFS FUSE mount
 * reaching the workers over kernel NFS from the active storage node.
 *
 * Upstream facts (env var names, ports, allowed values) come from pabloromeo/clusterplex chart
 * 1.1.9 / app 1.4.15 (charts/clusterplex/values.yaml, docs/README.md, docs/kubernetes/manifest.yaml).
 */
import type { AbsolutePath, EnvMap, Image, IPv4, LinuxServerIds, NfsMount, Quantity, Resources, StoragePlacement, VolumeBackup } from "./common.ts";

/**
 * A node id of the environment's inventory (`values/<env>/cluster.yaml`, key under `nodes`).
 * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
 * @examples ["w1", "w2"]
 */
export type NodeId = string;

/**
 * Where a storage node exports its DFS FUSE mount. Repeats inventory facts on purpose (helm cannot
 * read the inventory); lint fails when `ip` differs from `nodes.<id>.ip` or `path` from
 * `nfs.dfs.<id>.path` of `values/<env>/cluster.yaml`.
 */
export interface DfsServer {
  /** The storage node's InternalIP (the NFS server address kubelet mounts from). */
  ip: IPv4;
  /**
   * The exported path on that node's host.
   * @default "/mnt/dfs"
   */
  path: AbsolutePath;
}

/**
 * The DFS export mounted at `/mnt/dfs` in PMS and every worker, as a statically provisioned
 * PersistentVolume + PersistentVolumeClaim named `<fullname>-dfs-<server>`.
 *
 * A PV's `spec.nfs` is immutable, so the seed's `kubectl patch pv ... spec.nfs.server` failover is
 * rejected by the API server. Switching the server is this one value instead: the chart renders a
 * new PV/PVC pair whose names include the server and points the pods at it
 * (`npm run failover -- --env <env> --dfs-server <id>` edits it).
 */
export interface Dfs {
  /**
   * Node id of the storage node currently exporting the DFS mount (where decypharr-streaming
   * runs); `null` mounts no DFS at all. Must be a key of `servers`.
   * @default null
   * @examples ["w1", "w2"]
   */
  server: NodeId | null;
  /**
   * Export per storage node id; must match the inventory (lint checks it).
   * @default {}
   * @examples [{"w1": {"ip": "192.168.1.12", "path": "/mnt/dfs"}, "w2": {"ip": "192.168.1.22", "path": "/mnt/dfs"}}]
   */
  servers: { [nodeId: string]: DfsServer };
  /**
   * NFS mount options of the PV. The seed's `noac, soft, timeo=10, retrans=2` keep attributes
   * uncached (the FUSE content changes under the export) and fail fast instead of hanging when
   * the export disappears during a storage failover.
   * @default ["noac", "soft", "timeo=10", "retrans=2"]
   * @minItems 1
   */
  mountOptions?: string[];
  /**
   * Nominal capacity of the PV and request of the PVC; NFS does not enforce it, binding needs it.
   * @default "1Ti"
   */
  capacity?: Quantity;
}

/** The Unraid media library, mounted read-only at `/mnt/media` in PMS and the workers. */
export interface MediaLibrary extends NfsMount {
  /**
   * Always read-only: the seed keeps NFS only for the Unraid library, "read-only bulk data".
   * @default true
   */
  readOnly?: true;
}

/** The Longhorn RWX claim mounted at `/mnt/streaming-media`. */
export interface StreamingMedia {
  /**
   * Size of the claim the chart creates.
   * @default "50Gi"
   */
  size?: Quantity;
  /**
   * Mount an existing RWX claim of the release namespace instead of creating one; `null` creates
   * `<fullname>-streaming-media`.
   * @default null
   */
  existingClaim?: string | null;
  /**
   * Longhorn recurring jobs of the claim the chart creates: the streaming library is state.
   * @default {"group": "streaming"}
   */
  backup?: VolumeBackup;
}

/**
 * The shared transcode directory `/transcode`: PMS and every worker write segments here, so it
 * must be ReadWriteMany (seed, "Transcode temp MUST be RWX shared volume").
 */
export interface Transcode {
  /**
   * Access mode of the claim. Only ReadWriteMany is accepted: an RWO claim would pin every worker
   * to PMS's node or leave them Pending.
   * @default "ReadWriteMany"
   */
  accessMode?: "ReadWriteMany";
  /**
   * StorageClass: Longhorn's RWX class (share-manager NFS), from charts/longhorn-config.
   * @default "longhorn-rwx"
   */
  storageClass?: "longhorn-rwx";
  /**
   * Size of the claim.
   * @default "20Gi"
   */
  size?: Quantity;
  /**
   * Longhorn recurring jobs of the claim: transcode segments are rewritten by every playback.
   * @default {"scratch": "transcode segments, rewritten by every playback"}
   */
  backup?: VolumeBackup;
}

/** Plex Media Server (a linuxserver/plex container with the ClusterPlex PMS docker mod). */
export interface Pms {
  /**
   * Plex's port (`PMS_PORT`).
   * @default 32400
   * @TJS-type integer
   * @minimum 1024
   * @maximum 65535
   */
  port?: number;
  /**
   * Port of ClusterPlex's Local Relay (`LOCAL_RELAY_PORT`). The relay is always on
   * (`LOCAL_RELAY_ENABLED=1`, seed): workers reach PMS through it instead of needing the pod CIDR
   * in Plex's "allowed without auth" list.
   * @default 32499
   * @TJS-type integer
   * @minimum 1024
   * @maximum 65535
   */
  relayPort?: number;
  /**
   * `TRANSCODE_OPERATING_MODE`: `local` (PMS only, no workers), `remote` (workers only), `both`
   * (workers first, PMS if they fail). With `workers.enabled: false` only `local` is accepted.
   * @default "both"
   */
  transcodeOperatingMode?: "local" | "remote" | "both";
  /**
   * `TRANSCODER_VERBOSE`: `"0"` info logging, `"1"` debug logging of the transcoder shim.
   * @default "0"
   */
  transcoderVerbose?: "0" | "1";
  /** The `/config` claim (Plex database and metadata): Longhorn RWO, kept on `helm uninstall`. */
  config?: {
    /** Size of the claim. @default "10Gi" */
    size?: Quantity;
    /** StorageClass. @default "longhorn" */
    storageClass?: "longhorn";
    /**
     * Longhorn recurring jobs of the claim: Plex's database is state (a rebuild takes hours).
     * @default {"group": "config"}
     */
    backup?: VolumeBackup;
  };
  /** Container resources; requests are required by the policy gate. */
  resources: Resources;
  /** Extra environment variables (e.g. `PLEX_CLAIM` for the first start). @default {} */
  env?: EnvMap;
}

/** The ClusterPlex orchestrator image; its tag is the chart's ClusterPlex version. */
export interface OrchestratorImage {
  /**
   * Image repository, without tag.
   * @default "ghcr.io/pabloromeo/clusterplex_orchestrator"
   * @pattern ^[a-z0-9]+([._/:-][a-z0-9]+)*$
   */
  repository?: string;
  /**
   * Digest that pins the exact image; `null` to unset.
   * @pattern ^sha256:[a-f0-9]{64}$
   * @default null
   */
  digest?: string | null;
  /** When the kubelet pulls the image. @default "IfNotPresent" */
  pullPolicy?: "Always" | "IfNotPresent" | "Never";
}

/** The stateless orchestrator: receives transcode jobs from PMS and picks a worker. */
export interface Orchestrator {
  /** Container image (tag = `clusterplexVersion`). */
  image?: OrchestratorImage;
  /**
   * `LISTENING_PORT`; exposed on a ClusterIP Service only (seed: "internal ClusterIP only").
   * @default 3500
   * @TJS-type integer
   * @minimum 1024
   * @maximum 65535
   */
  port?: number;
  /**
   * `WORKER_SELECTION_STRATEGY`: `LOAD_CPU` lowest CPU use, `LOAD_TASKS` fewest running tasks,
   * `RR` round-robin, `LOAD_RANK` CPU benchmark × free CPU (upstream's default). The seed chose
   * `LOAD_TASKS`: the workers share one GPU node, so CPU figures say little about GPU load.
   * @default "LOAD_TASKS"
   */
  workerSelectionStrategy?: "LOAD_CPU" | "LOAD_TASKS" | "RR" | "LOAD_RANK";
  /** Container resources; requests are required by the policy gate. */
  resources: Resources;
}

/** The transcode workers: a StatefulSet on the `gpu=true` nodes. */
export interface Workers {
  /**
   * Deploy the workers. Lint rejects `true` in an environment whose inventory has no node
   * labelled `gpu=true`; with `false`, `pms.transcodeOperatingMode` must be `local`.
   * @default true
   */
  enabled?: boolean;
  /**
   * Number of workers (seed: "2+ replicas").
   * @default 2
   * @minimum 2
   * @TJS-type integer
   */
  replicas?: number;
  /**
   * How strictly workers avoid each other (topology `kubernetes.io/hostname`). `soft`
   * (preferred, weight 100) spreads them when there are several GPU nodes and still schedules all
   * replicas on one; `hard` (required) puts at most one worker per node, so with fewer `gpu=true`
   * nodes than `replicas` the extra workers stay Pending — lint rejects that combination. Keeping
   * away from PMS is always soft.
   * @default "soft"
   */
  antiAffinity?: "soft" | "hard";
  /**
   * Worker's `LISTENING_PORT` (health and status endpoint the orchestrator polls).
   * @default 3501
   * @TJS-type integer
   * @minimum 1024
   * @maximum 65535
   */
  port?: number;
  /**
   * `FFMPEG_HWACCEL`: the ffmpeg `-hwaccel` decoder workers pass to the transcoder (upstream
   * docs: "such as nvdec or dxva2"; Linux methods from ffmpeg's HWAccelIntro). `null` leaves it
   * unset (software decoding).
   * @default null
   */
  ffmpegHwaccel?: "nvdec" | "cuda" | "vaapi" | "qsv" | "vdpau" | "vulkan" | "drm" | null;
  /**
   * `EAE_SUPPORT`: `"1"` uses EasyAudioEncoder on the workers, `"0"` does not (upstream default "1").
   * @default "1"
   */
  eaeSupport?: "0" | "1";
  /**
   * `STAT_CPU_INTERVAL`: milliseconds between the stats a worker sends to the orchestrator.
   * @default 10000
   * @minimum 1000
   * @TJS-type integer
   */
  cpuStatInterval?: number;
  /**
   * GPUs each worker requests as `nvidia.com/gpu` (request = limit, extended resources cannot
   * be overcommitted); `null` requests none. Each worker takes whole GPUs unless the device plugin
   * time-slices them.
   * @default null
   * @minimum 1
   * @TJS-type ["integer", "null"]
   */
  gpuCount?: number | null;
  /**
   * `runtimeClassName` of the worker pods (e.g. `nvidia` for the NVIDIA container runtime);
   * `null` for the cluster default.
   * @default null
   * @examples ["nvidia"]
   */
  runtimeClassName?: string | null;
  /** The per-worker `/codecs` volumeClaimTemplate (codec cache; Longhorn RWO, seed). */
  codecs?: {
    /** Size of each worker's claim. @default "1Gi" */
    size?: Quantity;
    /** StorageClass. @default "longhorn" */
    storageClass?: "longhorn";
  };
  /** Container resources; requests are required by the policy gate. */
  resources: Resources;
  /** Extra environment variables. @default {} */
  env?: EnvMap;
}

/** charts/clusterplex values. */
export interface Values {
  /** Replaces the chart name in resource names. @default null */
  nameOverride?: string | null;
  /** Replaces the full resource name prefix. @default null */
  fullnameOverride?: string | null;
  /**
   * The seed's active-passive storage placement of PMS and the orchestrator.
   * @default {"tolerationSeconds": 30}
   */
  placement?: StoragePlacement;
  /** PUID, PGID, UMASK and TZ of the linuxserver-style PMS and worker containers. */
  ids?: LinuxServerIds;
  /**
   * ClusterPlex version the PMS and worker docker mods and the orchestrator image are pinned to;
   * `null` uses the chart's appVersion (never `latest`: PMS, orchestrator and workers must speak
   * the same protocol version).
   * @default null
   * @pattern ^\d+\.\d+\.\d+$
   * @examples ["1.4.15"]
   */
  clusterplexVersion?: string | null;
  /** The linuxserver Plex image of PMS and the workers (the docker mods extend it at start). */
  plexImage: Image;
  /** The Unraid media library at `/mnt/media`. */
  media: MediaLibrary;
  /** Longhorn RWX claim at `/mnt/streaming-media`. */
  streamingMedia?: StreamingMedia;
  /** The shared `/transcode` claim (RWX only). */
  transcode?: Transcode;
  /** The DFS export at `/mnt/dfs`, over NFS from the active storage node. */
  dfs: Dfs;
  /** Plex Media Server. */
  pms: Pms;
  /** The orchestrator. */
  orchestrator: Orchestrator;
  /** The GPU transcode workers. */
  workers: Workers;
}
