/**
 * Inter-pod (anti-)affinity, modelled on the cases of
 * pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go
 * (TestRequiredAffinitySingleNode: matching/non-matching pods, namespaces,
 * symmetric anti-affinity, "pod matches its own affinity" first-pod rule,
 * invalid selector) and scoring_test.go (TestPreferredAffinity), with
 * hostname topology on the seed nodes.
 */
import { describe, expect, it } from "vitest";
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  interPodFilter,
  interPodRawScores,
  minMaxNormalizeScore,
} from "../../tools/scheduling/index.ts";
import type { LabelSelector, Node, PlacedPod, Pod, PodAffinityTerm } from "../../tools/scheduling/types.ts";
import { cp1, node, SEED_NODES, w1, w2, w3 } from "./fixtures.ts";

const HOST = "kubernetes.io/hostname";
const term = (labelSelector: LabelSelector | null, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector, topologyKey: HOST, ...extra });
const placed = (name: string, nodeName: string, labels: Record<string, string>, namespace = "media", spec: PlacedPod["spec"] = {}): PlacedPod => ({ name, namespace, labels, nodeName, spec });
const antiPod = (terms: PodAffinityTerm[], labels: Record<string, string> = { app: "sonarr" }): Pod => ({
  name: "incoming",
  namespace: "media",
  labels,
  spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } },
});
const affinityPod = (terms: PodAffinityTerm[], labels: Record<string, string> = { app: "sonarr" }): Pod => ({
  name: "incoming",
  namespace: "media",
  labels,
  spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } },
});

describe("InterPodAffinity filter", () => {
  const plexOnW1 = placed("plex-0", "w1", { app: "plex" });
  const rows: Array<{ name: string; pod: Pod; node: Node; pods: PlacedPod[]; want: string | null }> = [
    { name: "anti-affinity: matching pod on the node rejects it", pod: antiPod([term({ matchLabels: { app: "plex" } })]), node: w1, pods: [plexOnW1], want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH },
    { name: "anti-affinity: other node is fine", pod: antiPod([term({ matchLabels: { app: "plex" } })]), node: w2, pods: [plexOnW1], want: null },
    { name: "anti-affinity: non-matching labels", pod: antiPod([term({ matchLabels: { app: "radarr" } })]), node: w1, pods: [plexOnW1], want: null },
    {
      name: "anti-affinity: matchExpressions In",
      pod: antiPod([term({ matchExpressions: [{ key: "app", operator: "In", values: ["plex", "jellyfin"] }] })]),
      node: w1,
      pods: [plexOnW1],
      want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    },
    {
      name: "anti-affinity: matchExpressions NotIn",
      pod: antiPod([term({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["plex"] }] })]),
      node: w1,
      pods: [plexOnW1],
      want: null,
    },
    { name: "anti-affinity: pods of another namespace are not selected by default", pod: antiPod([term({ matchLabels: { app: "plex" } })]), node: w1, pods: [{ ...plexOnW1, namespace: "other" }], want: null },
    {
      name: "anti-affinity: listed namespaces select them",
      pod: antiPod([term({ matchLabels: { app: "plex" } }, { namespaces: ["other"] })]),
      node: w1,
      pods: [{ ...plexOnW1, namespace: "other" }],
      want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    },
    {
      name: "anti-affinity: empty namespaceSelector selects every namespace",
      pod: antiPod([term({ matchLabels: { app: "plex" } }, { namespaceSelector: {} })]),
      node: w1,
      pods: [{ ...plexOnW1, namespace: "other" }],
      want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    },
    {
      name: "anti-affinity: namespaceSelector on the automatic metadata.name label",
      pod: antiPod([term({ matchLabels: { app: "plex" } }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } })]),
      node: w1,
      pods: [{ ...plexOnW1, namespace: "other" }],
      want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    },
    { name: "anti-affinity: a null labelSelector selects nothing", pod: antiPod([term(null)]), node: w1, pods: [plexOnW1], want: null },
    { name: "anti-affinity: an empty labelSelector selects every pod", pod: antiPod([term({})]), node: w1, pods: [plexOnW1], want: ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH },
    {
      name: "anti-affinity: topology key absent on the node never conflicts",
      pod: antiPod([term({ matchLabels: { app: "plex" } }, { topologyKey: "topology.kubernetes.io/zone" })]),
      node: w1,
      pods: [plexOnW1],
      want: null,
    },
    {
      name: "existing pod's anti-affinity rejects the incoming pod (symmetry)",
      pod: { name: "worker-1", namespace: "media", labels: { app: "worker" }, spec: {} },
      node: w3,
      pods: [placed("worker-0", "w3", { app: "worker" }, "media", { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { app: "worker" } })] } } })],
      want: ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
    },
    {
      name: "the pod itself (same namespace/name) is not an existing pod",
      pod: antiPod([term({ matchLabels: { app: "sonarr" } })]),
      node: w1,
      pods: [placed("incoming", "w1", { app: "sonarr" })],
      want: null,
    },
    { name: "affinity: matching pod on the node", pod: affinityPod([term({ matchLabels: { app: "plex" } })]), node: w1, pods: [plexOnW1], want: null },
    { name: "affinity: matching pod only elsewhere", pod: affinityPod([term({ matchLabels: { app: "plex" } })]), node: w2, pods: [plexOnW1], want: ERR_REASON_AFFINITY_RULES_NOT_MATCH },
    {
      name: "affinity: first pod of a self-affine series may land anywhere",
      pod: affinityPod([term({ matchLabels: { app: "sonarr" } })]),
      node: w2,
      pods: [],
      want: null,
    },
    { name: "affinity: no matching pod and the pod does not match itself", pod: affinityPod([term({ matchLabels: { app: "plex" } })]), node: w2, pods: [], want: ERR_REASON_AFFINITY_RULES_NOT_MATCH },
    {
      name: "affinity: node lacking the topology key is rejected",
      pod: affinityPod([term({ matchLabels: { app: "plex" } }, { topologyKey: "topology.kubernetes.io/zone" })]),
      node: w1,
      pods: [plexOnW1],
      want: ERR_REASON_AFFINITY_RULES_NOT_MATCH,
    },
  ];
  it.each(rows)("$name", ({ pod, node: n, pods, want }) => {
    const got = interPodFilter(pod, n, { nodes: SEED_NODES, placedPods: pods });
    if (want === null) expect(got).toEqual({ ok: true });
    else expect(got).toMatchObject({ ok: false, reason: want });
  });

  it("an invalid selector fails the pod with a parse error", () => {
    const got = interPodFilter(antiPod([term({ matchExpressions: [{ key: "app", operator: "Equals", values: ["plex"] }] })]), w1, { nodes: SEED_NODES, placedPods: [] });
    expect(got).toEqual({ ok: false, status: "UnschedulableAndUnresolvable", reason: 'parsing pod: "Equals" is not a valid label selector operator' });
  });

  it("a pod without pod (anti-)affinity passes when no pod is placed; an invalid preferred term still fails it", () => {
    const plain: Pod = { name: "incoming", namespace: "media", labels: { app: "sonarr" }, spec: {} };
    expect(interPodFilter(plain, w1, { nodes: SEED_NODES, placedPods: [] })).toEqual({ ok: true });
    const preferred: Pod = {
      ...plain,
      spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ matchExpressions: [{ key: "app", operator: "Equals", values: ["plex"] }] }) }] } } },
    };
    expect(interPodFilter(preferred, w1, { nodes: SEED_NODES, placedPods: [] })).toEqual({ ok: false, status: "UnschedulableAndUnresolvable", reason: 'parsing pod: "Equals" is not a valid label selector operator' });
  });

  it("uses the node name as hostname when the inventory omits the label", () => {
    const a = node("a");
    const b = node("b");
    const state = { nodes: [a, b], placedPods: [placed("plex-0", "a", { app: "plex" })] };
    const pod = antiPod([term({ matchLabels: { app: "plex" } })]);
    expect(interPodFilter(pod, a, state).ok).toBe(false);
    expect(interPodFilter(pod, b, state).ok).toBe(true);
  });
});

