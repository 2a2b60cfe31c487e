/**
 * Ports of staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go
 * (TestNodeSelectorMatch, TestPreferredSchedulingTermsScore,
 * TestNodeSelectorRequirementsAsSelector, TestPodMatchesNodeSelectorAndAffinityTerms)
 * plus model-specific rows for requirement validation and exact int64 comparisons.
 */
import { describe, expect, it } from "vitest";
import {
  matchesRequiredNodeAffinity,
  matchNodeSelectorTerms,
  preferredAffinityScore,
  PreferredAffinityParseError,
} from "../../tools/scheduling/index.ts";
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec, PreferredSchedulingTerm } from "../../tools/scheduling/types.ts";
import { node } from "./fixtures.ts";

const expr = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => (values === undefined ? { key, operator } : { key, operator, values });
const name = (value: string): NodeSelectorRequirement => ({ key: "metadata.name", operator: "In", values: [value] });
const required = (terms: NodeSelectorTerm[] | null): PodSpec => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

describe("TestNodeSelectorMatch (lazy-error node selector)", () => {
  const invalidAndValid: NodeSelectorTerm[] = [
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] },
    { matchExpressions: [expr("label_1", "In", ["label_1_val"])], matchFields: [name("host_1")] },
    { matchExpressions: [expr("invalid key", "In", ["label_value"])] },
  ];
  const rows: Array<{ name: string; terms: NodeSelectorTerm[]; node: ReturnType<typeof node>; want: boolean; errorPaths?: string[] }> = [
    {
      name: "invalid field selector and label selector: invalid terms are skipped, reported when nothing matches",
      terms: invalidAndValid,
      node: node("host_1"),
      want: false,
      errorPaths: ["nodeSelectorTerms[0].matchFields[0].values", "nodeSelectorTerms[2].matchExpressions[0].key"],
    },
    { name: "invalid terms do not fail the valid one", terms: invalidAndValid, node: node("host_1", { label_1: "label_1_val" }), want: true, errorPaths: [] },
    { name: "node matches field selector, but not labels", terms: [{ matchExpressions: [expr("label_1", "In", ["label_1_val"])], matchFields: [name("host_1")] }], node: node("host_1"), want: false },
    {
      name: "node matches field selector and label selector",
      terms: [{ matchExpressions: [expr("label_1", "In", ["label_1_val"])], matchFields: [name("host_1")] }],
      node: node("host_1", { label_1: "label_1_val" }),
      want: true,
    },
    { name: "second term matches", terms: [{ matchExpressions: [expr("label_1", "In", ["label_1_val"])] }, { matchFields: [name("host_1")] }], node: node("host_1"), want: true },
  ];
  it.each(rows)("$name", (row) => {
    const got = matchNodeSelectorTerms(row.node, { nodeSelectorTerms: row.terms });
    expect(got.matched).toBe(row.want);
    if (row.errorPaths !== undefined) {
      expect(got.errors).toHaveLength(row.errorPaths.length);
      row.errorPaths.forEach((p, i) => expect(got.errors[i].startsWith(p)).toBe(true));
    }
  });

  it("reports the upstream key validation message", () => {
    const got = matchNodeSelectorTerms(node("host_1"), { nodeSelectorTerms: [invalidAndValid[2]] });
    expect(got.errors[0]).toContain(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  });
});

