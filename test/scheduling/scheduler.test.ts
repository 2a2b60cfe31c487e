/**
 * The default-profile placement model: DefaultNormalizeScore
 * (pkg/scheduler/framework/plugins/helper/normalize_score_test.go, TestDefaultNormalizeScore),
 * the NodeUnschedulable filter (node_unschedulable_test.go, TestNodeUnschedulable),
 * the NodeAffinity score normalisation (node_affinity_test.go, TestNodeAffinityPriority),
 * FitError messages, and the seed's placements on cp1/w1/w2/w3.
 */
import { describe, expect, it } from "vitest";
import { defaultNormalizeScore, filterNode, pickNode, scoreNodes } from "../../tools/scheduling/index.ts";
import type { Node, PlacedPod, Pod, PodSpec } from "../../tools/scheduling/types.ts";
import { cp1, gpuWorkerSpec, node, NOT_READY_NOEXECUTE, SEED_NODES, seedMediaSpec, UNREACHABLE_NOEXECUTE, w1, w2, w3, withTaints } from "./fixtures.ts";

describe("TestDefaultNormalizeScore", () => {
  const rows: Array<{ reverse: boolean; scores: number[]; expected: number[] }> = [
    { reverse: false, scores: [1, 2, 3, 4], expected: [25, 50, 75, 100] },
    { reverse: true, scores: [1, 2, 3, 4], expected: [75, 50, 25, 0] },
    { reverse: false, scores: [1000, 10, 20, 30], expected: [100, 1, 2, 3] },
    { reverse: true, scores: [1000, 10, 20, 30], expected: [0, 99, 98, 97] },
    { reverse: false, scores: [1, 1, 1, 1], expected: [100, 100, 100, 100] },
    { reverse: false, scores: [0, 0, 0, 0], expected: [0, 0, 0, 0] },
    { reverse: true, scores: [0, 0, 0, 0], expected: [100, 100, 100, 100] },
    { reverse: false, scores: [3, 7], expected: [42, 100] },
  ];
  it.each(rows)("reverse=$reverse $scores", ({ reverse, scores, expected }) => {
    expect(defaultNormalizeScore(scores, reverse)).toEqual(expected);
  });
});

describe("TestNodeUnschedulable", () => {
  const cordoned = node("n", {}, [], { unschedulable: true });
  const rows: Array<{ name: string; node: Node; spec: PodSpec; ok: boolean }> = [
    { name: "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)", node: cordoned, spec: {}, ok: false },
    { name: "Schedule pod to normal node", node: node("n", {}, [], { unschedulable: false }), spec: {}, ok: true },
    { name: "Schedule pod with toleration to unschedulable node", node: cordoned, spec: { tolerations: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }, ok: true },
    { name: "Wildcard toleration also tolerates cordon", node: cordoned, spec: { tolerations: [{ operator: "Exists" }] }, ok: true },
  ];
  it.each(rows)("$name", ({ node: n, spec, ok }) => {
    const got = filterNode({ name: "p", spec }, n);
    expect(got.ok).toBe(ok);
    if (!got.ok) expect(got.rejections[0]).toEqual({ plugin: "NodeUnschedulable", reason: "node(s) were unschedulable", status: "UnschedulableAndUnresolvable", message: "NodeUnschedulable: node(s) were unschedulable" });
  });
});

describe("TestNodeAffinityPriority (normalised, weight 2)", () => {
  const pref = (weight: number, key: string, value: string) => ({ weight, preference: { matchExpressions: [{ key, operator: "In", values: [value] }] } });
  it("scores nodes by matching preferred weights", () => {
    const spec: PodSpec = { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(2, "foo", "bar"), pref(4, "key", "value"), pref(5, "az", "az1")] } } };
    const nodes = [node("node1", { foo: "bar" }), node("node2", { key: "value" }), node("node3", { foo: "bar", key: "value", az: "az1" })];
    const got = scoreNodes({ name: "p", spec }, nodes);
    if (!got.ok) throw new Error(got.error);
    expect(got.scores.map((s) => s.plugins.NodeAffinity.raw)).toEqual([2, 4, 11]);
    expect(got.scores.map((s) => s.plugins.NodeAffinity.normalized)).toEqual([18, 36, 100]);
    expect(got.scores.map((s) => s.plugins.NodeAffinity.weighted)).toEqual([36, 72, 200]);
  });
});

