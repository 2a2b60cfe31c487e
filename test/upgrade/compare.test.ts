import { describe, expect, it } from "vitest";
import type { K8sObject, RenderedRelease } from "../../tools/lib/render.ts";
import {
  compareObjects,
  compareReleases,
  formatJson,
  formatText,
  hasErrors,
  similarity,
  type Finding,
} from "../../tools/upgrade/compare.ts";
import { IMMUTABLE_FIELDS, MUTABLE_ON_PURPOSE } from "../../tools/upgrade/immutable.ts";
import { getAt, parsePath } from "../../tools/upgrade/values.ts";
import { exampleObjects, expectedPath } from "./repo.ts";

const clone = <T>(v: T): T => structuredClone(v);

/** Returns a copy of `o` with `fn` applied to it. */
function edit<T extends K8sObject>(o: T, fn: (x: T) => void): T {
  const c = clone(o);
  fn(c);
  return c;
}

const errors = (fs: Finding[]) => fs.filter((f) => f.severity === "error");

// ---- Realistic objects ------------------------------------------------------------------------

const sts: K8sObject = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "sonarr", namespace: "media", labels: { "app.kubernetes.io/name": "sonarr", "helm.sh/chart": "media-apps-1.0.0" } },
  spec: {
    serviceName: "sonarr",
    replicas: 1,
    selector: { matchLabels: { "app.kubernetes.io/name": "sonarr", "app.kubernetes.io/instance": "media" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "sonarr", "app.kubernetes.io/instance": "media" }, annotations: {} },
      spec: {
        enableServiceLinks: false,
        containers: [
          {
            name: "sonarr",
            image: "ghcr.io/home-operations/sonarr:4.0.14",
            env: [{ name: "TZ", value: "Europe/Paris" }],
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
            volumeMounts: [{ name: "config", mountPath: "/config" }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "config" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "longhorn", resources: { requests: { storage: "5Gi" } } },
      },
    ],
  },
};

const deploy: K8sObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "clusterplex-pms", namespace: "media", labels: { "app.kubernetes.io/name": "clusterplex-pms" } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { "app.kubernetes.io/name": "clusterplex-pms" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "clusterplex-pms" } },
      spec: {
        containers: [{ name: "pms", image: "lscr.io/linuxserver/plex:1.41.0", env: [{ name: "LOCAL_RELAY_ENABLED", value: "1" }] }],
        volumes: [{ name: "dfs", persistentVolumeClaim: { claimName: "clusterplex-dfs-w1", readOnly: true } }],
      },
    },
  },
};

const pvc: K8sObject = {
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "plex-config", namespace: "media" },
  spec: { accessModes: ["ReadWriteOnce"], storageClassName: "longhorn", resources: { requests: { storage: "10Gi" } } },
};

const svc: K8sObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "sonarr", namespace: "media" },
  spec: { type: "ClusterIP", selector: { "app.kubernetes.io/name": "sonarr" }, ports: [{ name: "http", port: 80, targetPort: 8989 }] },
};

// ---- (a) every immutable-field entry, generated from the data ----------------------------------

