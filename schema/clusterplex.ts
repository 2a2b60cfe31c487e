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
 * The DFS export mounted read-only in PMS and every worker: one statically provisioned
 * PersistentVolume + PersistentVolumeClaim `<fullname>-dfs` that never changes. Its address is the
 * DFS export address of the inventory (`nfs.dfsExport.address`, a keepalived virtual IP on the
 * storage nodes that follows decypharr-streaming's live FUSE mount and nfsd; lint compares).
 * The seed's `kubectl patch pv` failover is rejected by the API server (a PV's source is
 * immutable), and no failover step is needed any more: the address moves, not the PV.
 */
export interface Dfs {
  /**
   * The DFS export address (`nfs.dfsExport.address` of values/<env>/cluster.yaml); `null` mounts
   * no DFS at all.
   * @default null
   */
  address: IPv4 | null;
  /**
   * Exported path: Decypharr's FUSE mount point on the storage nodes (`nfs.dfs.<id>.path`).
   * @default "/mnt/decypharr/dfs"
   */
  path: AbsolutePath;
  /**
   * Where the DFS is mounted in PMS and the workers: the same path as in Decypharr and the *arr
   * apps, so Decypharr's symlinks resolve (the data-path lint compares).
   * @default "/mnt/decypharr/dfs"
   */
  mountPath: AbsolutePath;
  /**
   * NFS mount options of the PV (nfs(5)). `nfsvers=4.2`: NFSv4.1+ sessions reconnect from a new
   * source port after the address moves. `soft` with `timeo=150,retrans=3`: a read fails only
   * after 15+30+45+60 = 150 s (TCP linear backoff), longer than Decypharr's own 120 s read timeout
   * on a slow debrid CDN; the seed's `timeo=10,retrans=2` gave up after 6 s. `actimeo=1`: Decypharr
   * sets a 1 s FUSE entry timeout, so new files appear within a second; the seed's `noac` added
   * an attribute round trip to every read. Reasoning in docs/decisions.md#dfs-export.
   * @default ["nfsvers=4.2", "soft", "timeo=150", "retrans=3", "actimeo=1"]
   * @minItems 1
   */
  mountOptions: string[];
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

/** The streaming library decypharr owns (kept on uninstall), mounted read-only here. */
export interface LibraryMount {
  /** The claim decypharr creates (`<decypharr fullname>-library`). @default "decypharr-library" */
  claimName: string;
  /** Where it is mounted: the same path as in the writers. @default "/mnt/streaming-media" */
  mountPath: AbsolutePath;
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
  /**
   * PMS on the LAN: a LoadBalancer Service `<fullname>-pms-lan` with this fixed address from the
   * inventory's MetalLB pool (annotation `metallb.io/loadBalancerIPs`; lint checks it is in the
   * pool and used once per environment). `null` for no LAN Service.
   * @default null
   */
  lanAddress?: IPv4 | null;
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

/** A toleration of the worker pods. */
export interface WorkerToleration {
  /** Taint key; empty with `Exists` tolerates everything (rejected by lint). */
  key: string;
  /** `Equal` (default) or `Exists`. @default "Equal" */
  operator?: "Equal" | "Exists";
  /** Taint value (with `Equal`). */
  value?: string;
  /** Taint effect; absent tolerates every effect. */
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/**
 * The GPU of the workers, per vendor (docs/decisions.md#gpu-transcoding). Repeats the GPU node's
 * `accelerator` of values/<env>/cluster.yaml on purpose (helm cannot read the inventory); lint
 * fails when they differ.
 */
export interface WorkerGpu {
  /**
   * GPU vendor: `intel`, `nvidia`, `amd`; `null` transcodes in software.
   * @default null
   */
  vendor?: "intel" | "nvidia" | "amd" | null;
  /**
   * How the GPU reaches the worker: `device-plugin` requests the vendor's extended resource
   * (`gpu.intel.com/i915`, `nvidia.com/gpu`, `amd.com/gpu`; request = limit); `dri` mounts the
   * host's `/dev/dri` into a privileged container (Intel/AMD without a plugin; the policy gate must
   * allowlist it).
   * @default "device-plugin"
   */
  access?: "device-plugin" | "dri";
  /**
   * Units of the resource each worker requests (`device-plugin`). The workers together must fit
   * the node's `accelerator.access.shares` (lint).
   * @default 1
   * @minimum 1
   * @TJS-type integer
   */
  count?: number;
  /**
   * GID of the host group owning `/dev/dri/renderD128`, added to the pods' supplementalGroups so
   * the worker's user can open the render node. Required for `dri`; for Intel/AMD plugins
   * (which pass the device node with the host's ownership) recommended. `null` adds none.
   * @default null
   * @TJS-type ["integer", "null"]
   * @minimum 1
   */
  renderGroup?: number | null;
  /**
   * RuntimeClass of the worker pods; NVIDIA needs the `nvidia` runtime (nvidia-container-toolkit)
   * so the driver libraries and the device reach the container. `null` for the cluster default.
   * @default null
   * @examples ["nvidia"]
   */
  runtimeClassName?: string | null;
  /**
   * `NVIDIA_DRIVER_CAPABILITIES` (NVIDIA only): the driver libraries the NVIDIA runtime mounts.
   * `video` (NVENC/NVDEC) is required for transcoding; the runtime's default is `compute,utility`
   * only (NVIDIA container toolkit docs, "Driver Capabilities"). Lint rejects a value without it.
   * @default "compute,video,utility"
   */
  driverCapabilities?: string;
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
   * `FFMPEG_HWACCEL`: the ffmpeg `-hwaccel` decoder the worker puts into the transcoder command PMS
   * sent (ClusterPlex worker/app/worker.js replaces or prepends `-hwaccel <value>`; docs/README.md:
   * "such as nvdec or dxva2"; Linux methods from ffmpeg's HWAccelIntro). It selects the DECODER
   * only: the encoder is in PMS's arguments, so hardware encoding also needs PMS's hardware
   * transcoding setting (docs/decisions.md#gpu-transcoding). Must suit `gpu.vendor` (lint):
   * `nvdec`/`cuda` for NVIDIA, `vaapi`/`qsv` for Intel, `vaapi` for AMD. `null` leaves it unset
   * (software decoding).
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
  /** The GPU each worker uses; must agree with the GPU node's `accelerator` in the inventory (lint). */
  gpu?: WorkerGpu;
  /**
   * Extra tolerations of the worker pods, for a tainted GPU node (e.g. `nvidia.com/gpu:NoSchedule`
   * that GPU operators put on their nodes). The workers already select `gpu=true` nodes.
   * @default []
   */
  tolerations?: WorkerToleration[];
  /**
   * Extra nodeSelector of the worker pods (e.g. `nvidia.com/gpu.present: "true"` of NVIDIA's GPU
   * feature discovery), on top of the required `gpu=true` node affinity.
   * @default {}
   */
  nodeSelector?: { [key: string]: string };
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
  /** The streaming library (decypharr's claim), read-only. */
  library: LibraryMount;
  /** The shared `/transcode` claim (RWX only). */
  transcode?: Transcode;
  /** The DFS export, over NFS from the export address that follows Decypharr. */
  dfs: Dfs;
  /**
   * Pod labels of decypharr-streaming: PMS prefers its node (preferred pod affinity, weight 100),
   * so PMS reads the DFS locally through the export address in normal operation.
   * @default {"app.kubernetes.io/name": "decypharr", "app.kubernetes.io/component": "streaming"}
   */
  dfsProducerSelector?: { [label: string]: string };
  /** Plex Media Server. */
  pms: Pms;
  /** The orchestrator. */
  orchestrator: Orchestrator;
  /** The GPU transcode workers. */
  workers: Workers;
}