describe("TestPreferredSchedulingTermsScore", () => {
  const spec = (terms: PreferredSchedulingTerm[]): PodSpec => ({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } });
  it("throws with every parse error of weighted terms", () => {
    const terms: PreferredSchedulingTerm[] = [
      { weight: 1, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] } },
      { weight: 1, preference: { matchExpressions: [expr("label_1", "In", ["label_1_val"])], matchFields: [name("host_1")] } },
      { weight: 1, preference: { matchExpressions: [expr("invalid key", "In", ["label_value"])] } },
    ];
    let caught: unknown;
    try {
      preferredAffinityScore(spec(terms), node("host_1", { label_1: "label_1_val" }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PreferredAffinityParseError);
    const errors = (caught as PreferredAffinityParseError).errors;
    expect(errors).toHaveLength(2);
    expect(errors[0].startsWith("[0].matchFields[0].values: Invalid value")).toBe(true);
    expect(errors[0]).toContain("must have one element");
    expect(errors[1].startsWith("[2].matchExpressions[0].key")).toBe(true);
  });

  const rows: Array<{ name: string; terms: PreferredSchedulingTerm[]; want: number }> = [
    {
      name: "invalid field selector but no weight, error not reported",
      terms: [{ weight: 0, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] } }],
      want: 0,
    },
    {
      name: "first and third term match",
      terms: [
        { weight: 5, preference: { matchFields: [name("host_1")] } },
        { weight: 7, preference: { matchExpressions: [expr("unknown_label", "In", ["unknown_label_val"])] } },
        { weight: 11, preference: { matchExpressions: [expr("label_1", "In", ["label_1_val"])] } },
      ],
      want: 16,
    },
    { name: "empty preference term is skipped", terms: [{ weight: 9, preference: {} }], want: 0 },
    { name: "seed pattern on the primary node", terms: [{ weight: 100, preference: { matchExpressions: [expr("label_1", "In", ["label_1_val"])] } }], want: 100 },
  ];
  it.each(rows)("$name", ({ terms, want }) => {
    expect(preferredAffinityScore(spec(terms), node("host_1", { label_1: "label_1_val" }))).toBe(want);
  });
});

describe("TestNodeSelectorRequirementsAsSelector and requirement validation", () => {
  // A single-term required affinity: an invalid requirement makes the term unmatchable.
  const rows: Array<{ name: string; req: NodeSelectorRequirement; labels: Record<string, string>; want: boolean }> = [
    { name: "In matches one of the values", req: expr("foo", "In", ["bar", "baz"]), labels: { foo: "baz" }, want: true },
    { name: "Exists with values is invalid", req: expr("foo", "Exists", ["bar", "baz"]), labels: { foo: "bar" }, want: false },
    { name: "DoesNotExist with values is invalid", req: expr("foo", "DoesNotExist", ["bar"]), labels: {}, want: false },
    { name: "DoesNotExist matches an absent key", req: expr("foo", "DoesNotExist"), labels: { other: "x" }, want: true },
    { name: "Gt 1", req: expr("foo", "Gt", ["1"]), labels: { foo: "2" }, want: true },
    { name: "Lt 7", req: expr("bar", "Lt", ["7"]), labels: { bar: "6" }, want: true },
    { name: "Lt 7 not strictly less", req: expr("bar", "Lt", ["7"]), labels: { bar: "7" }, want: false },
    { name: "In with no values is invalid", req: expr("foo", "In", []), labels: { foo: "" }, want: false },
    { name: "NotIn with no values is invalid", req: expr("foo", "NotIn", []), labels: {}, want: false },
    { name: "Gt with two values is invalid", req: expr("foo", "Gt", ["1", "2"]), labels: { foo: "5" }, want: false },
    { name: "Gt with a non-integer value is invalid", req: expr("foo", "Gt", ["abc"]), labels: { foo: "5" }, want: false },
    { name: "Gt with a value beyond int64 is invalid", req: expr("foo", "Gt", ["9223372036854775808"]), labels: { foo: "5" }, want: false },
    { name: "Gt with a negative value fails label-value syntax", req: expr("foo", "Gt", ["-1"]), labels: { foo: "5" }, want: false },
    { name: "Gt compares int64 exactly near the top of the range", req: expr("foo", "Gt", ["9223372036854775806"]), labels: { foo: "9223372036854775807" }, want: true },
    { name: "Lt compares int64 exactly where float64 would round", req: expr("foo", "Lt", ["9007199254740993"]), labels: { foo: "9007199254740992" }, want: true },
    { name: "Gt with equal huge values is false", req: expr("foo", "Gt", ["9007199254740993"]), labels: { foo: "9007199254740993" }, want: false },
    { name: "Gt with leading zeros parses as decimal", req: expr("kernel-version", "Gt", ["0204"]), labels: { "kernel-version": "0206" }, want: true },
    { name: "Gt on a non-integer node label does not match", req: expr("foo", "Gt", ["1"]), labels: { foo: "high" }, want: false },
    { name: "Gt on a missing label does not match", req: expr("foo", "Gt", ["1"]), labels: {}, want: false },
    { name: "value of 63 characters is valid", req: expr("foo", "In", ["a".repeat(63)]), labels: { foo: "a".repeat(63) }, want: true },
    { name: "value of 64 characters is invalid", req: expr("foo", "In", ["a".repeat(64)]), labels: { foo: "a".repeat(64) }, want: false },
    { name: "value with a leading dash is invalid", req: expr("foo", "In", ["-x"]), labels: { foo: "-x" }, want: false },
    { name: "empty value is valid", req: expr("foo", "In", [""]), labels: { foo: "" }, want: true },
    { name: "prefixed key is valid", req: expr("node.longhorn.io/storage", "In", ["enabled"]), labels: { "node.longhorn.io/storage": "enabled" }, want: true },
    { name: "uppercase key prefix is invalid", req: expr("Node.io/storage", "In", ["enabled"]), labels: { "Node.io/storage": "enabled" }, want: false },
    { name: "key with two slashes is invalid", req: expr("a/b/c", "Exists"), labels: { "a/b/c": "" }, want: false },
    { name: "key name of 64 characters is invalid", req: expr("k".repeat(64), "Exists"), labels: { ["k".repeat(64)]: "" }, want: false },
    { name: "unknown operator is invalid", req: expr("foo", "Equals", ["bar"]), labels: { foo: "bar" }, want: false },
    { name: "operators are case sensitive", req: expr("foo", "in", ["bar"]), labels: { foo: "bar" }, want: false },
  ];
  it.each(rows)("$name", ({ req, labels, want }) => {
    expect(matchesRequiredNodeAffinity(required([{ matchExpressions: [req] }]), node("n", labels))).toBe(want);
  });

  it("an invalid requirement only disables its own term", () => {
    const spec = required([{ matchExpressions: [expr("foo", "Gt", ["abc"])] }, { matchExpressions: [expr("foo", "Exists")] }]);
    expect(matchesRequiredNodeAffinity(spec, node("n", { foo: "5" }))).toBe(true);
  });
});

