/**
 * checkLonghornRelease: the upstream Longhorn HelmRelease of each environment against the seed's
 * 2-node rules and the inventory, plus its typed values against the generated schema.
 */
import { Ajv } from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Cluster } from "../../../schema/cluster.ts";
import { loadInventory } from "../../../tools/lib/inventory.ts";
import { repoRoot } from "../../../tools/lib/paths.ts";
import { compileSchema } from "../../../tools/lib/values-validate.ts";
import type { PathSegment } from "../../../tools/lib/yaml.ts";
import { generateSchemas } from "../../../tools/gen/schemas.ts";
import { lintEnvironment } from "../../../tools/lint/run.ts";
import type { Finding } from "../../../tools/lint/types.ts";
import {
  checkLonghornRelease,
  parseNodeSelector,
  parseReplicaCount,
  parseTaintToleration,
  SEED,
  REQUIRED_SETTINGS,
  SETTING_KEYS,
} from "../../../tools/lint/upstream/longhorn.ts";
import { editFixture, withFixtureRepo } from "../../helpers/fixture-repo.ts";

type Json = Record<string, any>;

const hrOf = (env: string): Json => parse(readFileSync(join(repoRoot, "clusters", env, "infrastructure", "longhorn.yaml"), "utf8"));
const inventories: Record<string, Cluster> = { homelab: loadInventory("homelab"), staging: loadInventory("staging") };
/** A locate() that records the path it was asked for, as `file:line` stand-in. */
const locate = (path: readonly PathSegment[]) => ({ file: "clusters/x/infrastructure/longhorn.yaml", line: path.length, col: 1, path: path.join(".") });
const run = (env: string, edit: (hr: Json) => void = () => {}, inv: Cluster = inventories[env]) => {
  const hr = structuredClone(hrOf(env));
  edit(hr);
  return checkLonghornRelease(hr, inv, locate);
};
const messages = (f: ReturnType<typeof run>) => f.map((x) => x.message).join("\n");

describe("checkLonghornRelease on the committed releases", () => {
  it.each(["homelab", "staging"])("%s: no findings", (env) => {
    expect(run(env)).toEqual([]);
  });

  it("homelab uses 2 replicas, staging 1 (one per storage node)", () => {
    expect(hrOf("homelab").spec.values.defaultSettings.defaultReplicaCount).toBe('{"v1":"2","v2":"2"}');
    expect(hrOf("homelab").spec.values.persistence.defaultClassReplicaCount).toBe(2);
    expect(hrOf("staging").spec.values.defaultSettings.defaultReplicaCount).toBe('{"v1":"1","v2":"1"}');
    expect(hrOf("staging").spec.values.persistence.defaultClassReplicaCount).toBe(1);
  });
});

