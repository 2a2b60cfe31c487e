import { describe, expect, it } from "vitest";
import type { K8sObject, RenderedRelease } from "../../tools/lib/render.ts";
import { diffLines, unifiedHunks } from "../../tools/lib/diff.ts";
import { diffReleases, formatDiff } from "../../tools/upgrade/diff.ts";

/** Applies a diff script: the kept and added lines must rebuild `b`, kept and removed `a`. */
function sides(script: ReturnType<typeof diffLines>) {
  return {
    a: script.filter((l) => l.op !== "+").map((l) => l.text),
    b: script.filter((l) => l.op !== "-").map((l) => l.text),
    edits: script.filter((l) => l.op !== " ").length,
  };
}

describe("diffLines", () => {
  it.each([
    ["identical", ["a", "b", "c"], ["a", "b", "c"], 0],
    ["both empty", [], [], 0],
    ["from empty", [], ["x", "y"], 2],
    ["to empty", ["x", "y"], [], 2],
    ["one changed line", ["a", "b", "c"], ["a", "B", "c"], 2],
    ["insert in the middle", ["a", "c"], ["a", "b", "c"], 1],
    ["classic ABCABBA/CBABAC", "ABCABBA".split(""), "CBABAC".split(""), 5],
    ["repeated lines", ["x", "x", "y", "x"], ["x", "y", "x", "x"], 2],
  ])("%s: rebuilds both sides with the fewest edits", (_n, a, b, edits) => {
    const s = sides(diffLines(a, b));
    expect(s.a).toEqual(a);
    expect(s.b).toEqual(b);
    expect(s.edits).toBe(edits);
  });

  it("keeps equal lines in place around an edit", () => {
    expect(diffLines(["a", "b", "c"], ["a", "B", "c"])).toEqual([
      { op: " ", text: "a" },
      { op: "-", text: "b" },
      { op: "+", text: "B" },
      { op: " ", text: "c" },
    ]);
  });
});

describe("unifiedHunks", () => {
  it("writes hunk headers with 1-based ranges and context", () => {
    const a = Array.from({ length: 12 }, (_, i) => `l${i + 1}`);
    const b = a.map((l) => (l === "l2" ? "L2" : l === "l11" ? "L11" : l));
    expect(unifiedHunks(diffLines(a, b), 1)).toEqual([
      "@@ -1,3 +1,3 @@", " l1", "-l2", "+L2", " l3",
      "@@ -10,3 +10,3 @@", " l10", "-l11", "+L11", " l12",
    ]);
    expect(unifiedHunks(diffLines(a, a))).toEqual([]);
  });

  it("merges changes whose context overlaps", () => {
    const a = ["1", "2", "3", "4", "5"];
    const b = ["1", "X", "3", "Y", "5"];
    expect(unifiedHunks(diffLines(a, b), 1).filter((l) => l.startsWith("@@"))).toEqual(["@@ -1,5 +1,5 @@"]);
    expect(unifiedHunks(diffLines(a, b), 0).filter((l) => l.startsWith("@@"))).toEqual(["@@ -2,1 +2,1 @@", "@@ -4,1 +4,1 @@"]);
  });
});

describe("diffReleases / formatDiff", () => {
  const sts = (image: string): K8sObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "demo", namespace: "apps" },
    spec: { serviceName: "demo", template: { spec: { containers: [{ name: "demo", image }] } } },
  });
  const svc: K8sObject = { apiVersion: "v1", kind: "Service", metadata: { name: "demo", namespace: "apps" }, spec: { ports: [{ port: 80 }] } };
  const cm: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "demo-env", namespace: "apps" }, data: { A: "1" } };
  const rel = (objects: K8sObject[]): RenderedRelease => ({ env: "test", release: "demo", namespace: "apps", chart: "demo", source: "clusters/test/demo.yaml", objects });

  it("shows a changed object as a unified diff and added/removed objects whole", () => {
    const diffs = diffReleases([rel([sts("busybox:1.36"), svc])], [rel([sts("busybox:1.37"), cm])]);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ release: "test: apps/demo" });
    const text = formatDiff(diffs);
    expect(text).toContain("=== test: apps/demo (1 changed, 1 added, 1 removed)");
    expect(text).toContain("--- a/StatefulSet apps/demo\n+++ b/StatefulSet apps/demo\n@@");
    expect(text).toContain("@@ -9,4 +9,4 @@\n     spec:\n       containers:\n         - name: demo\n-          image: busybox:1.36\n+          image: busybox:1.37");
    expect(text).toContain("--- a/Service apps/demo\n+++ /dev/null\n@@ -1,8 +0,0 @@\n-apiVersion: v1");
    expect(text).toContain("--- /dev/null\n+++ b/ConfigMap apps/demo-env\n@@ -0,0 +1,7 @@\n+apiVersion: v1");
  });

  it("leaves unchanged releases out", () => {
    expect(diffReleases([rel([svc])], [rel([structuredClone(svc)])])).toEqual([]);
    expect(formatDiff([])).toBe("no changes");
  });
});
