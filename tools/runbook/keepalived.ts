/**
 * The DFS export address: a keepalived (VRRP) virtual IP on the storage nodes that is held only
 * by a node whose DFS FUSE mount is live and whose nfsd runs (docs/decisions.md#dfs-export).
 * Generated from the inventory (`nfs.dfsExport`, the storage nodes' IPs, `network.nodeCIDR`).
 *
 * keepalived semantics relied on (keepalived.conf(5), https://keepalived.readthedocs.io):
 * - `vrrp_script` with `interval`/`fall`/`rise`: the script runs every `interval` s; `fall`
 *   consecutive failures put every instance tracking it into FAULT (no weight given), which
 *   releases the address; `rise` consecutive successes bring it back.
 * - a MASTER that goes to FAULT sends a priority-0 advertisement, so a BACKUP takes over at once
 *   (RFC 5798 6.4.3); a MASTER that dies is replaced after master_down_interval =
 *   3 x advert_int + skew.
 * - `state BACKUP` on both with `nopreempt`: the address stays where it is while that node serves.
 * - `notify_master`: `exportfs -f` flushes the kernel's export cache so `mp` is evaluated afresh.
 * The new owner answers the clients' retransmissions to the moved address with TCP resets (it has
 * no such connection), so NFSv4.1+ clients reconnect at once instead of waiting for a timeout.
 */
import type { Cluster } from "../../schema/cluster.ts";
import { inRange, ipInCidr } from "../lib/inventory.ts";
import { DATA_PATHS } from "../lint/datapath.ts";
import type { CommandBlock } from "./types.ts";

/** The runbook's keepalived settings; simulate takes its timings from here. */
export const KEEPALIVED = {
  /** Seconds between runs of the check script. */
  interval: 2,
  /** Seconds the check may take (a hung FUSE mount must not block keepalived). */
  timeout: 3,
  /** Failures before FAULT (address released). */
  fall: 2,
  /** Successes before the node may hold the address again. */
  rise: 2,
  /** VRRP advertisement interval. */
  advertInt: 1,
} as const;

/** Seconds from the FUSE mount disappearing to the address being released (worst case). */
export const RELEASE_SECONDS = KEEPALIVED.interval * KEEPALIVED.fall + KEEPALIVED.timeout;
/** Seconds from the FUSE mount being live to the address being held (worst case). */
export const TAKEOVER_SECONDS = KEEPALIVED.interval * KEEPALIVED.rise;
/** A dead MASTER is replaced after 3 x advert_int + skew (< advert_int). */
export const MASTER_DOWN_SECONDS = 3 * KEEPALIVED.advertInt + KEEPALIVED.advertInt;

export const CHECK_SCRIPT = "/usr/local/sbin/dfs-export-live";
export const CONFIG_FILE = "/etc/keepalived/keepalived.conf";

/** Problems of the inventory's export address, as messages with the fix. */
export function exportAddressProblems(inv: Cluster): string[] {
  const f = `values/${inv.name}/cluster.yaml`;
  if (!inv.nfs.dfsExport) {
    return Object.keys(inv.nfs.dfs).length === 0 ? [] : [`${f}: nfs.dfs declares exports (${Object.keys(inv.nfs.dfs).join(", ")}) but no nfs.dfsExport: the NFS PV needs an address that follows the DFS mount. Fix: add nfs.dfsExport: { address: <free address of ${inv.network.nodeCIDR} outside the MetalLB pool>, virtualRouterId: 51 }`];
  }
  const { address } = inv.nfs.dfsExport;
  const out: string[] = [];
  if (!ipInCidr(address, inv.network.nodeCIDR)) out.push(`${f}: nfs.dfsExport.address ${address} is outside network.nodeCIDR ${inv.network.nodeCIDR}: VRRP moves an address within the storage nodes' subnet. Fix: pick a free address of ${inv.network.nodeCIDR}`);
  const node = Object.entries(inv.nodes).find(([, n]) => n.ip === address);
  if (node) out.push(`${f}: nfs.dfsExport.address ${address} is node ${node[0]}'s own IP: the address must be free to move. Fix: pick a free address of ${inv.network.nodeCIDR}`);
  if (inv.metallb.addresses.some((r) => inRange(address, r))) out.push(`${f}: nfs.dfsExport.address ${address} lies in the MetalLB pool (${inv.metallb.addresses.join(", ")}): MetalLB could hand it to a Service too. Fix: pick an address outside the pool`);
  const fsids = new Set(Object.values(inv.nfs.dfs).map((d) => d.fsid));
  if (fsids.size > 1) out.push(`${f}: nfs.dfs fsids differ (${Object.entries(inv.nfs.dfs).map(([id, d]) => `${id}=${d.fsid}`).join(", ")}): the root file handle would change when the address moves and every client's mount would go stale. Fix: the same fsid on every storage node`);
  return out;
}

