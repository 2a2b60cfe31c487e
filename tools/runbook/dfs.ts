/**
 * The DFS on the storage nodes, generated from the inventory (docs/decisions.md#dfs-data-path and
 * #dfs-export):
 *
 * - the stable parent directory (`DATA_PATHS.dfsParent`) on a `shared` mount: decypharr-streaming
 *   binds it with Bidirectional and mounts its FUSE filesystem below it; containerd refuses
 *   Bidirectional unless the source is on a shared mount, HostToContainer needs shared or slave
 *   (containerd CRI opts spec_linux.go ensureShared/ensureSharedOrSlave). Checked with
 *   `findmnt -o TARGET,PROPAGATION`.
 * - kernel NFS exporting the FUSE mount point, with two corrections to the seed's line
 *   `/mnt/dfs 10.0.0.0/8(ro,sync,no_subtree_check,no_root_squash)`: `fsid=` (a FUSE file system has
 *   no UUID or device number, exportfs refuses it without one: exports(5), fsid=) and the node
 *   subnet as client range (kubelet mounts NFS from the node's own IP).
 * - keepalived (tools/runbook/keepalived.ts): the export address follows the live mount.
 *
 * The export line lives in its own file under /etc/exports.d/ (exports(5) "/etc/exports.d"), so
 * re-running the steps replaces it instead of appending a duplicate, as the seed's `echo >>` did.
 */
import type { Cluster } from "../../schema/cluster.ts";
import { ipInCidr } from "../lib/inventory.ts";
import { DATA_PATHS } from "../lint/datapath.ts";
import type { Command, CommandBlock, Target } from "./types.ts";

/** File holding the DFS export line on a storage node. */
export const EXPORTS_FILE = "/etc/exports.d/clusterplex-dfs.exports";

/** The seed's export line (ARCHITECTURE-DECISIONS.md, ClusterPlex "Host Setup"), for the explanation. */
export const SEED_EXPORT_LINE = "/mnt/dfs 10.0.0.0/8(ro,sync,no_subtree_check,no_root_squash)";
/** The seed's client range. */
export const SEED_CLIENT_RANGE = "10.0.0.0/8";

/** One export option and why it is there (exports(5)). */
export interface ExportOption {
  option: string;
  reason: string;
}

/** The export options, in the order written, fsid last (it is per node). */
export function exportOptions(fsid: number): ExportOption[] {
  return [
    { option: "ro", reason: "the workers only read the DFS; nothing may write through NFS into the debrid FUSE mount" },
    { option: "sync", reason: "the server replies only after a change is stable (the exportfs default, written out; moot for a read-only export)" },
    { option: "no_subtree_check", reason: "no per-request check that a file is inside the exported subtree: the export is a whole mount, and subtree checks break on renames" },
    {
      option: "root_squash",
      // Decision: the seed had no_root_squash "for k8s mount". Squashing applies to file access
      // by uid 0, not to the mount: kubelet mounts as root either way. The readers (PMS, workers)
      // run as PUID 1000 (linuxserver images), so nothing needs root on this read-only export,
      // and without squash any root process on any host of the node subnet reads as root.
      reason: "requests from uid 0 are mapped to nobody. The seed's no_root_squash is dropped: it is not needed to mount (kubelet mounts as root either way; squashing only maps file access), the readers run as PUID 1000, and it would let root on any host of the subnet read as root",
    },
    { option: "secure", reason: "requests only from source ports below 1024 (the exportfs default, written out): kubelet's kernel NFS client uses a reserved port" },
    { option: "mp", reason: `export only while the path is a mount point: on a node without decypharr-streaming (or after its preStop unmount) clients get an error instead of the empty directory below the FUSE mount (exports(5), mp)` },
    { option: `fsid=${fsid}`, reason: "a FUSE file system has no device number or UUID; without fsid= exportfs fails with \"requires fsid= for NFS export\" (exports(5)). The same fsid on every storage node, so the export's root file handle stays valid when the address moves (the FUSE root is always inode 1)" },
  ];
}

/**
 * Node IPs outside network.nodeCIDR. The export's client range is nodeCIDR, so each of these
 * nodes would be refused when its kubelet mounts the DFS.
 */
export function nodesOutsideClientRange(inv: Cluster): { nodeId: string; name: string; ip: string }[] {
  return Object.entries(inv.nodes)
    .filter(([, n]) => !ipInCidr(n.ip, inv.network.nodeCIDR))
    .map(([nodeId, n]) => ({ nodeId, name: n.name, ip: n.ip }));
}

