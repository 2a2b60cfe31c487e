/** tools/lib/distance.ts: the one edit distance behind every "did you mean". */
import { describe, expect, it } from "vitest";
import { closest, editDistance } from "../../tools/lib/distance.ts";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["kitten", "sitting", 3],
    ["imagee", "image", 1],
    ["decypharrr", "decypharr", 1],
  ])("%s -> %s: %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("closest", () => {
  it("names the nearest option, ignoring case, the first of equally near ones", () => {
    expect(closest("imagee", ["port", "image", "images"])).toBe("image");
    expect(closest("PORT", ["port"])).toBe("port");
    expect(closest("ab", ["ax", "ay"])).toBe("ax");
  });
  it("says nothing when the nearest is too far: max(2, a third of the length) edits at most", () => {
    expect(closest("abc", ["xyz"])).toBeUndefined();
    expect(closest("abc", ["xbz"])).toBe("xbz");
    expect(closest("storageOverProvisioning", ["storageOverProvisioningPercentage"])).toBeUndefined();
    expect(closest("storageOverProvisioningPercent", ["storageOverProvisioningPercentage"])).toBe("storageOverProvisioningPercentage");
  });
});
