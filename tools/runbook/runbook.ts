/**
 * The node setup runbook, generated from the environment's inventory. It replaces the seed's
 * hand-written "Node Setup Runbook" and ClusterPlex "Host Setup" (ARCHITECTURE-DECISIONS.md):
 * host packages per role, label and taint commands per node, the DFS NFS export, and the
 * commands that verify the result. Pure: buildRunbook returns data, renderRunbook the Markdown.
 */
import { MANUAL_STEPS } from "../lib/manual-steps.ts";
import type { Cluster, ClusterNode } from "../../schema/cluster.ts";
import { backupsSection, drainSection } from "./backups.ts";
import { dfsExportBlock, dfsParentBlock, exportOptions, renderCommandBlock, seedCorrections } from "./dfs.ts";
import { exportAddress, KEEPALIVED, keepalivedBlock, RELEASE_SECONDS, TAKEOVER_SECONDS } from "./keepalived.ts";
import { DATA_PATHS } from "../lint/datapath.ts";
import { labelCommand, taintCommand } from "./kubectl.ts";
import { nodeRequirements, ROLE_REQUIREMENTS } from "./packages.ts";
import { gpuSection, longhornSection } from "./longhorn-gpu.ts";
import type { Block, Command, CommandBlock, LocatedCommand, Runbook, Section, Target } from "./types.ts";

const KUBECTL: Target = { kind: "kubectl" };

function host(id: string, n: ClusterNode): Target {
  return { kind: "host", nodeId: id, node: n.name, ip: n.ip };
}

const text = (markdown: string): Block => ({ kind: "text", markdown });

function describeNode(id: string, n: ClusterNode): string {
  return `${n.name} (${id}: ${n.roles.join(", ")})`;
}

function nodesSection(inv: Cluster): Section {
  const rows = Object.entries(inv.nodes).map(([id, n]) => {
    const storage = inv.storage.primary === id ? "primary" : inv.storage.backup === id ? "backup" : "";
    return `| ${id} | ${n.name} | ${n.ip} | ${n.roles.join(", ")} | ${storage} | ${n.gpu ? "yes" : ""} |`;
  });
  return {
    id: "nodes",
    title: "Nodes",
    blocks: [
      text(["| id | node | IP | roles | storage | GPU |", "|---|---|---|---|---|---|", ...rows].join("\n")),
      text(`Node subnet ${inv.network.nodeCIDR}, pod network ${inv.network.podCIDR}, Service network ${inv.network.serviceCIDR}.`),
    ],
  };
}

/**
 * The k3s server flags this design needs: k3s bundles Traefik (a HelmChart of its own), ServiceLB
 * (klipper-lb) and the local-path provisioner with a default StorageClass `local-path`; they would
 * fight the Traefik release (both claim ports 80/443 and the IngressClass), MetalLB (both answer
 * LoadBalancer Services) and Longhorn's default class (two default StorageClasses: a PVC without a
 * class gets whichever the admission plugin picks). k3s docs "Packaged Components" and
 * "Server Configuration" (`--disable traefik,servicelb,local-storage`).
 */
export const K3S_DISABLE = ["traefik", "servicelb", "local-storage"] as const;

function k3sSection(inv: Cluster): Section {
  const servers = Object.entries(inv.nodes).filter(([, n]) => n.roles.includes("control-plane"));
  const blocks: Block[] = [
    text(
      "k3s's packaged Traefik, ServiceLB and local-path storage must be off: this repository installs Traefik and MetalLB through Flux, and " +
        "Longhorn's class is the default StorageClass (two defaults would both claim class-less PVCs). `npm run preflight` detects them in a " +
        "`kubectl get` dump. Source: docs.k3s.io \"Packaged Components\" (--disable), \"Networking Services\" (ServiceLB, Traefik).",
    ),
  ];
  for (const [id, n] of servers) {
    blocks.push({
      kind: "commands",
      target: host(id, n),
      title: `k3s server on ${describeNode(id, n)}`,
      commands: [
        { run: `curl -sfL https://get.k3s.io | INSTALL_K3S_EXEC="server ${K3S_DISABLE.map((c) => `--disable ${c}`).join(" ")}" sh -s -`, reason: "install (or reconfigure) the server without the packaged components" },
        { run: `mkdir -p /etc/rancher/k3s/config.yaml.d && printf 'disable:\\n${K3S_DISABLE.map((c) => `  - ${c}`).join("\\n")}\\n' > /etc/rancher/k3s/config.yaml.d/10-disable.yaml`, reason: "the same, persisted in the config file, so an upgrade keeps it" },
      ],
    });
  }
  return { id: "k3s", title: "k3s server flags", blocks };
}

