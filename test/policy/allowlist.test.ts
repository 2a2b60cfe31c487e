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
    // privileged already grants every capability: no capabilities.add is allowlisted on top.
    expect([...streaming.capabilities]).toEqual([]);
    expect(streaming.hostPaths).toEqual([{ path: "/mnt/decypharr", propagation: "Bidirectional" }, { path: "/dev/fuse" }]);
    // privileged is granted to decypharr-streaming alone
    for (const other of ["decypharr-download", "media-apps-sonarr", "clusterplex-pms", "clusterplex-worker"]) {
      expect(grantsFor(policy, other, other).privileged).toBe(false);
      expect(grantsFor(policy, other, other).capabilities.size).toBe(0);
    }
    expect(grantsFor(policy, "media-apps-radarr", "radarr").hostPaths).toEqual([{ path: "/mnt/decypharr", propagation: "HostToContainer", readOnly: true }]);
    expect(grantsFor(policy, "decypharr-download", "decypharr").unpinnedImages.map((u) => u.image)).toEqual(["cy01/blackhole:latest"]);
  });

  // The dangerous grants, read off the file itself (not sampled by workload name), so an entry
  // added for any other workload fails here.
  it.each(["homelab", "staging"])("%s grants privileged, capabilities and host namespaces to decypharr-streaming alone, for FUSE", (env) => {
    const policy = loadPolicy(env);
    const dangerous = (policy.workloads ?? []).filter((w) => w.privileged || w.capabilities?.length || w.hostNamespaces?.length);
    expect(dangerous.map((w) => ({ names: w.names, pattern: w.pattern, containers: w.containers, privileged: w.privileged, capabilities: w.capabilities, hostNamespaces: w.hostNamespaces }))).toEqual([
      { names: ["decypharr-streaming"], pattern: undefined, containers: ["decypharr"], privileged: true, capabilities: undefined, hostNamespaces: undefined },
    ]);
    expect(dangerous[0].reason).toMatch(/FUSE/);
  });

  it.each(["homelab", "staging"])("%s allows hostPaths /mnt/decypharr (Bidirectional) and /dev/fuse for decypharr-streaming, /mnt/decypharr read-only for media-apps consumers, nothing else", (env) => {
    const hostPaths = (loadPolicy(env).workloads ?? []).filter((w) => w.hostPaths?.length).map((w) => [w.names ?? w.pattern, w.hostPaths]);
    expect(hostPaths).toEqual([
      [["decypharr-streaming"], [{ path: "/mnt/decypharr", propagation: "Bidirectional" }, { path: "/dev/fuse" }]],
      ["media-apps-*", [{ path: "/mnt/decypharr", propagation: "HostToContainer", readOnly: true }]],
    ]);
  });

  it.each(["homelab", "staging"])("%s: root and a writable root filesystem only with a reason naming why the image needs it", (env) => {
    const root = (loadPolicy(env).workloads ?? []).filter((w) => w.runAsRoot || w.writableRootFilesystem);
    expect(root.flatMap((w) => w.names ?? [w.pattern]).sort()).toEqual(
      (env === "homelab" ? ["clusterplex-pms", "clusterplex-worker"] : ["clusterplex-pms"]).concat(["decypharr-download", "decypharr-streaming", "media-apps-*"]).sort(),
    );
    for (const w of root) expect(w.reason).toMatch(/start(s)? as root.*PUID\/PGID/s);
  });

  it.each(["homelab", "staging"])("%s: the only unpinned image is cy01/blackhole:latest for decypharr-download", (env) => {
    const unpinned = (loadPolicy(env).workloads ?? []).filter((w) => w.unpinnedImages?.length);
    expect(unpinned.map((w) => [w.names, w.pattern, w.unpinnedImages!.map((u) => u.image)])).toEqual([[["decypharr-download"], undefined, ["cy01/blackhole:latest"]]]);
  });

  it.each([
    ["a missing key", "workloads:\n  - names: [x]\n", "values/t/policy.yaml:2:5: policy allowlist workloads[0].reason: is required. Fix: correct it as schema/policy.ts types the allowlist"],
    ["no selector", "workloads:\n  - reason: because the app needs it\n", "workloads[0]: needs `names` or `pattern`"],
    ["an unknown key", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    privilegd: true\n", "values/t/policy.yaml:4:5: policy allowlist workloads[0].privilegd: unknown key; allowed: names, pattern"],
    ["a bad enum", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    hostPaths: [{path: /mnt, propagation: Both}]\n", 'workloads[0].hostPaths[0].propagation: must be one of None, HostToContainer, Bidirectional (got "Both")'],
    ["capability ALL", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    capabilities: [ALL]\n", 'workloads[0].capabilities[0]: must be an upper-case capability name other than ALL (got "ALL")'],
    ["a short reason", "clusterRoles:\n  - names: [x]\n    reason: why\n", "clusterRoles[0].reason: must be at least 10 characters"],
    ["a relative host path", "workloads:\n  - names: [x]\n    reason: because the app needs it\n    hostPaths: [{path: mnt}]\n", "hostPaths[0].path: must be an absolute path"],
    ["a list at the root", "- a\n", "(root): must be a mapping"],
    ["malformed YAML", "workloads: [\n", "values/t/policy.yaml:2:1: YAML syntax: a [list] or {map} opened above is not closed"],
  ])("rejects %s, naming file, line and key", (_title, text, message) => {
    const err = load(text);
    expect(err).toBeInstanceOf(PolicyFileError);
    const lines = (err as PolicyFileError).message.split("\n");
    // each problem is one line naming the file relative to the root, line and column, and the fix
    expect(lines.some((l) => l.includes(message))).toBe(true);
    for (const l of lines) expect(l).toMatch(/^values\/t\/policy\.yaml:\d+:\d+: .*Fix: /);
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
