import { describe, expect, it } from "vitest";
import { coalesce, mergeMaps, setPath } from "../../tools/lib/merge.ts";

// GIVEN two layers WHEN merged THEN the result follows source-/helm-controller's MergeMaps.
describe("mergeMaps (valuesFiles, valuesFrom, spec.values)", () => {
  it.each([
    { name: "later scalar wins", a: { x: 1 }, b: { x: 2 }, want: { x: 2 } },
    { name: "maps deep-merge", a: { m: { a: 1, b: 2 } }, b: { m: { b: 3, c: 4 } }, want: { m: { a: 1, b: 3, c: 4 } } },
    { name: "lists are replaced, not appended", a: { l: [1, 2, 3] }, b: { l: [9] }, want: { l: [9] } },
    { name: "a map replaces a scalar", a: { k: "s" }, b: { k: { n: 1 } }, want: { k: { n: 1 } } },
    { name: "a scalar replaces a map", a: { k: { n: 1 } }, b: { k: "s" }, want: { k: "s" } },
    { name: "null is kept as a value at this stage", a: { k: { n: 1 } }, b: { k: null }, want: { k: null } },
    { name: "keys only in a survive", a: { a: 1 }, b: {}, want: { a: 1 } },
    { name: "deep map keeps siblings at every level", a: { a: { b: { c: 1, d: 2 } } }, b: { a: { b: { c: 5 } } }, want: { a: { b: { c: 5, d: 2 } } } },
  ])("$name", ({ a, b, want }) => {
    expect(mergeMaps(a, b)).toEqual(want);
  });

  it("does not mutate its inputs", () => {
    const a = { m: { a: 1 } };
    const b = { m: { b: 2 } };
    mergeMaps(a, b);
    expect(a).toEqual({ m: { a: 1 } });
    expect(b).toEqual({ m: { b: 2 } });
  });
});

describe("coalesce (Helm: user values over chart defaults)", () => {
  it.each([
    { name: "user scalar overrides default", d: { x: 1 }, u: { x: 2 }, want: { x: 2 } },
    { name: "defaults fill in missing keys", d: { x: 1, y: 2 }, u: { x: 3 }, want: { x: 3, y: 2 } },
    { name: "user null deletes the default key", d: { x: 1, y: 2 }, u: { x: null }, want: { y: 2 } },
    { name: "nested null deletes only that key", d: { m: { a: 1, b: 2 } }, u: { m: { a: null } }, want: { m: { b: 2 } } },
    { name: "user list replaces default list", d: { l: ["a", "b"] }, u: { l: ["c"] }, want: { l: ["c"] } },
    { name: "maps deep-merge", d: { m: { a: 1, n: { x: 1 } } }, u: { m: { n: { y: 2 } } }, want: { m: { a: 1, n: { x: 1, y: 2 } } } },
    { name: "null default stays when the user does not set it", d: { digest: null }, u: {}, want: { digest: null } },
    { name: "user-only keys are kept", d: {}, u: { extra: { a: 1 } }, want: { extra: { a: 1 } } },
  ])("$name", ({ d, u, want }) => {
    expect(coalesce(d, u)).toEqual(want);
  });
});

describe("setPath (valuesFrom targetPath)", () => {
  it.each([
    { name: "sets a nested scalar", v: {}, path: ["a", "b"], value: "x", want: { a: { b: "x" } } },
    { name: "keeps siblings", v: { a: { c: 1 } }, path: ["a", "b"], value: 2, want: { a: { c: 1, b: 2 } } },
    { name: "replaces a scalar on the way", v: { a: 5 }, path: ["a", "b"], value: 2, want: { a: { b: 2 } } },
  ])("$name", ({ v, path, value, want }) => {
    expect(setPath(v, path, value)).toEqual(want);
  });
});
