import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { formatFinding, formatReport, preflight, type Finding } from "../../tools/preflight/compare.ts";
import { IGNORED_LABELS, IGNORED_TAINTS, ignoredBy } from "../../tools/preflight/ignore.ts";
import { parseNodeList } from "../../tools/preflight/nodes.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

/** A kubectl node as in the fixtures (only what the edits touch is typed). */
interface RawNode {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; value?: string; effect: string; timeAdded?: string }[] };
  status: { addresses: { type: string; address: string }[] };
}
interface RawList {
  items: RawNode[];
}

function fixture(name: string): RawList {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as RawList;
}

/** The matching homelab fixture with `edit` applied, run through parse + preflight. */
function check(edit: (byName: Record<string, RawNode>, list: RawList) => void, env = "homelab", file = "homelab-nodes.json") {
  const list = fixture(file);
  const byName = Object.fromEntries(list.items.map((n) => [n.metadata.name, n]));
  edit(byName, list);
  return preflight(loadInventory(env), parseNodeList(JSON.stringify(list), file));
}

const drift = (findings: Finding[]) => findings.filter((f) => f.severity !== "info");

describe("matching clusters", () => {
  it.each([
    ["homelab", "homelab-nodes.json", 4],
    ["staging", "staging-nodes.json", 1],
  ])("%s: k3s labels, node-role labels, GPU discovery labels and a cordon taint are ignored", (env, file, count) => {
    const r = check(() => {}, env, file);
    expect(drift(r.findings)).toEqual([]);
    expect(r.errors).toBe(0);
    expect(r.warnings).toBe(0);
    expect(r.findings.filter((f) => f.kind === "node-ok")).toHaveLength(count);
  });

  it("reports the kubelet-managed cordon taint on k3s-cp1 as INFO only", () => {
    const r = check(() => {});
    expect(r.findings.filter((f) => f.kind === "taint-managed")).toEqual([
      expect.objectContaining({ severity: "info", node: "k3s-cp1", key: "node.kubernetes.io/unschedulable", actual: "node.kubernetes.io/unschedulable:NoSchedule" }),
    ]);
  });

  it("the fixture really carries what must be ignored (so the test above proves something)", () => {
    const [cp1, , , w3] = fixture("homelab-nodes.json").items;
    expect(cp1.metadata.labels["node-role.kubernetes.io/control-plane"]).toBe("true");
    expect(cp1.metadata.labels["kubernetes.io/hostname"]).toBe("k3s-cp1");
    expect(cp1.spec.taints?.[0].key).toBe("node.kubernetes.io/unschedulable");
    expect(w3.metadata.labels["nvidia.com/gpu.present"]).toBe("true");
    expect(w3.metadata.labels["feature.node.kubernetes.io/pci-10de.present"]).toBe("true");
    expect(w3.status.addresses).toContainEqual({ type: "InternalIP", address: "192.168.1.13" });
  });
});

