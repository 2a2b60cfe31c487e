/**
 * Port of pkg/controller/tainteviction/taint_eviction_test.go
 * (TestFilterNoExecuteTaints, TestGetMinTolerationTime, and the eviction
 * outcomes of TestCreatePod, TestCreateNode, TestUpdateNode,
 * TestUpdateNodeWithMultipleTaints, TestUpdateNodeWithMultiplePods) expressed
 * as noExecuteEvictionSeconds results: null = never, 0 = immediately, n = after n s.
 */
import { describe, expect, it } from "vitest";
import { getMatchingTolerations, minTolerationSeconds, noExecuteEvictionSeconds } from "../../tools/scheduling/index.ts";
import { noExecuteTaints } from "../../tools/scheduling/eviction.ts";
import type { Taint, Toleration } from "../../tools/scheduling/types.ts";
import { node, NOT_READY_NOEXECUTE, seedMediaSpec, STORAGE_TAINT, UNREACHABLE_NOEXECUTE, UNSCHEDULABLE_NOSCHEDULE, w1, withTaints } from "./fixtures.ts";

/** createNoExecuteTaint(index) */
const taint = (i: number): Taint => ({ key: `testTaint${i}`, value: `test${i}`, effect: "NoExecute" });
/** addToleration(pod, index, duration): duration < 0 means no tolerationSeconds. */
const toleration = (i: number, duration: number): Toleration =>
  duration < 0 ? { key: `testTaint${i}`, value: `test${i}`, effect: "NoExecute" } : { key: `testTaint${i}`, value: `test${i}`, effect: "NoExecute", tolerationSeconds: duration };

describe("TestFilterNoExecuteTaints", () => {
  it("keeps only NoExecute taints", () => {
    const got = noExecuteTaints([
      { key: "one", value: "one", effect: "NoExecute" },
      { key: "two", value: "two", effect: "NoSchedule" },
    ]);
    expect(got.map((t) => t.key)).toEqual(["one"]);
  });
});

describe("TestGetMinTolerationTime", () => {
  const rows: Array<{ name: string; tolerations: Toleration[]; expected: number | null }> = [
    { name: "no tolerations", tolerations: [], expected: 0 },
    { name: "one infinite toleration", tolerations: [{ tolerationSeconds: null }], expected: null },
    { name: "minimum of two", tolerations: [{ tolerationSeconds: 1 }, { tolerationSeconds: 2 }], expected: 1 },
    { name: "finite then infinite", tolerations: [{ tolerationSeconds: 1 }, {}], expected: 1 },
    { name: "infinite then finite", tolerations: [{}, { tolerationSeconds: 1 }], expected: 1 },
    { name: "zero means immediately", tolerations: [{ tolerationSeconds: 30 }, { tolerationSeconds: 0 }], expected: 0 },
    { name: "negative means immediately", tolerations: [{ tolerationSeconds: -5 }], expected: 0 },
  ];
  it.each(rows)("$name", ({ tolerations, expected }) => {
    expect(minTolerationSeconds(tolerations)).toBe(expected);
  });
});

