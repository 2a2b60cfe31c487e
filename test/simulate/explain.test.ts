/**
 * `explain`: for each node, the rule that admits or rejects a pod, term by term, on the real
 * homelab render.
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { explainPod, explainRules, resolvePods, UnknownPodError } from "../../tools/simulate/explain.ts";
import { buildContext } from "../../tools/simulate/index.ts";
import type { SimNode } from "../../tools/simulate/model.ts";
import { cloneReleases } from "./fixtures/index.ts";

type Obj = Record<string, any>;

const ctx = renderEnvironment("homelab", { noUpstream: true }).then((rs) => buildContext("homelab", rs, loadInventory("homelab")));
const texts = (e: ReturnType<typeof explainPod>, node: string) => e.nodes.find((n) => n.node === node)!.rules.map((r) => `${r.ok === null ? "~" : r.ok ? "+" : "-"} ${r.rule}: ${r.text}`);

describe("explain on homelab", () => {
  it("decypharr-streaming-0: w1 chosen by the preferred term, w2 feasible, cp1/w3 rejected by the storage expression", async () => {
    const c = await ctx;
    const [p] = resolvePods(c, "decypharr-streaming-0");
    const e = explainPod(c, p);
    expect(e.placement.node).toBe("w1");
    expect(e.nodes.map((n) => [n.node, n.feasible, n.chosen])).toEqual([["cp1", false, false], ["w1", true, true], ["w2", true, false], ["w3", false, false]]);
    expect(texts(e, "w3")).toEqual(expect.arrayContaining([
      "- NodeAffinity: required term 0 (terms are ORed): does not match",
      "- NodeAffinity:   node.longhorn.io/storage In [enabled]: node has no label node.longhorn.io/storage",
      "+ TaintToleration: node has no taints",
    ]));
    expect(texts(e, "w2")).toEqual(expect.arrayContaining([
      '+ NodeAffinity:   node.longhorn.io/storage In [enabled]: node has node.longhorn.io/storage="enabled"',
      "+ TaintToleration: taint node.longhorn.io/storage=enabled:NoSchedule: tolerated by tolerations[0] {key: node.longhorn.io/storage, operator: Equal, value: enabled, effect: NoSchedule}",
      "~ PreferredNodeAffinity: preferred term 0 (weight 100) node.longhorn.io/primary In [true]: does not match, +0",
    ]));
    expect(texts(e, "w1")).toContain("~ PreferredNodeAffinity: preferred term 0 (weight 100) node.longhorn.io/primary In [true]: matches, +100");
    const w1 = e.nodes.find((n) => n.node === "w1")!.rules.find((r) => r.rule === "Score")!.text;
    const w2 = e.nodes.find((n) => n.node === "w2")!.rules.find((r) => r.rule === "Score")!.text;
    expect(w1).toMatch(/NodeAffinity raw 100 -> 100 x 2 = 200/);
    expect(w2).toMatch(/NodeAffinity raw 0 -> 0 x 2 = 0/);
  });

  it("a workload name resolves to all its pods", async () => {
    const c = await ctx;
    expect(resolvePods(c, "decypharr-streaming").map((p) => p.name)).toEqual(["decypharr-streaming-0"]);
  });

  it("an unknown name fails listing the known pods", async () => {
    const c = await ctx;
    expect(() => resolvePods(c, "decypharr")).toThrow(UnknownPodError);
    expect(() => resolvePods(c, "decypharr")).toThrow(/no pod or workload named "decypharr"\. Known: .*decypharr-download-0, decypharr-streaming, decypharr-streaming-0/);
  });
});

describe("why is it Pending? the deliberately broken profiles, explained node by node", () => {
  it("decypharr-streaming-0 without the storage toleration: w1/w2 reject it by the taint, cp1/w3 by the storage expression", async () => {
    const rs = cloneReleases(await renderEnvironment("homelab", { noUpstream: true }));
    const sts = rs.flatMap((r) => r.objects as Obj[]).find((o) => o.kind === "StatefulSet" && o.metadata.name === "decypharr-streaming")!;
    sts.spec.template.spec.tolerations = sts.spec.template.spec.tolerations.filter((t: Obj) => t.key !== "node.longhorn.io/storage");
    const c = buildContext("homelab", rs, loadInventory("homelab"));
    const e = explainPod(c, resolvePods(c, "decypharr-streaming-0")[0]);
    expect(e.placement.status).toBe("Pending");
    expect(e.nodes.map((n) => [n.node, n.feasible])).toEqual([["cp1", false], ["w1", false], ["w2", false], ["w3", false]]);
    for (const n of ["w1", "w2"]) {
      expect(texts(e, n), n).toContain("- TaintToleration: taint node.longhorn.io/storage=enabled:NoSchedule: no toleration matches (key, value, effect)");
      expect(texts(e, n), n).toContain('+ NodeAffinity:   node.longhorn.io/storage In [enabled]: node has node.longhorn.io/storage="enabled"');
    }
    for (const n of ["cp1", "w3"]) expect(texts(e, n), n).toContain("- NodeAffinity:   node.longhorn.io/storage In [enabled]: node has no label node.longhorn.io/storage");
  });

  it('the GPU label misspelled on w3 (gpu: "ture"): the workers are rejected everywhere, on w3 by the gpu expression', async () => {
    const inv = loadInventory("homelab");
    inv.nodes.w3.labels = { ...inv.nodes.w3.labels, gpu: "ture" };
    const c = buildContext("homelab", await renderEnvironment("homelab", { noUpstream: true }), inv);
    const workers = resolvePods(c, "clusterplex-worker");
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) {
      const e = explainPod(c, w);
      expect(e.placement.status, w.name).toBe("Pending");
      expect(e.nodes.every((n) => !n.feasible), w.name).toBe(true);
      expect(texts(e, "w3"), w.name).toContain('- NodeAffinity:   gpu In [true]: node has gpu="ture"');
    }
  });
});

describe("explainRules on a cordoned node and a pod without tolerations", () => {
  const node: SimNode = {
    id: "w1", name: "k3s-w1", ip: "192.0.2.1", roles: ["storage"], gpu: false, unschedulable: true,
    labels: { "node.longhorn.io/storage": "enabled" },
    taints: [{ key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" }, { key: "soft", effect: "PreferNoSchedule" }],
  };
  it.each([
    ["no toleration", {}, ["- NodeUnschedulable", "- TaintToleration: taint node.longhorn.io/storage=enabled:NoSchedule: no toleration matches", "~ TaintToleration: taint soft:PreferNoSchedule: not tolerated: lowers the score"]],
    ["tolerates everything", { tolerations: [{ operator: "Exists" }] }, ["+ NodeUnschedulable", "+ TaintToleration: taint node.longhorn.io/storage=enabled:NoSchedule: tolerated by tolerations[0]"]],
    ["nodeSelector mismatch", { nodeSelector: { gpu: "true" } }, ['- nodeSelector: nodeSelector gpu="true": node has no label gpu']],
  ])("%s", (_name, spec, want) => {
    const lines = explainRules(spec, node).map((r) => `${r.ok === null ? "~" : r.ok ? "+" : "-"} ${r.rule}: ${r.text}`);
    for (const w of want) expect(lines.some((l) => l.startsWith(w)), `${w}\n${lines.join("\n")}`).toBe(true);
  });
});
