/**
 * charts/longhorn-config as Flux renders it per environment, the Longhorn release's placement
 * values, and the chart's own value checks (templates/_validate.tpl).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateSchemas } from "../../tools/gen/schemas.ts";
import { resolveHelm, type Helm } from "../../tools/lib/helm.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { tolerationsTolerateTaint } from "../../tools/scheduling/index.ts";

/** The seed's settings, with the system-managed selector corrected (docs/decisions.md#longhorn-placement). */
const REQUIRED_SETTINGS: Record<string, string> = {
  "replica-soft-anti-affinity": "false",
  "node-down-pod-deletion-policy": "delete-both-statefulset-and-deployment-pod",
  "system-managed-components-node-selector": "node.longhorn.io/csi:enabled",
  "taint-toleration": "node.longhorn.io/storage=enabled:NoSchedule",
  "create-default-disk-labeled-nodes": "true",
};

type Sc = K8sObject & { provisioner: string; parameters: Record<string, string>; reclaimPolicy: string; allowVolumeExpansion: boolean; volumeBindingMode: string };
type Setting = K8sObject & { value: string };

const rendered: Record<string, K8sObject[]> = {};
beforeAll(async () => {
  for (const env of ["homelab", "staging"]) {
    const releases = await renderEnvironment(env, { chart: "longhorn-config" });
    expect(releases.map((r) => [r.release, r.namespace])).toEqual([["longhorn-config", "longhorn-system"]]);
    rendered[env] = releases[0].objects;
  }
});

const of = <T extends K8sObject>(env: string, kind: string) => rendered[env].filter((o) => o.kind === kind) as T[];
const named = <T extends K8sObject>(env: string, kind: string, name: string) => of<T>(env, kind).find((o) => o.metadata.name === name)!;

