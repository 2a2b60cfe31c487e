/**
 * `simulate --scenario first-install` (tools/simulate/first-install.ts) and the manual-step model
 * it shares with lint (tools/lib/manual-steps.ts): the committed environments install in Flux's
 * order without a timeout, and each crafted change of the Flux objects that would break a fresh
 * cluster (a release waiting for a manual step, uninstall remediation, a CRD that arrives too
 * late, a timeout shorter than the pods' start) is a violation.
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment, type Environment } from "../../tools/lib/flux.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import type { K8sObject } from "../../tools/lib/k8s.ts";
import { blockedByManualSteps, MANUAL_STEPS } from "../../tools/lib/manual-steps.ts";
import type { RenderedRelease } from "../../tools/lib/render.ts";
import { buildContext } from "../../tools/simulate/index.ts";
import { FIRST_INSTALL_ASSUMPTIONS, scenarioFirstInstall } from "../../tools/simulate/first-install.ts";
import { renderedEnvironment } from "../helpers/rendered.ts";

type Obj = Record<string, any>;
const cache = new Map<string, Promise<RenderedRelease[]>>();
const releasesOf = (env: string) => {
  if (!cache.has(env)) cache.set(env, renderedEnvironment(env));
  return cache.get(env)!;
};

/** Runs the scenario with the environment's Flux objects changed by `edit` (the objects as Flux would read them). */
async function run(env: string, edit: (e: Environment) => void = () => {}) {
  const releases = await releasesOf(env);
  const flux = loadEnvironment(env);
  edit(flux);
  const ctx = buildContext(env, releases, loadInventory(env));
  return scenarioFirstInstall(ctx, flux, releases);
}
const hr = (e: Environment, name: string) => e.objects.find((o) => o.obj.kind === "HelmRelease" && o.obj.metadata.name === name)!.obj as Obj;
const kust = (e: Environment, name: string) => e.objects.find((o) => o.obj.kind === "Kustomization" && o.obj.metadata.name === name && o.obj.apiVersion.startsWith("kustomize.toolkit"))!.obj as Obj;

describe("first-install on the committed environments", () => {
  for (const env of ["homelab", "staging"]) {
    it(`${env}: installs in Flux's order without a violation, with the manual steps and the time to a working cluster`, async () => {
      const r = await run(env);
      expect(r.violations).toEqual([]);
      const rel = Object.fromEntries((r.facts.releases as Obj[]).map((x) => [x.id, x]));
      // infrastructure (wait) before apps (dependsOn infrastructure); CRDs before their objects.
      expect(rel["longhorn-system/longhorn-config"].start).toBeGreaterThanOrEqual(rel["longhorn-system/longhorn"].ready);
      expect(rel["longhorn-system/longhorn-config"].start).toBeGreaterThanOrEqual(rel["traefik/traefik"].ready);
      expect(rel["media/media-apps"].start).toBeGreaterThanOrEqual(rel["media/decypharr"].ready);
      // clusterplex's pods wait for the DFS: it installs without waiting, and they run after the step.
      expect(rel["media/clusterplex"].timeout).toBeNull();
      expect(rel["media/clusterplex"].personAfter).toContain("decypharr-setup");
      expect(rel["media/media-apps"].timeout).toBe(900);
      // Every step, in order, by a person after the pods it needs run.
      expect((r.facts.manualSteps as Obj[]).map((s) => s.id)).toEqual(["decypharr-setup", "plex-claim"]);
      const steps = r.timeline.filter((e) => e.text.startsWith("PERSON: step"));
      expect(steps.map((e) => e.text.split(" ")[2])).toEqual(["decypharr-setup", "plex-claim"]);
      expect(steps[0].t).toBe(rel["media/decypharr"].ready);
      const pms = r.timeline.find((e) => /clusterplex-pms Ready after step decypharr-setup/.test(e.text))!;
      expect(pms.t).toBeGreaterThan((r.facts.manualSteps as Obj[])[0].done);
      expect(steps[1].t).toBeGreaterThanOrEqual(pms.t);
      expect(r.facts.workingAt).toBeGreaterThanOrEqual((r.facts.manualSteps as Obj[])[1].done);
      expect(r.findings.join("\n")).toMatch(/expected time to a working cluster: ~\d+m\d\ds, of which ~30m00s is a person doing 2 manual step\(s\)/);
      // MetalLB's pool waits for MetalLB's CRDs in its own Kustomization, retrying.
      expect(r.findings.join("\n")).toMatch(/Kustomization flux-system\/metallb-config: IPAddressPool\/metallb-system\/\S+ is a kind the cluster learns only at/);
      expect(r.assumptions.join("\n")).toContain(`${FIRST_INSTALL_ASSUMPTIONS.personSeconds}s for a person`);
    });
  }
});

