/** The runbook's Backups and Drain sections (tools/runbook/backups.ts), from the inventory. */
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../schema/cluster.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { buildRunbook, listCommands } from "../../tools/runbook/runbook.ts";

const runs = (inv: Cluster, section: string) => listCommands(buildRunbook(inv)).filter((c) => c.section === section).map((c) => c.run);

describe("runbook: backups", () => {
  it("staging (sqlite): the NAS share mounted on the control plane, the online SQLite backup on the inventory's schedule, and its restore", () => {
    const inv = loadInventory("staging");
    const cmds = runs(inv, "backups").join("\n");
    expect(cmds).toContain(`${inv.nfs.unraid.server}:${inv.nfs.unraid.exports.backups} /mnt/nas-backups nfs`);
    expect(cmds).toContain(`echo '${inv.datastore!.schedule} root /usr/local/sbin/k3s-datastore-backup'`);
    expect(cmds).toContain(`head -n -${inv.datastore!.retain}`);
    expect(cmds).toContain("sqlite3 /var/lib/rancher/k3s/server/db/state.db");
    expect(cmds).toContain("/var/lib/rancher/k3s/server/token");
    expect(cmds).not.toContain("etcd-snapshot");
    const targets = listCommands(buildRunbook(inv)).filter((c) => c.section === "backups" && c.target.kind === "host").map((c) => c.target.kind === "host" && c.target.nodeId);
    expect(new Set(targets)).toEqual(new Set(["s1"]));
  });

  it("etcd: k3s' own scheduled snapshots into the NAS, and --cluster-reset-restore-path", () => {
    const inv = structuredClone(loadInventory("staging"));
    inv.datastore = { kind: "etcd", schedule: "0 */6 * * *", retain: 5 };
    const cmds = runs(inv, "backups").join("\n");
    expect(cmds).toContain(`'etcd-snapshot-schedule-cron: "0 */6 * * *"' 'etcd-snapshot-retention: 5'`);
    expect(cmds).toContain("--cluster-reset --cluster-reset-restore-path=");
    expect(cmds).not.toContain("sqlite3");
  });

  it("homelab does not say: both procedures, and the text says how to find out", () => {
    const rb = buildRunbook(loadInventory("homelab"));
    const cmds = runs(loadInventory("homelab"), "backups").join("\n");
    expect(cmds).toContain("sqlite3");
    expect(cmds).toContain("etcd-snapshot");
    const text = rb.sections.find((s) => s.id === "backups")!.blocks.filter((b) => b.kind === "text").map((b) => (b as { markdown: string }).markdown).join("\n");
    expect(text).toContain("does not say which datastore");
  });

  it("without a backups share in the inventory, the section says so and has no commands", () => {
    const inv = structuredClone(loadInventory("homelab"));
    delete inv.nfs.unraid.exports.backups;
    expect(runs(inv, "backups")).toEqual([]);
  });
});

describe("runbook: drain", () => {
  it("homelab: a drain procedure per storage node; the DFS export address follows decypharr-streaming by itself (no failover command)", () => {
    const cmds = runs(loadInventory("homelab"), "drain");
    expect(cmds).toContain("kubectl drain k3s-w1 --ignore-daemonsets --delete-emptydir-data --timeout=15m");
    expect(cmds).toContain("kubectl drain k3s-w2 --ignore-daemonsets --delete-emptydir-data --timeout=15m");
    expect(cmds.some((c) => c.includes("npm run failover"))).toBe(false);
  });
});
