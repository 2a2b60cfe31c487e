/**
 * Port of kubernetes-sigs/descheduler
 * pkg/framework/plugins/removepodsviolatingnodeaffinity/node_affinity_test.go
 * (TestRemovePodsViolatingNodeAffinity) for the pod carrying the node affinity
 * (eviction limits and terminating pods need state the model does not carry),
 * plus the seed's failover/failback situations on cp1/w1/w2/w3.
 */
import { describe, expect, it } from "vitest";
import { deschedulerDecision, deschedulerWouldEvict, type DeschedulerOptions } from "../../tools/scheduling/index.ts";
import type { Node, PlacedPod, PodSpec } from "../../tools/scheduling/types.ts";
import { cp1, node, seedMediaSpec, w1, w2, w3 } from "./fixtures.ts";

const REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution";
const PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution";
const nodeLabelKey = "kubernetes.io/desiredNode";
const nodeWithLabels = node("nodeWithLabels", { [nodeLabelKey]: "yes" });
const nodeWithoutLabels = node("nodeWithoutLabels");
const unschedulableNodeWithLabels = node("unschedulableNodeWithLabels", { [nodeLabelKey]: "yes" }, [], { unschedulable: true });

/** addPodsToNode's podWithNodeAffinity */
function podWithNodeAffinity(nodeName: string, affinityType: string): PodSpec {
  const term = { matchExpressions: [{ key: nodeLabelKey, operator: "In", values: ["yes"] }] };
  if (affinityType === REQUIRED) return { nodeName, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } } };
  if (affinityType === PREFERRED) return { nodeName, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: term }] } } };
  return { nodeName, affinity: { nodeAffinity: {} } };
}

describe("TestRemovePodsViolatingNodeAffinity", () => {
  const rows: Array<{ description: string; type: string; podNode: string; podAffinity: string; nodes: Node[]; nodefit: boolean; expected: boolean }> = [
    {
      description: "Invalid Affinity type, should not evict any pods",
      type: "requiredDuringSchedulingRequiredDuringExecution",
      podNode: "nodeWithoutLabels",
      podAffinity: "requiredDuringSchedulingRequiredDuringExecution",
      nodes: [nodeWithoutLabels, nodeWithLabels],
      nodefit: false,
      expected: false,
    },
    { description: "Pod is correctly scheduled on node, no eviction expected [required affinity]", type: REQUIRED, podNode: "nodeWithLabels", podAffinity: REQUIRED, nodes: [nodeWithLabels], nodefit: false, expected: false },
    { description: "Pod is correctly scheduled on node, no eviction expected [preferred affinity]", type: PREFERRED, podNode: "nodeWithLabels", podAffinity: PREFERRED, nodes: [nodeWithLabels], nodefit: false, expected: false },
    {
      description: "Pod is scheduled on node without matching labels, another schedulable node available, should be evicted",
      type: REQUIRED,
      podNode: "nodeWithoutLabels",
      podAffinity: REQUIRED,
      nodes: [nodeWithoutLabels, nodeWithLabels],
      nodefit: false,
      expected: true,
    },
    {
      description: "Pod is scheduled on node without matching labels, another schedulable node available with better fit, should be evicted",
      type: PREFERRED,
      podNode: "nodeWithoutLabels",
      podAffinity: PREFERRED,
      nodes: [nodeWithoutLabels, nodeWithLabels],
      nodefit: false,
      expected: true,
    },
    {
      description: "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [required affinity]",
      type: REQUIRED,
      podNode: "nodeWithoutLabels",
      podAffinity: REQUIRED,
      nodes: [nodeWithoutLabels, unschedulableNodeWithLabels],
      nodefit: true,
      expected: false,
    },
    {
      description: "Pod is scheduled on node without matching labels, but no node where pod fits is available, should not evict [preferred affinity]",
      type: PREFERRED,
      podNode: "nodeWithoutLabels",
      podAffinity: PREFERRED,
      nodes: [nodeWithoutLabels, unschedulableNodeWithLabels],
      nodefit: true,
      expected: false,
    },
    {
      description: "Pod is scheduled on node without matching labels, and unschedulable node where pod could fit is available, should not evict [required affinity]",
      type: REQUIRED,
      podNode: "nodeWithoutLabels",
      podAffinity: REQUIRED,
      nodes: [nodeWithLabels, unschedulableNodeWithLabels],
      nodefit: true,
      expected: false,
    },
    {
      description: "Pod is scheduled on node without matching labels, and unschedulable node where pod could fit is available, should not evict [preferred affinity]",
      type: PREFERRED,
      podNode: "nodeWithoutLabels",
      podAffinity: PREFERRED,
      nodes: [nodeWithLabels, unschedulableNodeWithLabels],
      nodefit: true,
      expected: false,
    },
    { description: "pod1/pod2 without node affinity are never evicted [required]", type: REQUIRED, podNode: "nodeWithoutLabels", podAffinity: "none", nodes: [nodeWithoutLabels, nodeWithLabels], nodefit: false, expected: false },
    { description: "pod1/pod2 without node affinity are never evicted [preferred]", type: PREFERRED, podNode: "nodeWithoutLabels", podAffinity: "none", nodes: [nodeWithoutLabels, nodeWithLabels], nodefit: false, expected: false },
  ];
  it.each(rows)("$description", ({ type, podNode, podAffinity, nodes, nodefit, expected }) => {
    expect(deschedulerWouldEvict(podWithNodeAffinity(podNode, podAffinity), nodes, { nodeAffinityType: [type], nodeFit: nodefit })).toBe(expected);
  });
});

