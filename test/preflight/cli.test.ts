import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { runCli } from "../helpers/cli.ts";

const FIXTURES = "test/preflight/fixtures";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const cli = (script: string, args: string[], input?: string) => runCli(script, args, { input });

const tmp = mkdtempSync(join(tmpdir(), "preflight-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run preflight", () => {
  it("matching homelab cluster from a file: exit 0, INFO lines and the summary", async () => {
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", `${FIXTURES}/homelab-nodes.json`]);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.split("\n");
    expect(lines).toContain("INFO - k3s-w1: matches the inventory (5 labels, 1 taint, InternalIP 192.168.1.12)");
    expect(lines.some((l) => l.startsWith("ERROR"))).toBe(false);
    // homelab's inventory does not say which k3s datastore cp1 runs (issue 20): the one warning
    expect(lines.filter((l) => l.startsWith("WARNING")).map((l) => l.split(":")[0])).toEqual(["WARNING - k3s-cp1"]);
    expect(lines.at(-1)).toMatch(/^preflight: homelab: 4 inventory nodes, 4 cluster nodes; 0 errors, 1 warning/);
  });

  it("matching staging cluster from stdin: exit 0", async () => {
    const res = await cli("preflight.ts", ["--env", "staging", "--nodes", "-"], readFileSync(join(repoRoot, FIXTURES, "staging-nodes.json"), "utf8"));
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("preflight: staging: 1 inventory node, 1 cluster node; 0 errors, 0 warnings");
  });

  it("drifted cluster from stdin: exit 1, one ERROR line per drift with the fix", async () => {
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", "-"], readFileSync(join(repoRoot, FIXTURES, "homelab-drift.json"), "utf8"));
    expect(res.exitCode).toBe(1);
    const errors = res.stdout.split("\n").filter((l) => l.startsWith("ERROR - "));
    expect(errors).toEqual([
      "ERROR - k3s-cp1: label node.longhorn.io/storage is not in the inventory: expected (absent), actual \"enabled\". Fix: kubectl label node k3s-cp1 node.longhorn.io/storage- (or add it to nodes.cp1.labels in values/homelab/cluster.yaml)",
      "ERROR - k3s-w1: label node.longhorn.io/create-default-disk missing: expected \"true\", actual (absent). Fix: kubectl label node k3s-w1 node.longhorn.io/create-default-disk=true --overwrite",
      "ERROR - k3s-w2: label node.longhorn.io/primary differs: expected \"false\", actual \"true\". Fix: kubectl label node k3s-w2 node.longhorn.io/primary=false --overwrite",
      "ERROR - k3s-w2: taint node.longhorn.io/storage has the wrong effect: expected node.longhorn.io/storage=enabled:NoSchedule, actual node.longhorn.io/storage=enabled:NoExecute. Fix: kubectl taint node k3s-w2 node.longhorn.io/storage:NoExecute- && kubectl taint node k3s-w2 node.longhorn.io/storage=enabled:NoSchedule --overwrite",
      "ERROR - k3s-w3: InternalIP differs: expected 192.168.1.13, actual 192.168.1.99. Fix: set nodes.w3.ip in values/homelab/cluster.yaml to the node's address (NFS PVs, the DFS export and lint use it), or start k3s on k3s-w3 with --node-ip 192.168.1.13",
    ]);
    expect(res.stdout.trimEnd().split("\n").at(-1)).toMatch(/^preflight: homelab: 4 inventory nodes, 4 cluster nodes; 5 errors, 1 warning; drift:/);
  });

  it("only an unknown node: WARNING line, exit 0", async () => {
    const list = JSON.parse(readFileSync(join(repoRoot, FIXTURES, "homelab-nodes.json"), "utf8"));
    const extra = structuredClone(list.items[3]);
    extra.metadata.name = "k3s-w4";
    extra.status.addresses = [{ type: "InternalIP", address: "192.168.1.14" }];
    list.items.push(extra);
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", "-"], JSON.stringify(list));
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("WARNING - k3s-w4: node is not in the inventory values/homelab/cluster.yaml");
    expect(res.stdout).toContain("0 errors, 2 warnings;");
  });

  it.each([
    { name: "a missing file", args: ["--env", "homelab", "--nodes", "nope.json"], want: "ERROR - --nodes nope.json: cannot read: no such file. Fix: kubectl get nodes -o json > nodes.json" },
    { name: "a directory", args: ["--env", "homelab", "--nodes", FIXTURES], want: `ERROR - --nodes ${FIXTURES}: cannot read: is a directory.` },
    { name: "no --nodes", args: ["--env", "homelab"], want: "ERROR - --nodes is required. usage: npm run preflight" },
    { name: "no --env", args: ["--nodes", "-"], want: "ERROR - --env is required." },
    { name: "an unknown option", args: ["--env", "homelab", "--node", "x"], want: "ERROR - Unknown option '--node'" },
    { name: "an unknown environment", args: ["--env", "prod", "--nodes", `${FIXTURES}/homelab-nodes.json`], want: 'ERROR - --env "prod" is not an environment (a directory under clusters/); known: homelab, staging.' },
  ])("usage error: $name -> exit 2", async ({ args, want }) => {
    const res = await cli("preflight.ts", args, "");
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(want);
    expect(res.stdout).toBe("");
  });

  it("invalid JSON in a file: exit 1 (a finding about the input) naming the file", async () => {
    const file = join(tmp, "nodes.json");
    writeFileSync(file, "NAME      STATUS   ROLES\nk3s-w1    Ready    <none>\n");
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", file]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(`ERROR - ${file}: not valid JSON: it does not start with '{' (YAML or table output? use -o json)`);
  });

  it("invalid JSON on stdin: exit 1 naming (stdin)", async () => {
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", "-"], '{"kind": "List", "items": [');
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toMatch(/^ERROR - \(stdin\): not valid JSON: /);
  });

  it("--json prints the result as data", async () => {
    const res = await cli("preflight.ts", ["--env", "homelab", "--nodes", `${FIXTURES}/homelab-drift.json`, "--json"]);
    expect(res.exitCode).toBe(1);
    const envelope = JSON.parse(res.stdout) as { tool: string; ok: boolean; findings: { severity: string }[]; data: { errors: number; findings: { kind: string }[] } };
    expect(envelope).toMatchObject({ tool: "preflight", ok: false });
    expect(envelope.findings.filter((f) => f.severity === "error")).toHaveLength(5);
    const data = envelope.data;
    expect(data.errors).toBe(5);
    expect(data.findings.map((f) => f.kind)).toContain("taint-effect");
  });
});