describe("immutable-field list", () => {
  it("has unique ids, a citation and a note on every entry", () => {
    const ids = IMMUTABLE_FIELDS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of IMMUTABLE_FIELDS) {
      expect(f.source.file, f.id).toMatch(/^pkg\/(apis|registry)\/.+\.go$/);
      expect(f.source.func, f.id).toMatch(/^[A-Za-z.]+$/);
      expect(f.note.length, f.id).toBeGreaterThan(20);
    }
  });

  it("covers the fields the issue names", () => {
    const ids = new Set(IMMUTABLE_FIELDS.map((f) => f.id));
    for (const id of [
      "apps/StatefulSet spec.selector",
      "apps/StatefulSet spec.serviceName",
      "apps/StatefulSet spec.volumeClaimTemplates",
      "apps/StatefulSet spec.podManagementPolicy",
      "apps/Deployment spec.selector",
      "apps/DaemonSet spec.selector",
      "core/PersistentVolume spec.nfs",
      "core/PersistentVolume spec.csi",
      "core/PersistentVolume spec.hostPath",
      "core/PersistentVolumeClaim spec.accessModes",
      "core/PersistentVolumeClaim spec.resources.requests.storage",
      "batch/Job spec.template",
      "batch/Job spec.selector",
      "batch/Job spec.completions",
      "core/Service spec.clusterIP",
      "storage.k8s.io/StorageClass parameters",
      "storage.k8s.io/StorageClass provisioner",
      "storage.k8s.io/StorageClass reclaimPolicy",
      "storage.k8s.io/StorageClass volumeBindingMode",
      "core/ConfigMap data",
      "core/Secret data",
      "rbac.authorization.k8s.io/RoleBinding roleRef",
      "rbac.authorization.k8s.io/ClusterRoleBinding roleRef",
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
    // Kinds that are mutable on purpose have no entry.
    for (const m of MUTABLE_ON_PURPOSE.filter((m) => m.kind === "CronJob" || m.kind === "PodDisruptionBudget")) {
      expect(IMMUTABLE_FIELDS.some((f) => f.kind === m.kind)).toBe(false);
    }
  });

  it.each(IMMUTABLE_FIELDS.map((f) => [f.id, f] as const))("detects a change of %s", (_id, field) => {
    const [before, after] = exampleObjects(field);
    const found = compareObjects([before], [after]).filter((f) => f.kind === "immutable-field");
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f.severity).toBe("error");
    expect(f.rule?.id).toBe(field.id);
    // "Everything but" entries report the changed key right under their path.
    expect(f.path).toBe(expectedPath(field));
    expect(f.object).toMatchObject({ kind: field.kind, namespace: "media", name: "subject" });
    expect(f.fixes.map((x) => x.title).join("\n")).toMatch(/Rename/);
    // The report carries the values before and after (as rendered, when no default or
    // preparation rewrites them).
    if (!field.except && field.default === undefined && !field.prepare) {
      expect(f.old).toEqual(getAt(before, parsePath(field.path)));
      expect(f.new).toEqual(getAt(after, parsePath(field.path)));
      expect(f.old).not.toEqual(f.new);
    }
    // Fixes: a rename with its migration steps, the delete-and-recreate, and the Helm 4 / Flux
    // force escape hatch spelled out with what it takes (client-side apply) and what it costs.
    expect(f.fixes[0]).toMatchObject({ title: expect.stringMatching(/^Rename/), steps: expect.arrayContaining([expect.any(String)]), cost: expect.any(String) });
    const force = f.fixes.find((x) => /force/i.test(x.title));
    expect(force?.steps.join(" ")).toMatch(/spec\.upgrade\.force: true.*spec\.upgrade\.serverSideApply: disabled/);
    expect(force?.steps.join(" ")).toMatch(/helm upgrade --force-replace --server-side=false/);
    expect(force?.cost).toMatch(/does NOT get past an immutable field/);
    // The unchanged object is clean (the example's base triggers nothing by itself).
    expect(compareObjects([before], [clone(before)]).filter((x) => x.kind === "immutable-field")).toEqual([]);
  });
});

// ---- (a) hand-written rows with real objects --------------------------------------------------

