/**
 * Loading an environment's inventory (`values/<env>/cluster.yaml`), validated against the schema
 * generated from schema/cluster.ts, plus the cross-field rules a schema cannot express.
 */
import { join } from "node:path";
import type { Cluster, ClusterNode } from "../../schema/cluster.ts";
import { repoRoot } from "./paths.ts";
import { validateDoc } from "./values-validate.ts";
import ipaddr from "ipaddr.js";
import { InputError, loadYamlFile, throwAll, type SourceDoc } from "./yaml.ts";

export type { Cluster, ClusterNode };

/** The label the seed's preferred affinity selects the primary storage node by. */
const PRIMARY_LABEL = "node.longhorn.io/primary";

/** Path of an environment's inventory file. */
export function inventoryPath(env: string, root = repoRoot): string {
  return join(root, "values", env, "cluster.yaml");
}

/**
 * Loads and validates `values/<env>/cluster.yaml`. Throws every error of the file at once
 * (InputError for one, InputErrors for several), each naming file:line:col, the key and the fix.
 */
export function loadInventory(env: string, root = repoRoot): Cluster {
  const doc = loadYamlFile(inventoryPath(env, root), `inventory of environment ${env}`, root);
  // The inventory schema belongs to the tooling (this checkout), whatever root is loaded.
  const schema = join(repoRoot, "schema/generated/cluster.schema.json");
  const errors = validateDoc(doc, schema);
  // Cross-field rules need the schema's shape; with schema errors they would add noise.
  if (errors.length === 0) errors.push(...crossCheck(doc.value as Cluster, doc, env));
  throwAll(errors);
  return doc.value as Cluster;
}

// ---------------------------------------------------------------------------------------------
// Addresses: parsed by ipaddr.js (strict four-part decimal, prefix 0-32), not hand-written math.