describe("TestPodMatchesNodeSelectorAndAffinityTerms", () => {
  const rows: Array<{ name: string; spec: PodSpec; labels?: Record<string, string>; nodeName?: string; want: boolean }> = [
    { name: "no selector", spec: {}, want: true },
    { name: "missing labels", spec: { nodeSelector: { foo: "bar" } }, want: false },
    { name: "same labels", spec: { nodeSelector: { foo: "bar" } }, labels: { foo: "bar" }, want: true },
    { name: "node labels are superset", spec: { nodeSelector: { foo: "bar" } }, labels: { foo: "bar", baz: "blah" }, want: true },
    { name: "node labels are subset", spec: { nodeSelector: { foo: "bar", baz: "blah" } }, labels: { foo: "bar" }, want: false },
    { name: "matchExpressions In matches", spec: required([{ matchExpressions: [expr("foo", "In", ["bar", "value2"])] }]), labels: { foo: "bar" }, want: true },
    { name: "matchExpressions Gt matches", spec: required([{ matchExpressions: [expr("kernel-version", "Gt", ["0204"])] }]), labels: { "kernel-version": "0206" }, want: true },
    { name: "matchExpressions NotIn matches", spec: required([{ matchExpressions: [expr("mem-type", "NotIn", ["DDR", "DDR2"])] }]), labels: { "mem-type": "DDR3" }, want: true },
    { name: "matchExpressions Exists matches", spec: required([{ matchExpressions: [expr("GPU", "Exists")] }]), labels: { GPU: "NVIDIA-GRID-K1" }, want: true },
    { name: "affinity that doesn't match node's labels won't schedule", spec: required([{ matchExpressions: [expr("foo", "In", ["value1", "value2"])] }]), labels: { foo: "bar" }, want: false },
    { name: "nil []NodeSelectorTerm can't match", spec: required(null), labels: { foo: "bar" }, want: false },
    { name: "empty []NodeSelectorTerm can't match", spec: required([]), labels: { foo: "bar" }, want: false },
    { name: "empty MatchExpressions matches no objects", spec: required([{ matchExpressions: [] }]), labels: { foo: "bar" }, want: false },
    { name: "no Affinity will schedule", spec: {}, labels: { foo: "bar" }, want: true },
    { name: "Affinity but nil NodeSelector will schedule", spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null } } }, labels: { foo: "bar" }, want: true },
    {
      name: "multiple matchExpressions ANDed that matches",
      spec: required([{ matchExpressions: [expr("GPU", "Exists"), expr("GPU", "NotIn", ["AMD", "INTER"])] }]),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: true,
    },
    {
      name: "multiple matchExpressions ANDed that doesn't match",
      spec: required([{ matchExpressions: [expr("GPU", "Exists"), expr("GPU", "In", ["AMD", "INTER"])] }]),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: false,
    },
    {
      name: "multiple NodeSelectorTerms ORed",
      spec: required([{ matchExpressions: [expr("foo", "In", ["bar", "value2"])] }, { matchExpressions: [expr("diffkey", "In", ["wrong", "value2"])] }]),
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "Affinity and nodeSelector both satisfied",
      spec: { nodeSelector: { foo: "bar" }, ...required([{ matchExpressions: [expr("foo", "Exists")] }]) },
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "Affinity matches but nodeSelector not satisfied",
      spec: { nodeSelector: { foo: "bar" }, ...required([{ matchExpressions: [expr("foo", "Exists")] }]) },
      labels: { foo: "barrrrrr" },
      want: false,
    },
    { name: "invalid value in Affinity term won't schedule", spec: required([{ matchExpressions: [expr("foo", "NotIn", ["invalid value: ___@#$%^"])] }]), labels: { foo: "bar" }, want: false },
    { name: "matchFields In matches", spec: required([{ matchFields: [name("node_1")] }]), nodeName: "node_1", want: true },
    { name: "matchFields In does not match", spec: required([{ matchFields: [name("node_1")] }]), nodeName: "node_2", want: false },
    {
      name: "two terms: matchFields does not match, but matchExpressions matches",
      spec: required([{ matchFields: [name("node_1")] }, { matchExpressions: [expr("foo", "In", ["bar"])] }]),
      nodeName: "node_2",
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "one term: matchFields does not match, but matchExpressions matches",
      spec: required([{ matchFields: [name("node_1")], matchExpressions: [expr("foo", "In", ["bar"])] }]),
      nodeName: "node_2",
      labels: { foo: "bar" },
      want: false,
    },
    {
      name: "one term: both matchFields and matchExpressions match",
      spec: required([{ matchFields: [name("node_1")], matchExpressions: [expr("foo", "In", ["bar"])] }]),
      nodeName: "node_1",
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "two terms: both matchFields and matchExpressions do not match",
      spec: required([{ matchFields: [name("node_1")] }, { matchExpressions: [expr("foo", "In", ["not-match-to-bar"])] }]),
      nodeName: "node_2",
      labels: { foo: "bar" },
      want: false,
    },
    // Model-specific rows.
    { name: "matchFields NotIn excludes the named node", spec: required([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["cp1"] }] }]), nodeName: "cp1", want: false },
    { name: "matchFields NotIn admits other nodes", spec: required([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["cp1"] }] }]), nodeName: "w1", want: true },
    { name: "matchFields Exists is unsupported (term invalid)", spec: required([{ matchFields: [{ key: "metadata.name", operator: "Exists" }] }]), nodeName: "w1", want: false },
    { name: "nodeSelector on the kubelet hostname label", spec: { nodeSelector: { "kubernetes.io/hostname": "w3" } }, nodeName: "w3", want: true },
  ];
  it.each(rows)("$name", ({ spec, labels, nodeName, want }) => {
    expect(matchesRequiredNodeAffinity(spec, node(nodeName ?? "", labels ?? {}))).toBe(want);
  });
});
