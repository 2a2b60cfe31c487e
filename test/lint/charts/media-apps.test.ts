/**
 * tools/lint/charts/media-apps.ts (and the shared rules in decypharr.ts and ingress.ts) through
 * the real lint pipeline: GIVEN a fixture repository with one thing broken WHEN lintEnvironment
 * runs THEN the media-apps profile fails with a message that says why and how to fix it.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment, type ProfileReport } from "../../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

const VALUES = "values/homelab/media-apps.yaml";
const DEPLOY = "charts/media-apps/templates/deploy.yaml";
const SVC = "charts/media-apps/templates/svc.yaml";

/** Every finding of the chart-filtered lint run (the chart's profile, the policy stage, the environment rules). */
async function lintAll(env: string, edit: (root: string) => void) {
  return withFixtureRepo(edit, async (root) => (await lintEnvironment({ env, chart: "media-apps", root })).profiles.flatMap((p) => p.findings));
}

async function lintMediaApps(env: string, edit: (root: string) => void): Promise<ProfileReport> {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart: "media-apps", root });
    const profile = report.profiles.find((p) => p.chart === "media-apps");
    expect(profile, "the media-apps profile was linted").toBeDefined();
    return profile!;
  });
}

const messages = (p: ProfileReport) => p.findings.map((f) => `${f.object ? `${f.object}: ` : ""}${f.message}`).join("\n");