describe("immutable fields on real objects", () => {
  const rows: { name: string; before: K8sObject; after: K8sObject; path?: string; old?: unknown; new?: unknown; severity?: "error" | "warning" }[] = [
    {
      name: "StatefulSet claim template grows",
      before: sts,
      after: edit(sts, (o: any) => (o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "10Gi")),
      path: "spec.volumeClaimTemplates",
    },
    {
      name: "StatefulSet selector gains a label",
      before: sts,
      after: edit(sts, (o: any) => {
        o.spec.selector.matchLabels.tier = "app";
        o.spec.template.metadata.labels.tier = "app";
      }),
      path: "spec.selector",
      old: (sts.spec as any).selector,
    },
    {
      name: "StatefulSet serviceName",
      before: sts,
      after: edit(sts, (o: any) => (o.spec.serviceName = "sonarr-headless")),
      path: "spec.serviceName",
      old: "sonarr",
      new: "sonarr-headless",
    },
    {
      name: "StatefulSet podManagementPolicy to Parallel",
      before: sts,
      after: edit(sts, (o: any) => (o.spec.podManagementPolicy = "Parallel")),
      path: "spec.podManagementPolicy",
      old: "OrderedReady",
      new: "Parallel",
    },
    {
      name: "Deployment selector",
      before: deploy,
      after: edit(deploy, (o: any) => {
        o.spec.selector.matchLabels["app.kubernetes.io/instance"] = "clusterplex";
        o.spec.template.metadata.labels["app.kubernetes.io/instance"] = "clusterplex";
      }),
      path: "spec.selector",
    },
    {
      name: "PVC shrinks",
      before: pvc,
      after: edit(pvc, (o: any) => (o.spec.resources.requests.storage = "5Gi")),
      path: "spec.resources.requests.storage",
      old: "10Gi",
      new: "5Gi",
    },
    {
      name: "PVC storage class",
      before: pvc,
      after: edit(pvc, (o: any) => (o.spec.storageClassName = "longhorn-retain")),
      path: "spec.storageClassName",
      old: "longhorn",
      new: "longhorn-retain",
    },
    {
      name: "PVC storage class added where the server defaulted it",
      before: edit(pvc, (o: any) => delete o.spec.storageClassName),
      after: pvc,
      path: "spec.storageClassName",
      severity: "warning",
    },
    {
      name: "headless Service gets a cluster IP",
      before: edit(svc, (o: any) => (o.spec.clusterIP = "None")),
      after: edit(svc, (o: any) => (o.spec.clusterIP = "10.43.12.7")),
      path: "spec.clusterIP",
      old: "None",
      new: "10.43.12.7",
    },
    {
      name: "Service pins an explicit cluster IP",
      before: svc,
      after: edit(svc, (o: any) => (o.spec.clusterIP = "10.43.12.7")),
      path: "spec.clusterIP",
      severity: "warning",
    },
  ];

  it.each(rows)("$name", (row) => {
    const found = compareObjects([row.before], [row.after]).filter((f) => f.kind === "immutable-field");
    expect(found).toHaveLength(1);
    expect(found[0].severity).toBe(row.severity ?? "error");
    if (row.path) expect(found[0].path).toBe(row.path);
    if ("old" in row) expect(found[0].old).toEqual(row.old);
    if ("new" in row) expect(found[0].new).toEqual(row.new);
  });

  it("names the leaf that changed inside a claim template", () => {
    const after = edit(sts, (o: any) => (o.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "10Gi"));
    const [f] = compareObjects([sts], [after]).filter((x) => x.kind === "immutable-field");
    expect(f.changes).toEqual([{ path: "spec.volumeClaimTemplates[0].spec.resources.requests.storage", old: "5Gi", new: "10Gi" }]);
    expect(f.fixes[0].steps.join("\n")).toContain("config-sonarr-v2-<ordinal>");
    expect(f.fixes[1].steps[0]).toBe("kubectl -n media delete statefulset sonarr --cascade=orphan");
  });
});

// ---- what the API server treats as no change --------------------------------------------------

describe("semantic equality", () => {
  const rows: { name: string; before: K8sObject; after: K8sObject }[] = [
    {
      name: "claim template with server-added apiVersion/kind/status and default volumeMode",
      before: sts,
      after: edit(sts, (o: any) => {
        Object.assign(o.spec.volumeClaimTemplates[0], { apiVersion: "v1", kind: "PersistentVolumeClaim", status: { phase: "Pending" } });
        o.spec.volumeClaimTemplates[0].spec.volumeMode = "Filesystem";
      }),
    },
    { name: "podManagementPolicy spelled out as its default", before: sts, after: edit(sts, (o: any) => (o.spec.podManagementPolicy = "OrderedReady")) },
    { name: "revisionHistoryLimit spelled out as its default", before: sts, after: edit(sts, (o: any) => (o.spec.revisionHistoryLimit = 10)) },
    { name: "PVC size in other units", before: pvc, after: edit(pvc, (o: any) => (o.spec.resources.requests.storage = "10240Mi")) },
    { name: "PVC grows", before: pvc, after: edit(pvc, (o: any) => (o.spec.resources.requests.storage = "20Gi")) },
    { name: "empty selector map vs absent", before: pvc, after: edit(pvc, (o: any) => (o.spec.selector = {})) },
    {
      name: "Service switching to ExternalName",
      before: edit(svc, (o: any) => (o.spec.clusterIP = "10.43.0.9")),
      after: edit(svc, (o: any) => {
        o.spec = { type: "ExternalName", externalName: "sonarr.example.org" };
      }),
    },
    {
      name: "immutable Secret moving a key from stringData to data",
      before: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "media" }, immutable: true, stringData: { token: "abc" } },
      after: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "media" }, immutable: true, data: { token: "YWJj" } },
    },
    {
      name: "mutable ConfigMap data",
      before: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "media" }, data: { a: "1" } },
      after: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "media" }, data: { a: "2" } },
    },
    {
      name: "StorageClass reclaimPolicy spelled out as Delete",
      before: { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "longhorn", namespace: "" }, provisioner: "driver.longhorn.io" },
      after: { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "longhorn", namespace: "" }, provisioner: "driver.longhorn.io", reclaimPolicy: "Delete" },
    },
    {
      name: "PV gets nodeAffinity it did not have",
      before: { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv", namespace: "" }, spec: { local: { path: "/mnt/disk" } } },
      after: {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv", namespace: "" },
        spec: { local: { path: "/mnt/disk" }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "In", values: ["w1"] }] }] } } },
      },
    },
    {
      name: "CronJob job template (mutable)",
      before: { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "fence", namespace: "ha" }, spec: { schedule: "*/2 * * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "f", image: "a:1" }] } } } } } },
      after: { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "fence", namespace: "ha" }, spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "f", image: "a:2" }] } } } } } },
    },
    {
      name: "PodDisruptionBudget selector (mutable since 1.15)",
      before: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "p", namespace: "media" }, spec: { selector: { matchLabels: { a: "1" } } } },
      after: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "p", namespace: "media" }, spec: { selector: { matchLabels: { a: "2" } } } },
    },
    {
      name: "Helm hook Job (re-created, never patched)",
      before: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "media", annotations: { "helm.sh/hook": "pre-upgrade" } }, spec: { template: { spec: { containers: [{ name: "m", image: "a:1" }] } } } },
      after: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "migrate", namespace: "media", annotations: { "helm.sh/hook": "pre-upgrade" } }, spec: { template: { spec: { containers: [{ name: "m", image: "a:2" }] } } } },
    },
  ];

  it.each(rows)("$name passes", ({ before, after }) => {
    expect(compareObjects([before], [after]).filter((f) => f.severity !== "info" && f.kind !== "rolls-pods")).toEqual([]);
  });

  it("matches objects across versions of the same group", () => {
    const v1beta = edit(deploy, (o) => (o.apiVersion = "apps/v1beta2"));
    const after = edit(deploy, (o: any) => (o.spec.selector.matchLabels.x = "y"));
    expect(errors(compareObjects([v1beta], [after]))).toHaveLength(1);
  });
});

