/**
 * Runbook sections for what keeps the cluster recoverable and maintainable, from the inventory:
 * - the NAS share Longhorn's backup target and the k3s datastore backups write to
 *   (`nfs.unraid.exports.backups`);
 * - the k3s datastore backup of every control-plane node, on the inventory's schedule, and its
 *   restore: embedded SQLite (k3s docs, https://docs.k3s.io/datastore/backup-restore: "take a copy
 *   of /var/lib/rancher/k3s/server/db/" plus the server token) or embedded etcd
 *   (https://docs.k3s.io/cli/etcd-snapshot: `etcd-snapshot-schedule-cron`,
 *   `etcd-snapshot-retention`, `etcd-snapshot-dir`, restore with `--cluster-reset
 *   --cluster-reset-restore-path`);
 * - the drain procedure of each storage node (tools/simulate/drain.ts gives the same steps with
 *   the timeline).
 */
import type { Cluster, ClusterNode } from "../../schema/cluster.ts";
import { drainProcedure } from "../simulate/drain.ts";
import type { Block, Command, Section, Target } from "./types.ts";

const KUBECTL: Target = { kind: "kubectl" };
const text = (markdown: string): Block => ({ kind: "text", markdown });
const host = (id: string, n: ClusterNode): Target => ({ kind: "host", nodeId: id, node: n.name, ip: n.ip });

/** Where the NAS backups share is mounted on a control-plane node. */
export const NAS_MOUNT = "/mnt/nas-backups";
const DB_DIR = "/var/lib/rancher/k3s/server/db";
const TOKEN = "/var/lib/rancher/k3s/server/token";
const DEFAULT_SCHEDULE = "0 */12 * * *";
const DEFAULT_RETAIN = 14;

function controlPlanes(inv: Cluster): [string, ClusterNode][] {
  return Object.entries(inv.nodes).filter(([, n]) => n.roles.includes("control-plane"));
}

function sqliteBackup(inv: Cluster, id: string, n: ClusterNode): Block[] {
  const schedule = inv.datastore?.schedule ?? DEFAULT_SCHEDULE;
  const retain = inv.datastore?.retain ?? DEFAULT_RETAIN;
  const dir = `${NAS_MOUNT}/k3s/${n.name}`;
  // The script is written with printf so that the runbook stays a list of one-line commands.
  const script = [
    "#!/bin/sh",
    "set -eu",
    `d=${dir}/$(date -u +%Y%m%dT%H%M%SZ)`,
    'mkdir -p "$d"',
    `sqlite3 ${DB_DIR}/state.db ".backup '$d/state.db'"`,
    `cp ${TOKEN} "$d/token"`,
    `ls -1d ${dir}/*/ | sort | head -n -${retain} | xargs -r rm -rf`,
  ];
  return [
    text(
      `**${n.name}** (${id}) runs k3s with the embedded SQLite database. k3s needs no special command: a copy of \`${DB_DIR}/\` and the server token \`${TOKEN}\` is the backup (the token decrypts the secrets in the database; without it the copy is useless). \`sqlite3 .backup\` copies the live database consistently (SQLite's online backup API), where \`cp\` of a database in WAL mode may not. Schedule \`${schedule}\` (UTC), ${retain} kept (values/${inv.name}/cluster.yaml datastore).`,
    ),
    {
      kind: "commands",
      target: host(id, n),
      title: `Backup of the SQLite datastore to the NAS, on ${n.name}`,
      commands: [
        { run: "apt-get install -y sqlite3", reason: "the online backup" },
        { run: `printf '%s\\n' ${script.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(" ")} > /usr/local/sbin/k3s-datastore-backup`, reason: "one dated directory per run: state.db and token; the oldest beyond the retention are removed" },
        { run: "chmod 0700 /usr/local/sbin/k3s-datastore-backup", reason: "root only: the token is a secret" },
        { run: `echo '${schedule} root /usr/local/sbin/k3s-datastore-backup' > /etc/cron.d/k3s-datastore-backup`, reason: "the inventory's schedule" },
        { run: "/usr/local/sbin/k3s-datastore-backup && ls -l " + dir, reason: "a first backup now; it must list a dated directory" },
      ],
    },
    {
      kind: "commands",
      target: host(id, n),
      title: `Restore of the SQLite datastore on ${n.name} (DIR: the dated backup directory to restore)`,
      commands: [
        { run: "systemctl stop k3s && /usr/local/bin/k3s-killall.sh", reason: "k3s and every container it started stopped (k3s' own script)" },
        { run: `mv ${DB_DIR} ${DB_DIR}.before-restore && mkdir -p ${DB_DIR}`, reason: "keep the current database until the restore is proven" },
        { run: `cp "$DIR/state.db" ${DB_DIR}/state.db && cp "$DIR/token" ${TOKEN}`, reason: "the database and the token it was encrypted with" },
        { run: "systemctl start k3s && kubectl get nodes", reason: "every node Ready again within a minute" },
      ],
    },
  ];
}

