/**
 * tools/lint/charts/decypharr.ts through the real lint pipeline: GIVEN a fixture repository with
 * one thing broken WHEN lintEnvironment runs THEN the decypharr profile fails and says why.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment, type ProfileReport } from "../../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

const VALUES = "values/homelab/decypharr.yaml";
const STS = "charts/decypharr/templates/sts.yaml";
/** The generated shared helpers; decypharr-download's security context comes from linuxserver.securityContext there. */
const SHARED = "charts/decypharr/templates/_shared.tpl";

async function lintDecypharr(env: string, edit: (root: string) => void): Promise<ProfileReport> {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart: "decypharr", root });
    const profile = report.profiles.find((p) => p.chart === "decypharr");
    expect(profile, "the decypharr profile was linted").toBeDefined();
    return profile!;
  });
}

const messages = (p: ProfileReport) => p.findings.map((f) => f.message).join("\n");

/** Every finding of the chart-filtered lint run (the chart's profile, the policy stage, the environment rules). */
async function lintAll(env: string, edit: (root: string) => void) {
  return withFixtureRepo(edit, async (root) => (await lintEnvironment({ env, chart: "decypharr", root })).profiles.flatMap((p) => p.findings));
}

describe("lint decypharr", () => {
  it.each(["homelab", "staging"])("passes on the checked-in %s values (privileged Bidirectional streaming is the allowed exception)", async (env) => {
    const p = await lintDecypharr(env, () => {});
    expect(p.findings).toEqual([]);
    expect(p.ok).toBe(true);
  });

  it("still recognises decypharr-streaming as the FUSE source under nameOverride and fullnameOverride", async () => {
    const p = await lintDecypharr("homelab", (root) => editFixture(root, VALUES, "streaming:\n", "nameOverride: debrid\nfullnameOverride: dfs\nstreaming:\n"));
    expect(p.findings.filter((x) => /privileged|Bidirectional/.test(x.message))).toEqual([]);
    expect(p.objects?.map((o) => o.metadata.name)).toContain("dfs-streaming");
  });

  it("rejects web,websecure on homelab with the http/https message, at the values line", async () => {
    const p = await lintDecypharr("homelab", (root) =>
      editFixture(root, VALUES, "host: decypharr.home.example\n    entrypoints: [https]", "host: decypharr.home.example\n    entrypoints: [web, websecure]"),
    );
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.object === "Ingress/media/decypharr-streaming");
    expect(f?.message).toMatch(/this cluster's Traefik names them http\/https/i);
    expect(f?.message).toMatch(/Fix: set streaming\.ingress\.entrypoints to \[https\] \(http redirects to https\)/);
    expect(f?.location).toMatchObject({ file: VALUES, line: 5 });
  });

  // One place per rule: privileged containers are the policy stage's (values/<env>/policy.yaml).
  it("rejects a privileged decypharr-download (template changed), once, from the policy stage", async () => {
    const all = await lintAll("homelab", (root) => editFixture(root, SHARED, "privileged: false", "privileged: true"));
    const f = all.filter((x) => /privileged/.test(x.message) && x.severity === "error");
    expect(f.map((x) => x.object)).toEqual(["StatefulSet/media/decypharr-download"]);
    expect(f[0].message).toMatch(/securityContext\.privileged: true, and "decypharr-download" is not allowlisted for privileged containers/);
  });

  it("rejects Bidirectional propagation on decypharr-download (template changed)", async () => {
    const p = await lintDecypharr("homelab", (root) =>
      editFixture(root, STS, /(mountPath: \{\{ \$v\.mediaMountPath[^\n]*\n)/, "$1              mountPropagation: Bidirectional\n"),
    );
    expect(p.ok).toBe(false);
    const f = p.findings.filter((x) => x.rule === "rendered/bidirectional-needs-privileged");
    expect(f.map((x) => x.object)).toEqual(["StatefulSet/media/decypharr-download"]);
    expect(f[0].message).toMatch(/with mountPropagation: Bidirectional but is not privileged: the API server rejects the pod.*Fix: mountPropagation: HostToContainer/);
  });

  // The values schema has no key that could make a pod privileged or add a Samba share: lint
  // stops at the schema stage and names the key at its values line.
  it.each([
    { name: "a privileged securityContext", patch: "download:\n  securityContext: {privileged: true}\n", key: "download.securityContext" },
    { name: "an smb share", patch: "download:\n  smb: {share: //nas/media}\n", key: "download.smb" },
    { name: "a Bidirectional hostMount elsewhere", patch: "download:\n  hostMount: /mnt\n", key: "download.hostMount" },
  ])("rejects $name in the values schema, at the values line", async ({ patch, key }) => {
    const p = await lintDecypharr("homelab", (root) => editFixture(root, VALUES, "download:\n", patch));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.message.startsWith(`${key}: unknown key`));
    expect(f, messages(p)).toBeDefined();
    expect(f!.location).toMatchObject({ file: VALUES, line: 7 });
  });

  it("rejects a probe on a decypharr pod (template changed)", async () => {
    const p = await lintDecypharr("homelab", (root) =>
      editFixture(root, STS, "          ports:\n", "          readinessProbe:\n            tcpSocket: {port: http}\n          ports:\n"),
    );
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/container decypharr has readinessProbe; every Decypharr endpoint returns 401/);
  });

  it("rejects service links on (template changed)", async () => {
    const p = await lintDecypharr("homelab", (root) => editFixture(root, STS, "enableServiceLinks: false", "enableServiceLinks: true"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/misparses the injected DECYPHARR_PORT/);
  });

  it("rejects a Samba variable with the seed's reason and the decision record, at the values line", async () => {
    const p = await lintDecypharr("homelab", (root) => editFixture(root, VALUES, "download:\n", "download:\n  env: {SAMBA_HOST: nas}\n"));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => /values download\.env\.SAMBA_HOST mentions SMB\/CIFS\/Samba/.test(x.message));
    expect(f?.message, messages(p)).toMatch(/removed in commit e828583.*docs\/decisions\.md#chart-conventions/);
    expect(f?.location).toMatchObject({ file: VALUES, line: 7 });
  });

  it("accepts an NFS library path that merely contains the word samba (the chart renders it, lint passes)", async () => {
    const p = await lintDecypharr("homelab", (root) => editFixture(root, VALUES, /path: \/mnt\/user\/[^\n]*/, "path: /mnt/user/samba-old"));
    expect(p.findings, messages(p)).toEqual([]);
    const sts = p.objects?.find((o) => o.kind === "StatefulSet" && o.metadata.name === "decypharr-download") as { spec: { template: { spec: { volumes: { name: string; nfs?: { path: string } }[] } } } } | undefined;
    expect(sts?.spec.template.spec.volumes.find((v) => v.name === "media")?.nfs?.path).toBe("/mnt/user/samba-old");
  });
});
