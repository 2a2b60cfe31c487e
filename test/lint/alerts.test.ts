/**
 * The alert path of clusters/<env>/alerts (tools/lint/alerts.ts), each rule broken in a copy of the
 * repository.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { validateObject } from "../../tools/lib/k8s-validate.ts";
import { lintAlerts } from "../../tools/lint/alerts.ts";
import type { Finding } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

const run = (env: string, edit: (root: string) => void = () => {}): Promise<Finding[]> => withFixtureRepo(edit, async (root) => lintAlerts(loadEnvironment(env, root)));

describe("alerts", () => {
  it.each(["homelab", "staging"])("%s: every HelmRelease and Kustomization is covered, objects valid against the CRD models", async (env) => {
    expect(await run(env)).toEqual([]);
    const e = loadEnvironment(env);
    const notif = e.objects.filter((o) => o.obj.apiVersion.startsWith("notification.toolkit.fluxcd.io/"));
    expect(notif.map((o) => o.obj.kind).sort()).toEqual(["Alert", "Alert", "Provider"]);
    for (const o of notif) expect(await validateObject(o.obj)).toEqual([]);
  });

  it("a namespace left out of the failures Alert: each of its HelmReleases is an error", async () => {
    const f = await run("homelab", (root) => editFixture(root, "clusters/homelab/alerts/alert-failures.yaml", "      namespace: media\n", "      namespace: medi\n"));
    expect(f.map((x) => x.object).sort()).toEqual(["HelmRelease/media/clusterplex", "HelmRelease/media/decypharr", "HelmRelease/media/media-apps"]);
    expect(f[0].rule).toBe("alerts/coverage");
    expect(f[0].message).toContain('add {kind: HelmRelease, name: "*", namespace: media}');
    expect(f[0].location?.file).toMatch(/^clusters\/homelab\/apps\//);
  });

  it("no Alert at all: every Flux object is reported", async () => {
    const f = await run("homelab", (root) => {
      editFixture(root, "clusters/homelab/kustomization.yaml", "  - alerts\n", "");
      rmSync(join(root, "clusters/homelab/alerts"), { recursive: true });
    });
    // one finding per HelmRelease and Flux Kustomization the environment applies
    const flux = loadEnvironment("homelab").objects.filter((o) => o.obj.kind === "HelmRelease" || (o.obj.kind === "Kustomization" && String(o.obj.apiVersion).startsWith("kustomize.toolkit.fluxcd.io/")));
    expect(flux.length).toBeGreaterThanOrEqual(9);
    expect(f.filter((x) => x.rule === "alerts/coverage").length).toBe(flux.length);
    expect(f[0].message).toContain("there is no Alert");
  });

  it("an Alert whose Provider does not exist", async () => {
    const f = await run("homelab", (root) => editFixture(root, "clusters/homelab/alerts/alert-ha-jobs.yaml", "    name: operator", "    name: operater"));
    expect(f.map((x) => [x.rule, x.object])).toEqual([["alerts/provider", "Alert/flux-system/ha-jobs-reports"]]);
    expect(f[0].message).toContain("Fix: use one of operator");
  });

  it("a webhook URL with its token in Git", async () => {
    const f = await run("homelab", (root) =>
      editFixture(root, "clusters/homelab/alerts/provider.yaml", "  secretRef:", "  address: https://discord.com/api/webhooks/1/abc\n  secretRef:"),
    );
    expect(f.map((x) => x.rule)).toEqual(["alerts/address-in-git"]);
    expect(f[0].location).toMatchObject({ file: "clusters/homelab/alerts/provider.yaml" });
  });

  it("a misspelt field the CRD would prune is an error of the closed schema", async () => {
    const f = await run("homelab", (root) => editFixture(root, "clusters/homelab/alerts/alert-failures.yaml", "eventSeverity: error", "eventSeverty: error"));
    expect(f.some((x) => x.rule === "alerts/schema" && /eventSeverty/.test(x.message))).toBe(true);
  });
});
