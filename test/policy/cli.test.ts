import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { goodContainer, sc, sts, workload } from "./fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, docs: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, docs.map((d) => stringify(d)).join("---\n"));
  return path;
}

function policy(args: string[], input?: string) {
  return execa("npx", ["tsx", "tools/cli/policy.ts", ...args], { cwd: repoRoot, reject: false, input });
}

const streaming = workload("StatefulSet", "decypharr-streaming", {
  containers: [
    goodContainer("decypharr", {
      image: "cy01/blackhole:beta",
      securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } },
      volumeMounts: [{ name: "mnt", mountPath: "/mnt", mountPropagation: "Bidirectional" }, { name: "fuse", mountPath: "/dev/fuse" }],
    }),
  ],
  volumes: [{ name: "mnt", hostPath: { path: "/mnt" } }, { name: "fuse", hostPath: { path: "/dev/fuse" } }],
});
const download = sts("decypharr-download", { name: "decypharr", image: "cy01/blackhole:latest", ...sc({ runAsUser: 0, readOnlyRootFilesystem: false }) });

describe("npm run policy -- --env homelab FILE", () => {
  it("passes the seed's allowlisted workloads with the blackhole:latest warning, exit 0", async () => {
    const r = await policy(["--env", "homelab", file("ok.yaml", [streaming, download])]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      expect.stringMatching(/^WARNING - StatefulSet\/media\/decypharr-download container decypharr: image-pinned: image cy01\/blackhole:latest uses the tag latest; allowlisted exception: .*\. Fix: pin/),
      "INFO - policy passed for homelab: 2 objects checked, 0 errors, 1 warning",
    ]);
  });

  it("fails a privileged consumer and a committed credential, exit 1", async () => {
    const bad = sts("media-apps-sonarr", { ...sc({ privileged: true }), env: [{ name: "SONARR__API_KEY", value: "0123abcd" }] });
    const r = await policy(["--env", "homelab", file("bad.yaml", [bad])]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      'ERROR - StatefulSet/media/media-apps-sonarr container media-apps-sonarr: privileged: securityContext.privileged: true, and "media-apps-sonarr" is not allowlisted for privileged containers. Fix: remove securityContext.privileged',
    );
    expect(r.stdout).toContain("credential-value: env[0].value (SONARR__API_KEY) is a literal credential. Fix: read SONARR__API_KEY with valueFrom.secretKeyRef");
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("ERROR - policy FAILED for homelab: 1 object checked, 2 errors, 0 warnings");
  });

  it("reads stdin with -, and scans the text for secrets", async () => {
    const text = stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "media" }, data: { note: "AKIAIOSFODNN7EXAMPLE" } });
    const r = await policy(["--env", "homelab", "-"], text);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("ERROR - (stdin):7:9: secret-scan: AWS access key id AKIA... (20 chars)");
  });

  it("prints JSON with --json", async () => {
    const r = await policy(["--env", "homelab", "--json", file("json.yaml", [download])]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ severity: "warning", rule: "image-pinned", object: "StatefulSet/media/decypharr-download", container: "decypharr" })]);
  });

  it.each([
    [["--env", "nope", "x.yaml"], /values\/nope\/policy\.yaml.*does not exist/],
    [["x.yaml"], /--env is required/],
    [["--env", "homelab", "/nonexistent.yaml"], /\/nonexistent\.yaml: cannot read: ENOENT/],
    [["--env", "homelab", "a", "b"], /at most one FILE/],
  ])("exits 2 for %j", async (args, message) => {
    const r = await policy(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("exits 2 naming the document that is not a Kubernetes object", async () => {
    const r = await policy(["--env", "homelab", file("junk.yaml", [{ kind: "Pod", metadata: { name: "a" }, apiVersion: "v1", spec: { containers: [goodContainer()] } }, { hello: "world" }])]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/junk\.yaml:\d+:\d+: not a Kubernetes object/);
  });
});
