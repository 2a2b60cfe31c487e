/**
 * Loading an environment's inventory (`values/<env>/cluster.yaml`), validated against the schema
 * generated from schema/cluster.ts, plus the cross-field rules a schema cannot express.
 */
import { join } from "node:path";
import type { Cluster, ClusterNode } from "../../schema/cluster.ts";
import { repoRoot } from "./paths.ts";
import { validateDoc } from "./values-validate.ts";
import { InputError, loadYamlFile, type SourceDoc } from "./yaml.ts";

export type { Cluster, ClusterNode };

/** The label the seed's preferred affinity selects the primary storage node by. */
const PRIMARY_LABEL = "node.longhorn.io/primary";

/** Path of an environment's inventory file. */
export function inventoryPath(env: string, root = repoRoot): string {
  return join(root, "values", env, "cluster.yaml");
}

/** Loads and validates `values/<env>/cluster.yaml`. Throws InputError naming file:line:col. */
export function loadInventory(env: string, root = repoRoot): Cluster {
  const doc = loadYamlFile(inventoryPath(env, root), `inventory of environment ${env}`, root);
  // The inventory schema belongs to the tooling (this checkout), whatever root is loaded.
  const schema = join(repoRoot, "schema/generated/cluster.schema.json");
  const errors = validateDoc(doc, schema);
  if (errors.length > 0) throw errors[0];
  const cluster = doc.value as Cluster;
  const problems = crossCheck(cluster, doc, env);
  if (problems.length > 0) throw problems[0];
  return cluster;
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
  const names = new Map<string, string>();
  for (const [id, node] of Object.entries(c.nodes)) {
    const dup = names.get(node.name);
    if (dup) err(["nodes", id, "name"], `${node.name} is also the name of node ${dup}. Fix: node names are unique`);
    names.set(node.name, id);
    if (node.gpu && node.labels.gpu !== "true") err(["nodes", id, "labels"], `node ${id} has gpu: true but not the label gpu: "true" the GPU workloads require. Fix: add gpu: "true" to its labels`);
    if (!ipInCidr(node.ip, c.network.nodeCIDR)) err(["nodes", id, "ip"], `${node.ip} is outside network.nodeCIDR ${c.network.nodeCIDR}. Fix: correct the IP or the CIDR`);
  }
  return out;
}

/** Whether IPv4 `ip` lies in `cidr`. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0);
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/** Whether `ip` lies in an address range as MetalLB writes them: `a.b.c.d-e.f.g.h` or a CIDR. */
export function inRange(ip: string, range: string): boolean {
  if (range.includes("/")) return ipInCidr(ip, range);
  const [from, to] = range.split("-").map((s) => s.trim());
  return ipv4ToInt(ip) >= ipv4ToInt(from) && ipv4ToInt(ip) <= ipv4ToInt(to ?? from);
}

/** Node ids with a role. */
export function nodesWithRole(c: Cluster, role: ClusterNode["roles"][number]): string[] {
  return Object.entries(c.nodes).filter(([, n]) => n.roles.includes(role)).map(([id]) => id);
}
