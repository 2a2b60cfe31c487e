/**
 * tools/preflight/k3s.ts: k3s's packaged Traefik, ServiceLB and local-path storage are reported
 * from the server's k3s.io/node-args or from the objects k3s deploys for them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { bundledComponents, k3sFindings } from "../../tools/preflight/k3s.ts";

const node = (args: string[]) => ({ kind: "Node", metadata: { name: "k3s-cp1", annotations: { "k3s.io/node-args": JSON.stringify(args) } } });
const list = (...items: object[]) => ({ kind: "List", items });

describe("k3s packaged components", () => {
  it("the committed fixtures' server disables all three", () => {
    for (const f of ["homelab-nodes.json", "staging-nodes.json"]) {
      const dump = JSON.parse(readFileSync(join(repoRoot, "test/preflight/fixtures", f), "utf8"));
      expect(k3sFindings([dump]), f).toEqual([]);
    }
  });
  it("a server without --disable local-storage (both spellings of --disable accepted)", () => {
    expect([...bundledComponents([list(node(["server", "--disable", "traefik", "--disable=servicelb"]))]).keys()]).toEqual(["local-storage"]);
    expect([...bundledComponents([list(node(["server", "--disable", "traefik,servicelb,local-storage"]))]).keys()]).toEqual([]);
    expect([...bundledComponents([list(node(["agent"]))]).keys()]).toEqual([]);
  });
  it("the objects k3s deploys for them", () => {
    const found = bundledComponents([list(
      { kind: "HelmChart", metadata: { name: "traefik", namespace: "kube-system" } },
      { kind: "DaemonSet", metadata: { name: "svclb-traefik-1a2b", namespace: "kube-system" } },
      { kind: "StorageClass", metadata: { name: "local-path" }, provisioner: "rancher.io/local-path" },
    )]);
    expect(Object.fromEntries(found)).toEqual({ traefik: "HelmChart kube-system/traefik", servicelb: "DaemonSet kube-system/svclb-traefik-1a2b", "local-storage": "StorageClass local-path" });
    const f = k3sFindings([list({ kind: "StorageClass", metadata: { name: "local-path" } })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "error", kind: "k3s-component", expected: "k3s --disable local-storage" });
    expect(f[0].fix).toMatch(/--disable local-storage/);
  });
});
