/**
 * lint-charts on charts/longhorn-config: bad values files (written into a throw-away copy of the
 * repository) fail with a message that quotes the seed's reason.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../../tools/lint/run.ts";
import type { Finding } from "../../../tools/lint/types.ts";
import { SEED } from "../../../tools/lint/upstream/longhorn.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../../helpers/fixture-repo.ts";

async function lint(env: string, edit: (root: string) => void = () => {}): Promise<Finding[]> {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env, chart: "longhorn-config", root });
    const profile = report.profiles.find((p) => p.chart === "longhorn-config");
    expect(profile, JSON.stringify(report.profiles.map((p) => [p.release, p.findings]))).toBeDefined();
    return profile!.findings;
  });
}
const text = (fs: Finding[]) => fs.map((f) => `${f.location ? `${f.location.file}:${f.location.line}: ` : ""}${f.object ? `${f.object}: ` : ""}${f.message}`).join("\n");

describe("lint of charts/longhorn-config", () => {
  it.each(["homelab", "staging"])("%s: the committed values pass", async (env) => {
    expect(text(await lint(env))).toBe("");
  });

  it.each<[string, string, string, string[], string]>([
    [
      "replicaSoftAntiAffinity: true",
      "homelab",
      "numberOfReplicas: 2\nsettings:\n  replicaSoftAntiAffinity: true\n",
      [SEED.softAntiAffinity],
      "values/homelab/longhorn-config.yaml",
    ],
    ["3 replicas on 2 storage nodes", "homelab", "numberOfReplicas: 3\n", ["volumes would stay degraded", SEED.softAntiAffinity, "3 replicas"], "values/homelab/longhorn-config.yaml"],
    ["2 replicas on staging's one storage node", "staging", "numberOfReplicas: 2\n", ["volumes would stay degraded", "k3s-staging"], "values/staging/longhorn-config.yaml"],
    ["1 replica on homelab", "homelab", "numberOfReplicas: 1\n", [SEED.replicaCount], "values/homelab/longhorn-config.yaml"],
    [
      "a systemManagedComponentsNodeSelector that does not match the storage label",
      "homelab",
      'numberOfReplicas: 2\nsettings:\n  systemManagedComponentsNodeSelector: "node.longhorn.io/storage:true"\n',
      [SEED.nodeSelector],
      "values/homelab/longhorn-config.yaml",
    ],
    [
      "share managers allowed on every Longhorn node (w3 included)",
      "homelab",
      'numberOfReplicas: 2\nrwx:\n  shareManagerNodeSelector: "node.longhorn.io/csi:enabled"\n',
      ["StorageClass/longhorn-rwx", "share managers get the node selector \"node.longhorn.io/csi:enabled\"", "also matches w3 (k3s-w3)", SEED.nodeSelector, 'Fix: set rwx.shareManagerNodeSelector: "node.longhorn.io/storage:enabled"'],
      "values/homelab/longhorn-config.yaml",
    ],
    [
      "share managers on a label no storage node has",
      "homelab",
      'numberOfReplicas: 2\nrwx:\n  shareManagerNodeSelector: "gpu:true"\n',
      ["which storage node(s) w1, w2 do not match"],
      "values/homelab/longhorn-config.yaml",
    ],
  ])("%s fails, quoting the seed", async (_name, env, values, expected, file) => {
    const findings = await lint(env, (root) => writeFixture(root, `values/${env}/longhorn-config.yaml`, `# yaml-language-server: $schema=../../charts/longhorn-config/values.schema.json\n${values}`));
    const errors = findings.filter((f) => f.severity === "error");
    expect(errors.length, text(findings)).toBeGreaterThan(0);
    for (const e of expected) expect(text(errors)).toContain(e);
    expect(errors.some((f) => f.location?.file === file), text(errors)).toBe(true);
  });

  it("fails when the Setting objects and the Longhorn release disagree", async () => {
    const findings = await lint("homelab", (root) =>
      editFixture(root, "clusters/homelab/infrastructure/longhorn.yaml", "nodeDownPodDeletionPolicy: delete-both-statefulset-and-deployment-pod", "nodeDownPodDeletionPolicy: do-nothing"),
    );
    expect(text(findings)).toContain('Setting node-down-pod-deletion-policy is "delete-both-statefulset-and-deployment-pod" but clusters/homelab/infrastructure/longhorn.yaml sets defaultSettings.nodeDownPodDeletionPolicy: "do-nothing"');
  });

  it.each<[string, string | RegExp, string, string]>([
    ["drift detection only warning", "mode: enabled", "mode: warn", 'driftDetection.mode is "warn"'],
    ["no drift detection", /\n  driftDetection:\n    mode: enabled/, "", "driftDetection.mode is null"],
    [
      "an ignore rule over the Setting values",
      "mode: enabled",
      "mode: enabled\n    ignore:\n      - paths: [/value]\n        target:\n          kind: Setting",
      'driftDetection.ignore[0] (paths ["/value"]) covers the value of the Setting objects',
    ],
  ])("fails on %s: the Setting objects would not be put back", async (_name, from, to, expected) => {
    const findings = await lint("homelab", (root) => editFixture(root, "clusters/homelab/apps/longhorn-config.yaml", from, to));
    const errors = findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => f.object), text(findings)).toEqual(["HelmRelease/longhorn-system/longhorn-config"]);
    expect(errors[0].message).toContain(expected);
    expect(errors[0].message).toMatch(/Fix: /);
    expect(errors[0].location?.file).toBe("clusters/homelab/apps/longhorn-config.yaml");
  });

  it("an ignore rule for other paths or another kind is fine", async () => {
    const rules = "mode: enabled\n    ignore:\n      - paths: [/metadata/annotations]\n      - paths: [/value]\n        target:\n          kind: StorageClass";
    expect(text(await lint("homelab", (root) => editFixture(root, "clusters/homelab/apps/longhorn-config.yaml", "mode: enabled", rules)))).toBe("");
  });

  it.each<[string, string, string]>([
    ["a backup target on a storage node", "numberOfReplicas: 2\nbackupTarget:\n  server: 192.168.1.12\n  path: /mnt/user/backups/longhorn\n", "the NAS of values/homelab/cluster.yaml is nfs.unraid.server 192.168.1.50"],
    ["a backup target outside the backups export", "numberOfReplicas: 2\nbackupTarget:\n  server: 192.168.1.50\n  path: /mnt/user/media/longhorn\n", "is not under the NAS backups export /mnt/user/backups"],
    ["a backup job without a backup target", "numberOfReplicas: 2\nrecurringJobs:\n  - name: backup-config\n    task: backup\n    cron: \"0 3 * * *\"\n    groups: [default]\n", "has task backup but backupTarget is null"],
  ])("fails on %s", async (_name, values, expected) => {
    const findings = await lint("homelab", (root) => writeFixture(root, "values/homelab/longhorn-config.yaml", values));
    const errors = findings.filter((f) => f.severity === "error");
    expect(text(errors)).toContain(expected);
  });

  it("fails when the Longhorn release sets another backup target", async () => {
    const findings = await lint("homelab", (root) =>
      editFixture(root, "clusters/homelab/infrastructure/longhorn.yaml", /\n    defaultSettings:/, "\n    defaultBackupStore:\n      backupTarget: nfs://192.168.1.12:/backups\n    defaultSettings:"),
    );
    expect(text(findings)).toContain("the Longhorn release sets defaultBackupStore.backupTarget nfs://192.168.1.12:/backups");
  });

  it("warns when the settings are not enforced", async () => {
    const findings = await lint("homelab", (root) => writeFixture(root, "values/homelab/longhorn-config.yaml", "numberOfReplicas: 2\nsettings:\n  enforce: false\n"));
    expect(findings.map((f) => f.severity)).toEqual(["warning"]);
    expect(findings[0].message).toContain("settings.enforce is false");
  });
});
