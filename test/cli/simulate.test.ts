/**
 * The simulate and explain CLIs: exit codes, JSON output and errors on bad input.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const cli = (script: string, args: string[]) => runCli(script, args);

describe("npm run simulate", () => {
  it("--json gives the report and the exit code follows report.ok", async () => {
    const res = await cli("simulate.ts", ["--env", "homelab", "--json"]);
    const envelope = JSON.parse(res.stdout);
    expect(envelope).toMatchObject({ tool: "simulate", ok: res.exitCode === 0 });
    const report = envelope.data;
    expect(report.env).toBe("homelab");
    expect(report.scenarios.map((s: { name: string }) => s.name)).toEqual(["first-install", "w1-down", "w1-back", "w1-cordoned", "w3-down", "w2-down", "w1-partitioned", "w1-partitioned-from-cp1", "w1-kubelet-crashed", "drain-w1", "drain-w2"]);
    expect(report.placement.find((p: { pod: string }) => p.pod === "decypharr-streaming-0").node).toBe("w1");
    expect(res.exitCode).toBe(report.ok ? 0 : 1);
  });

  it("--scenario first-install prints Flux's order, the manual steps and the time to a working cluster", async () => {
    const res = await cli("simulate.ts", ["--env", "staging", "--scenario", "first-install"]);
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/HelmRelease longhorn-system\/longhorn installs longhorn 1\.12\.\d+/)).toBeGreaterThan(-1);
    expect(at(/Kustomization flux-system\/apps starts \(dependsOn flux-system\/infrastructure Ready\)/)).toBeGreaterThan(at(/Kustomization flux-system\/infrastructure Ready/));
    expect(at(/PERSON: step decypharr-setup/)).toBeGreaterThan(at(/HelmRelease media\/decypharr Ready/));
    expect(res.stdout).toMatch(/HelmRelease media\/clusterplex installs clusterplex .*disableWait: Ready once applied/);
    expect(res.stdout).toMatch(/INFO - expected time to a working cluster: ~\d+m\d\ds/);
  });

  it("--scenario runs one scenario and prints its timeline", async () => {
    const res = await cli("simulate.ts", ["--env", "homelab", "--scenario", "w1-down"]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/Scenario w1-down: the primary storage node is powered off \(w1 \(k3s-w1\)\), mode availability/);
    expect(res.stdout).toMatch(/t=30s +decypharr-streaming-0 \(StatefulSet\): evicted/);
    expect(res.stdout).toMatch(/assumption: LONGHORN_REATTACH_SECONDS = 30s/);
    expect(res.stdout).not.toMatch(/Scenario w1-back/);
  });

  it("staging: the single-node scenarios are not applicable and the run passes", async () => {
    const res = await cli("simulate.ts", ["--env", "staging", "--scenario", "w2-down"]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/not applicable: values\/staging\/cluster.yaml sets no storage.backup/);
  });

  it.each([
    [["--env", "homelab", "--scenario", "w9-down"], /--scenario "w9-down" is not a scenario; known: first-install, w1-down, w1-back, w1-cordoned, w3-down, w2-down, w1-partitioned, w1-partitioned-from-cp1, w1-kubelet-crashed, drain-w1, drain-w2\. Did you mean w1-down\?/],
    [["--env", "homelab", "--mode", "fast"], /--mode "fast" is not a fencing mode; known: availability, safety/],
    [["--scenario", "w1-down"], /--env is required/],
    [["--env", "homelab", "--bogus"], /Unknown option '--bogus'/],
  ])("bad arguments %j exit 2", async (args, want) => {
    const res = await cli("simulate.ts", args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(want);
  });
});

describe("npm run explain", () => {
  it("explains a pod node by node", async () => {
    const res = await cli("explain.ts", ["--env", "homelab", "--pod", "decypharr-streaming"]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^decypharr-streaming-0 \(StatefulSet\/media\/decypharr-streaming\): scheduled on w1/);
    expect(res.stdout).toMatch(/ {2}w3 \(k3s-w3\): REJECTED\n.*\n {4}- NodeAffinity: required term 0/);
  });

  it("an unknown pod exits 2 listing the known pods", async () => {
    const res = await cli("explain.ts", ["--env", "homelab", "--pod", "plex"]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/^ERROR - --pod "plex" is not a pod or workload of environment homelab; known: .*decypharr-streaming-0/);
  });
});