function packagesSection(inv: Cluster): Section {
  const roles = [...new Set(Object.values(inv.nodes).flatMap((n) => n.roles))];
  const roleRows = roles.map((r) => `| ${r} | ${ROLE_REQUIREMENTS[r].packages.map((p) => p.name).join(", ") || "none beyond k3s"} |`);
  const blocks: Block[] = [text(["| role | packages |", "|---|---|", ...roleRows].join("\n"))];
  for (const [id, n] of Object.entries(inv.nodes)) {
    const req = nodeRequirements(n);
    if (req.packages.length === 0) {
      blocks.push(text(`**${describeNode(id, n)}**: no host packages. ${req.notes.join(" ")}`));
      continue;
    }
    const commands: Command[] = [{ run: "apt-get update", reason: "refresh the package lists" }];
    for (const p of req.packages) {
      commands.push({ run: `apt-get install -y ${p.name}`, reason: p.reason });
      for (const a of p.after ?? []) commands.push({ run: a.run, reason: a.reason });
    }
    blocks.push({ kind: "commands", target: host(id, n), title: describeNode(id, n), commands });
    for (const note of req.notes) blocks.push(text(`- ${note}`));
  }
  return { id: "packages", title: "Host packages", blocks };
}

function labelsSection(inv: Cluster): Section {
  const blocks: Block[] = [
    text("Labels the operator sets (Kubernetes and k3s add their own, e.g. kubernetes.io/hostname and node-role.kubernetes.io/*, which are not listed). `--overwrite` makes each command safe to re-run."),
  ];
  for (const [id, n] of Object.entries(inv.nodes)) {
    const entries = Object.entries(n.labels);
    if (entries.length === 0) {
      blocks.push(text(`**${describeNode(id, n)}**: no operator labels.`));
      continue;
    }
    blocks.push({
      kind: "commands",
      target: KUBECTL,
      title: describeNode(id, n),
      commands: entries.map(([k, v]) => ({ run: labelCommand(n.name, k, v) })),
    });
  }
  return { id: "labels", title: "Node labels", blocks };
}

function taintsSection(inv: Cluster): Section {
  const blocks: Block[] = [
    text("A taint is identified by key and effect: `--overwrite` replaces the value of the taint with the same key and effect; a taint with the same key and another effect must be removed first (`kubectl taint node <name> <key>:<effect>-`). `npm run preflight` reports such taints."),
  ];
  for (const [id, n] of Object.entries(inv.nodes)) {
    if (n.taints.length === 0) {
      blocks.push(text(`**${describeNode(id, n)}**: no taints.`));
      continue;
    }
    blocks.push({
      kind: "commands",
      target: KUBECTL,
      title: describeNode(id, n),
      commands: n.taints.map((t) => ({ run: taintCommand(n.name, t) })),
    });
  }
  return { id: "taints", title: "Node taints", blocks };
}