describe.each<[string, number]>([
  ["homelab", 2],
  ["staging", 1],
])("rendered for %s", (env, replicas) => {
  it("holds only StorageClasses, RecurringJobs, Settings and the BackupTarget", () => {
    expect(new Set(rendered[env].map((o) => o.kind))).toEqual(new Set(["StorageClass", "RecurringJob", "Setting", "BackupTarget"]));
  });

  it(`both StorageClasses use ${replicas} replica(s), one per storage node of the inventory`, () => {
    const storageNodes = Object.values(loadInventory(env).nodes).filter((n) => n.roles.includes("storage")).length;
    expect(replicas).toBe(Math.min(2, storageNodes));
    for (const name of ["longhorn", "longhorn-rwx"]) {
      const sc = named<Sc>(env, "StorageClass", name);
      expect(sc.provisioner).toBe("driver.longhorn.io");
      expect(sc.parameters.numberOfReplicas).toBe(String(replicas));
      expect(sc.parameters).toMatchObject({ staleReplicaTimeout: "30", dataLocality: "disabled", fsType: "ext4" });
      expect(sc.reclaimPolicy).toBe("Delete");
      expect(sc.allowVolumeExpansion).toBe(true);
      expect(sc.volumeBindingMode).toBe("Immediate");
    }
  });

  it("longhorn is the one default class; longhorn-rwx carries the soft NFS options", () => {
    const def = of<Sc>(env, "StorageClass").filter((s) => s.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
    expect(def.map((s) => s.metadata.name)).toEqual(["longhorn"]);
    expect(named<Sc>(env, "StorageClass", "longhorn").parameters.nfsOptions).toBeUndefined();
    expect(named<Sc>(env, "StorageClass", "longhorn-rwx").parameters.nfsOptions).toBe("vers=4.1,noresvport,softerr,timeo=600,retrans=5");
  });

  it("enforces each non-negotiable setting as a Setting object, kept on uninstall", () => {
    const settings = of<Setting>(env, "Setting");
    const values = Object.fromEntries(settings.map((s) => [s.metadata.name, s.value]));
    expect(values).toEqual({ ...REQUIRED_SETTINGS, "default-replica-count": `{"v1":"${replicas}","v2":"${replicas}"}` });
    for (const s of settings) {
      expect(s.apiVersion).toBe("longhorn.io/v1beta2");
      expect(s.metadata.namespace).toBe("longhorn-system");
      expect(s.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    }
  });

  it("the Setting objects equal the Longhorn release's defaultSettings", () => {
    const hr = parse(readFileSync(join(repoRoot, "clusters", env, "infrastructure", "longhorn.yaml"), "utf8"));
    const ds = hr.spec.values.defaultSettings;
    const s = (name: string) => named<Setting>(env, "Setting", name).value;
    expect(s("replica-soft-anti-affinity")).toBe(String(ds.replicaSoftAntiAffinity));
    expect(s("default-replica-count")).toBe(ds.defaultReplicaCount);
    expect(s("system-managed-components-node-selector")).toBe(ds.systemManagedComponentsNodeSelector);
    expect(s("taint-toleration")).toBe(ds.taintToleration);
    expect(s("node-down-pod-deletion-policy")).toBe(ds.nodeDownPodDeletionPolicy);
    expect(s("create-default-disk-labeled-nodes")).toBe(String(ds.createDefaultDiskLabeledNodes));
  });

  it("manager and driver run on every node a Longhorn volume is used on, the UI on the storage nodes; all tolerate their taints", () => {
    const hr = parse(readFileSync(join(repoRoot, "clusters", env, "infrastructure", "longhorn.yaml"), "utf8"));
    const inv = loadInventory(env);
    const longhornNodes = env === "homelab" ? ["k3s-w1", "k3s-w2", "k3s-w3"] : ["k3s-staging"];
    for (const component of ["longhornManager", "longhornDriver", "longhornUI"]) {
      const c = hr.spec.values[component];
      for (const node of Object.values(inv.nodes)) {
        const selected = Object.entries(c.nodeSelector as Record<string, string>).every(([k, v]) => node.labels[k] === v);
        const want = component === "longhornUI" ? node.roles.includes("storage") : longhornNodes.includes(node.name);
        expect(selected, `${component} on ${node.name}`).toBe(want);
        if (selected) for (const t of node.taints) expect(tolerationsTolerateTaint(c.tolerations, t), `${component} tolerates ${t.key} on ${node.name}`).toBe(true);
      }
    }
    expect(hr.spec.values.persistence).toMatchObject({ createStorageClass: false, defaultClass: false });
    expect(hr.spec.values.preUpgradeChecker.jobEnabled).toBe(false);
  });

  it("system-managed components (CSI plugin, instance managers, engine images) run where the manager does; share managers only on storage nodes", () => {
    const hr = parse(readFileSync(join(repoRoot, "clusters", env, "infrastructure", "longhorn.yaml"), "utf8"));
    const inv = loadInventory(env);
    const parse2 = (t: string) => Object.fromEntries(t.split(";").filter(Boolean).map((kv) => kv.split(":").map((x) => x.trim())));
    const system = parse2(hr.spec.values.defaultSettings.systemManagedComponentsNodeSelector);
    expect(system).toEqual(hr.spec.values.longhornManager.nodeSelector);
    for (const name of ["longhorn", "longhorn-rwx"]) {
      // longhorn-manager controller/share_manager_controller.go: the class's selector merged over the system one.
      const merged = { ...system, ...parse2(named<Sc>(env, "StorageClass", name).parameters.shareManagerNodeSelector) };
      const on = Object.values(inv.nodes).filter((n) => Object.entries(merged).every(([k, v]) => n.labels[k] === v)).map((n) => n.name);
      expect(on, name).toEqual(Object.values(inv.nodes).filter((n) => n.roles.includes("storage")).map((n) => n.name));
    }
  });
});

describe("homelab recurring job", () => {
  it("snapshots daily and backs up to the NAS per group; default applies to every volume without job labels", () => {
    expect(of("homelab", "RecurringJob").map((o) => [o.metadata.name, o.spec])).toEqual([
      ["longhorn-config-snapshot-daily", { name: "longhorn-config-snapshot-daily", task: "snapshot", cron: "0 3 * * *", retain: 7, concurrency: 1, groups: ["default", "config", "streaming"], labels: {} }],
      ["longhorn-config-backup-config", { name: "longhorn-config-backup-config", task: "backup", cron: "30 3 * * *", retain: 14, concurrency: 2, groups: ["default", "config"], labels: {} }],
      ["longhorn-config-backup-streaming", { name: "longhorn-config-backup-streaming", task: "backup", cron: "0 5 * * 0", retain: 4, concurrency: 1, groups: ["streaming"], labels: {} }],
    ]);
    expect(named("homelab", "BackupTarget", "default")).toMatchObject({ spec: { backupTargetURL: "nfs://192.168.1.50:/mnt/user/backups/longhorn", pollInterval: "5m0s" } });
  });
});

describe("the rendered Longhorn objects against the schemas of schema/crds/longhorn.ts", () => {
  const schemas = generateSchemas([
    { source: "schema/crds/longhorn.ts", type: "Setting", out: "setting" },
    { source: "schema/crds/longhorn.ts", type: "RecurringJob", out: "recurringjob" },
  ]);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators: Record<string, ReturnType<typeof ajv.compile>> = { Setting: ajv.compile(schemas.get("setting")!), RecurringJob: ajv.compile(schemas.get("recurringjob")!) };
  it.each(["homelab", "staging"])("%s: every Setting and RecurringJob validates", (env) => {
    const objs = rendered[env].filter((o) => o.kind in validators);
    expect(objs.length).toBeGreaterThan(5);
    for (const o of objs) {
      const v = validators[o.kind];
      expect(v(o), `${o.kind}/${o.metadata.name}: ${JSON.stringify(v.errors)}`).toBe(true);
    }
  });
  it("rejects a Setting whose value is not a string", () => {
    expect(validators.Setting({ apiVersion: "longhorn.io/v1beta2", kind: "Setting", metadata: { name: "x" }, value: false })).toBe(false);
  });
});

describe("helm template with other values", () => {
  let helm: Helm;
  beforeAll(async () => {
    helm = await resolveHelm();
  });
  const template = (args: string[], ns = "longhorn-system") =>
    execa(helm.bin, ["template", "longhorn-config", join(repoRoot, "charts/longhorn-config"), "-n", ns, ...args], { reject: false });
  const docs = (stdout: string) => stdout.split(/^---$/m).map((d) => parse(d)).filter(Boolean) as K8sObject[];

  it("StorageClasses select the recurring jobs named in recurringJobSelector", async () => {
    const res = await template([
      "--set-json", 'recurringJobs=[{"name":"snap","task":"snapshot","cron":"0 * * * *","groups":["hourly"]},{"name":"bk","task":"backup","cron":"0 4 * * *","retain":14}]',
      "--set-json", 'recurringJobSelector=[{"name":"hourly","isGroup":true},{"name":"bk"}]',
      "--set-json", 'backupTarget={"server":"192.168.1.50","path":"/mnt/user/backups/longhorn"}',
    ]);
    expect(res.exitCode, res.stderr).toBe(0);
    const scs = docs(res.stdout).filter((o) => o.kind === "StorageClass") as Sc[];
    for (const sc of scs) expect(JSON.parse(sc.parameters.recurringJobSelector)).toEqual([{ name: "hourly", isGroup: true }, { name: "longhorn-config-bk", isGroup: false }]);
    const bk = docs(res.stdout).find((o) => o.kind === "RecurringJob" && o.metadata.name === "longhorn-config-bk")!;
    expect(bk.spec).toMatchObject({ task: "backup", retain: 14, concurrency: 1, groups: [] });
  });

  it("both StorageClasses take replicas, stale timeout, data locality, reclaim policy, expansion and NFS options from values", async () => {
    const res = await template([
      "--set", "numberOfReplicas=1", "--set", "staleReplicaTimeout=2880", "--set", "dataLocality=best-effort",
      "--set", "reclaimPolicy=Retain", "--set", "allowVolumeExpansion=false", "--set", "rwx.nfsOptions=vers=4.2\\,soft",
    ]);
    expect(res.exitCode, res.stderr).toBe(0);
    const objs = docs(res.stdout);
    const scs = objs.filter((o) => o.kind === "StorageClass") as Sc[];
    expect(scs.map((sc) => sc.metadata.name).sort()).toEqual(["longhorn", "longhorn-rwx"]);
    for (const sc of scs) {
      expect(sc.parameters, sc.metadata.name).toMatchObject({ numberOfReplicas: "1", staleReplicaTimeout: "2880", dataLocality: "best-effort" });
      expect(sc.reclaimPolicy).toBe("Retain");
      expect(sc.allowVolumeExpansion).toBe(false);
    }
    expect(scs.find((sc) => sc.metadata.name === "longhorn-rwx")!.parameters.nfsOptions).toBe("vers=4.2,soft");
    // The Setting default-replica-count follows the same value.
    expect((objs.find((o) => o.kind === "Setting" && o.metadata.name === "default-replica-count") as Setting).value).toBe('{"v1":"1","v2":"1"}');
  });

  it("settings.enforce=false renders no Setting objects", async () => {
    const res = await template(["--set", "settings.enforce=false"]);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(docs(res.stdout).filter((o) => o.kind === "Setting")).toEqual([]);
  });

  it.each<[string, string[], string, string]>([
    ["strict-local with 2 replicas", ["--set", "dataLocality=strict-local"], "longhorn-system", "dataLocality: strict-local allows exactly one replica, but numberOfReplicas is 2"],
    ["a selector naming no job", ["--set-json", 'recurringJobSelector=[{"name":"nightly"}]'], "longhorn-system", 'recurringJobSelector[0] selects job "nightly", which is not in recurringJobs'],
    ["a selector naming no group", ["--set-json", 'recurringJobSelector=[{"name":"g","isGroup":true}]'], "longhorn-system", 'recurringJobSelector[0] selects group "g"'],
    ["two jobs with one name", ["--set-json", 'recurringJobs=[{"name":"a","task":"snapshot","cron":"0 * * * *"},{"name":"a","task":"backup","cron":"0 1 * * *"}]'], "longhorn-system", 'recurringJobs[1].name "a" is used twice'],
    ["another namespace", [], "storage", 'the release namespace is "storage", but longhorn-manager only reads Setting and RecurringJob objects in longhorn-system'],
    ["4 replicas (schema)", ["--set", "numberOfReplicas=4"], "longhorn-system", "numberOfReplicas"],
    ["replicaSoftAntiAffinity true (schema)", ["--set", "settings.replicaSoftAntiAffinity=true"], "longhorn-system", "replicaSoftAntiAffinity"],
  ])("fails on %s", async (_n, args, ns, message) => {
    const res = await template(args, ns);
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain(message);
  });
});
