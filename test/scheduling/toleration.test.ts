/**
 * Port of staging/src/k8s.io/api/core/v1/toleration_test.go (TestTolerationToleratesTaint),
 * run with the TaintTolerationComparisonOperators gate on for the Lt/Gt rows,
 * plus rows for the gate-off default of v1.36 and the empty-key/empty-effect rules.
 */
import { describe, expect, it } from "vitest";
import { toleratesTaint } from "../../tools/scheduling/index.ts";
import type { Taint, Toleration } from "../../tools/scheduling/types.ts";

describe("TestTolerationToleratesTaint", () => {
  const rows: Array<{ description: string; toleration: Toleration; taint: Taint; expectTolerated: boolean }> = [
    {
      description: "same key and effect, operator Exists, taint has no value",
      toleration: { key: "foo", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "same key and effect, operator Exists, taint has some value",
      toleration: { key: "foo", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "same effect, empty key and operator Exists matches all taints",
      toleration: { key: "", operator: "Exists", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "same key, effect and value, operator Equal",
      toleration: { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "same key and effect, different values, operator Equal",
      toleration: { key: "foo", operator: "Equal", value: "value1", effect: "NoSchedule" },
      taint: { key: "foo", value: "value2", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "same key and value, different effects, operator Equal",
      toleration: { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoExecute" },
      expectTolerated: false,
    },
    {
      description: "Gt, taint value less than toleration value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Gt", value: "950", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "800", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Gt, taint value greater than toleration value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Gt", value: "750", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "950", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "Lt, taint value greater than toleration value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Lt", value: "800", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "950", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Lt, taint value less than toleration value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Lt", value: "950", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "800", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "Gt with equal numeric value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Gt", value: "950", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "950", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Gt with non-numeric taint value",
      toleration: { key: "node.kubernetes.io/sla", operator: "Gt", value: "950", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/sla", value: "high", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Gt with negative values, taint value less than threshold",
      toleration: { key: "test-key", operator: "Gt", value: "-100", effect: "NoSchedule" },
      taint: { key: "test-key", value: "-200", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Gt with large int64 values, taint value less than threshold",
      toleration: { key: "test-key", operator: "Gt", value: "9223372036854775806", effect: "NoSchedule" },
      taint: { key: "test-key", value: "100", effect: "NoSchedule" },
      expectTolerated: false,
    },
    // Model rows.
    {
      description: "Gt compares int64 exactly above 2^53",
      toleration: { key: "k", operator: "Gt", value: "9007199254740992", effect: "NoSchedule" },
      taint: { key: "k", value: "9007199254740993", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "Gt rejects non-canonical values (leading zero)",
      toleration: { key: "k", operator: "Gt", value: "0100", effect: "NoSchedule" },
      taint: { key: "k", value: "200", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "empty operator means Equal",
      toleration: { key: "foo", value: "bar", effect: "NoSchedule" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: true,
    },
    {
      description: "empty operator with a different value",
      toleration: { key: "foo", value: "baz" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "empty effect matches NoExecute",
      toleration: { key: "foo", operator: "Exists" },
      taint: { key: "foo", value: "bar", effect: "NoExecute" },
      expectTolerated: true,
    },
    {
      description: "empty key with Exists and empty effect tolerates everything",
      toleration: { operator: "Exists" },
      taint: { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
      expectTolerated: true,
    },
    {
      description: "empty key with Equal matches only taints with an empty value",
      toleration: { key: "", operator: "Equal", value: "" },
      taint: { key: "anything", value: "x", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "unknown operator never tolerates",
      toleration: { key: "foo", operator: "Contains", value: "bar" },
      taint: { key: "foo", value: "bar", effect: "NoSchedule" },
      expectTolerated: false,
    },
    {
      description: "Equal with an absent value matches a taint without value",
      toleration: { key: "node.kubernetes.io/unschedulable", operator: "Equal", effect: "NoSchedule" },
      taint: { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
      expectTolerated: true,
    },
  ];
  it.each(rows)("$description", ({ toleration, taint, expectTolerated }) => {
    expect(toleratesTaint(toleration, taint, { enableComparisonOperators: true })).toBe(expectTolerated);
  });
});

describe("TaintTolerationComparisonOperators gate (default off in v1.36)", () => {
  const rows: Array<{ operator: string; tolerationValue: string; taintValue: string }> = [
    { operator: "Gt", tolerationValue: "750", taintValue: "950" },
    { operator: "Lt", tolerationValue: "950", taintValue: "800" },
  ];
  it.each(rows)("$operator never tolerates with the gate off", ({ operator, tolerationValue, taintValue }) => {
    const toleration: Toleration = { key: "sla", operator, value: tolerationValue, effect: "NoSchedule" };
    const taint: Taint = { key: "sla", value: taintValue, effect: "NoSchedule" };
    expect(toleratesTaint(toleration, taint)).toBe(false);
    expect(toleratesTaint(toleration, taint, { enableComparisonOperators: true })).toBe(true);
  });
});
