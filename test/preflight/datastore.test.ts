/** preflight warns when the inventory does not say which k3s datastore the control plane runs. */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { datastoreFindings, withDatastoreCheck } from "../../tools/preflight/datastore.ts";

describe("datastore check", () => {
  it("homelab's inventory does not say: one warning for cp1, with the check to run", () => {
    const inv = loadInventory("homelab");
    const f = datastoreFindings(inv);
    expect(f.map((x) => [x.severity, x.kind, x.nodeId])).toEqual([["warning", "datastore-unknown", "cp1"]]);
    expect(f[0].fix).toContain("ls /var/lib/rancher/k3s/server/db");
    const r = withDatastoreCheck({ env: "homelab", findings: [], errors: 0, warnings: 0, inventoryNodes: 4, clusterNodes: 4 }, inv);
    expect(r.warnings).toBe(1);
    expect(r.errors).toBe(0);
  });

  it("staging says sqlite: no warning", () => {
    expect(datastoreFindings(loadInventory("staging"))).toEqual([]);
  });

  it("a datastore kind other than sqlite or etcd is rejected by the inventory schema", async () => {
    const { withFixtureRepo, editFixture } = await import("../helpers/fixture-repo.ts");
    await withFixtureRepo(
      (root) => editFixture(root, "values/staging/cluster.yaml", "kind: sqlite", "kind: postgres"),
      async (root) => expect(() => loadInventory("staging", root)).toThrow(/datastore\.kind|postgres/),
    );
  });
});