describe("first-install fails on crafted Flux objects", () => {
  it("a release whose pods wait for a manual step, with wait on: times out, named with the step and the fix", async () => {
    const r = await run("homelab", (e) => {
      delete hr(e, "clusterplex").spec.install.disableWait;
    });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatch(/^HelmRelease media\/clusterplex times out: its install waits 10m but its pods are never Ready without a person \(.*clusterplex-dfs.*after step decypharr-setup.*\); it is retried as an upgrade every 120s.*Fix: set install.disableWait: true in clusters\/homelab\/apps\/clusterplex.yaml/);
  });

  it("the same with uninstall remediation: uninstalled between retries", async () => {
    const r = await run("homelab", (e) => {
      const spec = hr(e, "clusterplex").spec;
      spec.install = { remediation: { retries: 3 } };
    });
    expect(r.violations.join("\n")).toMatch(/clusterplex times out.*uninstalled between retries, deleting every PVC\/PV/);
  });

  it("a timeout shorter than the pods' start: times out", async () => {
    const r = await run("homelab", (e) => {
      hr(e, "media-apps").spec.timeout = "30s";
    });
    expect(r.violations).toEqual([expect.stringMatching(/^HelmRelease media\/media-apps times out: its install waits 30s but its pods are Ready only \d+s after it starts \(Deployment\/media\/media-apps-\w+: image pull and first probe success\)/)]);
  });

  it("objects whose CRD arrives later: the install fails until it exists", async () => {
    const r = await run("homelab", (e) => {
      delete kust(e, "apps").spec.dependsOn;
      hr(e, "longhorn-config").spec.dependsOn = [];
    });
    expect(r.violations.join("\n")).toMatch(/HelmRelease longhorn-system\/longhorn-config: the install fails \("resource mapping not found" for longhorn.io\/v1beta2 \w+\) because its CRD arrives only at \d+s/);
  });

  it("CRD objects in the build of the HelmRelease that installs their CRD: the Kustomization never applies", async () => {
    const r = await run("homelab", (e) => {
      for (const o of e.objects) if (o.appliedBy === "flux-system/metallb-config") o.appliedBy = "flux-system/infrastructure";
    });
    expect(r.violations.join("\n")).toMatch(/Kustomization flux-system\/infrastructure never applies: IPAddressPool\/metallb-system\/\S+ .*whose CRD nothing in clusters\/homelab installs/);
    expect(r.violations.join("\n")).toMatch(/never finishes installing/);
  });

  it("a Kustomization with wait whose timeout is shorter than its releases: not Ready in time", async () => {
    const r = await run("homelab", (e) => {
      kust(e, "infrastructure").spec.timeout = "1m";
    });
    expect(r.violations).toEqual([expect.stringMatching(/^Kustomization flux-system\/infrastructure is not Ready within its timeout 1m \(\d+s after it starts\)/)]);
  });
});

describe("first-install without every release rendered", () => {
  it("is not applicable and says which release is missing and how to get it", async () => {
    const releases = (await releasesOf("homelab")).filter((x) => !x.upstream);
    const r = scenarioFirstInstall(buildContext("homelab", releases, loadInventory("homelab")), loadEnvironment("homelab"), releases);
    expect(r.applicable).toBe(false);
    expect(r.reason).toMatch(/HelmRelease longhorn-system\/longhorn, .* not rendered .*Fix: set CHART_MIRROR/);
  });
});

