/**
 * The clusterplex DFS failover switch against the REAL chart and the REAL homelab environment:
 * a temporary git repository holding a copy of this checkout's charts/, clusters/, values/ and
 * schema/, one commit as it is, one after `npm run failover`'s API switched dfs.server, and
 * upgradeCheck between the two commits (helm renders both).
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyFailover, planFailover } from "../../tools/failover/failover.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { upgradeCheck } from "../../tools/upgrade/check.ts";
import { hasErrors, type Finding } from "../../tools/upgrade/compare.ts";
import { tempRepo, type TempRepo } from "./repo.ts";

const ENV = "homelab";
let repo: TempRepo;
/** dfs.server in the checkout's homelab values (the side the test switches away from). */
let from: string;
let to: string;

beforeAll(async () => {
  repo = await tempRepo("upgrade-clusterplex-");
  for (const d of ["charts", "clusters", "values", "schema"]) cpSync(join(repoRoot, d), join(repo.dir, d), { recursive: true });
  await repo.commit("homelab as checked out");
  const current = planFailover({ env: ENV, server: "w1", root: repo.dir });
  from = current.from ?? "w1";
  to = from === "w1" ? "w2" : "w1";
});
afterAll(() => repo?.remove());

const dfsName = (node: string) => `clusterplex-dfs-${node}`;
const summary = (fs: Finding[]) => fs.map((f) => [f.severity, f.kind, f.object.kind, f.object.name, f.renamedTo?.name ?? null]);

describe("clusterplex DFS failover on the real chart (homelab)", () => {
  it("switching dfs.server renames the PV and PVC: no error, no data at risk", async () => {
    const plan = planFailover({ env: ENV, server: to, root: repo.dir });
    expect(plan.changed).toBe(true);
    applyFailover(plan);
    await repo.commit(`failover to ${to}`);
    const { environments } = await upgradeCheck({ root: repo.dir, base: "HEAD~1", env: ENV });
    expect(environments.map((e) => [e.env, e.skipped ?? null])).toEqual([[ENV, null]]);
    const found = environments[0].findings;

    expect(hasErrors(found)).toBe(false);
    expect(found.filter((f) => f.kind === "immutable-field" || f.kind === "removed-data")).toEqual([]);
    // The PV/PVC pair is renamed after the server, and both renames are harmless.
    expect(summary(found.filter((f) => f.kind === "renamed")).sort()).toEqual([
      ["info", "renamed", "PersistentVolume", dfsName(from), dfsName(to)],
      ["info", "renamed", "PersistentVolumeClaim", dfsName(from), dfsName(to)],
    ]);
    // What remains is the pod roll of the StatefulSets mounting the DFS claim (new claimName).
    const warnings = found.filter((x) => x.severity === "warning");
    expect(warnings.length).toBeGreaterThan(0);
    for (const f of warnings) {
      expect(f.kind).toBe("rolls-pods");
      expect(f.changes?.map((c) => [c.old, c.new])).toContainEqual([dfsName(from), dfsName(to)]);
    }
  });

  it("failing back is clean too", async () => {
    applyFailover(planFailover({ env: ENV, server: from, root: repo.dir }));
    await repo.commit(`fail back to ${from}`);
    const { environments } = await upgradeCheck({ root: repo.dir, base: "HEAD~1", env: ENV });
    expect(hasErrors(environments[0].findings)).toBe(false);
    expect(summary(environments[0].findings.filter((f) => f.kind === "renamed")).sort()).toEqual([
      ["info", "renamed", "PersistentVolume", dfsName(to), dfsName(from)],
      ["info", "renamed", "PersistentVolumeClaim", dfsName(to), dfsName(from)],
    ]);
  });

  it("patching the active server's IP in place instead is an immutable-field error on the PV", async () => {
    // The seed's failover: keep the PV, change its NFS server. The API server rejects it.
    const file = join(repo.dir, "values", ENV, "clusterplex.yaml");
    const text = readFileSync(file, "utf8");
    const ip = new RegExp(`(\\n    ${from}:\\n      ip: )([0-9.]+)`);
    const oldIp = ip.exec(text)?.[2];
    expect(oldIp, `values/${ENV}/clusterplex.yaml lists dfs.servers.${from}.ip`).toBeDefined();
    writeFileSync(file, text.replace(ip, "$1192.168.1.99"));
    await repo.commit("patch the DFS server in place");
    const { environments } = await upgradeCheck({ root: repo.dir, base: "HEAD~1", env: ENV });
    const errors = environments[0].findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => [f.kind, f.object.kind, f.object.name, f.path])).toEqual([["immutable-field", "PersistentVolume", dfsName(from), "spec.nfs"]]);
    expect(errors[0].changes).toEqual([{ path: "spec.nfs.server", old: oldIp, new: "192.168.1.99" }]);
    expect(errors[0].fixes[0].title).toMatch(/Rename the PV and its claim together/);
  });
});