function dfsSection(inv: Cluster): Section {
  const ids = Object.keys(inv.nfs.dfs);
  if (ids.length === 0) return { id: "dfs", title: "DFS: parent directory, NFS export and export address", blocks: [text("No storage node exports the DFS (nfs.dfs is empty).")] };
  const addr = exportAddress(inv).address;
  const blocks: Block[] = [
    text(
      `decypharr-streaming binds the plain directory ${DATA_PATHS.dfsParent} (Bidirectional) and mounts its FUSE filesystem at ${DATA_PATHS.dfsRoot} below it; the consumers bind ${DATA_PATHS.dfsParent} with HostToContainer, so a re-created FUSE mount reaches running pods (kubernetes#66567). ` +
        `Kernel NFS exports ${DATA_PATHS.dfsRoot} on every storage node, and the DFS export address ${addr} (keepalived) lives only on the node whose FUSE mount is live and whose nfsd runs: the NFS PersistentVolume names ${addr} and never changes. ` +
        `kubelet mounts NFS from the node's own IP, so the client range is the node subnet ${inv.network.nodeCIDR}. Run every block on ${ids.map((id) => inv.nodes[id]?.name ?? id).join(" and ")}, once.`,
    ),
    text(["| option | why |", "|---|---|", ...exportOptions(0).map((o) => `| \`${o.option.startsWith("fsid=") ? "fsid=<n>" : o.option}\` | ${o.reason} |`)].join("\n")),
    text(
      `keepalived: the check runs every ${KEEPALIVED.interval} s (timeout ${KEEPALIVED.timeout} s); ${KEEPALIVED.fall} failures release the address (at most ${RELEASE_SECONDS} s after the mount is gone), ${KEEPALIVED.rise} successes let a node take it (at most ${TAKEOVER_SECONDS} s after the mount is live). ` +
        "Decypharr's FUSE layer has no NFS export support (go-fuse without export operations, inode numbers handed out in sequence), so a file handle from one node means nothing, or another file, on the other: streams open across a move fail and are reopened by path (docs/decisions.md#dfs-export).",
    ),
  ];
  for (const id of ids) {
    if (!inv.nodes[id]) continue;
    blocks.push(dfsParentBlock(inv, id));
    blocks.push(dfsExportBlock(inv, id));
    blocks.push(keepalivedBlock(inv, id));
  }
  blocks.push(
    text(
      "**Plex on the LAN** (post-deploy step `plex-advertise-lan`, once after PMS is claimed): the linuxserver image ignores ADVERTISE_IP, so tell Plex its LAN address in its own settings. " +
        `Settings > Network: "Custom server access URLs" = \`http://<pms.lanAddress>:32400\` (values/${inv.name}/clusterplex.yaml), "LAN Networks" = \`${inv.network.nodeCIDR}\`. ` +
        `With the Plex API: \`curl -X PUT "http://<pms.lanAddress>:32400/:/prefs?customConnections=http://<pms.lanAddress>:32400&LanNetworksBandwidth=${inv.network.nodeCIDR}&X-Plex-Token=$TOKEN"\`.`,
    ),
  );
  return { id: "dfs", title: "DFS: parent directory, NFS export and export address", blocks };
}

/** The node that test-mounts the export: another node, a GPU node (the workers') first. */
function testClient(inv: Cluster, serverId: string): [string, ClusterNode] {
  const others = Object.entries(inv.nodes).filter(([id]) => id !== serverId);
  return others.find(([, n]) => n.roles.includes("gpu")) ?? others[0] ?? [serverId, inv.nodes[serverId]];
}

