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
