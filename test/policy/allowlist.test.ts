import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { globToRegExp, grantsFor, loadPolicy, PolicyFileError } from "../../tools/policy/allowlist.ts";
import { TEST_POLICY } from "./fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "policy-allowlist-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function load(text: string): unknown {
  mkdirSync(join(root, "values", "t"), { recursive: true });
  writeFileSync(join(root, "values", "t", "policy.yaml"), text);
  try {
    return loadPolicy("t", root);
  } catch (err) {
    return err;
  }
}

describe("loadPolicy", () => {
  it.each(["homelab", "staging"])("loads the repository's %s allowlist", (env) => {
    const policy = loadPolicy(env);
    const streaming = grantsFor(policy, "decypharr-streaming", "decypharr");
    expect(streaming.privileged).toBe(true);
    expect([...streaming.capabilities]).toEqual(["SYS_ADMIN"]);
    expect(streaming.hostPaths).toEqual([{ path: "/mnt", propagation: "Bidirectional" }, { path: "/dev/fuse" }]);
    // privileged is granted to decypharr-streaming alone
    for (const other of ["decypharr-download", "media-apps-sonarr", "clusterplex-pms", "clusterplex-worker"]) {
      expect(grantsFor(policy, other, other).privileged).toBe(false);
      expect(grantsFor(policy, other, other).capabilities.size).toBe(0);
    }
    expect(grantsFor(policy, "media-apps-radarr", "radarr").hostPaths).toEqual([{ path: "/mnt/dfs", propagation: "HostToContainer", readOnly: true }]);
    expect(grantsFor(policy, "decypharr-download", "decypharr").unpinnedImages.map((u) => u.image)).toEqual(["cy01/blackhole:latest"]);
  });

  it.each([
    ["a missing key", "workloads:\n  - names: [x]\n", "values/t/policy.yaml:2:5 workloads[0].reason: is required"],
    ["no selector", "workloads:\n  - reason: because the app needs it\n", "workloads[0]: needs `names` or `pattern`"],
    ["an unknown key", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    privilegd: true\n", "values/t/policy.yaml:4:5 workloads[0].privilegd: unknown key"],
    ["a bad enum", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    hostPaths: [{path: /mnt, propagation: Both}]\n", 'workloads[0].hostPaths[0].propagation: must be one of None, HostToContainer, Bidirectional (got "Both")'],
    ["capability ALL", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    capabilities: [ALL]\n", 'workloads[0].capabilities[0]: must be an upper-case capability name other than ALL (got "ALL")'],
    ["a short reason", "clusterRoles:\n  - names: [x]\n    reason: why\n", "clusterRoles[0].reason: must be at least 10 characters"],
    ["a relative host path", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    hostPaths: [{path: mnt}]\n", "hostPaths[0].path: must be an absolute path"],
    ["a list at the root", "- a\n", "(root): must be a mapping"],
    ["malformed YAML", "workloads: [\n", "values/t/policy.yaml:2:1: malformed YAML"],
  ])("rejects %s, naming file, line and key", (_title, text, message) => {
    const err = load(text);
    expect(err).toBeInstanceOf(PolicyFileError);
    expect((err as PolicyFileError).message).toContain(message);
  });

  it("names the missing file and how to create it", () => {
    expect(() => loadPolicy("nope", root)).toThrow(/values\/nope\/policy\.yaml.*does not exist\. Fix: create it/);
  });

  it("accepts an empty allowlist", () => {
    expect(load("# nothing is allowed\n")).toEqual({});
  });
});

describe("grantsFor", () => {
  it("adds up the grants of every matching entry, by name and by pattern", () => {
    const g = grantsFor(TEST_POLICY, "sonarr", "sonarr");
    expect([g.runAsRoot, g.writableRootFilesystem, g.privileged]).toEqual([true, true, false]);
    expect(g.hostPaths.map((h) => h.path)).toEqual(["/mnt/dfs"]);
  });

  it("leaves out entries limited to other containers", () => {
    expect(grantsFor(TEST_POLICY, "decypharr-streaming", "sidecar").privileged).toBe(false);
    expect(grantsFor(TEST_POLICY, "decypharr-streaming", "decypharr-streaming").privileged).toBe(true);
  });

  it.each([
    ["*arr", "sonarr", true],
    ["*arr", "sonarr-x", false],
    ["media-apps-*", "media-apps-sonarr", true],
    ["a.b", "axb", false],
    ["clusterplex-?", "clusterplex-1", true],
  ])("glob %s matches %s: %s", (glob, name, want) => {
    expect(globToRegExp(glob).test(name)).toBe(want);
  });
});