// GIVEN the matching homelab cluster with one change WHEN preflight runs THEN exactly these findings.
describe("drift", () => {
  it.each<{ name: string; edit: (n: Record<string, RawNode>, l: RawList) => void; want: Partial<Finding>[]; errors: number; warnings?: number }>([
    {
      name: "missing label",
      edit: (n) => delete n["k3s-w1"].metadata.labels["workload-priority"],
      errors: 1,
      want: [{ severity: "error", kind: "label-missing", node: "k3s-w1", key: "workload-priority", expected: "primary", actual: "(absent)", fix: "kubectl label node k3s-w1 workload-priority=primary --overwrite" }],
    },
    {
      name: "wrong label value",
      edit: (n) => (n["k3s-w2"].metadata.labels["node.longhorn.io/primary"] = "true"),
      errors: 1,
      want: [{ severity: "error", kind: "label-value", node: "k3s-w2", key: "node.longhorn.io/primary", expected: "false", actual: "true", fix: "kubectl label node k3s-w2 node.longhorn.io/primary=false --overwrite" }],
    },
    {
      name: "extra operator label (storage label on the control plane)",
      edit: (n) => (n["k3s-cp1"].metadata.labels["node.longhorn.io/storage"] = "enabled"),
      errors: 1,
      want: [{ severity: "error", kind: "label-extra", node: "k3s-cp1", key: "node.longhorn.io/storage", expected: "(absent)", actual: "enabled", fix: "kubectl label node k3s-cp1 node.longhorn.io/storage- (or add it to nodes.cp1.labels in values/homelab/cluster.yaml)" }],
    },
    {
      name: "a label under a reserved prefix that kubelet cannot set itself is the operator's",
      edit: (n) => (n["k3s-w3"].metadata.labels["node-restriction.kubernetes.io/gpu"] = "true"),
      errors: 1,
      want: [{ kind: "label-extra", node: "k3s-w3", key: "node-restriction.kubernetes.io/gpu" }],
    },
    {
      name: "missing taint",
      edit: (n) => delete n["k3s-w1"].spec.taints,
      errors: 1,
      want: [{ severity: "error", kind: "taint-missing", node: "k3s-w1", key: "node.longhorn.io/storage", expected: "node.longhorn.io/storage=enabled:NoSchedule", actual: "(absent)", fix: "kubectl taint node k3s-w1 node.longhorn.io/storage=enabled:NoSchedule --overwrite" }],
    },
    {
      name: "wrong taint effect (removal first: --overwrite would add a second taint)",
      edit: (n) => (n["k3s-w2"].spec.taints = [{ key: "node.longhorn.io/storage", value: "enabled", effect: "PreferNoSchedule" }]),
      errors: 1,
      want: [{
        severity: "error", kind: "taint-effect", node: "k3s-w2", key: "node.longhorn.io/storage",
        expected: "node.longhorn.io/storage=enabled:NoSchedule", actual: "node.longhorn.io/storage=enabled:PreferNoSchedule",
        fix: "kubectl taint node k3s-w2 node.longhorn.io/storage:PreferNoSchedule- && kubectl taint node k3s-w2 node.longhorn.io/storage=enabled:NoSchedule --overwrite",
      }],
    },
    {
      name: "wrong taint value",
      edit: (n) => (n["k3s-w1"].spec.taints = [{ key: "node.longhorn.io/storage", value: "disabled", effect: "NoSchedule" }]),
      errors: 1,
      want: [{ kind: "taint-value", node: "k3s-w1", expected: "node.longhorn.io/storage=enabled:NoSchedule", actual: "node.longhorn.io/storage=disabled:NoSchedule", fix: "kubectl taint node k3s-w1 node.longhorn.io/storage=enabled:NoSchedule --overwrite" }],
    },
    {
      name: "the right taint plus the same key with a second effect",
      edit: (n) => n["k3s-w1"].spec.taints?.push({ key: "node.longhorn.io/storage", value: "enabled", effect: "NoExecute" }),
      errors: 1,
      want: [{ kind: "taint-extra", node: "k3s-w1", actual: "node.longhorn.io/storage=enabled:NoExecute", fix: "kubectl taint node k3s-w1 node.longhorn.io/storage:NoExecute- (or add it to nodes.w1.taints in values/homelab/cluster.yaml)" }],
    },
    {
      name: "extra operator taint",
      edit: (n) => (n["k3s-w3"].spec.taints = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]),
      errors: 1,
      want: [{ severity: "error", kind: "taint-extra", node: "k3s-w3", key: "dedicated", expected: "(absent)", actual: "dedicated=gpu:NoSchedule" }],
    },
    {
      name: "inventory node absent",
      edit: (_, l) => (l.items = l.items.filter((n) => n.metadata.name !== "k3s-w3")),
      errors: 1,
      want: [{ severity: "error", kind: "node-absent", node: "k3s-w3", nodeId: "w3", actual: "(absent)", fix: "join k3s-w3 to the cluster (k3s with --node-name k3s-w3), or remove nodes.w3 from values/homelab/cluster.yaml" }],
    },
    {
      name: "unknown cluster node (a warning, not drift)",
      edit: (n, l) => {
        const extra = structuredClone(n["k3s-w3"]);
        extra.metadata.name = "k3s-w4";
        extra.status.addresses = [{ type: "InternalIP", address: "192.168.1.14" }];
        l.items.push(extra);
      },
      errors: 0,
      warnings: 1,
      want: [{ severity: "warning", kind: "node-unknown", node: "k3s-w4", actual: "present (192.168.1.14)", fix: "add it under nodes in values/homelab/cluster.yaml, or remove it from the cluster if it is gone (kubectl delete node k3s-w4)" }],
    },
    {
      name: "renamed node: absent + unknown, with the IP hint",
      edit: (n) => (n["k3s-w3"].metadata.name = "gpu-box"),
      errors: 1,
      warnings: 1,
      want: [
        { kind: "node-absent", node: "k3s-w3", message: "inventory node w3 is absent from the cluster: expected node k3s-w3 (192.168.1.13), actual (absent); cluster node gpu-box has its IP, renamed?" },
        { kind: "node-unknown", node: "gpu-box" },
      ],
    },
    {
      name: "InternalIP mismatch",
      edit: (n) => (n["k3s-w1"].status.addresses[0].address = "192.168.1.99"),
      errors: 1,
      want: [{ severity: "error", kind: "ip-mismatch", node: "k3s-w1", key: "InternalIP", expected: "192.168.1.12", actual: "192.168.1.99" }],
    },
    {
      name: "no InternalIP at all",
      edit: (n) => (n["k3s-w2"].status.addresses = [{ type: "Hostname", address: "k3s-w2" }]),
      errors: 1,
      want: [{ kind: "ip-missing", node: "k3s-w2", expected: "192.168.1.22", actual: "(absent)" }],
    },
    {
      name: "dual-stack node: the inventory IPv4 is one of its InternalIPs",
      edit: (n) => n["k3s-w1"].status.addresses.push({ type: "InternalIP", address: "fd00::12" }),
      errors: 0,
      want: [],
    },
  ])("$name", ({ edit, want, errors, warnings = 0 }) => {
    const r = check(edit);
    expect(drift(r.findings)).toEqual(want.map((w) => expect.objectContaining(w)));
    expect(r.errors).toBe(errors);
    expect(r.warnings).toBe(warnings);
  });
});