function verifySection(inv: Cluster): Section {
  const names = Object.values(inv.nodes).map((n) => n.name);
  const storageNames = Object.values(inv.nodes).filter((n) => n.roles.includes("storage")).map((n) => n.name);
  const blocks: Block[] = [
    {
      kind: "commands",
      target: KUBECTL,
      title: "Cluster side",
      commands: [
        { run: "kubectl get nodes -o wide", reason: `${names.join(", ")} Ready, INTERNAL-IP as in the inventory` },
        { run: "kubectl get nodes --show-labels", reason: "the labels of the label section on every node" },
        { run: "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints", reason: "the taints of the taint section, and no others" },
        { run: "kubectl get nodes.longhorn.io -n longhorn-system", reason: `${storageNames.join(", ")} READY and SCHEDULABLE (their default disk comes from node.longhorn.io/create-default-disk=true); every Longhorn node listed` },
        { run: `kubectl get nodes -o json | npm run --silent preflight -- --env ${inv.name} --nodes -`, reason: "labels, taints and InternalIPs compared with the inventory; exits 1 on any drift" },
      ],
    },
  ];
  const server = inv.storage.primary;
  const exp = inv.nfs.dfs[server];
  if (exp) {
    const s = inv.nodes[server];
    const [clientId, client] = testClient(inv, server);
    blocks.push({
      kind: "commands",
      target: host(server, s),
      title: `DFS server ${s.name}`,
      commands: [
        { run: `mountpoint ${exp.path}`, reason: "decypharr-streaming's FUSE mount is there" },
        { run: "exportfs -v", reason: `${exp.path} to ${inv.network.nodeCIDR} with ro, root_squash, secure, mp and fsid=${exp.fsid}` },
        { run: `findmnt -o TARGET,PROPAGATION --target ${DATA_PATHS.dfsParent}`, reason: `${DATA_PATHS.dfsParent} shared` },
        { run: `ip -brief address show | grep -F ${exportAddress(inv).address}`, reason: `this node holds the DFS export address while its DFS is live` },
      ],
    });
    const mnt = "/mnt/dfs-test";
    blocks.push({
      kind: "commands",
      target: host(clientId, client),
      title: clientId === server ? `Test mount (single node: ${client.name} mounts its own export through its node IP)` : `Test mount from ${client.name}, a node whose kubelet mounts the DFS`,
      commands: [
        { run: `showmount -e ${exportAddress(inv).address}`, reason: `lists ${exp.path} for ${inv.network.nodeCIDR}, from whichever node holds the address` },
        { run: `mkdir -p ${mnt}`, reason: "temporary mount point" },
        { run: `mount -t nfs -o ro,nfsvers=4.2,soft,timeo=150,retrans=3,actimeo=1 ${exportAddress(inv).address}:${exp.path} ${mnt}`, reason: `the PV's options; "access denied by server" means ${client.ip} is outside the export's client range or the FUSE mount is missing (mp)` },
        { run: `ls ${mnt} | head`, reason: "the debrid library; root is squashed to nobody, so an empty listing or permission error means the FUSE mount is not world-readable" },
        { run: `umount ${mnt}`, reason: "clean up" },
      ],
    });
  }
  return { id: "verify", title: "Verify", blocks };
}

/**
 * The manual steps after the first install (tools/lib/manual-steps.ts, the list the lint rule and
 * `simulate --scenario first-install` use): what a person does once Flux has installed everything.
 */
function afterInstallSection(inv: Cluster): Section {
  return {
    id: "after-install",
    title: "After the first install",
    blocks: [
      text("Flux installs everything without a person (`npm run simulate -- --env " + inv.name + " --scenario first-install` prints the order and the times). Then, once each, in this order; the release NOTES name the same steps:"),
      ...MANUAL_STEPS.map((s) => text(`**${s.id}**: ${s.title}.\n\n${s.instructions(inv).map((l, i) => `${i + 1}. ${l}`).join("\n")}`)),
    ],
  };
}

function seedSection(inv: Cluster): Section {
  return {
    id: "seed",
    title: "Where this differs from the seed runbook",
    blocks: seedCorrections(inv).map(text),
  };
}

/** The runbook of an environment, as data. Throws when the inventory cannot give a valid export. */
export function buildRunbook(inv: Cluster, opts: { source?: string } = {}): Runbook {
  return {
    env: inv.name,
    source: opts.source ?? `values/${inv.name}/cluster.yaml`,
    sections: [nodesSection(inv), k3sSection(inv), packagesSection(inv), labelsSection(inv), taintsSection(inv), longhornSection(inv), gpuSection(inv), dfsSection(inv), verifySection(inv), afterInstallSection(inv), backupsSection(inv), drainSection(inv), seedSection(inv)],
  };
}

/** Every command of the runbook with its section and target, in order. */
export function listCommands(rb: Runbook): LocatedCommand[] {
  return rb.sections.flatMap((s) =>
    s.blocks.filter((b): b is CommandBlock => b.kind === "commands").flatMap((b) => b.commands.map((c) => ({ ...c, section: s.id, target: b.target }))),
  );
}

/** The runbook as Markdown. */
export function renderRunbook(rb: Runbook): string {
  const out: string[] = [
    `# Node setup runbook: ${rb.env}`,
    "",
    `Generated from \`${rb.source}\` by \`npm run runbook -- --env ${rb.env}\`. Do not edit: change the inventory and regenerate. Run the sections in order when adding or rebuilding a node; every command is safe to re-run.`,
    "",
  ];
  rb.sections.forEach((s, i) => {
    out.push(`## ${i + 1}. ${s.title}`, "");
    for (const b of s.blocks) out.push(b.kind === "text" ? `${b.markdown}\n` : renderCommandBlock(b));
  });
  return `${out.join("\n").trimEnd()}\n`;
}
