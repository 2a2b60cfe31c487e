/**
 * Host packages per node role (Debian/Ubuntu hosts, installed with apt-get). The seed installed
 * `nfs-common open-iscsi` on the storage nodes only and `nfs-kernel-server` on w1 in a separate
 * section; here every role says what its pods need from the host and why.
 */
import type { ClusterNode, NodeRole } from "../../schema/cluster.ts";

/** One host package and why the node needs it. */
export interface HostPackage {
  /** Debian package name. */
  name: string;
  /** One line: what on this cluster uses it. */
  reason: string;
  /** Shell commands to run after installing it (e.g. enabling its daemon), with their reason. */
  after?: { run: string; reason: string }[];
}

/** What a role needs from the host: packages, and notes for what cannot be one apt-get line. */
export interface RoleRequirements {
  packages: HostPackage[];
  notes: string[];
}

const NFS_CLIENT: HostPackage = {
  name: "nfs-common",
  // kubelet runs mount(8) on the host for an `nfs:` volume, which needs mount.nfs; Longhorn RWX
  // volumes are NFSv4 mounts of the share-manager (Longhorn docs, "ReadWriteMany (RWX) Volume").
  reason: "NFS client (mount.nfs, showmount): kubelet mounts the Unraid media and DFS PVs and Longhorn RWX volumes (NFSv4) with the host's binary",
};

const ISCSI: HostPackage = {
  name: "open-iscsi",
  // Longhorn installation requirements: open-iscsi installed and iscsid running on every node
  // where volumes attach (the v1 data engine exposes the volume to the host over iSCSI).
  reason: "iSCSI initiator (iscsiadm): Longhorn attaches its volumes to the node that runs the pod over iSCSI",
  after: [{ run: "systemctl enable --now iscsid", reason: "Longhorn requires iscsid running, also after a reboot" }],
};

const NFS_SERVER: HostPackage = {
  name: "nfs-kernel-server",
  reason: "kernel NFS server: exports decypharr-streaming's DFS FUSE mount to the transcode workers (see the DFS export section)",
};

/** Requirements per role. The control plane needs nothing beyond k3s itself. */
export const ROLE_REQUIREMENTS: Record<NodeRole, RoleRequirements> = {
  "control-plane": {
    packages: [],
    notes: ["Nothing beyond k3s: the k3s binary bundles containerd, flannel and the control-plane components. Media workloads do not run here."],
  },
  storage: {
    packages: [NFS_CLIENT, ISCSI, NFS_SERVER],
    notes: [],
  },
  gpu: {
    // The workers (clusterplex) run here: /codecs is a Longhorn RWO volume, /transcode Longhorn
    // RWX, /mnt/media and DFS NFS PVs, so the node needs both the NFS and the iSCSI client.
    packages: [NFS_CLIENT, ISCSI],
    notes: ["GPU driver and device plugin: see the GPU section (per vendor, from the inventory's accelerator)."],
  },
  worker: {
    packages: [NFS_CLIENT, ISCSI],
    notes: [],
  },
};

/**
 * The packages of a node (union over its roles, in role order, each once) and the role notes. A
 * node labelled node.longhorn.io/csi=enabled attaches Longhorn volumes whatever its roles: it
 * needs the iSCSI and NFS clients (Longhorn installation requirements), cp1 included if labelled.
 */
export function nodeRequirements(node: Pick<ClusterNode, "roles"> & { labels?: Record<string, string> }): RoleRequirements {
  const packages: HostPackage[] = [];
  const notes: string[] = [];
  if (node.labels?.["node.longhorn.io/csi"] === "enabled") packages.push(NFS_CLIENT, ISCSI);
  for (const role of node.roles) {
    const req = ROLE_REQUIREMENTS[role];
    for (const p of req.packages) if (!packages.some((q) => q.name === p.name)) packages.push(p);
    for (const n of req.notes) if (!notes.includes(n)) notes.push(n);
  }
  // A node that is control plane AND something else gets that role's packages; the "nothing
  // beyond k3s" note only applies when there is nothing else.
  if (packages.length > 0) {
    const cpNote = ROLE_REQUIREMENTS["control-plane"].notes;
    return { packages, notes: notes.filter((n) => !cpNote.includes(n)) };
  }
  return { packages, notes };
}