/** The /etc/exports line for the DFS export on `nodeId`. Throws when the range misses a node. */
export function dfsExportLine(inv: Cluster, nodeId: string): string {
  const exp = inv.nfs.dfs[nodeId];
  if (!exp) {
    throw new Error(
      `values/${inv.name}/cluster.yaml: nfs.dfs has no export for node ${JSON.stringify(nodeId)} (exports: ${Object.keys(inv.nfs.dfs).join(", ") || "none"}). Fix: add nfs.dfs.${nodeId}: { path: ${DATA_PATHS.dfsRoot}, fsid: 1 } or use a node that has one`,
    );
  }
  const outside = nodesOutsideClientRange(inv);
  if (outside.length > 0) {
    const list = outside.map((n) => `${n.name} ${n.ip}`).join(", ");
    throw new Error(
      `values/${inv.name}/cluster.yaml: network.nodeCIDR ${inv.network.nodeCIDR} is the DFS export's client range, but ${list} ${outside.length === 1 ? "is" : "are"} outside it, so kubelet there could not mount the DFS. Fix: correct the node IPs or network.nodeCIDR`,
    );
  }
  return `${exp.path} ${inv.network.nodeCIDR}(${exportOptions(exp.fsid).map((o) => o.option).join(",")})`;
}

function hostTarget(inv: Cluster, nodeId: string): Extract<Target, { kind: "host" }> {
  const node = inv.nodes[nodeId];
  if (!node) throw new Error(`values/${inv.name}/cluster.yaml: no node ${JSON.stringify(nodeId)} under nodes (${Object.keys(inv.nodes).join(", ")}). Fix: use a node id`);
  return { kind: "host", nodeId, node: node.name, ip: node.ip };
}

/** The fstab line that makes the parent a shared bind mount of itself (mount(8): propagation flags in fstab). */
export function parentFstabLine(): string {
  return `${DATA_PATHS.dfsParent} ${DATA_PATHS.dfsParent} none bind,rshared 0 0`;
}

/** The parent directory on a shared mount: once per storage node. */
export function dfsParentBlock(inv: Cluster, nodeId: string): CommandBlock {
  const target = hostTarget(inv, nodeId);
  const dir = DATA_PATHS.dfsParent;
  return {
    kind: "commands",
    target,
    title: `The DFS parent directory ${dir} on ${target.node}, on a shared mount`,
    commands: [
      { run: `mkdir -p ${dir}`, reason: "a plain directory: the pods' hostPath type Directory checks it, never the FUSE mount below it" },
      { run: `grep -qs '^${dir} ' /etc/fstab || echo '${parentFstabLine()}' >> /etc/fstab`, reason: "bind the directory onto itself as rshared at every boot, whatever the propagation of / (mount(8): propagation flags are accepted in fstab); a re-run adds nothing" },
      { run: `mountpoint -q ${dir} || mount ${dir}`, reason: "apply it now" },
      { run: `findmnt -o TARGET,PROPAGATION --target ${dir}`, reason: `must say ${dir} shared: containerd refuses Bidirectional otherwise, and HostToContainer consumers would never see the FUSE mount` },
    ],
  };
}

/** Kernel NFS exporting the FUSE mount point: once per storage node (the address decides who serves). */
export function dfsExportBlock(inv: Cluster, nodeId: string): CommandBlock {
  const target = hostTarget(inv, nodeId);
  const line = dfsExportLine(inv, nodeId);
  const { path } = inv.nfs.dfs[nodeId];
  return {
    kind: "commands",
    target,
    title: `Export ${path} from ${target.node} to the node subnet ${inv.network.nodeCIDR}`,
    commands: [
      { run: "apt-get install -y nfs-kernel-server", reason: "kernel NFS server (a no-op when installed)" },
      { run: "mkdir -p /etc/exports.d", reason: "exportfs reads every *.exports file here" },
      { run: `echo '${line}' > ${EXPORTS_FILE}`, reason: `read-only, node subnet only, mp and fsid for the FUSE mount; '>' so a re-run replaces the line` },
      { run: "systemctl enable --now nfs-kernel-server", reason: "start the server now and at boot; with mp it exports nothing until the FUSE mount exists" },
      { run: "exportfs -ra", reason: "re-read the exports files into the kernel's export table" },
      { run: "exportfs -v", reason: `lists ${path} with ${inv.network.nodeCIDR} and the options above` },
    ],
  };
}