function etcdBackup(inv: Cluster, id: string, n: ClusterNode): Block[] {
  const schedule = inv.datastore?.schedule ?? DEFAULT_SCHEDULE;
  const retain = inv.datastore?.retain ?? DEFAULT_RETAIN;
  const dir = `${NAS_MOUNT}/k3s/${n.name}/etcd`;
  return [
    text(
      `**${n.name}** (${id}) runs k3s with embedded etcd. k3s takes the snapshots itself on \`etcd-snapshot-schedule-cron\`; \`etcd-snapshot-dir\` puts them on the NAS. Keep a copy of the token \`${TOKEN}\` with them: a snapshot is unusable without it.`,
    ),
    {
      kind: "commands",
      target: host(id, n),
      title: `Scheduled etcd snapshots to the NAS, on ${n.name}`,
      commands: [
        { run: `mkdir -p ${dir} && cp ${TOKEN} ${NAS_MOUNT}/k3s/${n.name}/token`, reason: "the snapshot directory and the token next to it" },
        { run: `printf '%s\\n' 'etcd-snapshot-schedule-cron: "${schedule}"' 'etcd-snapshot-retention: ${retain}' 'etcd-snapshot-dir: ${dir}' >> /etc/rancher/k3s/config.yaml`, reason: "k3s reads its flags from this file (once: check it has no earlier etcd-snapshot-* lines)" },
        { run: "systemctl restart k3s", reason: "apply the snapshot settings" },
        { run: `k3s etcd-snapshot save --etcd-snapshot-dir ${dir} && k3s etcd-snapshot ls --etcd-snapshot-dir ${dir}`, reason: "a first snapshot now, listed" },
      ],
    },
    {
      kind: "commands",
      target: host(id, n),
      title: `Restore of an etcd snapshot on ${n.name} (SNAPSHOT: the file to restore)`,
      commands: [
        { run: "systemctl stop k3s", reason: "k3s stopped" },
        { run: `k3s server --cluster-reset --cluster-reset-restore-path="$SNAPSHOT" --token "$(cat ${NAS_MOUNT}/k3s/${n.name}/token)"`, reason: "k3s restores the snapshot, moves the old data to db/etcd-old-*, and exits when done" },
        { run: "systemctl start k3s && kubectl get nodes", reason: "every node Ready again" },
      ],
    },
  ];
}