// ---- benign changes ---------------------------------------------------------------------------

describe("benign changes", () => {
  const changes: [string, (o: any) => void][] = [
    ["image tag", (o) => (o.spec.template.spec.containers[0].image = o.spec.template.spec.containers[0].image.replace(/:[^:]+$/, ":9.9.9"))],
    ["env", (o) => (o.spec.template.spec.containers[0].env = [{ name: "TZ", value: "UTC" }, { name: "PUID", value: "1000" }])],
    ["resources", (o) => (o.spec.template.spec.containers[0].resources = { requests: { cpu: "250m", memory: "512Mi" } })],
    ["labels outside selectors", (o) => {
      o.metadata.labels = { ...o.metadata.labels, "helm.sh/chart": "media-apps-1.1.0" };
      o.spec.template.metadata.labels["app.kubernetes.io/version"] = "4.1";
    }],
    ["annotations", (o) => (o.metadata.annotations = { "checksum/config": "abc" })],
    ["replicas", (o) => (o.spec.replicas = 2)],
  ];

  it.each(changes)("Deployment: %s passes without findings", (_n, fn) => {
    expect(compareObjects([deploy], [edit(deploy, fn)])).toEqual([]);
  });

  it.each(changes)("StatefulSet: %s has no error", (name, fn) => {
    const found = compareObjects([sts], [edit(sts, fn)]);
    expect(errors(found)).toEqual([]);
    const rolls = found.filter((f) => f.kind === "rolls-pods");
    // Only pod-template changes roll the pods.
    const touchesTemplate = ["image tag", "env", "resources", "labels outside selectors"].includes(name);
    expect(rolls).toHaveLength(touchesTemplate ? 1 : 0);
  });

  it("reports a StatefulSet roll with what changed and how it rolls", () => {
    const after = edit(sts, (o: any) => (o.spec.template.spec.containers[0].image = "ghcr.io/home-operations/sonarr:4.0.15"));
    const [roll] = compareObjects([sts], [after]);
    expect(roll).toMatchObject({ kind: "rolls-pods", severity: "warning", path: "spec.template" });
    expect(roll.changes).toEqual([
      { path: "spec.template.spec.containers[0].image", old: "ghcr.io/home-operations/sonarr:4.0.14", new: "ghcr.io/home-operations/sonarr:4.0.15" },
    ]);
    expect(roll.message).toContain("highest ordinal first");
    const onDelete = edit(after, (o: any) => (o.spec.updateStrategy = { type: "OnDelete" }));
    expect(compareObjects([sts], [onDelete])[0]).toMatchObject({ kind: "rolls-pods", severity: "info" });
  });
});