/** Markdown for one command block: a line naming where it runs, then a bash fence. */
export function renderCommandBlock(block: CommandBlock): string {
  const where = block.target.kind === "kubectl"
    ? "From a workstation whose kubectl talks to the cluster:"
    : `On the host of **${block.target.node}** (${block.target.ip}), as root:`;
  const head = block.title ? `${block.title}. ${where}` : where;
  const body = block.commands.flatMap((c) => (c.reason ? [`# ${c.reason}`, c.run] : [c.run]));
  return `${head}\n\n\`\`\`bash\n${body.join("\n")}\n\`\`\`\n`;
}

/** Facts about the seed's client range on this environment, computed from the inventory. */
export function seedRangeFacts(inv: Cluster) {
  const nodes = Object.values(inv.nodes);
  return {
    nodesInside: nodes.filter((n) => ipInCidr(n.ip, SEED_CLIENT_RANGE)),
    nodesOutside: nodes.filter((n) => !ipInCidr(n.ip, SEED_CLIENT_RANGE)),
    podCidrInside: cidrWithin(inv.network.podCIDR, SEED_CLIENT_RANGE),
    serviceCidrInside: cidrWithin(inv.network.serviceCIDR, SEED_CLIENT_RANGE),
  };
}

/** Whether every address of CIDR `inner` lies in CIDR `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [base, bits] = inner.split("/");
  return Number(bits) >= Number(outer.split("/")[1]) && ipInCidr(base, outer);
}

/** Markdown paragraphs: why the seed's export line and PV patch are wrong on this environment. */
export function seedCorrections(inv: Cluster): string[] {
  const f = seedRangeFacts(inv);
  const nets = [f.podCidrInside && `the pod network ${inv.network.podCIDR}`, f.serviceCidrInside && `the Service network ${inv.network.serviceCIDR}`].filter(Boolean).join(" and ");
  const covers = nets ? `it covers ${nets}, which never mount anything` : "it is not this cluster's node subnet";
  let range: string;
  if (f.nodesOutside.length === 0) {
    range = `On ${inv.name} the node IPs (${inv.network.nodeCIDR}) happen to lie inside 10.0.0.0/8, but ${covers}, and every other 10.x host with it: far wider than the nodes that mount.`;
  } else {
    const outside = f.nodesOutside.map((n) => `${n.name} ${n.ip}`).join(", ");
    range = `On ${inv.name} ${covers}, while the nodes are in ${inv.network.nodeCIDR}: ${outside} ${f.nodesOutside.length === 1 ? "is" : "are"} outside 10.0.0.0/8, so the server refuses their kubelets' mounts ("access denied by server").`;
  }
  return [
    `- **The seed's export line \`${SEED_EXPORT_LINE}\` is wrong on both counts.** (1) It has no \`fsid=\`: /mnt/dfs is a FUSE mount with no device number or UUID, so \`exportfs -ra\` fails with "exportfs: /mnt/dfs requires fsid= for NFS export" (exports(5), fsid=). (2) Its client range is the wrong network: kubelet mounts NFS from the node's own IP, not from the pod network. ${range} The export this runbook writes allows exactly network.nodeCIDR ${inv.network.nodeCIDR}, which contains every node IP of the inventory.`,
    "- **The seed kept `no_root_squash` \"for k8s mount\"; this runbook uses `root_squash`.** Squashing maps file access by uid 0 to nobody; it does not affect the mount, which kubelet performs as root in any case. The readers (PMS and the workers) run as PUID 1000, so nothing needs root on this read-only export, and without squashing any root process on any host of the subnet reads every file as root.",
    "- **The seed's failover step `kubectl patch pv clusterplex-dfs-nfs-pv -p '{\"spec\":{\"nfs\":{\"server\":\"192.168.1.22\"}}}'` cannot work:** the API server rejects it with \"spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\" (a PV's volume source is immutable; Kubernetes pkg/apis/core/validation, ValidatePersistentVolumeUpdate). " +
      `The PV never changes instead: it names the DFS export address ${inv.nfs.dfsExport?.address ?? "(nfs.dfsExport)"}, which keepalived moves to the storage node where the FUSE mount is live, so failover and failback need no step (the manual \`npm run failover\` is gone).`,
    "- **The seed appended to /etc/exports with `echo >>`**, so every re-run added a duplicate line. The line lives in its own file under /etc/exports.d/ and is written with `>`.",
  ];
}