describe("seed failback and maintenance decisions", () => {
  const preferredFit: DeschedulerOptions = { nodeAffinityType: [PREFERRED], nodeFit: true };
  const ready = [cp1, w1, w2, w3];
  const onW2 = seedMediaSpec({ nodeName: "w2" });
  const rows: Array<{ name: string; spec: PodSpec; nodes: Node[]; opts: DeschedulerOptions; expected: boolean; reason?: string }> = [
    { name: "w1 back: pod on w2 returns to w1", spec: onW2, nodes: ready, opts: preferredFit, expected: true, reason: "best ready node weight 100 > 0 on w2" },
    { name: "pod already on w1 stays", spec: seedMediaSpec({ nodeName: "w1" }), nodes: ready, opts: preferredFit, expected: false },
    { name: "w1 still down (not ready): no better ready node", spec: onW2, nodes: [cp1, { ...w1, ready: false }, w2, w3], opts: preferredFit, expected: false },
    {
      name: "w1 cordoned, nodeFit on: no other node fits, no eviction loop",
      spec: onW2,
      nodes: [cp1, { ...w1, unschedulable: true }, w2, w3],
      opts: preferredFit,
      expected: false,
      reason: "DefaultEvictor: pod does not fit on any other node",
    },
    {
      name: "w1 cordoned, nodeFit off: the weight of the cordoned node still counts, pod is evicted",
      spec: onW2,
      nodes: [cp1, { ...w1, unschedulable: true }, w2, w3],
      opts: { nodeAffinityType: [PREFERRED], nodeFit: false },
      expected: true,
    },
    { name: "required type only: pod on w2 still satisfies its required affinity", spec: onW2, nodes: ready, opts: { nodeAffinityType: [REQUIRED], nodeFit: true }, expected: false },
    {
      name: "required type: w2 lost its storage label, w1 fits",
      spec: onW2,
      nodes: [cp1, w1, { ...w2, labels: { "node.longhorn.io/primary": "false" } }, w3],
      opts: { nodeAffinityType: [REQUIRED], nodeFit: true },
      expected: true,
    },
    { name: "both types configured, preferred triggers", spec: onW2, nodes: ready, opts: { nodeAffinityType: [REQUIRED, PREFERRED], nodeFit: true }, expected: true },
    {
      name: "pod with a hostPath volume is protected by default",
      spec: seedMediaSpec({ nodeName: "w2", volumes: [{ name: "mnt", hostPath: { path: "/mnt" } }] }),
      nodes: ready,
      opts: preferredFit,
      expected: false,
      reason: "pod has local storage",
    },
    {
      name: "hostPath pod evicted once PodsWithLocalStorage protection is disabled",
      spec: seedMediaSpec({ nodeName: "w2", volumes: [{ name: "mnt", hostPath: { path: "/mnt" } }] }),
      nodes: ready,
      opts: { ...preferredFit, podProtections: { defaultDisabled: ["PodsWithLocalStorage"] } },
      expected: true,
    },
    {
      name: "hostPath pod evicted with legacy evictLocalStoragePods",
      spec: seedMediaSpec({ nodeName: "w2", volumes: [{ name: "cache", emptyDir: {} }] }),
      nodes: ready,
      opts: { ...preferredFit, evictLocalStoragePods: true },
      expected: true,
    },
    {
      name: "PVC pods are evictable unless PodsWithPVC protection is enabled",
      spec: seedMediaSpec({ nodeName: "w2", volumes: [{ name: "config", persistentVolumeClaim: { claimName: "config" } }] }),
      nodes: ready,
      opts: { ...preferredFit, podProtections: { extraEnabled: ["PodsWithPVC"] } },
      expected: false,
    },
    {
      name: "pod missing the storage toleration: w1 does not fit, nodeFit blocks",
      spec: { ...seedMediaSpec({ nodeName: "w2" }), tolerations: [] },
      nodes: ready,
      opts: preferredFit,
      expected: false,
    },
  ];
  it.each(rows)("$name", ({ spec, nodes, opts, expected, reason }) => {
    const d = deschedulerDecision(spec, nodes, opts);
    expect(d.evict).toBe(expected);
    if (reason !== undefined) expect(d.reasons.join("\n")).toContain(reason);
  });

  it("NodeFit honours required anti-affinity against pods already on the target node", () => {
    const spec: PodSpec = {
      ...seedMediaSpec({ nodeName: "w2" }),
      affinity: {
        ...seedMediaSpec().affinity,
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "plex" } }, topologyKey: "kubernetes.io/hostname" }] },
      },
    };
    const blocker: PlacedPod = { name: "plex-0", namespace: "media", labels: { app: "plex" }, nodeName: "w1", spec: {} };
    const opts: DeschedulerOptions = { ...preferredFit, pod: { name: "sonarr-0", namespace: "media" } };
    expect(deschedulerWouldEvict(spec, ready, { ...opts, placedPods: [blocker] })).toBe(false);
    expect(deschedulerWouldEvict(spec, ready, { ...opts, placedPods: [{ ...blocker, namespace: "other" }] })).toBe(true);
    expect(deschedulerWouldEvict(spec, ready, opts)).toBe(true);
  });
});
