/**
 * `npm run failover` on a temporary copy of the repository: the values edit (comments kept,
 * atomic), the validation of the node id against the inventory, the printed diff and host steps.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { applyFailover, FailoverError, planFailover } from "../../tools/failover/failover.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { dfsExportLine } from "../../tools/runbook/dfs.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const VALUES = "values/homelab/clusterplex.yaml";
const read = (root: string, rel = VALUES) => readFileSync(join(root, rel), "utf8");
const comments = (text: string) => text.split("\n").filter((l) => l.trimStart().startsWith("#"));

describe("planFailover / applyFailover", () => {
  it("switches dfs.server w1 -> w2 with a one-line change, keeping every comment", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const before = read(root);
      const plan = planFailover({ env: "homelab", server: "w2", root });
      expect(plan).toMatchObject({ from: "w1", to: "w2", changed: true, relFile: VALUES });
      expect(read(root)).toBe(before); // planning writes nothing
      applyFailover(plan);
      const after = read(root);
      expect((parse(after) as { dfs: { server: string } }).dfs.server).toBe("w2");
      expect(comments(after)).toEqual(comments(before));
      const changed = plan.diff.split("\n").filter((l) => /^[-+][^-+]/.test(l));
      expect(changed).toEqual(["-  server: w1", "+  server: w2"]);
      expect(plan.diff.startsWith(`--- a/${VALUES}\n+++ b/${VALUES}\n@@ `)).toBe(true);
      // written via a temporary sibling and rename: nothing left behind
      expect(readdirSync(join(root, "values/homelab")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    });
  });

  it("failback to w1 restores the file byte for byte", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const original = read(root);
      applyFailover(planFailover({ env: "homelab", server: "w2", root }));
      const back = planFailover({ env: "homelab", server: "w1", root });
      expect(back).toMatchObject({ from: "w2", to: "w1", changed: true });
      applyFailover(back);
      expect(read(root)).toBe(original);
    });
  });

  it("does nothing when the server is already active", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const mtime = statSync(join(root, VALUES)).mtimeMs;
      const plan = planFailover({ env: "homelab", server: "w1", root });
      expect(plan).toMatchObject({ changed: false, diff: "" });
      applyFailover(plan);
      expect(statSync(join(root, VALUES)).mtimeMs).toBe(mtime);
    });
  });

  it("adds the new server's address and path from the inventory when the values lack them", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, VALUES, /    w2:\n      ip: 192\.168\.1\.22\n      path: \/mnt\/dfs\n/, ""),
      async (root) => {
        applyFailover(planFailover({ env: "homelab", server: "w2", root }));
        const v = parse(read(root)) as { dfs: { server: string; servers: Record<string, { ip: string; path: string }> } };
        expect(v.dfs.server).toBe("w2");
        expect(v.dfs.servers.w2).toEqual({ ip: "192.168.1.22", path: "/mnt/dfs" });
        expect(v.dfs.servers.w1).toEqual({ ip: "192.168.1.12", path: "/mnt/dfs" });
      },
    );
  });

  it.each([
    { server: "w3", want: /--dfs-server w3: node w3 \(k3s-w3\) is not a storage node.*Fix: choose one of w1, w2\./ },
    { server: "cp1", want: /node cp1 \(k3s-cp1\) is not a storage node/ },
    { server: "w9", want: /values\/homelab\/cluster\.yaml has no node "w9" \(nodes: cp1, w1, w2, w3\).*Fix: choose one of w1, w2\./ },
  ])("rejects $server, naming the valid choices", async ({ server, want }) => {
    await withFixtureRepo(() => {}, async (root) => {
      const before = read(root);
      expect(() => planFailover({ env: "homelab", server, root })).toThrow(FailoverError);
      expect(() => planFailover({ env: "homelab", server, root })).toThrow(want);
      expect(read(root)).toBe(before);
    });
  });

  it("rejects a storage node without a DFS export in the inventory", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/cluster.yaml", /    w2:\n      path: \/mnt\/dfs\n      fsid: 1\n/, ""),
      async (root) => {
        expect(() => planFailover({ env: "homelab", server: "w2", root })).toThrow(/declares no nfs\.dfs\.w2 export\. Fix: choose one of w1\./);
      },
    );
  });

  it("refuses to overwrite an edit made after planning", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const plan = planFailover({ env: "homelab", server: "w2", root });
      writeFileSync(join(root, VALUES), `${read(root)}# edited meanwhile\n`);
      expect(() => applyFailover(plan)).toThrow(/changed while the failover was being planned/);
      expect(read(root)).toMatch(/server: w1/);
    });
  });
});

describe("host-side steps", () => {
  const inv = loadInventory("homelab");

  it("export from the inventory: node subnet and the export's fsid, not the seed's 10.0.0.0/8", () => {
    const line = dfsExportLine(inv, "w2");
    expect(line).toMatch(/^\/mnt\/dfs 192\.168\.1\.0\/24\(ro,.*fsid=1\)$/);
    expect(line).not.toContain("10.0.0.0/8");
  });

  it("enable the export on the new server, disable it on the old one, then reconcile; failback named", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const { steps } = planFailover({ env: "homelab", server: "w2", root });
      const newServer = steps.indexOf("On the host of **k3s-w2** (192.168.1.22)");
      const oldServer = steps.indexOf("On the host of **k3s-w1** (192.168.1.12)");
      const reconcile = steps.indexOf("flux reconcile helmrelease clusterplex -n media --with-source");
      expect(newServer).toBeGreaterThanOrEqual(0);
      expect(oldServer).toBeGreaterThan(newServer);
      expect(reconcile).toBeGreaterThan(oldServer);
      expect(steps).toContain(`echo '${dfsExportLine(inv, "w2")}' > /etc/exports.d/clusterplex-dfs.exports`);
      expect(steps.slice(oldServer, reconcile)).toContain("rm -f /etc/exports.d/clusterplex-dfs.exports");
      expect(steps.match(/^exportfs -ra$/gm)).toHaveLength(2);
      expect(steps).toContain("npm run failover -- --env homelab --dfs-server w1");
      expect(steps).not.toContain("10.0.0.0/8");
      expect(steps).not.toMatch(/^kubectl patch pv/m); // only mentioned as what not to do
    });
  });

  it("on a first setup (no previous server) there is nothing to disable and no failback", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, VALUES, "  server: w1", "  server: null"),
      async (root) => {
        const plan = planFailover({ env: "homelab", server: "w1", root });
        expect(plan.from).toBeNull();
        expect(plan.steps).not.toContain("rm -f /etc/exports.d/clusterplex-dfs.exports");
        expect(plan.steps).not.toContain("Failback");
      },
    );
  });
});

describe("the failover CLI", () => {
  // node runs the .ts CLIs itself (type stripping), as the npm scripts do; no tsx process in between.
  const node = process.execPath;
  const cli = (args: string[]) => execa(node, [join(repoRoot, "tools/cli/failover.ts"), ...args], { reject: false, cwd: repoRoot, timeout: 60_000 });

  it("edits the copy, prints the diff and the host steps, exit 0", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const res = await cli(["--env", "homelab", "--dfs-server", "w2", "--root", root]);
      expect(res.exitCode, res.stderr).toBe(0);
      expect(res.stdout).toContain("-  server: w1\n+  server: w2");
      expect(res.stdout).toContain(`INFO - wrote ${VALUES}: dfs.server w1 -> w2`);
      expect(res.stdout).toContain("exportfs -ra");
      expect(read(root)).toMatch(/^  server: w2$/m);
    });
  });

  it("--dry-run writes nothing", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const before = read(root);
      const res = await cli(["--env", "homelab", "--dfs-server", "w2", "--root", root, "--dry-run"]);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain("+  server: w2");
      expect(read(root)).toBe(before);
    });
  });

  it.each([
    { args: ["--env", "homelab", "--dfs-server", "w3"], code: 2, want: /^ERROR - --dfs-server w3: node w3 \(k3s-w3\) is not a storage node/ },
    { args: ["--env", "homelab"], code: 2, want: /^ERROR - --env and --dfs-server are required\. usage: npm run failover/ },
    { args: ["--env", "nowhere", "--dfs-server", "w1"], code: 2, want: /^ERROR - --env "nowhere" is not an environment/ },
  ])("fails with $code for $args", async ({ args, code, want }) => {
    await withFixtureRepo(() => {}, async (root) => {
      const res = await cli([...args, "--root", root]);
      expect(res.exitCode).toBe(code);
      expect(res.stderr).toMatch(want);
      expect(existsSync(join(root, VALUES))).toBe(true);
    });
  });
});
