/** tools/lib/content-cache.ts: the in-process memos' bound. */
import { describe, expect, it } from "vitest";
import { setBounded } from "../../tools/lib/content-cache.ts";

describe("setBounded", () => {
  it("keeps at most `max` entries, the oldest inserted going first", () => {
    const m = new Map<string, number>();
    for (const [i, k] of ["a", "b", "c", "d"].entries()) setBounded(m, k, i, 3);
    expect([...m]).toEqual([["b", 1], ["c", 2], ["d", 3]]);
  });

  it("replaces a key's value in place without evicting anything", () => {
    const m = new Map([["a", 1], ["b", 2]]);
    setBounded(m, "a", 10, 2);
    expect([...m]).toEqual([["a", 10], ["b", 2]]);
  });
});