describe("eviction outcome per pod and node taints", () => {
  const rows: Array<{ name: string; tolerations: Toleration[]; taints: Taint[]; expected: number | null }> = [
    { name: "TestCreatePod: scheduled on untainted Node", tolerations: [], taints: [], expected: null },
    { name: "TestCreatePod: schedule on tainted Node", tolerations: [], taints: [taint(1)], expected: 0 },
    { name: "TestCreatePod: tainted Node with finite toleration", tolerations: [toleration(1, 100)], taints: [taint(1)], expected: 100 },
    { name: "TestCreatePod: tainted Node with infinite toleration", tolerations: [toleration(1, -1)], taints: [taint(1)], expected: null },
    { name: "TestCreatePod: tainted Node with infinite invalid toleration", tolerations: [toleration(2, -1)], taints: [taint(1)], expected: 0 },
    { name: "TestUpdateNode: Only one added taint tolerated", tolerations: [toleration(1, 100)], taints: [taint(1), taint(2)], expected: 0 },
    {
      name: "TestUpdateNode: multiple tolerations, evicted when first one runs out",
      tolerations: [toleration(1, 1), toleration(2, 100)],
      taints: [taint(1), taint(2)],
      expected: 1,
    },
    { name: "TestUpdateNodeWithMultiplePods: pod without toleration", tolerations: [], taints: [taint(1)], expected: 0 },
    { name: "TestUpdateNodeWithMultiplePods: pod tolerating 1 s", tolerations: [toleration(1, 1)], taints: [taint(1)], expected: 1 },
    { name: "TestUpdateNodeWithMultiplePods: pod tolerating forever", tolerations: [toleration(1, -1)], taints: [taint(1)], expected: null },
    { name: "TestUpdateNodeWithMultiplePods: all evicted when a taint is untolerated", tolerations: [toleration(1, -1)], taints: [taint(1), taint(2)], expected: 0 },
    { name: "NoSchedule taints never evict", tolerations: [], taints: [{ key: "k", effect: "NoSchedule" }, { key: "p", effect: "PreferNoSchedule" }], expected: null },
    {
      name: "the first matching toleration wins even when a later one sets seconds",
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists" }, { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }],
      taints: [UNREACHABLE_NOEXECUTE],
      expected: null,
    },
    {
      name: "the first matching toleration's seconds apply",
      tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }, { key: "node.kubernetes.io/unreachable", operator: "Exists" }],
      taints: [UNREACHABLE_NOEXECUTE],
      expected: 30,
    },
    { name: "tolerationSeconds 0 evicts immediately", tolerations: [{ operator: "Exists", tolerationSeconds: 0 }], taints: [UNREACHABLE_NOEXECUTE], expected: 0 },
    { name: "a wildcard Exists toleration tolerates forever", tolerations: [{ operator: "Exists" }], taints: [UNREACHABLE_NOEXECUTE, NOT_READY_NOEXECUTE], expected: null },
  ];
  it.each(rows)("$name", ({ tolerations, taints, expected }) => {
    expect(noExecuteEvictionSeconds({ tolerations }, node("node1", {}, taints))).toBe(expected);
  });
});

describe("TestUpdateNodeWithMultipleTaints (taint sequence)", () => {
  const tolerations: Toleration[] = [
    { key: taint(1).key, operator: "Exists", effect: "NoExecute" },
    { key: taint(2).key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 },
  ];
  const steps: Array<{ name: string; taints: Taint[]; expected: number | null }> = [
    { name: "no taint", taints: [], expected: null },
    { name: "no taint -> infinitely tolerated taint", taints: [taint(1)], expected: null },
    { name: "infinitely tolerated -> temporarily tolerated taint", taints: [taint(1), taint(2)], expected: 60 },
    { name: "temporarily tolerated -> infinitely tolerated taint", taints: [taint(1)], expected: null },
  ];
  it.each(steps)("$name", ({ taints, expected }) => {
    expect(noExecuteEvictionSeconds({ tolerations }, node("node1", {}, taints))).toBe(expected);
  });

  it("reports the used tolerations in taint order", () => {
    const got = getMatchingTolerations([taint(2), taint(1)], tolerations);
    expect(got).toEqual({ allTolerated: true, used: [tolerations[1], tolerations[0]] });
  });
});

describe("seed placement pattern on a failed w1", () => {
  const plain = { tolerations: [{ ...STORAGE_TAINT, operator: "Equal" }] };
  const rows: Array<{ name: string; spec: Parameters<typeof noExecuteEvictionSeconds>[0]; taints: Taint[]; defaults: boolean; expected: number | null }> = [
    { name: "unreachable: evicted after the pod's 30 s", spec: seedMediaSpec(), taints: [UNREACHABLE_NOEXECUTE], defaults: false, expected: 30 },
    { name: "not-ready and unreachable: still 30 s", spec: seedMediaSpec(), taints: [NOT_READY_NOEXECUTE, UNREACHABLE_NOEXECUTE], defaults: true, expected: 30 },
    { name: "admission defaults do not override explicit tolerations", spec: seedMediaSpec(), taints: [UNREACHABLE_NOEXECUTE], defaults: true, expected: 30 },
    { name: "pod without NoExecute tolerations, admission defaults applied: 300 s", spec: plain, taints: [UNREACHABLE_NOEXECUTE], defaults: true, expected: 300 },
    { name: "pod without NoExecute tolerations, no admission defaults: immediately", spec: plain, taints: [UNREACHABLE_NOEXECUTE], defaults: false, expected: 0 },
    { name: "cordon (unschedulable NoSchedule) never evicts", spec: seedMediaSpec(), taints: [UNSCHEDULABLE_NOSCHEDULE], defaults: true, expected: null },
  ];
  it.each(rows)("$name", ({ spec, taints, defaults, expected }) => {
    expect(noExecuteEvictionSeconds(spec, withTaints(w1, taints), { applyDefaultTolerationSeconds: defaults })).toBe(expected);
  });
});