/** The inventory's export address; throws with every problem of it. */
export function exportAddress(inv: Cluster): NonNullable<Cluster["nfs"]["dfsExport"]> {
  const problems = exportAddressProblems(inv);
  if (problems.length > 0 || !inv.nfs.dfsExport) throw new Error(problems.join("\n") || `values/${inv.name}/cluster.yaml declares no nfs.dfsExport`);
  return inv.nfs.dfsExport;
}

/** The check script: live FUSE mount at the export path (a timed stat), and nfsd running. */
export function checkScript(): string {
  const p = DATA_PATHS.dfsRoot;
  return [
    "#!/bin/sh",
    "# keepalived track script: the DFS export address may live here only while this succeeds.",
    `mountpoint -q ${p} || exit 1`,
    `timeout ${KEEPALIVED.timeout - 1} stat -t ${p} >/dev/null 2>&1 || exit 1`,
    '[ "$(cat /proc/fs/nfsd/threads 2>/dev/null || echo 0)" -gt 0 ] || exit 1',
    "exit 0",
  ].join("\n");
}

/** keepalived.conf for one storage node; `$IFACE` is filled in on the host (the runbook finds it). */
export function keepalivedConf(inv: Cluster, nodeId: string): string {
  const exp = exportAddress(inv);
  const self = inv.nodes[nodeId];
  const peers = Object.keys(inv.nfs.dfs).filter((id) => id !== nodeId && inv.nodes[id]).map((id) => inv.nodes[id].ip);
  const bits = inv.network.nodeCIDR.split("/")[1];
  const k = KEEPALIVED;
  return [
    "global_defs {",
    "  enable_script_security",
    "  script_user root",
    "}",
    "vrrp_script chk_dfs {",
    `  script "${CHECK_SCRIPT}"`,
    `  interval ${k.interval}`,
    `  timeout ${k.timeout}`,
    `  fall ${k.fall}`,
    `  rise ${k.rise}`,
    "}",
    "vrrp_instance DFS_EXPORT {",
    "  state BACKUP",
    "  nopreempt",
    "  interface $IFACE",
    `  virtual_router_id ${exp.virtualRouterId}`,
    "  priority 100",
    `  advert_int ${k.advertInt}`,
    `  unicast_src_ip ${self.ip}`,
    ...(peers.length > 0 ? ["  unicast_peer {", ...peers.map((ip) => `    ${ip}`), "  }"] : []),
    "  virtual_ipaddress {",
    `    ${exp.address}/${bits} dev $IFACE`,
    "  }",
    "  track_script {",
    "    chk_dfs",
    "  }",
    '  notify_master "/usr/sbin/exportfs -f"',
    "}",
  ].join("\n");
}

/** The host commands that install the check script and keepalived on one storage node. */
export function keepalivedBlock(inv: Cluster, nodeId: string): CommandBlock {
  const n = inv.nodes[nodeId];
  const { address: addr, virtualRouterId } = exportAddress(inv);
  return {
    kind: "commands",
    target: { kind: "host", nodeId, node: n.name, ip: n.ip },
    title: `The DFS export address ${addr} on ${n.name} (keepalived, VRRP id ${virtualRouterId})`,
    commands: [
      { run: "apt-get install -y keepalived", reason: "VRRP daemon" },
      { run: `cat > ${CHECK_SCRIPT} <<'EOF'\n${checkScript()}\nEOF`, reason: `holds the address only with a live FUSE mount at ${DATA_PATHS.dfsRoot} and nfsd running` },
      { run: `chmod 0755 ${CHECK_SCRIPT}`, reason: "enable_script_security runs root-owned, non-writable scripts only" },
      { run: `IFACE=$(ip -o route get ${addr} | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')`, reason: `the interface of the node subnet ${inv.network.nodeCIDR}` },
      { run: `cat > ${CONFIG_FILE} <<EOF\n${keepalivedConf(inv, nodeId)}\nEOF`, reason: "generated from the inventory; unquoted EOF so $IFACE is filled in" },
      { run: "systemctl enable --now keepalived && systemctl reload keepalived", reason: "start now and at boot; reload picks up a changed config" },
      { run: `ip -brief address show | grep -F ${addr} || echo "${addr} not held here"`, reason: `${addr} is held only by the node whose DFS is live` },
    ],
  };
}