// ---- (b) renames, removals ---------------------------------------------------------------------

function dfsPv(node: "w1" | "w2", ip: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `clusterplex-dfs-${node}`, namespace: "media", labels: { "app.kubernetes.io/name": "clusterplex", "app.kubernetes.io/component": "dfs" } },
    spec: {
      capacity: { storage: "1Ti" },
      accessModes: ["ReadOnlyMany"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      mountOptions: ["nfsvers=4.1", "soft", "noac", "timeo=10", "retrans=2"],
      nfs: { server: ip, path: "/mnt/dfs", readOnly: true },
      claimRef: { namespace: "media", name: `clusterplex-dfs-${node}` },
    },
  };
}

function dfsPvc(node: "w1" | "w2"): K8sObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: `clusterplex-dfs-${node}`, namespace: "media", labels: { "app.kubernetes.io/name": "clusterplex", "app.kubernetes.io/component": "dfs" } },
    spec: { accessModes: ["ReadOnlyMany"], storageClassName: "", volumeName: `clusterplex-dfs-${node}`, resources: { requests: { storage: "1Ti" } } },
  };
}

const worker: K8sObject = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "clusterplex-worker", namespace: "media" },
  spec: {
    serviceName: "clusterplex-worker",
    replicas: 2,
    selector: { matchLabels: { "app.kubernetes.io/name": "clusterplex-worker" } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": "clusterplex-worker" } },
      spec: {
        containers: [{ name: "worker", image: "ghcr.io/pabloromeo/clusterplex_worker:1.4" }],
        volumes: [{ name: "dfs", persistentVolumeClaim: { claimName: "clusterplex-dfs-w1", readOnly: true } }],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: "codecs" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } } }],
  },
};

describe("clusterplex DFS failover switch (w1 -> w2)", () => {
  // Decision: the switch renames the PV and PVC together (a PV's NFS server is immutable, and a
  // bound claim's volumeName too). The data is the NFS export on the host, the PV is Retain, and
  // the claim is statically bound to the renamed PV: nothing is lost, so both renames are `info`.
  // The worker StatefulSet's pod template changes (claimName), which rolls its pods: a warning.
  const before = [dfsPv("w1", "192.168.1.12"), dfsPvc("w1"), deploy, worker];
  const point = (o: any) => (o.spec.template.spec.volumes[0].persistentVolumeClaim.claimName = "clusterplex-dfs-w2");
  const after = [dfsPv("w2", "192.168.1.22"), dfsPvc("w2"), edit(deploy, point), edit(worker, point)];
  const found = compareObjects(before, after);

  it("has no immutable-field error", () => {
    expect(hasErrors(found)).toBe(false);
    expect(found.filter((f) => f.kind === "immutable-field")).toEqual([]);
  });

  it("reports the PV and the PVC as renamed, with no data at risk", () => {
    const renames = found.filter((f) => f.kind === "renamed");
    expect(renames.map((f) => [f.object.kind, f.object.name, f.renamedTo?.name, f.severity])).toEqual(
      expect.arrayContaining([
        ["PersistentVolume", "clusterplex-dfs-w1", "clusterplex-dfs-w2", "info"],
        ["PersistentVolumeClaim", "clusterplex-dfs-w1", "clusterplex-dfs-w2", "info"],
      ]),
    );
    expect(renames).toHaveLength(2);
    expect(renames.find((f) => f.object.kind === "PersistentVolume")?.message).toContain("nfs 192.168.1.22:/mnt/dfs");
    expect(found.filter((f) => f.kind === "removed-data")).toEqual([]);
  });

  it("warns only that the worker StatefulSet rolls; the Deployment change is silent", () => {
    const warnings = found.filter((f) => f.severity === "warning");
    expect(warnings.map((f) => [f.kind, f.object.name])).toEqual([["rolls-pods", "clusterplex-worker"]]);
  });

  it("patching the PV's NFS server in place instead is an error", () => {
    const patched = [dfsPv("w1", "192.168.1.22"), dfsPvc("w1"), deploy, worker];
    const [f] = errors(compareObjects(before, patched));
    expect(f).toMatchObject({ kind: "immutable-field", path: "spec.nfs", object: { kind: "PersistentVolume", name: "clusterplex-dfs-w1" } });
    expect(f.changes).toEqual([{ path: "spec.nfs.server", old: "192.168.1.12", new: "192.168.1.22" }]);
  });
});

