/**
 * The DFS export: kernel NFS on a storage node serves decypharr-streaming's FUSE mount
 * (`nfs.dfs[nodeId].path`, /mnt/dfs) to the ClusterPlex workers, which mount it through an NFS
 * PV pointing at the storage node's IP. Generated from the inventory, with two corrections to the
 * seed's line `/mnt/dfs 10.0.0.0/8(ro,sync,no_subtree_check,no_root_squash)`:
 *
 * - `fsid=`: NFS identifies an exported file system by its UUID or the device number it lives on.
 *   A FUSE file system has neither, so exportfs refuses it with "requires fsid= for NFS export"
 *   (exports(5), fsid=; nfs-utils utils/exportfs/exportfs.c, validate_export).
 * - the client range: kubelet performs the NFS mount in the host's network namespace, so the
 *   server sees the NODE's IP. The range is the inventory's network.nodeCIDR, and every node IP
 *   must lie inside it (checked here, not assumed).
 *
 * The export line lives in its own file under /etc/exports.d/ (read by exportfs, exports(5)
 * "/etc/exports.d"), so re-running the steps replaces it instead of appending a duplicate, as the
 * seed's `echo ... >> /etc/exports` did. The path is the one the failover command
 * (tools/failover/host-steps.ts) uses.
 */
import type { Cluster } from "../../schema/cluster.ts";
import { ipInCidr } from "../lib/inventory.ts";
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
    { option: "mp", reason: `export only while the path is a mount point: when decypharr-streaming runs elsewhere, clients get "access denied" instead of the empty directory under the FUSE mount` },
    { option: `fsid=${fsid}`, reason: "a FUSE file system has no device number or UUID; without fsid= exportfs fails with \"requires fsid= for NFS export\" (exports(5))" },
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
      `values/${inv.name}/cluster.yaml: nfs.dfs has no export for node ${JSON.stringify(nodeId)} (exports: ${Object.keys(inv.nfs.dfs).join(", ") || "none"}). Fix: add nfs.dfs.${nodeId}: { path: /mnt/dfs, fsid: 1 } or use a node that has one`,
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

/** The host commands that start (enable) or stop (disable) the DFS export on `nodeId`. */
export function dfsHostBlock(inv: Cluster, nodeId: string, opts: { action: "enable" | "disable" }): CommandBlock {
  const target = hostTarget(inv, nodeId);
  const line = dfsExportLine(inv, nodeId);
  const { path } = inv.nfs.dfs[nodeId];
  const commands: Command[] =
    opts.action === "enable"
      ? [
          { run: "apt-get install -y nfs-kernel-server", reason: "kernel NFS server (once per node; a no-op when installed)" },
          { run: `mountpoint ${path}`, reason: `must say "is a mountpoint" once decypharr-streaming runs on ${target.node}; until then the mp option keeps ${path} unexported` },
          { run: "mkdir -p /etc/exports.d", reason: "exportfs reads every *.exports file here" },
          { run: `echo '${line}' > ${EXPORTS_FILE}`, reason: `read-only, node subnet ${inv.network.nodeCIDR} only, fsid for the FUSE mount; '>' so a re-run replaces the line` },
          { run: "systemctl enable --now nfs-kernel-server", reason: "start the server now and at boot" },
          { run: "exportfs -ra", reason: "re-read the exports files into the kernel's export table" },
          { run: "exportfs -v", reason: `lists ${path} with ${inv.network.nodeCIDR} and the options above` },
        ]
      : [
          { run: `rm -f ${EXPORTS_FILE}`, reason: "drop the DFS export line" },
          { run: "exportfs -ra", reason: "-r also withdraws exports whose line was removed (exportfs(8))" },
          { run: "exportfs -v", reason: `${path} is no longer listed` },
        ];
  return {
    kind: "commands",
    target,
    title: opts.action === "enable"
      ? `Export ${path} from ${target.node} (${target.ip}) to the node subnet ${inv.network.nodeCIDR}`
      : `Stop exporting ${path} from ${target.node} (${target.ip})`,
    commands,
  };
}

/**
 * Markdown host steps for one storage node: enable or disable its DFS export. The failover
 * command (`npm run failover -- --env <env> --dfs-server <node>`) prints these for the new server
 * (enable) and the previous one (disable).
 */
export function dfsHostSteps(inventory: Cluster, nodeId: string, opts: { action: "enable" | "disable" }): string {
  return renderCommandBlock(dfsHostBlock(inventory, nodeId, opts));
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
      `Failover is a values change instead: \`npm run failover -- --env ${inv.name} --dfs-server <node id>\` sets dfs.server in values/${inv.name}/clusterplex.yaml, so Flux creates a new PV/PVC pair for that node, and prints the host steps (the export on the new server, its removal on the old one).` +
      (Object.keys(inv.nfs.dfs).length < 2 ? ` ${inv.name} has a single DFS export (${Object.keys(inv.nfs.dfs).join(", ") || "none"}), so there is no node to fail over to.` : ""),
    "- **The seed appended to /etc/exports with `echo >>`**, so every re-run added a duplicate line. The line lives in its own file under /etc/exports.d/ and is written with `>`.",
  ];
}