describe("checkLonghornRelease rejects values that break the seed's 2-node storage", () => {
  const ds = (hr: Json) => hr.spec.values.defaultSettings;
  it.each<[string, string, (hr: Json) => void, string[], string]>([
    ["replicaSoftAntiAffinity true", "homelab", (hr) => (ds(hr).replicaSoftAntiAffinity = true), [SEED.softAntiAffinity], "spec.values.defaultSettings.replicaSoftAntiAffinity"],
    [
      "3 replicas on 2 storage nodes",
      "homelab",
      (hr) => {
        ds(hr).defaultReplicaCount = '{"v1":"3","v2":"3"}';
        hr.spec.values.persistence.defaultClassReplicaCount = 3;
      },
      ["volumes would stay degraded", SEED.softAntiAffinity, "3 replicas (v1) on 2 storage node(s)"],
      "spec.values.defaultSettings.defaultReplicaCount",
    ],
    ["2 replicas on staging's single storage node", "staging", (hr) => (ds(hr).defaultReplicaCount = '{"v1":"2","v2":"2"}'), ["volumes would stay degraded", "k3s-staging"], "spec.values.defaultSettings.defaultReplicaCount"],
    ["1 replica on homelab", "homelab", (hr) => (ds(hr).defaultReplicaCount = '{"v1":"1","v2":"1"}'), [SEED.replicaCount, "Fix: use 2"], "spec.values.defaultSettings.defaultReplicaCount"],
    ["a replica count that is not JSON", "homelab", (hr) => (ds(hr).defaultReplicaCount = "two"), ["is not a replica count"], "spec.values.defaultSettings.defaultReplicaCount"],
    [
      "the seed's storage-label node selector (the CSI plugin never reaches w3; the selectors differ)",
      "homelab",
      (hr) => (ds(hr).systemManagedComponentsNodeSelector = "node.longhorn.io/storage:enabled"),
      ['longhornManager.nodeSelector {"node.longhorn.io/csi":"enabled"} differs from defaultSettings.systemManagedComponentsNodeSelector "node.longhorn.io/storage:enabled"', 'Fix: nodeSelector: {node.longhorn.io/csi: enabled} with systemManagedComponentsNodeSelector "node.longhorn.io/csi:enabled"'],
      "spec.values.longhornManager.nodeSelector",
    ],
    [
      "a node selector that matches no storage node",
      "homelab",
      (hr) => (ds(hr).systemManagedComponentsNodeSelector = "node.longhorn.io/csi:true"),
      ["does not match storage node(s) w1 (k3s-w1), w2 (k3s-w2): no instance manager would run where the replicas live"],
      "spec.values.defaultSettings.systemManagedComponentsNodeSelector",
    ],
    [
      "a node selector matching only the primary",
      "homelab",
      (hr) => (ds(hr).systemManagedComponentsNodeSelector = "workload-priority:primary"),
      ["w2 (k3s-w2)"],
      "spec.values.defaultSettings.systemManagedComponentsNodeSelector",
    ],
    ["an empty node selector (Longhorn on every node, cp1 included)", "homelab", (hr) => (ds(hr).systemManagedComponentsNodeSelector = ""), ["selects every node, cp1 included", "node.longhorn.io/csi=enabled"], "spec.values.defaultSettings.systemManagedComponentsNodeSelector"],
    ["a toleration of another taint", "homelab", (hr) => (ds(hr).taintToleration = "gpu=true:NoSchedule"), ["does not tolerate the taint node.longhorn.io/storage=enabled:NoSchedule of Longhorn node w1"], "spec.values.defaultSettings.taintToleration"],
    ["nodeDownPodDeletionPolicy do-nothing", "homelab", (hr) => (ds(hr).nodeDownPodDeletionPolicy = "do-nothing"), [SEED.nodeDown], "spec.values.defaultSettings.nodeDownPodDeletionPolicy"],
    ["createDefaultDiskLabeledNodes false", "homelab", (hr) => (ds(hr).createDefaultDiskLabeledNodes = false), [SEED.defaultDisk], "spec.values.defaultSettings.createDefaultDiskLabeledNodes"],
    ["a missing non-negotiable", "homelab", (hr) => delete ds(hr).replicaSoftAntiAffinity, ["is not set, so Longhorn uses its own default", 'Fix: set it to "false"'], "spec.values.defaultSettings.replicaSoftAntiAffinity"],
    ["the chart's own StorageClass", "homelab", (hr) => (hr.spec.values.persistence.createStorageClass = true), ["delete and recreate the StorageClass `longhorn`"], "spec.values.persistence.createStorageClass"],
    ["a second default StorageClass", "homelab", (hr) => (hr.spec.values.persistence.defaultClass = true), ["two defaults"], "spec.values.persistence.defaultClass"],
    ["class and UI replica counts that differ", "homelab", (hr) => (hr.spec.values.persistence.defaultClassReplicaCount = 1), ["is 1 but defaultSettings.defaultReplicaCount is 2", SEED.replicaCount], "spec.values.persistence.defaultClassReplicaCount"],
    ["the pre-upgrade hook Job", "homelab", (hr) => (hr.spec.values.preUpgradeChecker.jobEnabled = true), ["GitOps"], "spec.values.preUpgradeChecker.jobEnabled"],
    ["longhornUI without the storage toleration", "homelab", (hr) => (hr.spec.values.longhornUI.tolerations = []), ["longhornUI.tolerations do not tolerate", "replaces global.tolerations"], "spec.values.longhornUI.tolerations"],
    ["longhornManager without a node selector", "homelab", (hr) => delete hr.spec.values.longhornManager.nodeSelector, ["longhornManager.nodeSelector is empty", "cp1 (k3s-cp1), w3 (k3s-w3)"], "spec.values.longhornManager.nodeSelector"],
    ["longhornDriver on the storage nodes only (the seed's selector)", "homelab", (hr) => (hr.spec.values.longhornDriver.nodeSelector = { "node.longhorn.io/storage": "enabled" }), ["differs from defaultSettings.systemManagedComponentsNodeSelector", "a node's longhorn-manager owns its instance manager"], "spec.values.longhornDriver.nodeSelector"],
    ["longhornUI on the GPU node", "homelab", (hr) => (hr.spec.values.longhornUI.nodeSelector = { gpu: "true" }), ["matches no label set of storage node(s)"], "spec.values.longhornUI.nodeSelector"],
    ["Longhorn 1.11", "homelab", (hr) => (hr.spec.chart.spec.version = "1.11.x"), ["is not Longhorn 1.12.x"], "spec.chart.spec.version"],
    ["another namespace", "homelab", (hr) => (hr.metadata.namespace = "storage"), ["longhorn-system only"], "metadata.namespace"],
    ["values from a ConfigMap", "homelab", (hr) => (hr.spec.valuesFrom = [{ kind: "ConfigMap", name: "x" }]), ["hides Longhorn values from lint"], "spec.valuesFrom"],
  ])("%s", (_name, env, edit, expected, path) => {
    const findings = run(env, edit);
    const match = findings.filter((f) => (f.location as { path?: string } | undefined)?.path === path);
    expect(match.length, messages(findings)).toBeGreaterThan(0);
    for (const text of expected) expect(messages(match)).toContain(text);
    for (const f of findings) {
      expect(f.severity).toBe("error");
      expect(f.object).toBe(`HelmRelease/${f.object?.split("/")[1]}/longhorn`);
      expect(f.message).toMatch(/Fix: /);
    }
  });

  it("accepts the per-data-engine count as a map (the chart's multiTypeSetting renders it as JSON)", () => {
    expect(run("homelab", (hr) => (hr.spec.values.defaultSettings.defaultReplicaCount = { v1: "2", v2: "2" }))).toEqual([]);
  });

  it("flags a storage node that lacks the create-default-disk label in the inventory", () => {
    const inv = structuredClone(inventories.homelab);
    delete inv.nodes.w2.labels["node.longhorn.io/create-default-disk"];
    expect(messages(run("homelab", () => {}, inv))).toContain("storage node(s) w2 (k3s-w2) lack the label node.longhorn.io/create-default-disk=true");
  });

  it("follows the inventory: a third storage node makes 2 replicas fine and no longer flags the taint of nodes without one", () => {
    const inv = structuredClone(inventories.homelab);
    inv.nodes.w4 = { ...structuredClone(inv.nodes.w2), name: "k3s-w4", ip: "192.168.1.24" };
    expect(run("homelab", () => {}, inv)).toEqual([]);
  });

  it("a control-plane node carrying the Longhorn node label is flagged (nothing on cp1 uses Longhorn)", () => {
    const inv = structuredClone(inventories.homelab);
    inv.nodes.cp1.labels["node.longhorn.io/csi"] = "enabled";
    const f = run("homelab", () => {}, inv);
    expect(messages(f)).toContain("also matches cp1 (k3s-cp1), a control-plane node no Longhorn volume is used on");
    expect(messages(f)).toContain(SEED.nodeSelector);
  });

  it("a taint on the GPU node must be tolerated by taintToleration and by the manager (else no CSI plugin there)", () => {
    const inv = structuredClone(inventories.homelab);
    inv.nodes.w3.taints = [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }];
    const f = run("homelab", () => {}, inv);
    const text = messages(f);
    expect(text).toContain('does not tolerate the taint nvidia.com/gpu=present:NoSchedule of Longhorn node w3 (k3s-w3): Longhorn\'s CSI plugin and instance manager would not run there');
    expect(text).toContain('Fix: append ";nvidia.com/gpu=present:NoSchedule"');
    expect(text).toContain("longhornManager.tolerations do not tolerate nvidia.com/gpu=present:NoSchedule of node w3 (k3s-w3)");
    // Fixed in both places: no finding.
    const fixed = run("homelab", (hr) => {
      hr.spec.values.defaultSettings.taintToleration = "node.longhorn.io/storage=enabled:NoSchedule;nvidia.com/gpu=present:NoSchedule";
      for (const c of ["longhornManager", "longhornDriver"]) hr.spec.values[c].tolerations.push({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    }, inv);
    expect(fixed).toEqual([]);
  });

  it("rejects something that is not a HelmRelease", () => {
    expect(checkLonghornRelease({ kind: "ConfigMap", metadata: {} }, inventories.homelab, locate)[0].message).toContain("not a HelmRelease");
  });
});

describe("the release values against the generated schema (schema/upstream/longhorn.ts)", () => {
  const validate = compileSchema(join(repoRoot, "schema/generated/upstream-longhorn.schema.json"));
  it.each(["homelab", "staging"])("%s validates", (env) => {
    expect(validate(hrOf(env).spec.values), JSON.stringify(validate.errors)).toBe(true);
  });
  // Typos are caught against the real chart's values.yaml (test/lint/upstream/release.test.ts);
  // the typed values accept every key the chart has.
  it("accepts upstream keys it does not type (e.g. storageOverProvisioningPercentage)", () => {
    const v = structuredClone(hrOf("homelab").spec.values);
    v.defaultSettings.storageOverProvisioningPercentage = 150;
    v.longhornUI.replicas = 1;
    expect(validate(v), JSON.stringify(validate.errors)).toBe(true);
  });
  it.each<[string, (v: Json) => void, string]>([
    ["replicaSoftAntiAffinity true", (v) => (v.defaultSettings.replicaSoftAntiAffinity = true), "/defaultSettings/replicaSoftAntiAffinity"],
    ["4 replicas", (v) => (v.defaultSettings.defaultReplicaCount = '{"v1":"4","v2":"4"}'), "/defaultSettings/defaultReplicaCount"],
    ["data engines with different counts", (v) => (v.defaultSettings.defaultReplicaCount = '{"v1":"2","v2":"1"}'), "/defaultSettings/defaultReplicaCount"],
    ["the pre-1.10 plain number", (v) => (v.defaultSettings.defaultReplicaCount = 2), "/defaultSettings/defaultReplicaCount"],
    ["4 replicas in the chart's class", (v) => (v.persistence.defaultClassReplicaCount = 4), "/persistence/defaultClassReplicaCount"],
    ["a second UI toleration", (v) => v.longhornUI.tolerations.push({ key: "a", operator: "Exists", effect: "NoSchedule" }), "/longhornUI/tolerations"],
  ])("%s fails", (_n, edit, where) => {
    const v = structuredClone(hrOf("homelab").spec.values);
    edit(v);
    expect(validate(v)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(where);
  });
  it("leaves 3 replicas to the inventory check, which quotes the seed", () => {
    const v = structuredClone(hrOf("homelab").spec.values);
    v.defaultSettings.defaultReplicaCount = '{"v1":"3","v2":"3"}';
    expect(validate(v), JSON.stringify(validate.errors)).toBe(true);
  });
});

/** The seed's reason each non-negotiable's schema description must quote (ARCHITECTURE-DECISIONS.md). */
const REASONS: Record<string, string> = {
  replicaSoftAntiAffinity: SEED.softAntiAffinity,
  defaultReplicaCount: SEED.replicaCount,
  nodeDownPodDeletionPolicy: SEED.nodeDown,
  systemManagedComponentsNodeSelector: SEED.nodeSelector,
  createDefaultDiskLabeledNodes: "triggers disk creation (requires createDefaultDiskLabeledNodes: true in HelmRelease)",
};
const flat = (s: string) => s.replace(/\s+/g, " ");
const compileSchemaObject = (schema: object) => new Ajv({ allErrors: true, strict: false }).compile(schema);

describe("homelab's typed values (HomelabLonghornValues): each non-negotiable is a const carrying the seed's reason", () => {
  const schema = generateSchemas([{ source: "schema/upstream/longhorn.ts", type: "HomelabLonghornValues", out: "homelab" }]).get("homelab")!;
  const validate = compileSchemaObject(schema);
  const props = (schema.definitions as Json).HomelabLonghornDefaultSettings.properties as Json;

  it.each(Object.entries(SETTING_KEYS))("%s (defaultSettings.%s)", (setting, key) => {
    if (setting === "taint-toleration") {
      // Not a const: it must also tolerate taints an operator puts on the GPU node; lint checks it against the inventory.
      expect(props[key].type).toBe("string");
      expect(new RegExp(props[key].pattern).test(REQUIRED_SETTINGS["taint-toleration"])).toBe(true);
      expect(new RegExp(props[key].pattern).test("node.longhorn.io/storage=enabled")).toBe(false);
      expect(flat(props[key].description)).toContain("node.longhorn.io/storage=enabled:NoSchedule");
      return;
    }
    const want = setting === "default-replica-count" ? '{"v1":"2","v2":"2"}' : REQUIRED_SETTINGS[setting as keyof typeof REQUIRED_SETTINGS];
    expect(String(props[key].const)).toBe(want);
    expect(flat(props[key].description)).toContain(REASONS[key]);
  });

  it("the chart's class replica count is the const 2 as well", () => {
    expect((schema.definitions as Json).HomelabLonghornPersistence.properties.defaultClassReplicaCount.const).toBe(2);
  });

  it("homelab's release validates; staging's 1 replica does not", () => {
    expect(validate(hrOf("homelab").spec.values), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(hrOf("staging").spec.values)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(["/defaultSettings/defaultReplicaCount", "/persistence/defaultClassReplicaCount"]);
  });

  it("the schema shared by every environment has the same consts and reasons, the count apart", () => {
    const shared = JSON.parse(readFileSync(join(repoRoot, "schema/generated/upstream-longhorn.schema.json"), "utf8"));
    const sp = shared.definitions.LonghornDefaultSettings.properties;
    for (const key of Object.keys(REASONS).filter((k) => k !== "defaultReplicaCount")) {
      expect(sp[key].const, key).toEqual(props[key].const);
      expect(flat(sp[key].description), key).toContain(REASONS[key]);
    }
  });
});

/** lint-charts (lintEnvironment) on a throw-away copy with clusters/<env>/infrastructure/longhorn.yaml edited. */
async function lintRelease(env: string, edits: [string, string][]): Promise<{ ok: boolean; findings: Finding[] }> {
  const file = `clusters/${env}/infrastructure/longhorn.yaml`;
  return withFixtureRepo(
    (root) => {
      for (const [from, to] of edits) editFixture(root, file, from, to);
    },
    async (root) => {
      const report = await lintEnvironment({ env, chart: "longhorn", root });
      const r = report.profiles.find((p) => p.kind === "upstream" && p.chart === "longhorn");
      expect(r, JSON.stringify(report.profiles.map((p) => p.release))).toBeDefined();
      return { ok: report.ok, findings: r!.findings };
    },
  );
}

describe("lint-charts on the Longhorn release (the real pipeline, not only checkLonghornRelease)", () => {
  it.each(["homelab", "staging"])("%s: the committed release passes", async (env) => {
    const { ok, findings } = await lintRelease(env, []);
    expect(findings).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each<[string, string, [string, string][], string, string[]]>([
    ["replicaSoftAntiAffinity: true", "homelab", [["replicaSoftAntiAffinity: false", "replicaSoftAntiAffinity: true"]], "replicaSoftAntiAffinity", [SEED.softAntiAffinity]],
    [
      "3 replicas on 2 storage nodes",
      "homelab",
      [
        ['defaultReplicaCount: \'{"v1":"2","v2":"2"}\'', 'defaultReplicaCount: \'{"v1":"3","v2":"3"}\''],
        ["defaultClassReplicaCount: 2", "defaultClassReplicaCount: 3"],
      ],
      "defaultReplicaCount",
      // homelab's release is checked against HomelabLonghornValues, where 2 is a const whose
      // description carries the seed's reasons.
      ['must be "{\\"v1\\":\\"2\\",\\"v2\\":\\"2\\"}"', SEED.softAntiAffinity],
    ],
    ["2 replicas on staging's one storage node", "staging", [['defaultReplicaCount: \'{"v1":"1","v2":"1"}\'', 'defaultReplicaCount: \'{"v1":"2","v2":"2"}\'']], "defaultReplicaCount", ["2 replicas (v1) on 1 storage node(s)", SEED.softAntiAffinity]],
    [
      "a systemManagedComponentsNodeSelector that matches no storage node",
      "homelab",
      [['systemManagedComponentsNodeSelector: "node.longhorn.io/csi:enabled"', 'systemManagedComponentsNodeSelector: "node.longhorn.io/csi:true"']],
      "systemManagedComponentsNodeSelector",
      ['must be "node.longhorn.io/csi:enabled" (got "node.longhorn.io/csi:true")', "docs/decisions.md#longhorn-placement"],
    ],
  ])("%s fails, quoting the seed at the key", async (_name, env, edits, key, expected) => {
    const { ok, findings } = await lintRelease(env, edits);
    expect(ok).toBe(false);
    const file = `clusters/${env}/infrastructure/longhorn.yaml`;
    const text = readFileSync(join(repoRoot, file), "utf8").split("\n");
    const line = text.findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
    const at = findings.filter((f) => f.severity === "error" && f.location?.file === file && f.location.line === line);
    expect(at.length, findings.map((f) => `${f.location?.line}: ${f.message}`).join("\n")).toBeGreaterThan(0);
    for (const e of expected) expect(at.map((f) => f.message).join("\n")).toContain(e);
    for (const f of at) expect(f.object).toBe("HelmRelease/longhorn-system/longhorn");
  });
});

describe("parsers of Longhorn's string settings", () => {
  it.each<[string, Record<string, number> | null]>([
    ['{"v1":"2","v2":"2"}', { v1: 2, v2: 2 }],
    ['{"v1":"3"}', { v1: 3 }],
    ["2", { v1: 2, v2: 2 }],
    ['{"v1":"0"}', null],
    ["{}", null],
    ["x", null],
  ])("parseReplicaCount(%s)", (input, want) => expect(parseReplicaCount(input)).toEqual(want));

  it.each<[string, Record<string, string> | null]>([
    ["node.longhorn.io/storage:enabled", { "node.longhorn.io/storage": "enabled" }],
    ["a:1;b:2", { a: "1", b: "2" }],
    ["novalue", null],
  ])("parseNodeSelector(%s)", (input, want) => expect(parseNodeSelector(input)).toEqual(want));

  it.each<[string, unknown]>([
    ["node.longhorn.io/storage=enabled:NoSchedule", [{ key: "node.longhorn.io/storage", operator: "Equal", value: "enabled", effect: "NoSchedule" }]],
    ["key1=value1:NoSchedule; key2:NoExecute", [{ key: "key1", operator: "Equal", value: "value1", effect: "NoSchedule" }, { key: "key2", operator: "Exists", effect: "NoExecute" }]],
    ["bad", null],
  ])("parseTaintToleration(%s)", (input, want) => expect(parseTaintToleration(input)).toEqual(want));
});