describe("lint media-apps", () => {
  it.each(["homelab", "staging"])("passes on the checked-in %s values", async (env) => {
    const p = await lintMediaApps(env, () => {});
    expect(p.findings).toEqual([]);
    expect(p.ok).toBe(true);
  });

  it("rejects web,websecure on homelab, saying this cluster's Traefik names them http/https, at the values line", async () => {
    const p = await lintMediaApps("homelab", (root) =>
      editFixture(root, VALUES, "host: radarr.home.example\n      entrypoints: [https]", "host: radarr.home.example\n      entrypoints: [web, websecure]"),
    );
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.object === "Ingress/media/media-apps-radarr");
    expect(f?.message).toMatch(/uses Traefik entrypoints web,websecure/);
    expect(f?.message).toMatch(/this cluster's Traefik names them http\/https/i);
    expect(f?.message).toMatch(/web,websecure` does NOT work/);
    expect(f?.message).toMatch(/Fix: set apps\.radarr\.ingress\.entrypoints to \[https\] \(http redirects to https\)/);
    expect(f?.location).toMatchObject({ file: VALUES, line: 14 });
    expect(p.findings.filter((x) => /entrypoints/.test(x.message))).toHaveLength(1);
  });

  it("rejects an Ingress that binds http, which Traefik redirects to https, at the values line", async () => {
    const p = await lintMediaApps("homelab", (root) =>
      editFixture(root, VALUES, "host: radarr.home.example\n      entrypoints: [https]", "host: radarr.home.example\n      entrypoints: [http, https]"),
    );
    expect(p.ok).toBe(false);
    const f = p.findings.filter((x) => x.object === "Ingress/media/media-apps-radarr");
    expect(f, messages(p)).toHaveLength(1);
    expect(f[0].message).toMatch(/binds Traefik entrypoint http, which environment homelab's Traefik redirects to https/);
    expect(f[0].message).toMatch(/Fix: set apps\.radarr\.ingress\.entrypoints to \[https\]/);
    expect(f[0].location).toMatchObject({ file: VALUES, line: 14 });
  });

  it("allows http when the environment's Traefik does not redirect it", async () => {
    const p = await lintMediaApps("homelab", (root) => {
      editFixture(root, VALUES, "host: radarr.home.example\n      entrypoints: [https]", "host: radarr.home.example\n      entrypoints: [http, https]");
      editFixture(root, "clusters/homelab/infrastructure/traefik.yaml", /\n        http:\n          redirections:\n(?:            .*\n)+/, "\n");
    });
    expect(p.findings, messages(p)).toEqual([]);
  });

  it("takes the declared entrypoints from the inventory, not from a fixed list", async () => {
    const p = await lintMediaApps("staging", (root) => editFixture(root, "values/staging/cluster.yaml", "entrypoints: [http, https]", "entrypoints: [web, websecure]"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/Ingress\/media\/media-apps-sonarr: uses Traefik entrypoints https.*names them web\/websecure/);
  });

  it.each([
    { name: "an SMB URL in an env variable", patch: "    env: {SHARE: smb://nas/tv}\n", key: "apps.sonarr.env.SHARE" },
    { name: "a UNC share path", patch: "    env: {LIBRARY: //nas/tv}\n", key: "apps.sonarr.env.LIBRARY" },
    { name: "an env variable named after Samba", patch: "    env: {SAMBA_HOST: nas}\n", key: "apps.sonarr.env.SAMBA_HOST" },
  ])("rejects $name with the seed's reason and the decision record", async ({ patch, key }) => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, VALUES, "  sonarr:\n", `  sonarr:\n${patch}`));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.message.startsWith(`values ${key} mentions SMB/CIFS/Samba`));
    expect(f?.message, messages(p)).toMatch(/SMB\/Samba was removed in commit e828583 \(2026-02-28\)\. Do not re-add it.*docs\/decisions\.md#chart-conventions/);
    expect(f?.location).toMatchObject({ file: VALUES, line: 8 });
  });

  it("accepts NFS paths and claim names that merely contain samba or smb", async () => {
    const p = await lintMediaApps("homelab", (root) =>
      editFixture(root, VALUES, "  sonarr:\n", "  sonarr:\n    extraMounts:\n      - {mountPath: /mnt/old, nfs: {server: 192.168.1.50, path: /mnt/user/samba-old}}\n      - {mountPath: /mnt/a, existingClaim: smbless-archive}\n"),
    );
    expect(p.findings.filter((x) => /SMB/.test(x.message)), messages(p)).toEqual([]);
  });

  // The values schema offers neither a cifs source nor a securityContext: lint stops at the schema
  // stage and names the key at its values line.
  it.each([
    { name: "a cifs mount source", patch: "    extraMounts:\n      - mountPath: /mnt/nas\n        cifs: {server: nas, share: tv}\n", key: "apps.sonarr.extraMounts.0.cifs", line: 10 },
    { name: "a privileged securityContext", patch: "    securityContext: {privileged: true}\n", key: "apps.sonarr.securityContext", line: 8 },
  ])("rejects $name in the values schema, at the values line", async ({ patch, key, line }) => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, VALUES, "  sonarr:\n", `  sonarr:\n${patch}`));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.message.startsWith(`${key}: unknown key`));
    expect(f, messages(p)).toBeDefined();
    expect(f!.location).toMatchObject({ file: VALUES, line });
  });

  it("rejects Bidirectional on a consumer in the values schema, with the seed's reason", async () => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, VALUES, "  sonarr:\n", "  sonarr:\n    dfs: {mountPropagation: Bidirectional}\n"));
    expect(p.ok).toBe(false);
    const f = p.findings.find((x) => x.message.startsWith("apps.sonarr.dfs.mountPropagation:"));
    expect(f?.message).toMatch(/must be "HostToContainer" \(got "Bidirectional"\)\. Why: .*reserved for decypharr-streaming.*privileged container/);
    expect(f?.location).toMatchObject({ file: VALUES, line: 8 });
  });

  it("rejects a rendered consumer with Bidirectional propagation (template changed): the API server's rule and the policy's host-path allowance", async () => {
    const all = await lintAll("homelab", (root) => editFixture(root, DEPLOY, "mountPropagation: HostToContainer", "mountPropagation: Bidirectional"));
    const sonarr = all.filter((x) => x.object === "Deployment/media/media-apps-sonarr" && /Bidirectional/.test(x.message)).map((x) => x.message);
    expect(sonarr.some((m) => /Bidirectional but is not privileged: the API server rejects the pod.*Fix: mountPropagation: HostToContainer/.test(m)), sonarr.join("\n")).toBe(true);
    expect(sonarr.some((m) => /mounts hostPath \/mnt\/decypharr with mountPropagation: Bidirectional; the allowlist permits at most HostToContainer/.test(m)), sonarr.join("\n")).toBe(true);
  });

  // One place per rule: privileged containers are the policy stage's (values/<env>/policy.yaml).
  it("rejects a privileged media app (template changed), once per app, from the policy stage", async () => {
    const all = await lintAll("homelab", (root) => editFixture(root, "charts/media-apps/templates/_shared.tpl", "privileged: false", "privileged: true"));
    const privileged = all.filter((x) => x.severity === "error" && /privileged/.test(x.message));
    expect(privileged.every((x) => /is not allowlisted for privileged containers/.test(x.message))).toBe(true);
    expect(privileged.map((x) => x.object).sort()).toEqual([
      "Deployment/media/media-apps-prowlarr",
      "Deployment/media/media-apps-radarr",
      "Deployment/media/media-apps-sonarr",
    ]);
  });

  it("rejects a rolling update of a Deployment with an RWO config volume (template changed)", async () => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, DEPLOY, "type: Recreate", "type: RollingUpdate"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/media-apps-sonarr mounts ReadWriteOnce claim media-apps-sonarr-config with 1 replica\(s\) and strategy RollingUpdate.*Fix: replicas: 1 and strategy\.type: Recreate/);
  });

  it("rejects a Service behind an Ingress that does not listen on port 80 (template changed)", async () => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, SVC, "port: 80", "port: 8080"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/Service\/media\/media-apps-sonarr port http listens on 8080; Services behind an Ingress listen on 80/);
  });

  it("rejects a Service whose targetPort names no container port (template changed)", async () => {
    const p = await lintMediaApps("homelab", (root) => editFixture(root, SVC, "targetPort: http", "targetPort: web"));
    expect(p.ok).toBe(false);
    expect(messages(p)).toMatch(/targetPort web matches no container port of Deployment\/media\/media-apps-\w+ \(it has http:\d+\)/);
  });
});