/** The NAS share, Longhorn's backup target on it, and the k3s datastore backups. */
export function backupsSection(inv: Cluster): Section {
  const share = inv.nfs.unraid.exports.backups;
  const nas = inv.nfs.unraid.server;
  const blocks: Block[] = [];
  if (!share) {
    blocks.push(text(`values/${inv.name}/cluster.yaml names no \`nfs.unraid.exports.backups\`: there is nowhere off the storage nodes to keep backups. Add the NAS share to the inventory and regenerate.`));
    return { id: "backups", title: "Backups", blocks };
  }
  blocks.push(
    text(
      `On the Unraid NAS (${nas}), export the share \`${share}\` over NFS (Shares > backups > NFS: export Yes, security Private, rule \`${inv.network.nodeCIDR}(sec=sys,rw,no_root_squash)\`): read-write for the node subnet, because kubelet and longhorn-manager mount from the node IPs, and \`no_root_squash\` because Longhorn writes as root. Longhorn's backup target is \`nfs://${nas}:${share}/longhorn\` (charts/longhorn-config \`backupTarget\`, rendered as the BackupTarget \`default\`).`,
    ),
    {
      kind: "commands",
      target: KUBECTL,
      title: "Longhorn's backup target and backups",
      commands: [
        { run: "kubectl -n longhorn-system get backuptargets.longhorn.io default", reason: "URL as above, AVAILABLE true (false: the share is not exported to the node subnet, or nfs-common is missing)" },
        { run: "kubectl -n longhorn-system get recurringjobs.longhorn.io", reason: "the backup jobs of values/<env>/longhorn-config.yaml" },
        { run: "kubectl -n longhorn-system get backups.longhorn.io --sort-by=.status.backupCreatedAt", reason: "one per volume per run, state Completed" },
      ],
    },
  );
  const cps = controlPlanes(inv);
  for (const [id, n] of cps) {
    const mount: Command[] = [
      { run: "apt-get install -y nfs-common", reason: "the NFS client" },
      { run: `mkdir -p ${NAS_MOUNT} && grep -q ' ${NAS_MOUNT} ' /etc/fstab || echo '${nas}:${share} ${NAS_MOUNT} nfs defaults,_netdev,nofail 0 0' >> /etc/fstab`, reason: "mounted at boot; nofail keeps k3s booting when the NAS is down" },
      { run: `mount ${NAS_MOUNT} && df -h ${NAS_MOUNT}`, reason: "the share is there" },
    ];
    blocks.push({ kind: "commands", target: host(id, n), title: `The NAS share on ${n.name}`, commands: mount });
    const kind = inv.datastore?.kind;
    if (kind === "sqlite") blocks.push(...sqliteBackup(inv, id, n));
    else if (kind === "etcd") blocks.push(...etcdBackup(inv, id, n));
    else {
      blocks.push(
        text(
          `values/${inv.name}/cluster.yaml does not say which datastore k3s uses on ${n.name} (\`datastore.kind\`), so both procedures follow; \`npm run preflight\` warns until it does. Check on ${n.name}: \`ls ${DB_DIR}\` shows \`state.db\` for SQLite, an \`etcd\` directory for embedded etcd.`,
        ),
        ...sqliteBackup(inv, id, n),
        ...etcdBackup(inv, id, n),
      );
    }
  }
  blocks.push(text("Restore drill of one app's config volume from its Longhorn backup into a fresh PVC: docs/restore-drill.md."));
  return { id: "backups", title: "Backups", blocks };
}

/** The drain procedure of each storage node. */
export function drainSection(inv: Cluster): Section {
  const blocks: Block[] = [
    text(
      "Planned maintenance of a storage node. `npm run simulate -- --env " +
        inv.name +
        " --scenario drain-w1` (primary) / `drain-w2` (backup) shows which pods move where, each service's downtime, the DFS export and Longhorn's part, with times from the manifests. No PodDisruptionBudget guards the single-replica media pods: on two storage nodes it could only block the drain (lint rule disruption/pdb-blocks-drain).",
    ),
  ];
  for (const role of ["primary", "backup"] as const) {
    const id = inv.storage[role];
    if (!id) continue;
    const n = inv.nodes[id];
    const other = role === "primary" ? inv.storage.backup : inv.storage.primary;
    const lines = drainProcedure(inv.name, n.name, id, other, role === "primary", role === "primary");
    const commands: Command[] = [];
    let reason: string | undefined;
    for (const l of lines) {
      if (l.startsWith("#")) reason = l.replace(/^#\s*/, "");
      else {
        commands.push({ run: l, reason });
        reason = undefined;
      }
    }
    blocks.push({ kind: "commands", target: KUBECTL, title: `Drain of ${n.name} (${id}, storage ${role})`, commands });
  }
  return { id: "drain", title: "Planned maintenance of a storage node", blocks };
}