describe("InterPodAffinity scoring", () => {
  const worker = (weight: number): Pod => ({
    name: "worker-1",
    namespace: "media",
    labels: { app: "worker" },
    spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: term({ matchLabels: { app: "worker" } }) }] } } },
  });
  const rows: Array<{ name: string; pod: Pod; pods: PlacedPod[]; raw: number[]; normalized: number[] }> = [
    { name: "no pods with affinity: nothing scored", pod: { name: "p", spec: {} }, pods: [placed("plex-0", "w1", { app: "plex" })], raw: [0, 0, 0, 0], normalized: [0, 0, 0, 0] },
    {
      name: "preferred anti-affinity lowers the node hosting a matching pod",
      pod: worker(100),
      pods: [placed("worker-0", "w3", { app: "worker" })],
      raw: [0, 0, 0, -100],
      normalized: [100, 100, 100, 0],
    },
    {
      name: "preferred affinity raises the node hosting a matching pod",
      pod: { name: "p", namespace: "media", spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 30, podAffinityTerm: term({ matchLabels: { app: "plex" } }) }] } } } },
      pods: [placed("plex-0", "w1", { app: "plex" }), placed("plex-1", "w2", { app: "plex" }), placed("plex-2", "w2", { app: "plex" })],
      raw: [0, 30, 60, 0],
      normalized: [0, 50, 100, 0],
    },
    {
      name: "existing pod's required affinity adds hardPodAffinityWeight",
      pod: { name: "p", namespace: "media", labels: { app: "sonarr" }, spec: {} },
      pods: [placed("x", "w2", { app: "x" }, "media", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ matchLabels: { app: "sonarr" } })] } } })],
      raw: [0, 0, 1, 0],
      normalized: [0, 0, 100, 0],
    },
    {
      name: "existing pod's preferred anti-affinity counts against the incoming pod",
      pod: { name: "p", namespace: "media", labels: { app: "worker" }, spec: {} },
      pods: [placed("pms", "w1", { app: "pms" }, "media", { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term({ matchLabels: { app: "worker" } }) }] } } })],
      raw: [0, -50, 0, 0],
      normalized: [100, 0, 100, 100],
    },
  ];
  it.each(rows)("$name", ({ pod, pods, raw, normalized }) => {
    const got = interPodRawScores(pod, SEED_NODES, { nodes: SEED_NODES, placedPods: pods });
    expect(got.scores).toEqual(raw);
    expect(got.scored ? minMaxNormalizeScore(got.scores) : got.scores.map(() => 0)).toEqual(normalized);
  });

  it("keeps node order cp1, w1, w2, w3", () => {
    expect(SEED_NODES.map((n) => n.name)).toEqual([cp1.name, w1.name, w2.name, w3.name]);
  });
});
