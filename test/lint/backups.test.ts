/**
 * The environment-level backup and disruption-budget rules (tools/lint/backups.ts), on the real
 * renders of both environments, each rule broken by editing a copy of the rendered objects.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { resolveHelm } from "../../tools/lib/helm.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderProfile, type K8sObject } from "../../tools/lib/render.ts";
import { checkBackupCoverage, checkDisruptionBudgets, SCRATCH_ANNOTATION, SOURCE_LABEL } from "../../tools/lint/backups.ts";
import type { RenderedProfile } from "../../tools/lint/environment.ts";

const rendered: Record<string, RenderedProfile[]> = {};

beforeAll(async () => {
  const helm = await resolveHelm();
  for (const env of ["homelab", "staging"]) {
    const e = loadEnvironment(env);
    const inv = loadInventory(env);
    rendered[env] = await Promise.all(e.profiles.map(async (p) => ({ profile: p, objects: (await renderProfile(p, helm, inv.kubernetesVersion)).objects })));
  }
}, 120_000);

/** A deep copy of an environment's renders with `edit` applied to every object. */
function edited(env: string, edit: (o: K8sObject) => K8sObject | undefined): RenderedProfile[] {
  return rendered[env].map((r) => ({ profile: r.profile, objects: structuredClone(r.objects).map(edit).filter((o): o is K8sObject => o !== undefined) }));
}
const find = (rs: RenderedProfile[], kind: string, name: string) => rs.flatMap((r) => r.objects).find((o) => o.kind === kind && o.metadata.name === name);

describe("backup coverage", () => {
  it.each(["homelab", "staging"])("%s: every Longhorn claim is backed up or scratch", (env) => {
    expect(checkBackupCoverage(rendered[env])).toEqual([]);
  });

  it("homelab renders the backup target on the NAS and backup jobs for config, streaming and default", () => {
    const bt = find(rendered.homelab, "BackupTarget", "default") as { spec: { backupTargetURL: string } } | undefined;
    expect(bt?.spec.backupTargetURL).toBe("nfs://192.168.1.50:/mnt/user/backups/longhorn");
    const jobs = rendered.homelab.flatMap((r) => r.objects).filter((o) => o.kind === "RecurringJob") as unknown as { spec: { task: string; groups: string[]; retain: number } }[];
    const backupGroups = jobs.filter((j) => j.spec.task === "backup").flatMap((j) => j.spec.groups);
    expect(new Set(backupGroups)).toEqual(new Set(["default", "config", "streaming"]));
    // the streaming library and Plex's config carry their group; transcode is scratch
    const streaming = find(rendered.homelab, "PersistentVolumeClaim", "decypharr-library")!;
    expect(streaming.metadata.labels).toMatchObject({ [SOURCE_LABEL]: "enabled", "recurring-job-group.longhorn.io/streaming": "enabled" });
    const transcode = find(rendered.homelab, "PersistentVolumeClaim", "clusterplex-transcode")!;
    expect(transcode.metadata.annotations?.[SCRATCH_ANNOTATION]).toMatch(/transcode/);
  });

  it("a claim whose group has no backup job is an error naming the claim and the groups", () => {
    const rs = edited("homelab", (o) => (o.kind === "RecurringJob" && o.metadata.name.endsWith("backup-streaming") ? undefined : o));
    const f = checkBackupCoverage(rs);
    expect(f.map((x) => x.object)).toEqual(["PersistentVolumeClaim/media/decypharr-library"]);
    expect(f[0].rule).toBe("backups/coverage");
    expect(f[0].message).toContain("group streaming");
    expect(f[0].message).toContain("groups with a backup job: config, default");
  });

  it("volumeClaimTemplates without job labels are judged as group default (decypharr's config)", () => {
    const rs = edited("homelab", (o) => {
      if (o.kind === "RecurringJob") (o.spec as { groups: string[] }).groups = (o.spec as { groups: string[] }).groups.filter((g) => g !== "default");
      return o;
    });
    const objects = checkBackupCoverage(rs).map((x) => x.object);
    expect(objects).toContain("StatefulSet/media/decypharr-streaming volumeClaimTemplate config");
    expect(objects).toContain("StatefulSet/media/decypharr-download volumeClaimTemplate config");
    expect(objects).toContain("StatefulSet/media/clusterplex-worker volumeClaimTemplate codecs");
  });

  it("a scratch claim without its reason is an error", () => {
    const rs = edited("homelab", (o) => {
      if (o.metadata.name === "clusterplex-transcode" && o.kind === "PersistentVolumeClaim") delete o.metadata.annotations![SCRATCH_ANNOTATION];
      return o;
    });
    expect(checkBackupCoverage(rs).map((x) => x.object)).toEqual(["PersistentVolumeClaim/media/clusterplex-transcode"]);
  });

  it("job labels without the source label are ignored by Longhorn: an error", () => {
    const rs = edited("homelab", (o) => {
      if (o.metadata.name === "media-apps-sonarr-config") delete o.metadata.labels![SOURCE_LABEL];
      return o;
    });
    const f = checkBackupCoverage(rs);
    expect(f).toHaveLength(1);
    expect(f[0].rule).toBe("backups/source-label");
    expect(f[0].message).toContain("recurring-job.longhorn.io/source: enabled");
  });

  it("judges nothing when the release defining the classes and jobs is not rendered (lint --chart)", () => {
    const rs = rendered.homelab.filter((r) => r.profile.chart === "media-apps");
    expect(checkBackupCoverage(rs)).toEqual([]);
  });
});

describe("disruption budgets", () => {
  const pdb = (spec: Record<string, unknown>): K8sObject =>
    ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "sonarr", namespace: "media" }, spec: { selector: { matchLabels: { "app.kubernetes.io/component": "sonarr", "app.kubernetes.io/instance": "media-apps" } }, ...spec } }) as K8sObject;
  const withPdb = (spec: Record<string, unknown>) =>
    rendered.homelab.map((r) => (r.profile.chart === "media-apps" ? { profile: r.profile, objects: [...r.objects, pdb(spec)] } : r));

  it("the committed renders have no budget that blocks a drain", () => {
    expect(checkDisruptionBudgets(rendered.homelab).filter((f) => f.severity === "error")).toEqual([]);
  });

  it.each([[{ minAvailable: 1 }], [{ maxUnavailable: 0 }], [{ minAvailable: "100%" }]])("%j on a single replica blocks drain forever: an error", (spec) => {
    const f = checkDisruptionBudgets(withPdb(spec));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "error", rule: "disruption/pdb-blocks-drain", object: "PodDisruptionBudget/media/sonarr" });
    expect(f[0].message).toContain("Deployment/media/media-apps-sonarr");
    expect(f[0].message).toContain("remove the PDB");
  });

  it("maxUnavailable 1 on a single replica changes nothing: a warning", () => {
    const f = checkDisruptionBudgets(withPdb({ maxUnavailable: 1 }));
    expect(f.map((x) => [x.severity, x.rule])).toEqual([["warning", "disruption/pdb-single-replica"]]);
  });

  it("a budget that selects nothing: a warning", () => {
    const f = checkDisruptionBudgets(withPdb({ selector: { matchLabels: { app: "nope" } }, maxUnavailable: 1 }));
    expect(f.map((x) => x.rule)).toEqual(["disruption/pdb-selects-nothing"]);
  });
});
