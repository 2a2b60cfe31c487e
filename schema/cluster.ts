/**
 * The environment's node inventory: `values/<env>/cluster.yaml`. It is the one source of node
 * facts (names, IPs, labels, taints, roles, networks). Chart values refer to nodes by their id
 * (`w1`) or role; anything that repeats a node fact is cross-checked against this file by lint.
 */
import type { AbsolutePath, IPv4 } from "./common.ts";

/**
 * An IPv4 CIDR block.
 * @pattern ^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$
 * @examples ["192.168.1.0/24"]
 */
export type CIDR = string;

/** What a node is for. A node may have several roles (staging's single node has all it needs). */
export type NodeRole = "control-plane" | "storage" | "gpu" | "worker";

/** A node taint, as in the Node spec. */
export interface Taint {
  /** Taint key. @examples ["node.longhorn.io/storage"] */
  key: string;
  /** Taint value. */
  value?: string;
  /** Taint effect. */
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One node of the cluster. */
export interface ClusterNode {
  /**
   * The node's name in Kubernetes (`kubectl get nodes`).
   * @pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$
   * @examples ["k3s-w1"]
   */
  name: string;
  /** Roles of the node. @minItems 1 */
  roles: NodeRole[];
  /** The node's InternalIP; kubelet mounts NFS from this address. */
  ip: IPv4;
  /** Labels the operator sets (not those Kubernetes adds by itself). */
  labels: { [key: string]: string };
  /** Taints the operator sets. */
  taints: Taint[];
  /** The node has a GPU for transcoding (it then carries `gpu=true`). @default false */
  gpu?: boolean;
  /**
   * A TCP port on the host that the fencing job's life-sign probe tries (with kubelet's port and
   * Longhorn's instance-manager): an answer or a refusal proves the node's kernel runs. sshd's 22
   * by default. charts/ha-jobs `fencing.lifeSigns.nodePorts` must agree (lint).
   * @default 22
   * @TJS-type integer
   * @minimum 1
   * @maximum 65535
   */
  lifeSignPort?: number;
  /**
   * What the GPU is and how it reaches pods, on a node with `gpu: true` (docs/decisions.md#gpu-transcoding).
   * Absent or `vendor: unknown`: lint and the runbook name the missing fact and how to find it.
   */
  accelerator?: Accelerator;
}

/** GPU vendors ClusterPlex workers can transcode with. */
export type GpuVendor = "intel" | "nvidia" | "amd";

/**
 * Extended resource a GPU device plugin advertises: Intel's GPU plugin `gpu.intel.com/i915`
 * (intel/intel-device-plugins-for-kubernetes), NVIDIA's `nvidia.com/gpu` (NVIDIA/k8s-device-plugin),
 * AMD's `amd.com/gpu` (ROCm/k8s-device-plugin).
 */
export type GpuResource = "gpu.intel.com/i915" | "nvidia.com/gpu" | "amd.com/gpu";

/** The GPU reaches pods through a device plugin: pods request its extended resource. */
export interface DevicePluginAccess {
  /** Access mode. */
  kind: "device-plugin";
  /** The resource the plugin advertises in the node's capacity/allocatable. */
  resource: GpuResource;
  /**
   * How many of the resource the node advertises: 1 for one GPU, more when the plugin shares it
   * (Intel `sharedDevNum`, NVIDIA time-slicing `replicas`). Workers together may not request more
   * (lint), and `npm run preflight` compares it with the node's allocatable.
   * @TJS-type integer
   * @minimum 1
   */
  shares: number;
}

/**
 * No device plugin: the worker mounts the host's `/dev/dri` (hostPath) and joins the group that
 * owns the render node. Intel and AMD only (VA-API); the container must be privileged for the
 * device cgroup to admit the device, which the policy gate must allow.
 */
export interface DriAccess {
  /** Access mode. */
  kind: "dri";
  /**
   * GID of the group owning `/dev/dri/renderD128` on the host (`stat -c %g /dev/dri/renderD128`;
   * `render`, often 104 to 110 on Debian/Ubuntu), added to the worker's supplementalGroups.
   * @TJS-type integer
   * @minimum 1
   */
  renderGroup: number;
}

/** A GPU node's accelerator. */
export interface Accelerator {
  /**
   * The GPU's vendor, from `lspci -nn | grep -Ei 'vga|3d|display'` on the node (PCI vendor id
   * 8086 Intel, 10de NVIDIA, 1002 AMD). `unknown` until someone looks: lint warns and the runbook
   * prints that command.
   */
  vendor: GpuVendor | "unknown";
  /** How the GPU reaches pods; required once the vendor is known. */
  access?: DevicePluginAccess | DriAccess;
  /**
   * RuntimeClass of the pods that use the GPU: `nvidia` for NVIDIA (the NVIDIA container runtime
   * that k3s registers when nvidia-container-toolkit is installed), `null` otherwise.
   * @default null
   */
  runtimeClassName?: string | null;
}

/** The DFS export a storage node serves over kernel NFS to the transcode workers. */
export interface DfsExport {
  /** Exported path on the storage node's host (the FUSE mount propagated by decypharr-streaming). @default "/mnt/dfs" */
  path: AbsolutePath;
  /**
   * `fsid=` of the export. A FUSE file system has no stable device number, so kernel NFS refuses
   * to export it without an explicit fsid (exports(5)).
   * @TJS-type integer
   * @minimum 1
   */
  fsid: number;
}

/** The DFS export address and its VRRP instance (the runbook generates keepalived's config). */
export interface DfsExportAddress {
  /** The virtual IP: in network.nodeCIDR, outside the MetalLB pool, no node's IP. */
  address: IPv4;
  /**
   * VRRP virtual router id, unique on the LAN segment (keepalived.conf(5), virtual_router_id).
   * @TJS-type integer
   * @minimum 1
   * @maximum 255
   */
  virtualRouterId: number;
}

/** The environment's inventory. */
export interface Cluster {
  /** Environment name; equals the directory name under values/ and clusters/. @pattern ^[a-z0-9-]+$ */
  name: string;
  /** Kubernetes version of the cluster (k3s), used as helm's `--kube-version`. @pattern ^v1\.\d+\.\d+$ */
  kubernetesVersion: string;
  /** Nodes by id (`cp1`, `w1`, ...). Values and commands refer to nodes by these ids. */
  nodes: { [id: string]: ClusterNode };
  /** Active-passive storage pair. */
  storage: {
    /** Node id of the primary storage node (labelled `node.longhorn.io/primary=true`). */
    primary: string;
    /** Node id of the backup storage node; absent on a single-storage-node environment. */
    backup?: string;
  };
  /** Traefik as this cluster runs it. */
  traefik: {
    /** Entrypoint names this cluster's Traefik declares. @minItems 1 @examples [["http", "https"]] */
    entrypoints: string[];
  };
  /** NFS servers and exports. */
  nfs: {
    /** The Unraid server holding the media library (read-only bulk data). */
    unraid: {
      /** Address of the Unraid server. */
      server: IPv4;
      /** Exports by purpose. */
      exports: {
        /** The media library. @examples ["/mnt/user/media"] */
        media: AbsolutePath;
        /**
         * The share Longhorn's backup target writes to (`nfs://<server>:<path>`, Longhorn docs
         * "Setting a Backup Target": NFS) and the k3s datastore backups are copied to: off the
         * storage nodes, so a backup does not fail together with the replicas. Export it to the
         * node subnet, read-write (`npm run runbook` prints the steps).
         * @examples ["/mnt/user/backups"]
         */
        backups?: AbsolutePath;
      };
    };
    /** The DFS export per storage node id. */
    dfs: { [nodeId: string]: DfsExport };
    /**
     * The DFS export address: a virtual IP (keepalived, VRRP) on the storage nodes that follows
     * decypharr-streaming's live FUSE mount and nfsd; the DFS PersistentVolume names it
     * (docs/decisions.md#dfs-export). Required when `dfs` declares exports (the runbook and lint
     * say so).
     */
    dfsExport?: DfsExportAddress;
  };
  /**
   * The k3s datastore of the control plane (what every failover mechanism depends on), so the
   * runbook can give the right backup and restore: `sqlite` (k3s' default for a single server,
   * `/var/lib/rancher/k3s/server/db/state.db`) or `etcd` (embedded etcd, started with
   * `--cluster-init`; snapshots with `k3s etcd-snapshot`). Absent: `preflight` warns, the runbook
   * prints both.
   */
  datastore?: Datastore;
  /** MetalLB's address pool for LoadBalancer Services. */
  metallb: {
    /** Address ranges (`a.b.c.d-a.b.c.e` or CIDR). @minItems 1 */
    addresses: string[];
  };
  /** Networks of the cluster. */
  network: {
    /** The subnet the nodes' IPs are in; NFS exports must allow this range. */
    nodeCIDR: CIDR;
    /** The pod network; kubelet never mounts NFS from here. @default "10.42.0.0/16" */
    podCIDR: CIDR;
    /** The Service network. @default "10.43.0.0/16" */
    serviceCIDR: CIDR;
  };
}

/** The k3s datastore and how it is backed up to the NAS (`nfs.unraid.exports.backups`). */
export interface Datastore {
  /** `sqlite` (kine, the k3s default for one server) or `etcd` (embedded etcd). */
  kind: "sqlite" | "etcd";
  /**
   * When the backup runs on the control-plane node (cron, node's local time). k3s' own default
   * etcd snapshot schedule is `0 *\/12 * * *`.
   * @pattern ^(\S+\s+){4}\S+$
   * @default "0 *\/12 * * *"
   */
  schedule?: string;
  /**
   * Backups kept on the NAS (k3s `--etcd-snapshot-retention` for etcd; the copy script's
   * rotation for sqlite).
   * @TJS-type integer
   * @minimum 1
   * @default 14
   */
  retain?: number;
}
