/**
 * Port of pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go
 * (TestTaintTolerationFilter, TestTaintTolerationScore). Scores are the raw
 * intolerable-PreferNoSchedule counts normalised with DefaultNormalizeScore(reverse).
 */
import { describe, expect, it } from "vitest";
import { defaultNormalizeScore, filterNode, intolerablePreferNoSchedule, taintFilter } from "../../tools/scheduling/index.ts";
import type { Taint, Toleration } from "../../tools/scheduling/types.ts";
import { node } from "./fixtures.ts";

describe("TestTaintTolerationFilter", () => {
  const rows: Array<{ name: string; tolerations: Toleration[]; taints: Taint[]; wantReason?: string }> = [
    {
      name: "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
      tolerations: [],
      taints: [{ key: "dedicated", value: "user1", effect: "NoSchedule" }],
      wantReason: "node(s) had untolerated taint {dedicated: user1}",
    },
    {
      name: "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
      tolerations: [{ key: "dedicated", value: "user1", effect: "NoSchedule" }],
      taints: [{ key: "dedicated", value: "user1", effect: "NoSchedule" }],
    },
    {
      name: "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
      tolerations: [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }],
      taints: [{ key: "dedicated", value: "user1", effect: "NoSchedule" }],
      wantReason: "node(s) had untolerated taint {dedicated: user1}",
    },
    {
      name: "A toleration with operator Exists tolerates the taints on the node",
      tolerations: [{ key: "foo", operator: "Exists", effect: "NoSchedule" }],
      taints: [{ key: "foo", value: "bar", effect: "NoSchedule" }],
    },
    {
      name: "multiple tolerations, multiple taints, all tolerated",
      tolerations: [
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
        { key: "foo", operator: "Exists", effect: "NoSchedule" },
      ],
      taints: [
        { key: "dedicated", value: "user2", effect: "NoSchedule" },
        { key: "foo", value: "bar", effect: "NoSchedule" },
      ],
    },
    {
      name: "keys and values match but the (non-empty) effect doesn't",
      tolerations: [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }],
      taints: [{ key: "foo", value: "bar", effect: "NoSchedule" }],
      wantReason: "node(s) had untolerated taint {foo: bar}",
    },
    {
      name: "keys and values match, toleration effect empty, taint NoSchedule",
      tolerations: [{ key: "foo", operator: "Equal", value: "bar" }],
      taints: [{ key: "foo", value: "bar", effect: "NoSchedule" }],
    },
    {
      name: "non-matching toleration but the taint is PreferNoSchedule",
      tolerations: [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }],
      taints: [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }],
    },
    { name: "no toleration, PreferNoSchedule taint", tolerations: [], taints: [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }] },
    // Model rows.
    {
      name: "NoExecute taints filter too",
      tolerations: [],
      taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }],
      wantReason: "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
    },
    {
      name: "the first untolerated taint is reported",
      tolerations: [{ key: "a", operator: "Exists" }],
      taints: [
        { key: "a", value: "1", effect: "NoSchedule" },
        { key: "b", value: "2", effect: "NoSchedule" },
        { key: "c", value: "3", effect: "NoExecute" },
      ],
      wantReason: "node(s) had untolerated taint {b: 2}",
    },
  ];
  it.each(rows)("$name", ({ tolerations, taints, wantReason }) => {
    const n = node("nodeA", {}, taints);
    const spec = { tolerations };
    expect(taintFilter(spec, n)).toBe(wantReason === undefined);
    const got = filterNode({ name: "pod1", spec }, n);
    if (wantReason === undefined) expect(got.ok).toBe(true);
    else expect(got).toEqual({ node: "nodeA", ok: false, rejections: [{ plugin: "TaintToleration", reason: wantReason, status: "UnschedulableAndUnresolvable", message: `TaintToleration: ${wantReason}` }] });
  });
});

describe("TestTaintTolerationScore", () => {
  const pns = (key: string, value: string): Taint => ({ key, value, effect: "PreferNoSchedule" });
  const rows: Array<{ name: string; tolerations: Toleration[]; nodeTaints: Taint[][]; expected: number[] }> = [
    {
      name: "node with taints tolerated by the pod gets a higher score than those with intolerable taints",
      tolerations: [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }],
      nodeTaints: [[pns("foo", "bar")], [pns("foo", "blah")]],
      expected: [100, 0],
    },
    {
      name: "nodes whose taints are all tolerated get the same score, no matter how many",
      tolerations: [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "PreferNoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "PreferNoSchedule" },
      ],
      nodeTaints: [[], [pns("cpu-type", "arm64")], [pns("cpu-type", "arm64"), pns("disk-type", "ssd")]],
      expected: [100, 100, 100],
    },
    {
      name: "the more intolerable taints a node has, the lower score it gets",
      tolerations: [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }],
      nodeTaints: [[], [pns("cpu-type", "arm64")], [pns("cpu-type", "arm64"), pns("disk-type", "ssd")]],
      expected: [100, 50, 0],
    },
    {
      name: "only PreferNoSchedule taints and tolerations are checked",
      tolerations: [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "NoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "NoSchedule" },
      ],
      nodeTaints: [[], [{ key: "cpu-type", value: "arm64", effect: "NoSchedule" }], [pns("cpu-type", "arm64"), pns("disk-type", "ssd")]],
      expected: [100, 100, 0],
    },
    { name: "Default behaviour No taints and tolerations, lands on node with no taints", tolerations: [], nodeTaints: [[], [pns("cpu-type", "arm64")]], expected: [100, 0] },
    { name: "a toleration with empty effect counts for PreferNoSchedule", tolerations: [{ key: "cpu-type", operator: "Exists" }], nodeTaints: [[], [pns("cpu-type", "arm64")]], expected: [100, 100] },
  ];
  it.each(rows)("$name", ({ tolerations, nodeTaints, expected }) => {
    const raw = nodeTaints.map((taints, i) => intolerablePreferNoSchedule({ tolerations }, node(`node${i}`, {}, taints)));
    expect(defaultNormalizeScore(raw, true)).toEqual(expected);
  });
});