describe("labels and taints Kubernetes adds are ignored; those the inventory lists are compared", () => {
  it.each([
    ["label", "topology.kubernetes.io/zone", "rack-1"],
    ["label", "k3s.io/internal-ip", "192.168.1.12"],
    ["label", "node.k3s.io/anything", "x"],
    ["label", "node-role.kubernetes.io/etcd", "true"],
    ["label", "feature.node.kubernetes.io/cpu-cpuid.AVX2", "true"],
    ["label", "beta.kubernetes.io/instance-type", "k3s"],
    ["taint", "node.kubernetes.io/not-ready", "NoExecute"],
    ["taint", "node.kubernetes.io/unreachable", "NoExecute"],
    ["taint", "node.kubernetes.io/out-of-service", "NoExecute"],
    ["taint", "node.kubernetes.io/disk-pressure", "NoSchedule"],
    ["taint", "node.cloudprovider.kubernetes.io/uninitialized", "NoSchedule"],
  ])("%s %s", (what, key, v) => {
    const r = check((n) => {
      if (what === "label") n["k3s-w1"].metadata.labels[key] = v;
      else n["k3s-w1"].spec.taints?.push({ key, effect: v, timeAdded: "2026-03-14T09:00:00Z" });
    });
    expect(drift(r.findings)).toEqual([]);
    if (what === "taint") expect(r.findings).toContainEqual(expect.objectContaining({ severity: "info", kind: "taint-managed", node: "k3s-w1", key }));
  });

  it("an inventory label under an ignored prefix is still required", () => {
    const inv = structuredClone(loadInventory("homelab"));
    inv.nodes.w3.labels["nvidia.com/gpu.present"] = "true";
    const list = fixture("homelab-nodes.json");
    delete list.items[3].metadata.labels["nvidia.com/gpu.present"];
    const r = preflight(inv, parseNodeList(JSON.stringify(list), "x.json"));
    expect(drift(r.findings)).toEqual([expect.objectContaining({ kind: "label-missing", node: "k3s-w3", key: "nvidia.com/gpu.present" })]);
  });

  it.each([
    ["kubernetes.io/hostname", true],
    ["node.kubernetes.io/instance-type", true],
    ["nvidia.com/gpu.product", true],
    ["kubernetes.io.example/x", false],
    ["node.longhorn.io/storage", false],
    ["gpu", false],
  ])("label rule for %s: ignored=%s", (key, ignored) => {
    expect(Boolean(ignoredBy(IGNORED_LABELS, key))).toBe(ignored);
  });

  it("every rule says why", () => {
    for (const r of [...IGNORED_LABELS, ...IGNORED_TAINTS]) expect(r.reason.length).toBeGreaterThan(10);
  });
});

