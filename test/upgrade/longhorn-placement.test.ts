/**
 * The Longhorn placement correction as an upgrade of a running cluster: adding
 * `shareManagerNodeSelector` to the StorageClasses changes an immutable field (StorageClass
 * parameters, storage validation ValidateStorageClassUpdate), so upgrade-check must flag it with
 * the recreate procedure (docs/decisions.md#longhorn-placement).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderEnvironment, type K8sObject } from "../../tools/lib/render.ts";
import { compareObjects, hasErrors } from "../../tools/upgrade/compare.ts";

let after: K8sObject[] = [];
beforeAll(async () => {
  after = (await renderEnvironment("homelab", { chart: "longhorn-config" }))[0].objects;
});

/** The render as it was before the correction: no shareManagerNodeSelector parameter. */
function seedRender(objects: K8sObject[]): K8sObject[] {
  return objects.map((o) => {
    if (o.kind !== "StorageClass") return o;
    const c = structuredClone(o) as K8sObject & { parameters: Record<string, string> };
    delete c.parameters.shareManagerNodeSelector;
    return c;
  });
}

describe("upgrade-check on the share-manager selector", () => {
  it("flags the new StorageClass parameter on both classes as an immutable change, with the delete-and-recreate fix", () => {
    const findings = compareObjects(seedRender(after), after);
    expect(hasErrors(findings)).toBe(true);
    const sc = findings.filter((f) => f.kind === "immutable-field" && f.object.kind === "StorageClass");
    expect(sc.map((f) => f.object.name).sort()).toEqual(["longhorn", "longhorn-rwx"]);
    for (const f of sc) {
      expect(f.severity).toBe("error");
      expect(JSON.stringify(f.changes)).toContain("shareManagerNodeSelector");
      expect(f.fixes.map((x) => x.title).join("\n")).toContain("Delete the StorageClass, let Flux re-create it");
    }
  });

  it("an unchanged render has no StorageClass finding (the rule reacts to the change, not to the class)", () => {
    expect(compareObjects(after, after).filter((f) => f.object.kind === "StorageClass")).toEqual([]);
  });
});
