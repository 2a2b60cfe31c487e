/**
 * tools/simulate/dfs-export.ts on the real homelab render: for w1-down, w1-back and w1-cordoned,
 * the DFS outage window of PMS and the workers, with every timing from the rendered manifests (the
 * scenario's pod timeline) and the runbook's keepalived settings; the NFS PV never changes; and a
 * violation when the PV's address could lead to a node without the DFS mount.
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type RenderedRelease } from "../../tools/lib/render.ts";
import { RELEASE_SECONDS, TAKEOVER_SECONDS } from "../../tools/runbook/keepalived.ts";
import type { DfsExportFacts } from "../../tools/simulate/dfs-export.ts";
import { simulateReleases, type ScenarioResult } from "../../tools/simulate/index.ts";
import { nodeMonitorGracePeriod } from "../../tools/simulate/scenarios.ts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const inv = loadInventory("homelab");
const rendered = renderEnvironment("homelab");
const run = (rs: RenderedRelease[], name: "w1-down" | "w1-back" | "w1-cordoned") =>
  simulateReleases("homelab", rs, inv, { scenario: name }).scenarios.find((s) => s.name === name)!;
const dfs = (s: ScenarioResult) => s.facts.dfsExport as DfsExportFacts;
const pvOf = (rs: RenderedRelease[]) => rs.flatMap((r) => r.objects as Obj[]).find((o) => o.kind === "PersistentVolume" && o.metadata.name === "clusterplex-dfs")!;
const READERS = ["clusterplex-pms", "clusterplex-worker-0", "clusterplex-worker-1"];

describe("the DFS export in the storage scenarios (homelab)", () => {
  it("the NFS PV is the same object in every scenario and names the export address, not a node", async () => {
    const rs = await rendered;
    const pv = pvOf(rs);
    expect(pv.spec.nfs).toEqual({ server: inv.nfs.dfsExport!.address, path: "/mnt/decypharr/dfs", readOnly: true });
    for (const name of ["w1-down", "w1-back", "w1-cordoned"] as const) {
      expect(dfs(run(rs, name)).pv).toEqual({ name: "clusterplex-dfs", server: "192.168.1.30", path: "/mnt/decypharr/dfs" });
    }
  });

  it("w1-down: the DFS is gone when w1 stops, back TAKEOVER_SECONDS after decypharr-streaming runs on w2", async () => {
    const s = run(await rendered, "w1-down");
    const f = dfs(s);
    const producer = s.pods.find((p) => p.pod === "decypharr-streaming-0")!;
    expect(producer).toMatchObject({ from: "w1", to: "w2", status: "Running" });
    expect(f.stopAt).toBe(-nodeMonitorGracePeriod(inv.kubernetesVersion));
    expect(f.addressAt).toBe(producer.runningAt! + TAKEOVER_SECONDS);
    const pms = s.pods.find((p) => p.pod === "clusterplex-pms")!;
    expect(f.outages).toEqual(READERS.map((c) => ({ consumer: c, from: f.stopAt, to: c === "clusterplex-pms" ? Math.max(f.addressAt!, pms.runningAt!) : f.addressAt })));
    expect(f.brokenStreams).toEqual(READERS);
    expect(s.violations.filter((v) => v.startsWith("DFS export"))).toEqual([]);
  });

  it("w1-back: the preStop unmount starts the outage at the descheduler's eviction; the address follows to w1 and never stays on a node without the mount", async () => {
    const s = run(await rendered, "w1-back");
    const f = dfs(s);
    const ev = (s.facts.evictions as Array<{ pod: string; t: number; runningAt: number; to: string }>).filter((e) => e.pod === "decypharr-streaming-0");
    expect(ev.at(-1)!.to).toBe("w1");
    expect(f.stopAt).toBe(ev[0].t);
    expect(f.releasedBy).toBe(ev[0].t + RELEASE_SECONDS);
    expect(f.addressAt).toBe(ev.at(-1)!.runningAt + TAKEOVER_SECONDS);
    // The address is released (<= RELEASE_SECONDS) long before the new mount is live.
    expect(f.releasedBy!).toBeLessThan(f.liveAt!);
    for (const o of f.outages) expect(o.to! - o.from, o.consumer).toBe(f.addressAt! - f.stopAt!);
    expect(s.timeline.some((e) => e.t === f.addressAt && /moves 192\.168\.1\.30 there/.test(e.text))).toBe(true);
    expect(s.violations.filter((v) => v.startsWith("DFS export"))).toEqual([]);
  });

  it("w1-cordoned: the drain starts the outage at t=0; back when decypharr-streaming runs on w2", async () => {
    const s = run(await rendered, "w1-cordoned");
    const f = dfs(s);
    const producer = s.pods.find((p) => p.pod === "decypharr-streaming-0")!;
    expect(f.stopAt).toBe(0);
    expect(f.addressAt).toBe(producer.runningAt! + TAKEOVER_SECONDS);
    expect(f.outages.map((o) => o.consumer)).toEqual(READERS);
  });

  it("fails when the PV names a node's address: it would lead to a node without the mount after a move", async () => {
    const rs = structuredClone(await rendered);
    pvOf(rs).spec.nfs.server = inv.nodes.w1.ip;
    for (const name of ["w1-down", "w1-back", "w1-cordoned"] as const) {
      const v = run(rs, name).violations.filter((x) => x.startsWith("DFS export"));
      expect(v, name).toEqual([
        "DFS export: PersistentVolume clusterplex-dfs names 192.168.1.12, the address of w1 (k3s-w1): when decypharr-streaming runs elsewhere it leads to a node without the DFS mount. Fix: dfs.address 192.168.1.30, the export address keepalived moves with the mount (values/homelab/cluster.yaml nfs.dfsExport.address)",
      ]);
    }
  });

  it("fails when the PV's path is not the FUSE mount keepalived tracks", async () => {
    const rs = structuredClone(await rendered);
    pvOf(rs).spec.nfs.path = "/mnt/decypharr";
    expect(run(rs, "w1-back").violations.filter((x) => x.startsWith("DFS export"))).toEqual([
      "DFS export: PersistentVolume clusterplex-dfs mounts /mnt/decypharr, but keepalived tracks the FUSE mount at /mnt/decypharr/dfs: the address can sit on a node where /mnt/decypharr is not served. Fix: dfs.path /mnt/decypharr/dfs",
    ]);
  });
});