describe("blockedByManualSteps (what waits for the DFS)", () => {
  const inv = loadInventory("homelab");
  const vip = inv.nfs.dfsExport!.address;
  const dfs = Object.values(inv.nfs.dfs)[0].path;
  const deploy = (volumes: Obj[]): K8sObject => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "media" }, spec: { template: { spec: { containers: [{ name: "c" }], volumes } } } });
  it("NFS from the DFS export address, inline or through a PV, and a checked hostPath under the DFS path wait; the parent and the NAS do not", () => {
    const pv: K8sObject = { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv-dfs" }, spec: { nfs: { server: vip, path: dfs } } };
    const pvc: K8sObject = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "dfs", namespace: "media" }, spec: { volumeName: "pv-dfs" } };
    const cases: Array<[Obj[], boolean]> = [
      [[{ name: "a", nfs: { server: vip, path: "/x" } }], true],
      [[{ name: "a", persistentVolumeClaim: { claimName: "dfs" } }], true],
      [[{ name: "a", hostPath: { path: `${dfs}/movies`, type: "Directory" } }], true],
      [[{ name: "a", hostPath: { path: `${dfs}/movies`, type: "DirectoryOrCreate" } }], false],
      [[{ name: "a", hostPath: { path: dfs.replace(/\/[^/]+$/, ""), type: "Directory" } }], false],
      [[{ name: "a", nfs: { server: inv.nfs.unraid.server, path: "/mnt/user/media" } }], false],
    ];
    for (const [volumes, blocked] of cases) {
      const o = deploy(volumes);
      const b = blockedByManualSteps([o], [o, pv, pvc], inv);
      expect(b.length > 0, JSON.stringify(volumes)).toBe(blocked);
      if (blocked) expect(b[0].step.id).toBe("decypharr-setup");
    }
  });
  it("sees a PersistentVolume added to the same object list after an earlier call (its index is rebuilt)", () => {
    const pvc: K8sObject = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "dfs", namespace: "media" }, spec: { volumeName: "pv-dfs" } };
    const o = deploy([{ name: "a", persistentVolumeClaim: { claimName: "dfs" } }]);
    const cluster: K8sObject[] = [o, pvc];
    expect(blockedByManualSteps([o], cluster, inv)).toEqual([]);
    cluster.push({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv-dfs" }, spec: { nfs: { server: vip, path: dfs } } });
    expect(blockedByManualSteps([o], cluster, inv).map((b) => b.step.id)).toEqual(["decypharr-setup"]);
  });
  it("every step names a chart of this repository and has instructions", () => {
    for (const s of MANUAL_STEPS) {
      expect(s.instructions(inv).length).toBeGreaterThan(0);
      expect(["decypharr", "clusterplex", "media-apps", "longhorn-config", "ha-jobs"]).toContain(s.chart);
    }
  });
});

describe("the simulator uses the environment it is given (never re-read from disk)", () => {
  it("a Longhorn setting changed in the passed environment reaches the context's facts and the drain policy", async () => {
    const releases = await releasesOf("homelab");
    const flux = loadEnvironment("homelab");
    const lh = flux.upstream.find((u) => u.chart === "longhorn")!;
    const ds = (lh.hr.spec as Obj).values.defaultSettings;
    ds.nodeDownPodDeletionPolicy = "do-nothing";
    ds.nodeDrainPolicy = "always-allow";
    const ctx = buildContext("homelab", releases, loadInventory("homelab"), { flux });
    expect(ctx.flux).toBe(flux);
    expect(ctx.longhorn.nodeDownPodDeletionPolicy).toBe("do-nothing");
    const { nodeDrainPolicy } = await import("../../tools/simulate/drain.ts");
    expect(nodeDrainPolicy(ctx.flux, releases).value).toBe("always-allow");
    // The same environment loaded from disk says otherwise.
    expect(buildContext("homelab", releases, loadInventory("homelab")).longhorn.nodeDownPodDeletionPolicy).not.toBe("do-nothing");
  });
});