describe("report lines", () => {
  it("one line per finding naming node, key, expected, actual and fix, then the summary", () => {
    const r = check((n) => (n["k3s-w2"].metadata.labels["node.longhorn.io/primary"] = "true"));
    const lines = formatReport(r).trimEnd().split("\n");
    expect(lines).toContain(
      'ERROR - k3s-w2: label node.longhorn.io/primary differs: expected "false", actual "true". Fix: kubectl label node k3s-w2 node.longhorn.io/primary=false --overwrite',
    );
    expect(lines.at(-1)).toBe("preflight: homelab: 4 inventory nodes, 4 cluster nodes; 1 error, 0 warnings; drift: fix the nodes with the commands above, or the inventory if the cluster is right");
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^(INFO|WARNING|ERROR) - k3s-\w+: /);
  });

  it("formats a warning without pretending it is drift", () => {
    expect(formatFinding({ severity: "warning", kind: "node-unknown", node: "n", message: "m", fix: "f" })).toBe("WARNING - n: m. Fix: f");
  });
});

describe("parseNodeList rejects unusable input, naming the file and the place", () => {
  const FIX = "Fix: pass the output of `kubectl get nodes -o json` (all nodes, JSON)";
  it.each([
    ["empty input", "", "nodes.json: not valid JSON: the input is empty. " + FIX],
    ["YAML output", "apiVersion: v1\nitems: []\n", "nodes.json: not valid JSON: it does not start with '{' (YAML or table output? use -o json). " + FIX],
    ["truncated JSON", '{"kind": "List", "items": [', "nodes.json: not valid JSON: "],
    ["an array", "[]", "nodes.json: (root): expected a NodeList object, got an array. " + FIX],
    ["a single Node", '{"kind":"Node","metadata":{"name":"k3s-w1"}}', 'nodes.json: kind: is a single Node ("k3s-w1"); preflight needs every node to find absent ones. ' + FIX],
    ["a PodList", '{"kind":"PodList","items":[]}', 'nodes.json: kind: expected NodeList or List, got "PodList". ' + FIX],
    ["no items", '{"kind":"List"}', "nodes.json: items: missing or not an array. " + FIX],
    ["a Pod in the list", '{"kind":"List","items":[{"kind":"Pod","metadata":{"name":"p"}}]}', 'nodes.json: items[0].kind: expected Node, got "Pod". ' + FIX],
    ["a node without name", '{"kind":"List","items":[{"kind":"Node","metadata":{}}]}', "nodes.json: items[0].metadata.name: missing. " + FIX],
    ["a bad taint effect", '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"a"},"spec":{"taints":[{"key":"k","effect":"Never"}]}}]}', 'nodes.json: items[0].spec.taints[0].effect: node a: expected NoSchedule, PreferNoSchedule or NoExecute, got "Never". ' + FIX],
    ["a non-string label", '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"a","labels":{"gpu":true}}}]}', "nodes.json: items[0].metadata.labels.gpu: node a: expected a string, got true. " + FIX],
  ])("%s", (_, text, want) => {
    expect(() => parseNodeList(text, "nodes.json")).toThrow(want);
  });

  it("accepts a NodeList (the API's own response) as well as kubectl's List", () => {
    const list = fixture("staging-nodes.json") as RawList & { kind: string };
    list.kind = "NodeList";
    expect(parseNodeList(JSON.stringify(list), "x").map((n) => n.name)).toEqual(["k3s-staging"]);
  });

  it("reads name, labels, taints (empty value dropped) and InternalIPs", () => {
    const [cp1] = parseNodeList(readFileSync(join(FIXTURES, "homelab-nodes.json"), "utf8"), "f");
    expect(cp1.name).toBe("k3s-cp1");
    expect(cp1.internalIPs).toEqual(["192.168.1.10"]);
    expect(cp1.taints).toEqual([{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]);
    expect(cp1.labels["node-role.kubernetes.io/master"]).toBe("true");
  });
});
