/**
 * The host-side half of a DFS failover, printed by `npm run failover`: stop/start the kernel NFS
 * export on the storage nodes, then let Flux apply the values change.
 *
 * The per-node commands come from the runbook generator (tools/runbook/dfs.ts: one definition of
 * the export line, its client range = the inventory's network.nodeCIDR since kubelet mounts NFS
 * from the node's IP, and the `fsid=` a FUSE export needs); this module only orders them for a
 * switch from one server to another and adds the Flux and failback steps.
 */
import type { Cluster } from "../../schema/cluster.ts";
import { dfsHostSteps } from "../runbook/dfs.ts";

export interface HostStepsInput {
  inventory: Cluster;
  /** The node id that exports the DFS from now on. */
  to: string;
  /** The node id that exported it before; null on a first setup. */
  from: string | null;
  /** HelmRelease to reconcile. */
  release: { name: string; namespace: string };
  /** Values file that was edited, relative to the repo root. */
  valuesFile: string;
}

/** The numbered host-side steps (Markdown with bash fences) for the operator to run. */
export function hostSteps(input: HostStepsInput): string {
  const { inventory: inv, to, from, release, valuesFile } = input;
  const parts: string[] = [
    `1. The new DFS server ${to} (decypharr-streaming must run there, so that its FUSE mount exists). ${dfsHostSteps(inv, to, { action: "enable" })}`,
  ];
  let n = 2;
  const previous = from && from !== to && inv.nodes[from] && inv.nfs.dfs[from] ? from : null;
  if (previous) {
    parts.push(`${n++}. The previous DFS server ${previous}, once it is reachable again, so no client mounts a stale export from it. ${dfsHostSteps(inv, previous, { action: "disable" })}`);
  }
  parts.push(
    `${n++}. Commit and push ${valuesFile}. Flux renders the PV/PVC pair for ${to} and moves PMS and the workers to it ` +
      "(a PV's NFS source is immutable: never `kubectl patch pv`). To apply at once, from a workstation whose kubectl talks to the cluster:\n\n" +
      `\`\`\`bash\nflux reconcile helmrelease ${release.name} -n ${release.namespace} --with-source\n\`\`\`\n`,
  );
  if (previous) {
    parts.push(
      `Failback, when ${previous} is healthy and the descheduler has moved decypharr-streaming back: the same steps the other way round, starting with\n\n` +
        `\`\`\`bash\nnpm run failover -- --env ${inv.name} --dfs-server ${previous}\n\`\`\`\n`,
    );
  }
  return parts.join("\n");
}
