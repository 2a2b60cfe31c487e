/**
 * Flux install/upgrade semantics (tools/lint/flux-install.ts): a release remediated by uninstall
 * must not own a PVC/PV without helm.sh/resource-policy: keep; Longhorn is never uninstalled or
 * rolled back; deletingConfirmationFlag: true is an error. Each case fails when its rule breaks.
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import type { K8sObject } from "../../tools/lib/render.ts";
import { parseYaml } from "../../tools/lib/yaml.ts";
import { checkInstallSemantics, checkTimeouts, durationSeconds, remediation } from "../../tools/lint/flux-install.ts";

const hrText = (spec: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: demo
  namespace: media
spec:
${spec}`;
const release = (spec: string, objects: K8sObject[], chart = "demo", values: Record<string, unknown> = {}) => {
  const doc = parseYaml(hrText(spec), "clusters/x/apps/demo.yaml");
  return checkInstallSemantics({ file: doc.file, doc, hr: doc.value as K8sObject, chart, values, objects });
};
const pvc = (keep: boolean): K8sObject => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "demo-data", namespace: "media", ...(keep ? { annotations: { "helm.sh/resource-policy": "keep" } } : {}) } });
const RETRY = "  install:\n    strategy:\n      name: RetryOnFailure\n  upgrade:\n    strategy:\n      name: RetryOnFailure\n";
const UNINSTALL = "  install:\n    remediation:\n      retries: 3\n  upgrade:\n    remediation:\n      retries: 3\n";

describe("no release loses a PVC/PV to remediation", () => {
  it("the committed environments retry instead of remediating, for every release", () => {
    for (const env of ["homelab", "staging"]) {
      for (const o of loadEnvironment(env).objects.filter((x) => x.obj.kind === "HelmRelease")) {
        expect(remediation(o.obj), o.file).toEqual({ install: "retry", upgrade: "retry" });
      }
    }
  });
  it("install retries with uninstall in between and a Helm PVC without keep: error at the HelmRelease", () => {
    const f = release(UNINSTALL, [pvc(false)]);
    expect(f).toHaveLength(1);
    expect(f[0].location).toEqual({ file: "clusters/x/apps/demo.yaml", line: 7, col: 3 });
    expect(f[0].message).toMatch(/remediated by uninstall, which deletes PersistentVolumeClaim\/media\/demo-data .*Fix: set install\.strategy \{name: RetryOnFailure\}/);
  });
  it("keep on the PVC, or RetryOnFailure, passes", () => {
    expect(release(UNINSTALL, [pvc(true)])).toEqual([]);
    expect(release(RETRY, [pvc(false)])).toEqual([]);
  });
  it("claim-template PVCs are not Helm's: a StatefulSet alone is fine", () => {
    const sts: K8sObject = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "demo" }, spec: { volumeClaimTemplates: [{ metadata: { name: "config" } }] } };
    expect(release(UNINSTALL, [sts])).toEqual([]);
  });
});

describe("Longhorn", () => {
  it("is never rolled back or uninstalled", () => {
    expect(release(RETRY, [], "longhorn")).toEqual([]);
    expect(release("  upgrade:\n    remediation:\n      retries: 3\n", [], "longhorn")[0].message).toMatch(/Longhorn would be rolled back .*does not support downgrades/);
    expect(release(UNINSTALL, [], "longhorn")[0].message).toMatch(/Longhorn would be uninstalled/);
  });
  it("deletingConfirmationFlag: true is an error", () => {
    const f = release(RETRY, [], "longhorn", { defaultSettings: { deletingConfirmationFlag: true } });
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/^defaultSettings\.deletingConfirmationFlag: true lets an uninstall .*Fix: remove it/)]);
  });
});

describe("timeout covers the longest startup budget (wait on)", () => {
  const sts = (failureThreshold: number, replicas = 1, policy?: string): K8sObject => ({
    apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "demo-worker", namespace: "media" },
    spec: { replicas, ...(policy ? { podManagementPolicy: policy } : {}), template: { spec: { containers: [{ name: "worker", startupProbe: { periodSeconds: 10, failureThreshold } }] } } },
  });
  const check = (spec: string, objects: K8sObject[]) => {
    const doc = parseYaml(hrText(spec), "clusters/x/apps/demo.yaml");
    return checkTimeouts({ file: doc.file, doc, hr: doc.value as K8sObject, chart: "demo", values: {}, objects });
  };
  it("400s of startupProbe against the default 5m fails install and upgrade, naming the pod and the fix", () => {
    const f = check("  interval: 10m\n", [sts(40)]);
    expect(f.map((x) => x.message)).toEqual([
      expect.stringMatching(/^install waits 5m0s \(helm-controller's default\) .*StatefulSet\/media\/demo-worker may need 400s \(container worker: startupProbe 0s \+ 40 × 10s = 400s\).*Fix: set spec\.timeout to at least 8m/),
      expect.stringMatching(/^upgrade waits 5m0s/),
    ]);
  });
  it("spec.timeout 10m, or disableWait, passes; OrderedReady replicas add up", () => {
    expect(check("  timeout: 10m\n", [sts(40)])).toEqual([]);
    expect(check("  install:\n    disableWait: true\n  upgrade:\n    disableWait: true\n", [sts(40)])).toEqual([]);
    expect(check("  timeout: 10m\n", [sts(40, 2)])[0].message).toMatch(/may need 800s .*× 2 OrderedReady replicas/);
    expect(check("  timeout: 10m\n", [sts(40, 2, "Parallel")])).toEqual([]);
    expect(check("  install:\n    timeout: 3m\n  timeout: 10m\n", [sts(20)])[0].location!.line).toBe(8);
  });
  it("parses Go durations", () => {
    expect(durationSeconds("10m")).toBe(600);
    expect(durationSeconds("1h2m3s")).toBe(3723);
    expect(Number.isNaN(durationSeconds("10 minutes"))).toBe(true);
  });
});