describe("renames and removals of data holders", () => {
  it("flags a renamed dynamically provisioned PVC: the new claim is empty", () => {
    const after = edit(pvc, (o) => (o.metadata.name = "plex-config-v2"));
    const found = compareObjects([pvc], [after]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: "renamed", severity: "warning", object: { name: "plex-config" }, renamedTo: { name: "plex-config-v2" } });
    expect(found[0].message).toContain("EMPTY");
    expect(found[0].fixes[0].title).toMatch(/Rename the claim/);
  });

  it("flags a renamed StatefulSet with claim templates", () => {
    const after = edit(sts, (o) => (o.metadata.name = "sonarr-v2"));
    const found = compareObjects([sts], [after]);
    expect(found).toEqual([expect.objectContaining({ kind: "renamed", severity: "warning" })]);
  });

  it("reports a renamed object without data as info", () => {
    const after = edit(svc, (o) => (o.metadata.name = "sonarr-web"));
    expect(compareObjects([svc], [after])).toEqual([expect.objectContaining({ kind: "renamed", severity: "info" })]);
  });

  it("does not pair unrelated objects", () => {
    const other: K8sObject = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "transcode", namespace: "media" },
      spec: { accessModes: ["ReadWriteMany"], storageClassName: "longhorn-rwx", resources: { requests: { storage: "100Gi" } }, volumeMode: "Filesystem" },
    };
    expect(similarity(pvc, other)).toBeLessThan(0.6);
    const found = compareObjects([pvc], [other]);
    expect(found).toEqual([expect.objectContaining({ kind: "removed-data", severity: "warning", object: expect.objectContaining({ name: "plex-config" }) })]);
  });

  it("treats a removed PVC with helm.sh/resource-policy: keep as info", () => {
    const kept = edit(pvc, (o) => (o.metadata.annotations = { "helm.sh/resource-policy": "keep" }));
    expect(compareObjects([kept], [])).toEqual([expect.objectContaining({ kind: "removed-data", severity: "info" })]);
  });

  it("ignores removed objects without data", () => {
    expect(compareObjects([svc, deploy], [])).toEqual([]);
  });
});

describe("releases", () => {
  const rel = (release: string, objects: K8sObject[]): RenderedRelease => ({ env: "prod", release, namespace: "media", chart: "media-apps", source: "x.yaml", objects });

  it("flags an object moving between HelmReleases", () => {
    const found = compareReleases([rel("media-apps", [pvc])], [rel("plex", [pvc])]);
    expect(found).toEqual([expect.objectContaining({ kind: "moved-release", severity: "warning", object: expect.objectContaining({ release: "media/media-apps" }) })]);
    expect(found[0].message).toContain("with its data");
  });

  it("tags findings with the release", () => {
    const after = edit(pvc, (o: any) => (o.spec.accessModes = ["ReadWriteMany"]));
    const [f] = compareReleases([rel("media-apps", [pvc])], [rel("media-apps", [after])]);
    expect(f.object.release).toBe("media/media-apps");
    expect(f.fixes[1].steps.at(-1)).toContain("flux reconcile helmrelease media-apps -n media");
  });
});

describe("formatters", () => {
  const after = edit(sts, (o: any) => (o.spec.serviceName = "sonarr-headless"));
  const results = [
    { env: "prod", findings: compareObjects([sts], [after]) },
    { env: "lab", skipped: "new environment: nothing to compare" , findings: [] },
  ];

  it("prints object, path, old and new value, source and fixes", () => {
    const text = formatText(results);
    expect(text).toContain("ERROR - [prod] StatefulSet media/sonarr: spec.serviceName cannot be changed in place");
    expect(text).toContain('    old:  "sonarr"');
    expect(text).toContain('    new:  "sonarr-headless"');
    expect(text).toContain("pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate");
    expect(text).toMatch(/fix 1: Rename the StatefulSet/);
    expect(text).toMatch(/fix 3: Helm \/ Flux force/);
    expect(text).toContain("INFO - [lab] new environment: nothing to compare");
    expect(text.trim().split("\n").at(-1)).toBe("1 error(s), 0 warning(s), 0 info in 2 environment(s)");
  });

  it("prints JSON with a summary", () => {
    const json = JSON.parse(formatJson(results));
    expect(json.summary).toEqual({ error: 1, warning: 0, info: 0 });
    expect(json.environments[0].findings[0]).toMatchObject({ path: "spec.serviceName", old: "sonarr", new: "sonarr-headless", severity: "error" });
  });
});
