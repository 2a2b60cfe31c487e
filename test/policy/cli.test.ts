import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { RULES } from "../../tools/policy/types.ts";
import { goodContainer, sc, sts, workload } from "./fixtures.ts";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, docs: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, docs.map((d) => stringify(d)).join("---\n"));
  return path;
}

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const policy = (args: string[], input?: string) => runCli("policy", args, { input });

const streaming = workload("StatefulSet", "decypharr-streaming", {
  containers: [
    goodContainer("decypharr", {
      image: "cy01/blackhole:beta",
      // As charts/decypharr renders it: privileged, no capabilities.add (privileged has them all).
      securityContext: { privileged: true },
      volumeMounts: [{ name: "mnt", mountPath: "/mnt/decypharr", mountPropagation: "Bidirectional" }, { name: "fuse", mountPath: "/dev/fuse" }],
    }),
  ],
  volumes: [{ name: "mnt", hostPath: { path: "/mnt/decypharr" } }, { name: "fuse", hostPath: { path: "/dev/fuse" } }],
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

  it("reads a manifest as the cluster does: `privileged: yes` is a privileged container (YAML 1.1)", async () => {
    const bad = stringify(sts("media-apps-sonarr", sc({ privileged: true }))).replace("privileged: true", "privileged: yes");
    expect(bad).toContain("privileged: yes");
    const r = await policy(["--env", "homelab", "-"], bad);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('privileged: securityContext.privileged: true, and "media-apps-sonarr" is not allowlisted for privileged containers');
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
    const envelope = JSON.parse(r.stdout) as { tool: string; ok: boolean; findings: unknown[]; data: { violations: unknown[] } };
    expect(envelope).toMatchObject({ tool: "policy", ok: true });
    expect(envelope.data.violations).toEqual([expect.objectContaining({ severity: "warning", rule: "image-pinned", object: "StatefulSet/media/decypharr-download", container: "decypharr" })]);
    expect(envelope.findings).toEqual([expect.objectContaining({ severity: "warning", object: "StatefulSet/media/decypharr-download" })]);
  });

  it.each([
    [["--env", "nope", "x.yaml"], /--env "nope" is not an environment.*known: homelab, staging/],
    [["x.yaml"], /--env is required/],
    [["--env", "homelab", "/nonexistent.yaml"], /\/nonexistent\.yaml: cannot read: no such file/],
    [["--env", "homelab", "a", "b"], /at most one FILE/],
  ])("exits 2 for %j", async (args, message) => {
    const r = await policy(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("exits 1 (a finding about the input) naming the document that is not a Kubernetes object", async () => {
    const r = await policy(["--env", "homelab", file("junk.yaml", [{ kind: "Pod", metadata: { name: "a" }, apiVersion: "v1", spec: { containers: [goodContainer()] } }, { hello: "world" }])]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/junk\.yaml:\d+:\d+: not a Kubernetes object/);
  });
});

describe("npm run policy -- --env <env> FILE with one crafted violation of every rule", () => {
  const bad = workload("Deployment", "bad", {
    hostNetwork: true,
    containers: [
      {
        name: "app",
        image: "lscr.io/linuxserver/sonarr:latest",
        securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
        env: [{ name: "SONARR__API_KEY", value: "0123abcd" }],
        volumeMounts: [{ name: "etc", mountPath: "/host-etc" }],
      },
    ],
    volumes: [{ name: "etc", hostPath: { path: "/etc" } }],
  });
  const wide = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "wide" },
    rules: [{ apiGroups: [""], resources: ["secrets", "pods"], verbs: ["*", "impersonate"] }],
  };
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "media" }, stringData: { password: "hunter2" } };
  const leak = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "notes", namespace: "media" }, data: { aws: "AKIAIOSFODNN7EXAMPLE" } };

  it("fails every rule of the gate, each line naming the object, the container, the rule and the fix, exit 1", async () => {
    const path = file("every-rule.yaml", [bad, wide, secret, leak]);
    const json = await policy(["--env", "homelab", "--json", path]);
    expect(json.exitCode).toBe(1);
    const violations = (JSON.parse(json.stdout) as { data: { violations: Array<{ rule: string; severity: string }> } }).data.violations;
    expect([...new Set(violations.map((v) => v.rule))].sort()).toEqual(Object.keys(RULES).sort());
    expect(violations.every((v) => v.severity === "error")).toBe(true);

    const text = await policy(["--env", "homelab", path]);
    expect(text.exitCode).toBe(1);
    const lines = text.stdout.trimEnd().split("\n");
    const obj = "Deployment/media/bad";
    const inApp = `ERROR - ${obj} container app:`;
    for (const want of [
      `ERROR - ${obj}: host-namespaces: hostNetwork: true shares the node's network namespace, and "bad" is not allowlisted for it. Fix: ${RULES["host-namespaces"].fix}`,
      `ERROR - ${obj}: hostpath: volume etc: hostPath /etc exposes node configuration and credentials; it is forbidden even when allowlisted. Fix: remove the hostPath volume`,
      `${inApp} privileged: securityContext.privileged: true, and "bad" is not allowlisted for privileged containers. Fix: ${RULES.privileged.fix}`,
      `${inApp} capabilities: capabilities.add contains NET_ADMIN, which is beyond the runtime's default set and not allowlisted for "bad". Fix: ${RULES.capabilities.fix}`,
      `${inApp} run-as-non-root: runs as root (runAsUser: 0), and "bad" is not allowlisted to run as root. Fix: ${RULES["run-as-non-root"].fix}`,
      `${inApp} privilege-escalation: allowPrivilegeEscalation is true. Fix: ${RULES["privilege-escalation"].fix}`,
      `${inApp} read-only-root-fs: readOnlyRootFilesystem is not true, and "bad" is not allowlisted for a writable root filesystem. Fix: ${RULES["read-only-root-fs"].fix}`,
      `${inApp} image-pinned: image lscr.io/linuxserver/sonarr:latest uses the tag latest. Fix: ${RULES["image-pinned"].fix}`,
      `${inApp} resource-requests: no resources.requests.cpu or memory. Fix: ${RULES["resource-requests"].fix}`,
      `${inApp} credential-value: env[0].value (SONARR__API_KEY) is a literal credential. Fix: read SONARR__API_KEY with valueFrom.secretKeyRef`,
      `ERROR - ClusterRole/wide: rbac-wildcard: rules[0].verbs contains "*". Fix: ${RULES["rbac-wildcard"].fix}`,
      `ERROR - ClusterRole/wide: rbac-secrets: rules[0] grants *, impersonate on secrets. Fix: ${RULES["rbac-secrets"].fix}`,
      `ERROR - ClusterRole/wide: rbac-escalation: rules[0].verbs contains impersonate. Fix: ${RULES["rbac-escalation"].fix}`,
      `ERROR - ClusterRole/wide: rbac-cluster-scope: ClusterRole "wide" grants cluster-wide access and is not in the allowlist's clusterRoles. Fix: ${RULES["rbac-cluster-scope"].fix}`,
      `ERROR - Secret/media/creds: secret-object: Secret renders literal data (password); secret material would be committed through values. Fix: ${RULES["secret-object"].fix}`,
      `ERROR - ${path}:`,
    ]) {
      expect(lines.some((l) => l.startsWith(want)), want).toBe(true);
    }
    expect(lines.find((l) => l.includes("secret-scan"))).toMatch(new RegExp(`^ERROR - ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: secret-scan: AWS access key id AKIA\\.\\.\\. \\(20 chars\\)\\. Fix: `));
    expect(lines.at(-1)).toBe(`ERROR - policy FAILED for homelab: 4 objects checked, ${violations.length} errors, 0 warnings`);
  });
});

describe("npm run policy -- --env <env> without FILE", () => {
  it.each(["homelab", "staging"])("renders %s and passes with the blackhole:latest warning, exit 0", async (env) => {
    const r = await policy(["--env", env]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^WARNING - StatefulSet\/media\/decypharr-download container decypharr: image-pinned: image cy01\/blackhole:latest uses the tag latest; allowlisted exception: /),
      expect.stringMatching(new RegExp(`^INFO - policy passed for ${env}: \\d+ objects checked, 0 errors, 1 warning$`)),
    ]);
    // every chart of the environment is rendered: far more objects than one chart has
    expect(Number(/(\d+) objects checked/.exec(lines[1])![1])).toBeGreaterThan(40);
  });
});