describe("seed placements on cp1/w1/w2/w3", () => {
  const media = (spec: PodSpec = seedMediaSpec()): Pod => ({ name: "sonarr-0", namespace: "media", labels: { app: "sonarr" }, spec });
  const w1Down = withTaints(w1, [UNREACHABLE_NOEXECUTE, { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }], { ready: false });

  it("stateful media pod lands on w1, feasible on w1 and w2 only", () => {
    const d = pickNode(media(), SEED_NODES);
    expect(d.outcome).toBe("scheduled");
    if (d.outcome !== "scheduled") return;
    expect(d.node).toBe("w1");
    expect(d.filter.filter((f) => f.ok).map((f) => f.node)).toEqual(["w1", "w2"]);
    expect(d.scores.map((s) => [s.node, s.total])).toEqual([
      ["w1", 500],
      ["w2", 300],
    ]);
    expect(d.tiedWith).toEqual([]);
    const cp1Rejection = d.filter.find((f) => f.node === "cp1");
    expect(cp1Rejection).toEqual({
      node: "cp1",
      ok: false,
      rejections: [{ plugin: "NodeAffinity", reason: "node(s) didn't match Pod's node affinity/selector", status: "UnschedulableAndUnresolvable", message: "NodeAffinity: node(s) didn't match Pod's node affinity/selector" }],
    });
  });

  const rows: Array<{ name: string; pod: Pod; nodes: Node[]; placed?: PlacedPod[]; want: { node: string } | { message: string } }> = [
    { name: "w1 down (unreachable taints): media pod reschedules to w2", pod: media(), nodes: [cp1, w1Down, w2, w3], want: { node: "w2" } },
    { name: "w1 cordoned: media pod goes to w2", pod: media(), nodes: [cp1, { ...w1, unschedulable: true }, w2, w3], want: { node: "w2" } },
    { name: "GPU worker lands on w3", pod: { name: "worker-0", namespace: "media", spec: gpuWorkerSpec() }, nodes: SEED_NODES, want: { node: "w3" } },
    {
      name: "w3 down: GPU worker is Pending",
      pod: { name: "worker-0", namespace: "media", spec: gpuWorkerSpec() },
      nodes: [cp1, w1, w2, withTaints(w3, [UNREACHABLE_NOEXECUTE, { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }])],
      want: {
        message:
          "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had untolerated taint {node.longhorn.io/storage: enabled}.",
      },
    },
    {
      name: "broken profile: GPU label misspelled",
      pod: { name: "worker-0", namespace: "media", spec: gpuWorkerSpec("gpuu") },
      nodes: SEED_NODES,
      want: { message: "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.longhorn.io/storage: enabled}." },
    },
    {
      name: "broken profile: storage toleration missing",
      pod: media({ ...seedMediaSpec(), tolerations: seedMediaSpec().tolerations?.slice(1) }),
      nodes: SEED_NODES,
      want: { message: "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.longhorn.io/storage: enabled}." },
    },
    {
      name: "both storage nodes not-ready: media pod Pending",
      pod: media(),
      nodes: [cp1, withTaints(w1, [NOT_READY_NOEXECUTE, { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }]), withTaints(w2, [NOT_READY_NOEXECUTE, { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }]), w3],
      want: { message: "0/4 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }." },
    },
    {
      name: "required anti-affinity between workers: second replica Pending on a single GPU node",
      pod: {
        name: "worker-1",
        namespace: "media",
        labels: { app: "worker" },
        spec: { ...gpuWorkerSpec(), affinity: { ...gpuWorkerSpec().affinity, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "worker" } }, topologyKey: "kubernetes.io/hostname" }] } } },
      },
      nodes: SEED_NODES,
      placed: [{ name: "worker-0", namespace: "media", labels: { app: "worker" }, nodeName: "w3", spec: {} }],
      want: {
        message:
          "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match pod anti-affinity rules, 2 node(s) had untolerated taint {node.longhorn.io/storage: enabled}.",
      },
    },
  ];
  it.each(rows)("$name", ({ pod, nodes, placed, want }) => {
    const d = pickNode(pod, nodes, placed ?? []);
    if ("node" in want) {
      expect(d.outcome).toBe("scheduled");
      if (d.outcome === "scheduled") expect(d.node).toBe(want.node);
    } else {
      expect(d).toMatchObject({ outcome: "unschedulable", message: want.message });
    }
  });

  it("lists every failing rule in plugin order, the first being what kube-scheduler reports", () => {
    const pod: Pod = { name: "p", spec: gpuWorkerSpec("gpuu") };
    const got = filterNode(pod, { ...w1, unschedulable: true });
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.rejections.map((r) => r.plugin)).toEqual(["NodeUnschedulable", "TaintToleration", "NodeAffinity"]);
  });

  it("breaks ties by node order and reports the tie", () => {
    const d = pickNode({ name: "plain", spec: {} }, SEED_NODES);
    expect(d).toMatchObject({ outcome: "scheduled", node: "cp1", tiedWith: ["w3"] });
  });

  const badPreferred = (): PodSpec => {
    const spec = seedMediaSpec();
    spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.push({ weight: 1, preference: { matchExpressions: [{ key: "bad key", operator: "In", values: ["x"] }] } });
    return spec;
  };
  it("a preferred-term parse error fails scheduling when scoring is needed", () => {
    const d = pickNode(media(badPreferred()), SEED_NODES);
    expect(d.outcome).toBe("error");
    if (d.outcome === "error") expect(d.message).toMatch(/^NodeAffinity: invalid preferred node affinity: \[1\]\.matchExpressions\[0\]\.key/);
  });
  it("a preferred-term parse error is harmless when only one node is feasible (no scoring)", () => {
    expect(pickNode(media(badPreferred()), [cp1, w1Down, w2, w3])).toMatchObject({ outcome: "scheduled", node: "w2", scores: [] });
  });

  it("PreferNoSchedule taints steer placement when nothing else differs", () => {
    const d = pickNode({ name: "plain", spec: {} }, [withTaints(cp1, [{ key: "role", value: "cp", effect: "PreferNoSchedule" }]), w3]);
    expect(d).toMatchObject({ outcome: "scheduled", node: "w3", tiedWith: [] });
  });
});