/** A parsed IPv4 address, or undefined when `text` is not one (10.0.0.256, 1.2.3, 010.0.0.1). */
export function parseIPv4(text: string): ipaddr.IPv4 | undefined {
  return typeof text === "string" && ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/** A parsed IPv4 CIDR, or undefined when `text` is not one (10.0.0.0/33, 10.0.0.0/40). */
export function parseCidr(text: string): [ipaddr.IPv4, number] | undefined {
  if (typeof text !== "string" || !ipaddr.IPv4.isValidCIDRFourPartDecimal(text)) return undefined;
  return ipaddr.IPv4.parseCIDR(text);
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4ToInt(ip: string): number {
  const parsed = parseIPv4(ip);
  if (!parsed) return Number.NaN;
  return parsed.octets.reduce((n, o) => n * 256 + o, 0);
}

/** Whether IPv4 `ip` lies in `cidr` (false when either is invalid). */
export function ipInCidr(ip: string, cidr: string): boolean {
  const a = parseIPv4(ip);
  const c = parseCidr(cidr);
  return a !== undefined && c !== undefined && a.match(c);
}

/** An address range as MetalLB writes them (`a.b.c.d-e.f.g.h` or a CIDR) as [first, last], or undefined. */
export function parseRange(range: string): [number, number] | undefined {
  if (typeof range !== "string") return undefined;
  if (range.includes("/")) {
    const c = parseCidr(range.trim());
    if (!c) return undefined;
    const first = ipv4ToInt(ipaddr.IPv4.networkAddressFromCIDR(range.trim()).toString());
    return [first, first + 2 ** (32 - c[1]) - 1];
  }
  const [from, to, ...rest] = range.split("-").map((x) => x.trim());
  if (rest.length > 0) return undefined;
  const a = ipv4ToInt(from);
  const b = ipv4ToInt(to ?? from);
  if (Number.isNaN(a) || Number.isNaN(b) || a > b) return undefined;
  return [a, b];
}

/** Whether `ip` lies in an address range as MetalLB writes them: `a.b.c.d-e.f.g.h` or a CIDR. */
export function inRange(ip: string, range: string): boolean {
  const r = parseRange(range);
  const n = ipv4ToInt(ip);
  return r !== undefined && !Number.isNaN(n) && n >= r[0] && n <= r[1];
}

function crossCheck(c: Cluster, doc: SourceDoc, env: string): InputError[] {
  const out: InputError[] = [];
  const err = (path: (string | number)[], msg: string) => {
    const { line, col } = doc.position(path);
    out.push(new InputError(doc.file, line, col, `${path.join(".")}: ${msg}`));
  };
  if (c.name !== env) err(["name"], `is ${JSON.stringify(c.name)} but the file is values/${env}/. Fix: set name: ${env}`);
  for (const role of ["primary", "backup"] as const) {
    const id = c.storage[role];
    if (id === undefined) continue;
    const node = c.nodes[id];
    if (!node) err(["storage", role], `names node ${JSON.stringify(id)}, which is not under nodes (${Object.keys(c.nodes).join(", ")}). Fix: use a node id`);
    else if (!node.roles.includes("storage")) err(["storage", role], `node ${id} does not have the storage role. Fix: add storage to nodes.${id}.roles`);
  }
  if (c.storage.backup !== undefined && c.storage.backup === c.storage.primary) {
    err(["storage", "backup"], `is ${c.storage.backup}, the same node as storage.primary: the backup must be another storage node, or the data has no second copy to fail over to. Fix: set storage.backup to another storage node, or remove it`);
  }
  // storage.primary/backup and the node.longhorn.io/primary label state the same fact: the pods'
  // preferred affinity follows the label; failover, the DFS export and simulate follow storage.*.
  for (const [id, node] of Object.entries(c.nodes)) {
    const role = id === c.storage.primary ? "primary" : id === c.storage.backup ? "backup" : undefined;
    const got = node.labels[PRIMARY_LABEL];
    const shown = got === undefined ? "absent" : JSON.stringify(got);
    if (role) {
      const want = role === "primary" ? "true" : "false";
      if (got !== want) err(["nodes", id, "labels"], `node ${id} is storage.${role} but its label ${PRIMARY_LABEL} is ${shown}; the pods' preferred affinity follows the label, failover and the DFS export follow storage.${role}. Fix: set ${PRIMARY_LABEL}: "${want}" (or change storage.${role})`);
    } else if (got === "true") {
      err(["nodes", id, "labels"], `node ${id} carries ${PRIMARY_LABEL}: "true" but storage.primary is ${c.storage.primary}, so the pods would prefer ${id}. Fix: remove the label, or make ${id} storage.primary`);
    }
  }
  for (const id of Object.keys(c.nfs.dfs)) {
    if (!c.nodes[id]?.roles.includes("storage")) err(["nfs", "dfs", id], `DFS export on ${JSON.stringify(id)}, which is not a storage node. Fix: list only storage node ids`);
  }

  // Networks: each a valid CIDR written as its network address; the three do not overlap.
  const nets: { key: "nodeCIDR" | "podCIDR" | "serviceCIDR"; range?: [number, number] }[] = [];
  for (const key of ["nodeCIDR", "podCIDR", "serviceCIDR"] as const) {
    const text = c.network[key];
    const parsed = parseCidr(text);
    if (!parsed) {
      err(["network", key], `${JSON.stringify(text)} is not an IPv4 CIDR (four numbers 0-255 and a prefix length 0-32). Fix: write it like 192.168.1.0/24`);
      nets.push({ key });
      continue;
    }
    const network = ipaddr.IPv4.networkAddressFromCIDR(text).toString();
    if (network !== parsed[0].toString()) err(["network", key], `${text} has host bits set; the network is ${network}/${parsed[1]}. Fix: set ${key}: ${network}/${parsed[1]}`);
    nets.push({ key, range: parseRange(text) });
  }
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const [a, b] = [nets[i], nets[j]];
      if (a.range && b.range && a.range[0] <= b.range[1] && b.range[0] <= a.range[1]) {
        err(["network", b.key], `${c.network[b.key]} overlaps network.${a.key} ${c.network[a.key]}: packets for one would be routed to the other. Fix: choose non-overlapping ranges (k3s defaults: pods 10.42.0.0/16, services 10.43.0.0/16)`);
      }
    }
  }

  // Addresses: valid, unique, inside the node network, outside the MetalLB pool.
  const owners = new Map<string, string>();
  const names = new Map<string, string>();
  for (const [id, node] of Object.entries(c.nodes)) {
    const dup = names.get(node.name);
    if (dup) err(["nodes", id, "name"], `${node.name} is also the name of node ${dup}. Fix: node names are unique`);
    names.set(node.name, id);
    if (node.gpu && node.labels.gpu !== "true") err(["nodes", id, "labels"], `node ${id} has gpu: true but not the label gpu: "true" the GPU workloads require. Fix: add gpu: "true" to its labels`);
    if (!parseIPv4(node.ip)) {
      err(["nodes", id, "ip"], `${JSON.stringify(node.ip)} is not an IPv4 address (four numbers 0-255). Fix: write the node's InternalIP, e.g. 192.168.1.12`);
      continue;
    }
    const other = owners.get(node.ip);
    if (other) err(["nodes", id, "ip"], `${node.ip} is also the address of ${other}: two nodes cannot share an InternalIP. Fix: set node ${id}'s real address`);
    else owners.set(node.ip, `node ${id}`);
    if (nets[0].range && !ipInCidr(node.ip, c.network.nodeCIDR)) err(["nodes", id, "ip"], `${node.ip} is outside network.nodeCIDR ${c.network.nodeCIDR}. Fix: correct the IP or the CIDR`);
  }
  const nas = c.nfs.unraid.server;
  if (!parseIPv4(nas)) err(["nfs", "unraid", "server"], `${JSON.stringify(nas)} is not an IPv4 address (four numbers 0-255). Fix: write the Unraid server's address`);
  else if (owners.has(nas)) err(["nfs", "unraid", "server"], `${nas} is also the address of ${owners.get(nas)}. Fix: set the Unraid server's own address`);
  else owners.set(nas, "the Unraid NAS (nfs.unraid.server)");

  c.metallb.addresses.forEach((range, i) => {
    const r = parseRange(range);
    if (!r) {
      err(["metallb", "addresses", i], `${JSON.stringify(range)} is not an address range (a.b.c.d-a.b.c.e with the first <= the last, or a CIDR with prefix 0-32). Fix: write it like 192.168.1.200-192.168.1.220`);
      return;
    }
    for (const [ip, who] of owners) {
      if (inRange(ip, range)) err(["metallb", "addresses", i], `${range} contains ${ip}, the address of ${who}: MetalLB would hand it to a LoadBalancer Service and answer ARP for it, taking the address from its owner. Fix: shrink the pool so it excludes ${ip}`);
    }
    c.metallb.addresses.forEach((other, j) => {
      const o = j < i ? parseRange(other) : undefined;
      if (o && r[0] <= o[1] && o[0] <= r[1]) err(["metallb", "addresses", i], `${range} overlaps metallb.addresses[${j}] ${other}. Fix: merge them or make them disjoint`);
    });
    if (nets[0].range && !(r[0] >= nets[0].range[0] && r[1] <= nets[0].range[1])) {
      err(["metallb", "addresses", i], `${range} is not inside network.nodeCIDR ${c.network.nodeCIDR}: MetalLB in L2 mode answers ARP on the nodes' subnet only. Fix: pick a free range inside ${c.network.nodeCIDR}`);
    }
  });
  return out;
}

/** Node ids with a role. */
export function nodesWithRole(c: Cluster, role: ClusterNode["roles"][number]): string[] {
  return Object.entries(c.nodes).filter(([, n]) => n.roles.includes(role)).map(([id]) => id);
}
