/**
 * Switching the storage node that serves the DFS export to ClusterPlex (`npm run failover`).
 *
 * The seed's failover patched the NFS server of the existing PersistentVolume; the API server
 * rejects that (a PV's `spec.persistentVolumeSource` is immutable after creation). The chart
 * instead names the PV/PVC pair after the server (`<fullname>-dfs-<id>`) and takes the server from
 * `dfs.server`, so a failover is this one-line values change, which Flux applies like any other.
 *
 * planFailover() computes the edit (comments and layout of the values file kept: the `yaml`
 * Document API), the unified diff and the host-side steps; applyFailover() writes it atomically.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, parseDocument } from "yaml";
import { writeFilesAtomic } from "../lib/atomic.ts";
import { loadInventory, type Cluster } from "../lib/inventory.ts";
import { repoRoot } from "../lib/paths.ts";
import { InputError, loadYamlFile } from "../lib/yaml.ts";
import { unifiedDiff } from "../lib/diff.ts";
import { hostSteps } from "./host-steps.ts";

export class FailoverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "FailoverError", enumerable: false });
  }
}

export interface FailoverOptions {
  /** Environment (directory under values/ and clusters/). */
  env: string;
  /** Node id that exports the DFS from now on. */
  server: string;
  /** Repository root (default: this checkout); tests pass a temporary copy. */
  root?: string;
}

export interface FailoverPlan {
  env: string;
  /** Absolute path of the values file. */
  file: string;
  /** The values file relative to the root, for messages and the diff header. */
  relFile: string;
  /** dfs.server before (null when unset). */
  from: string | null;
  to: string;
  before: string;
  after: string;
  /** Whether the file changes at all (false when `to` is already the active server). */
  changed: boolean;
  /** Unified diff before → after; empty when unchanged. */
  diff: string;
  /** Host-side steps for the operator. */
  steps: string;
}

/** The storage nodes of `inv` that have a DFS export, sorted. */
export function dfsExporters(inv: Cluster): string[] {
  return Object.keys(inv.nfs.dfs).filter((id) => inv.nodes[id]?.roles.includes("storage")).sort();
}

/** Validates `server` against the inventory and returns why it cannot serve the DFS, if so. */
function rejectServer(inv: Cluster, env: string, server: string): string | undefined {
  const valid = dfsExporters(inv);
  const choose = `Fix: choose one of ${valid.join(", ") || "(none: declare nfs.dfs exports in the inventory)"}.`;
  const node = inv.nodes[server];
  if (!node) return `--dfs-server ${server}: values/${env}/cluster.yaml has no node ${JSON.stringify(server)} (nodes: ${Object.keys(inv.nodes).sort().join(", ")}). ${choose}`;
  if (!node.roles.includes("storage")) return `--dfs-server ${server}: node ${server} (${node.name}) is not a storage node; only storage nodes run decypharr-streaming and its /mnt/dfs mount. ${choose}`;
  if (!inv.nfs.dfs[server]) return `--dfs-server ${server}: values/${env}/cluster.yaml declares no nfs.dfs.${server} export. ${choose}`;
  return undefined;
}

/** The HelmRelease of the chart in the environment (name and namespace), from clusters/<env>/apps. */
function releaseOf(root: string, env: string): { name: string; namespace: string } {
  try {
    const hr = loadYamlFile(join(root, "clusters", env, "apps", "clusterplex.yaml"), "HelmRelease").value as { metadata: { name: string; namespace: string } };
    return { name: hr.metadata.name, namespace: hr.metadata.namespace };
  } catch {
    return { name: "clusterplex", namespace: "media" };
  }
}

/** Computes the failover without writing anything. Throws FailoverError/InputError naming the fix. */
export function planFailover(opts: FailoverOptions): FailoverPlan {
  const root = opts.root ?? repoRoot;
  const { env, server } = opts;
  const inv = loadInventory(env, root);
  const rejected = rejectServer(inv, env, server);
  if (rejected) throw new FailoverError(rejected);

  const relFile = `values/${env}/clusterplex.yaml`;
  const file = join(root, relFile);
  let before: string;
  try {
    before = readFileSync(file, "utf8");
  } catch (err) {
    throw new FailoverError(`${relFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}). Fix: create it with the environment's clusterplex values first.`, { cause: err });
  }
  const doc = parseDocument(before, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new InputError(relFile, e.linePos?.[0].line ?? 0, e.linePos?.[0].col ?? 0, `malformed YAML: ${e.message.split("\n")[0]}. Fix it before running failover`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new FailoverError(`${relFile} is not a mapping of values. Fix: the file holds chart values (key: value).`);

  const current = doc.getIn(["dfs", "server"]);
  const from = typeof current === "string" ? current : null;
  const node = inv.nodes[server];
  const exp = inv.nfs.dfs[server];
  doc.setIn(["dfs", "server"], server);
  // The chart needs the server's address and path; take them from the inventory (lint compares).
  if (doc.getIn(["dfs", "servers", server, "ip"]) !== node.ip) doc.setIn(["dfs", "servers", server, "ip"], node.ip);
  if (doc.getIn(["dfs", "servers", server, "path"]) !== exp.path) doc.setIn(["dfs", "servers", server, "path"], exp.path);
  const after = doc.toString({ lineWidth: 0 });
  const changed = after !== before;
  return {
    env,
    file,
    relFile,
    from,
    to: server,
    before,
    after: changed ? after : before,
    changed,
    diff: changed ? unifiedDiff(before, after, relFile) : "",
    steps: hostSteps({ inventory: inv, to: server, from, release: releaseOf(root, env), valuesFile: relFile }),
  };
}

/**
 * Writes the plan's file (temporary sibling + rename). Refuses when the file changed since the
 * plan was made, rather than overwriting someone's edit.
 */
export function applyFailover(plan: FailoverPlan): void {
  if (!plan.changed) return;
  const now = readFileSync(plan.file, "utf8");
  if (now !== plan.before) throw new FailoverError(`${plan.relFile} changed while the failover was being planned. Fix: run the command again.`);
  writeFilesAtomic(new Map([[plan.file, plan.after]]));
}
