/**
 * checkNoSmb (tools/lint/charts/decypharr.ts) on crafted values and objects: it rejects what is
 * Samba/SMB/CIFS — a key naming it, a share value, an SMB/CIFS storage driver — and nothing that
 * merely contains the word (docs/decisions.md "Chart conventions").
 */
import { describe, expect, it } from "vitest";
import { checkNoSmb, namesSmb, SMB_VALUE } from "../../../tools/lint/charts/decypharr.ts";
import type { K8sObject } from "../../../tools/lib/render.ts";
import type { LintContext } from "../../../tools/lint/types.ts";

const ctxOf = (values: Record<string, unknown>, objects: K8sObject[] = []): LintContext =>
  ({ env: "test", values, objects, locate: (path: readonly (string | number)[]) => ({ file: "values/test/x.yaml", line: path.length, col: 1 }) }) as unknown as LintContext;

describe("checkNoSmb", () => {
  it.each([
    { name: "a key smb", values: { download: { smb: { share: "x" } } }, at: "download.smb" },
    { name: "an env variable SAMBA_HOST", values: { env: { SAMBA_HOST: "nas" } }, at: "env.SAMBA_HOST" },
    { name: "a camelCase key cifsMount", values: { cifsMount: "/x" } , at: "cifsMount" },
    { name: "an smb:// URL", values: { env: { SHARE: "smb://nas/tv" } }, at: "env.SHARE" },
    { name: "a UNC path", values: { env: { SHARE: "//nas/tv" } }, at: "env.SHARE" },
    { name: "a Windows UNC path", values: { env: { SHARE: "\\\\nas\\tv" } }, at: "env.SHARE" },
    { name: "the SMB CSI driver as a value", values: { driver: "smb.csi.k8s.io" }, at: "driver" },
  ])("rejects $name at $at", ({ values, at }) => {
    const findings = checkNoSmb(ctxOf(values));
    expect(findings.map((f) => f.message.match(/^values (\S+) mentions/)?.[1])).toEqual([at]);
    expect(findings[0].message).toMatch(/docs\/decisions\.md#chart-conventions\. Fix: remove it/);
  });

  it.each([
    { name: "an NFS path containing samba", values: { media: { server: "192.168.1.50", path: "/mnt/user/samba-old" } } },
    { name: "a claim name containing smb", values: { extraMounts: [{ mountPath: "/a", existingClaim: "nas-smb-share" }] } },
    { name: "words that only contain the letters", values: { smbless: "x", env: { CIFSCALE: "1", TZ: "Europe/Samba" } } },
    { name: "an NFS export host:path", values: { env: { EXPORT: "nas:/mnt/user/tv" } } },
  ])("accepts $name", ({ values }) => {
    expect(checkNoSmb(ctxOf(values))).toEqual([]);
  });

  it("rejects rendered storage with an SMB/CIFS driver, not an NFS volume whose path contains samba", () => {
    const pv = { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "old" }, spec: { csi: { driver: "smb.csi.k8s.io", volumeHandle: "x" } } } as K8sObject;
    const sc = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "smb" }, provisioner: "smb.csi.k8s.io" } as unknown as K8sObject;
    const flex = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a" }, spec: { template: { spec: { containers: [], volumes: [{ name: "v", flexVolume: { driver: "fstab/cifs" } }] } } } } as unknown as K8sObject;
    const nfs = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "b" }, spec: { template: { spec: { containers: [], volumes: [{ name: "v", nfs: { server: "nas", path: "/mnt/user/samba-old" } }] } } } } as unknown as K8sObject;
    const findings = checkNoSmb(ctxOf({}, [pv, sc, flex, nfs]));
    expect(findings.map((f) => f.object)).toEqual(["PersistentVolume/old", "StorageClass/smb", "Deployment/a"]);
    expect(findings[2].message).toMatch(/uses SMB\/CIFS storage \(driver fstab\/cifs\)/);
  });

  it("splits names into tokens at separators and case changes", () => {
    expect(["SMBShare", "smb_share", "sambaHost", "x.cifs"].map(namesSmb)).toEqual([true, true, true, true]);
    expect(["smbless", "Cifscale", "sambal"].map(namesSmb)).toEqual([false, false, false]);
    expect(SMB_VALUE.test("/mnt/user/samba-old")).toBe(false);
  });
});
