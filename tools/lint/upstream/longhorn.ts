/**
 * Lint of the upstream Longhorn release (clusters/<env>/infrastructure/longhorn.yaml). The chart
 * comes from charts.longhorn.io and cannot be fetched offline, so the HelmRelease is checked, not
 * rendered: its chart reference, and its inline values against the seed's 2-node rules and the
 * environment's inventory (values/<env>/cluster.yaml).
 *
 * The settings rules work on Longhorn's own setting names and string values (what ends up in
 * `settings.longhorn.io` objects), so charts/longhorn-config's Setting objects are checked by the
 * same code (tools/lint/charts/longhorn-config.ts).
 */
import type { Cluster, ClusterNode } from "../../../schema/cluster.ts";
import type { Location, Finding } from "../types.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { tolerationsTolerateTaint, type Toleration } from "../../scheduling/index.ts";
import { isMap, type Values } from "../../lib/merge.ts";

/** The seed's reasons, quoted verbatim from ARCHITECTURE-DECISIONS.md. */
export const SEED = {
  softAntiAffinity: "Must be false; true prevents replica scheduling on 2 nodes",
  replicaCount: "defaultReplicaCount: 2",
  /** The purpose of the seed's system-managed selector, kept by the RWX class's shareManagerNodeSelector. */
  nodeSelector: "Prevents share-manager landing on cp1",
  nodeDown: "w1 goes down → Longhorn force-deletes stuck pod (nodeDownPodDeletionPolicy: delete-both-statefulset-and-deployment-pod)",
  defaultDisk: "node.longhorn.io/create-default-disk=true — triggers disk creation (requires createDefaultDiskLabeledNodes: true in HelmRelease)",
  storageLabel: "node.longhorn.io/storage=enabled — controls where Longhorn manager/system pods schedule",
} as const;

/**
 * The label of every node that runs a pod with a Longhorn volume; the runbook sets it. Longhorn's
 * manager, CSI plugin, instance managers and engine image run there. It replaces the seed's
 * storage label as Longhorn's node selector (docs/decisions.md#longhorn-placement): that one kept
 * the CSI plugin off the GPU node, so its workers' Longhorn volumes could never attach.
 */
export const LONGHORN_NODE_LABEL = { key: "node.longhorn.io/csi", value: "enabled" } as const;

/**
 * `shareManagerNodeSelector` of every RWX StorageClass: the seed's purpose ("Prevents share-manager
 * landing on cp1") kept with the storage label. longhorn-manager merges it into the system-managed
 * selector for share-manager pods (controller/share_manager_controller.go, createShareManagerPod).
 */
export const SHARE_MANAGER_NODE_SELECTOR = "node.longhorn.io/storage:enabled";

/**
 * The values this project requires, in Longhorn's setting names and string form: the seed's, except
 * the system-managed selector (the seed's `node.longhorn.io/storage:enabled` is corrected to the
 * Longhorn node label) and the toleration, which must cover every Longhorn node's taints (the
 * seed's storage taint on homelab and staging).
 */
export const REQUIRED_SETTINGS = {
  "replica-soft-anti-affinity": "false",
  "node-down-pod-deletion-policy": "delete-both-statefulset-and-deployment-pod",
  "system-managed-components-node-selector": `${LONGHORN_NODE_LABEL.key}:${LONGHORN_NODE_LABEL.value}`,
  "taint-toleration": "node.longhorn.io/storage=enabled:NoSchedule",
  "create-default-disk-labeled-nodes": "true",
} as const;

/** Chart value key (`defaultSettings.<key>`) of each Longhorn setting this cluster sets. */
export const SETTING_KEYS: Record<string, string> = {
  "replica-soft-anti-affinity": "replicaSoftAntiAffinity",
  "default-replica-count": "defaultReplicaCount",
  "node-down-pod-deletion-policy": "nodeDownPodDeletionPolicy",
  "system-managed-components-node-selector": "systemManagedComponentsNodeSelector",
  "taint-toleration": "taintToleration",
  "create-default-disk-labeled-nodes": "createDefaultDiskLabeledNodes",
};

/** Where a finding about one setting points: a file position and/or an object. */
export type Where = (setting: string) => { location?: Location; object?: string; label: string };

type Json = Values;

/** Storage node ids and the rest, from the inventory. */
export function storageSplit(inv: Cluster): { storage: [string, ClusterNode][]; other: [string, ClusterNode][] } {
  const all = Object.entries(inv.nodes);
  return { storage: all.filter(([, n]) => n.roles.includes("storage")), other: all.filter(([, n]) => !n.roles.includes("storage")) };
}

/**
 * A Longhorn setting value as the chart writes it into the ConfigMap: booleans and numbers as
 * text, a map (allowed for per-data-engine settings since 1.10) as JSON.
 */
export function settingString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (isMap(v)) return JSON.stringify(v);
  return String(v);
}

/**
 * Replica counts per data engine from a `default-replica-count` value: `{"v1":"2","v2":"2"}`
 * (1.12's form) or a single number. Returns null when it cannot be read.
 */
export function parseReplicaCount(value: string): Record<string, number> | null {
  if (/^\d+$/.test(value.trim())) return { v1: Number(value), v2: Number(value) };
  try {
    const m = JSON.parse(value) as unknown;
    if (!isMap(m) || Object.keys(m).length === 0) return null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(m)) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) return null;
      out[k] = n;
    }
    return out;
  } catch {
    return null;
  }
}

/** Longhorn's `key:value;key2:value2` node selector as a label map (null if malformed). */
export function parseNodeSelector(value: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of value.split(";").map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf(":");
    if (i <= 0) return null;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/**
 * Longhorn's taint-toleration setting (`kubectl taint` syntax, `;`-separated): `key=value:Effect`
 * is an Equal toleration, `key:Effect` an Exists one, `:` alone tolerates everything.
 */
export function parseTaintToleration(value: string): Toleration[] | null {
  const out: Toleration[] = [];
  for (const part of value.split(";").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=:]*)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)?$/.exec(part);
    if (!m) return null;
    const [, key, val, effect] = m;
    out.push(val === undefined ? { key: key || undefined, operator: "Exists", effect: effect ?? "" } : { key, operator: "Equal", value: val, effect: effect ?? "" });
  }
  return out;
}

const labelsMatch = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const names = (nodes: [string, ClusterNode][]) => nodes.map(([id, n]) => `${id} (${n.name})`).join(", ");

/**
 * Checks Longhorn settings (setting name -> string value, as in the ConfigMap or Setting objects)
 * against the seed and the inventory. A setting that is absent is reported as missing (Longhorn
 * would fall back to its own default).
 */
export function checkSettings(settings: Record<string, string | undefined>, inv: Cluster, where: Where): Finding[] {
  const out: Finding[] = [];
  const { storage, other } = storageSplit(inv);
  const n = storage.length;
  const err = (setting: string, message: string) => {
    const w = where(setting);
    out.push({ severity: "error", location: w.location, object: w.object, message: `${w.label}: ${message}` });
  };
  const missing = (setting: string) => err(setting, `is not set, so Longhorn uses its own default. Fix: set it to ${JSON.stringify(REQUIRED_SETTINGS[setting as keyof typeof REQUIRED_SETTINGS] ?? `the number of storage nodes (${n})`)}`);

  const soft = settings["replica-soft-anti-affinity"];
  if (soft === undefined) missing("replica-soft-anti-affinity");
  else if (soft !== "false") {
    err("replica-soft-anti-affinity", `is ${JSON.stringify(soft)}; the seed: "${SEED.softAntiAffinity}". With it on, both replicas of a volume can share one node and a node failure loses the volume. Fix: set it to false`);
  }

  const rc = settings["default-replica-count"];
  if (rc === undefined) missing("default-replica-count");
  else {
    const counts = parseReplicaCount(rc);
    if (!counts) err("default-replica-count", `${JSON.stringify(rc)} is not a replica count. Fix: use the per-data-engine form of Longhorn 1.12, e.g. '{"v1":"${Math.min(2, n)}","v2":"${Math.min(2, n)}"}'`);
    else checkReplicaCount(counts, inv, soft === "true", (msg) => err("default-replica-count", msg));
  }

  const sel = settings["system-managed-components-node-selector"];
  const want = REQUIRED_SETTINGS["system-managed-components-node-selector"];
  let longhornNodes: [string, ClusterNode][] = storage;
  if (sel === undefined) missing("system-managed-components-node-selector");
  else {
    const parsed = parseNodeSelector(sel);
    if (!parsed || Object.keys(parsed).length === 0) {
      err("system-managed-components-node-selector", `${JSON.stringify(sel)} selects every node, cp1 included. Fix: set it to "${want}" and label every node that runs a pod with a Longhorn volume ${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value} (npm run runbook)`);
    } else {
      longhornNodes = Object.entries(inv.nodes).filter(([, node]) => labelsMatch(parsed, node.labels));
      const unmatched = storage.filter(([, node]) => !labelsMatch(parsed, node.labels));
      const controlOnly = other.filter(([, node]) => node.roles.every((r) => r === "control-plane") && labelsMatch(parsed, node.labels));
      if (unmatched.length > 0) {
        err("system-managed-components-node-selector", `${JSON.stringify(sel)} does not match storage node(s) ${names(unmatched)}: no instance manager would run where the replicas live. Fix: set it to "${want}" and give those nodes the label ${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value} in values/${inv.name}/cluster.yaml (and on the node)`);
      }
      if (controlOnly.length > 0) {
        err("system-managed-components-node-selector", `${JSON.stringify(sel)} also matches ${names(controlOnly)}, a control-plane node no Longhorn volume is used on: Longhorn's CSI plugin, instance manager and engine image would run there for nothing (the seed kept Longhorn off cp1: "${SEED.nodeSelector}"). Fix: remove the label ${Object.keys(parsed).join(", ")} from ${controlOnly.map(([id]) => id).join(", ")} in values/${inv.name}/cluster.yaml, or give the node a worker role if a pod there does use Longhorn`);
      }
    }
  }

  const tt = settings["taint-toleration"];
  if (tt === undefined) missing("taint-toleration");
  else {
    const tolerations = parseTaintToleration(tt);
    if (!tolerations) err("taint-toleration", `${JSON.stringify(tt)} is not in kubectl taint syntax (key=value:Effect; ...). Fix: set it to "${REQUIRED_SETTINGS["taint-toleration"]}"`);
    else {
      for (const [id, node] of longhornNodes) {
        for (const taint of node.taints.filter((t) => t.effect !== "PreferNoSchedule")) {
          if (!tolerationsTolerateTaint(tolerations, taint)) {
            const what = node.roles.includes("storage") ? "no instance manager would run there, so no replica could be placed" : "Longhorn's CSI plugin and instance manager would not run there, so no Longhorn volume could attach on it";
            err("taint-toleration", `${JSON.stringify(tt)} does not tolerate the taint ${taint.key}=${taint.value ?? ""}:${taint.effect} of Longhorn node ${id} (${node.name}): ${what}. Fix: append ";${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect}" (a changed toleration is applied only while all volumes are detached: docs/decisions.md#longhorn-placement)`);
          }
        }
      }
    }
  }

  const nd = settings["node-down-pod-deletion-policy"];
  if (nd === undefined) missing("node-down-pod-deletion-policy");
  else if (nd !== REQUIRED_SETTINGS["node-down-pod-deletion-policy"]) {
    err("node-down-pod-deletion-policy", `is ${JSON.stringify(nd)}; the seed's failover needs "${SEED.nodeDown}": otherwise a pod of a dead node stays Terminating and its volume never moves. Fix: set it to delete-both-statefulset-and-deployment-pod`);
  }

  const dd = settings["create-default-disk-labeled-nodes"];
  if (dd === undefined) missing("create-default-disk-labeled-nodes");
  else if (dd !== "true") {
    err("create-default-disk-labeled-nodes", `is ${JSON.stringify(dd)}; the seed: "${SEED.defaultDisk}". Without it Longhorn creates a disk on every node, cp1 and w3 included. Fix: set it to true`);
  } else {
    const noDisk = storage.filter(([, node]) => node.labels["node.longhorn.io/create-default-disk"] !== "true");
    if (noDisk.length > 0) {
      err("create-default-disk-labeled-nodes", `is true, but storage node(s) ${names(noDisk)} lack the label node.longhorn.io/create-default-disk=true in values/${inv.name}/cluster.yaml: they would get no disk and hold no replica. Fix: add the label to the inventory (and to the node)`);
    }
  }
  return out;
}

/**
 * Replica counts against the storage nodes: more than there are nodes leaves volumes degraded
 * (replica soft anti-affinity is off); fewer than min(2, nodes) gives up the seed's redundancy.
 */
export function checkReplicaCount(counts: Record<string, number>, inv: Cluster, softAntiAffinity: boolean, report: (msg: string) => void): void {
  const { storage } = storageSplit(inv);
  const n = storage.length;
  const want = Math.min(2, n);
  for (const [engine, c] of Object.entries(counts)) {
    if (c > n && !softAntiAffinity) {
      report(`${c} replicas (${engine}) on ${n} storage node(s) (${names(storage)}): volumes would stay degraded, because replica soft anti-affinity is off and each replica needs its own node (the seed: "${SEED.softAntiAffinity}"). Fix: use ${want}, the number of storage nodes in values/${inv.name}/cluster.yaml`);
    } else if (c < want) {
      report(`${c} replica (${engine}) on ${n} storage nodes: the seed requires "${SEED.replicaCount}" so a volume survives the loss of one storage node. Fix: use ${want}`);
    }
  }
}

/** Where to report a position in the HelmRelease document. */
export type Locate = (path: readonly PathSegment[]) => Location | undefined;

const VERSION_OK = /^(v?1\.12\.(x|\*|\d+)|~\s*v?1\.12(\.\d+)?|>=\s*v?1\.12\.\d+(-0)?\s*,?\s*<\s*v?1\.13\.0(-0)?)$/;

/**
 * Checks the Longhorn HelmRelease object (as loaded from clusters/<env>/infrastructure/longhorn.yaml):
 * the chart reference and its inline values against the seed and the inventory. Values are not
 * rendered (the chart cannot be fetched offline); their JSON schema
 * (schema/generated/upstream-longhorn.schema.json) is validated separately.
 */
export function checkLonghornRelease(hr: unknown, inventory: Cluster, locate: Locate): Finding[] {
  const out: Finding[] = [];
  if (!isMap(hr) || hr.kind !== "HelmRelease" || !isMap(hr.metadata)) {
    return [{ severity: "error", message: "the Longhorn release is not a HelmRelease object. Fix: pass the HelmRelease of clusters/<env>/infrastructure/longhorn.yaml" }];
  }
  const meta = hr.metadata as { name?: string; namespace?: string };
  const object = `HelmRelease/${meta.namespace ?? "default"}/${meta.name}`;
  const spec = (isMap(hr.spec) ? hr.spec : {}) as Json;
  const at = (path: PathSegment[], message: string) => out.push({ severity: "error", location: locate(path), object, message });

  const target = (spec.targetNamespace as string | undefined) ?? meta.namespace;
  if (target !== "longhorn-system") {
    at(spec.targetNamespace ? ["spec", "targetNamespace"] : ["metadata", "namespace"], `Longhorn is installed into ${JSON.stringify(target)}; the chart supports longhorn-system only (chart README: "install the Longhorn chart in the longhorn-system namespace only"). Fix: use namespace longhorn-system`);
  }
  const chart = (isMap(spec.chart) && isMap(spec.chart.spec) ? spec.chart.spec : {}) as Json;
  if (chart.chart !== "longhorn") at(["spec", "chart", "spec", "chart"], `chart is ${JSON.stringify(chart.chart)}. Fix: chart: longhorn`);
  const ref = (isMap(chart.sourceRef) ? chart.sourceRef : {}) as Json;
  if (ref.kind !== "HelmRepository" || ref.name !== "longhorn") {
    at(["spec", "chart", "spec", "sourceRef"], `sourceRef is ${ref.kind}/${ref.name}. Fix: the HelmRepository longhorn (https://charts.longhorn.io) in flux-system`);
  }
  if (typeof chart.version !== "string" || !VERSION_OK.test(chart.version.trim())) {
    at(["spec", "chart", "spec", "version"], `version ${JSON.stringify(chart.version)} is not Longhorn 1.12.x, the version these values are typed for (schema/upstream/longhorn.ts); Longhorn also refuses to skip a minor version on upgrade. Fix: version: 1.12.x`);
  }
  if (spec.valuesFrom !== undefined) {
    at(["spec", "valuesFrom"], "valuesFrom hides Longhorn values from lint. Fix: put the values inline in spec.values (typed by schema/upstream/longhorn.ts)");
  }

  const values = spec.values;
  if (!isMap(values)) {
    at(["spec", "values"], "spec.values is missing: Longhorn would run with its defaults (3 replicas, soft anti-affinity unset, no node selector). Fix: set the values typed by schema/upstream/longhorn.ts");
    return out;
  }
  const ds = (isMap(values.defaultSettings) ? values.defaultSettings : {}) as Json;
  const settings: Record<string, string | undefined> = {};
  for (const [name, key] of Object.entries(SETTING_KEYS)) settings[name] = settingString(ds[key]);
  out.push(
    ...checkSettings(settings, inventory, (setting) => {
      const key = SETTING_KEYS[setting];
      return { location: locate(["spec", "values", "defaultSettings", key]), object, label: `defaultSettings.${key}` };
    }),
  );

  const p = (isMap(values.persistence) ? values.persistence : {}) as Json;
  if (p.createStorageClass !== false) {
    at(["spec", "values", "persistence", "createStorageClass"], "persistence.createStorageClass must be false: its ConfigMap makes longhorn-manager delete and recreate the StorageClass `longhorn`, which charts/longhorn-config owns (longhorn-manager kubernetes_configmap_controller.go). Fix: set persistence.createStorageClass: false");
  }
  if (p.defaultClass !== false) {
    at(["spec", "values", "persistence", "defaultClass"], "persistence.defaultClass must be false: charts/longhorn-config's `longhorn` is the default StorageClass, and two defaults make PVC binding ambiguous. Fix: set persistence.defaultClass: false");
  }
  if (typeof p.defaultClassReplicaCount !== "number") {
    at(["spec", "values", "persistence", "defaultClassReplicaCount"], `persistence.defaultClassReplicaCount is not set (the chart's default is 3). Fix: set it to ${Math.min(2, storageSplit(inventory).storage.length)}`);
  } else {
    checkReplicaCount({ defaultClass: p.defaultClassReplicaCount }, inventory, settings["replica-soft-anti-affinity"] === "true", (msg) =>
      at(["spec", "values", "persistence", "defaultClassReplicaCount"], `persistence.defaultClassReplicaCount: ${msg}`),
    );
    const counts = settings["default-replica-count"] ? parseReplicaCount(settings["default-replica-count"]) : null;
    if (counts?.v1 !== undefined && counts.v1 !== p.defaultClassReplicaCount) {
      at(["spec", "values", "persistence", "defaultClassReplicaCount"], `persistence.defaultClassReplicaCount is ${p.defaultClassReplicaCount} but defaultSettings.defaultReplicaCount is ${counts.v1} (v1). Fix: use the same count in both`);
    }
  }
  const puc = (isMap(values.preUpgradeChecker) ? values.preUpgradeChecker : {}) as Json;
  if (puc.jobEnabled !== false) {
    at(["spec", "values", "preUpgradeChecker", "jobEnabled"], 'preUpgradeChecker.jobEnabled must be false: the chart says "Disable this setting when installing Longhorn using Argo CD or other GitOps solutions". Fix: set it to false');
  }

  const { storage, other } = storageSplit(inventory);
  const systemSelector = parseNodeSelector(settings["system-managed-components-node-selector"] ?? "") ?? {};
  const required = REQUIRED_SETTINGS["system-managed-components-node-selector"];
  for (const component of ["longhornManager", "longhornDriver", "longhornUI"]) {
    const c = (isMap(values[component]) ? values[component] : {}) as Json;
    const sel = (isMap(c.nodeSelector) ? c.nodeSelector : {}) as Record<string, string>;
    const tol = (Array.isArray(c.tolerations) ? c.tolerations : []) as Toleration[];
    const base = ["spec", "values", component];
    // longhorn-manager must run on every node with a CSI plugin or instance manager (each node's
    // manager owns that node's instance manager; Longhorn's "Node Selector" docs: set the user-deployed
    // components' selector first, then the same nodes for the system-managed ones). The UI uses no
    // volume and stays on the storage nodes.
    const followsSystem = component !== "longhornUI";
    const fixSel = followsSystem ? `{${LONGHORN_NODE_LABEL.key}: ${LONGHORN_NODE_LABEL.value}}` : "{node.longhorn.io/storage: enabled}";
    let selected: [string, ClusterNode][] = storage;
    if (Object.keys(sel).length === 0) {
      at([...base, "nodeSelector"], `${component}.nodeSelector is empty, so the pods may run on ${names(other) || "any node"}. A per-component value replaces global.nodeSelector. Fix: nodeSelector: ${fixSel}`);
    } else if (followsSystem) {
      selected = Object.entries(inventory.nodes).filter(([, node]) => labelsMatch(sel, node.labels));
      const same = Object.keys(systemSelector).length === Object.keys(sel).length && Object.entries(systemSelector).every(([k, v]) => sel[k] === v);
      if (!same) {
        at([...base, "nodeSelector"], `${component}.nodeSelector ${JSON.stringify(sel)} differs from defaultSettings.systemManagedComponentsNodeSelector ${JSON.stringify(settings["system-managed-components-node-selector"] ?? null)}: Longhorn requires both on the same nodes (a node's longhorn-manager owns its instance manager, and the CSI plugin needs the manager there). Fix: nodeSelector: ${fixSel} with systemManagedComponentsNodeSelector "${required}"`);
      }
    } else {
      const unmatched = storage.filter(([, node]) => !labelsMatch(sel, node.labels));
      const leaking = other.filter(([, node]) => labelsMatch(sel, node.labels));
      if (unmatched.length > 0) at([...base, "nodeSelector"], `${component}.nodeSelector ${JSON.stringify(sel)} matches no label set of storage node(s) ${names(unmatched)}. Fix: nodeSelector: ${fixSel}`);
      if (leaking.length > 0) at([...base, "nodeSelector"], `${component}.nodeSelector ${JSON.stringify(sel)} also matches ${names(leaking)}, which are not storage nodes (the seed: "${SEED.storageLabel}"). Fix: nodeSelector: ${fixSel}`);
    }
    for (const [id, node] of selected) {
      for (const taint of node.taints.filter((t) => t.effect !== "PreferNoSchedule")) {
        if (!tolerationsTolerateTaint(tol, taint)) {
          at([...base, "tolerations"], `${component}.tolerations do not tolerate ${taint.key}=${taint.value ?? ""}:${taint.effect} of node ${id} (${node.name}), which its nodeSelector selects: its pods would stay Pending there. A per-component value replaces global.tolerations. Fix: add {key: ${taint.key}, operator: Equal, value: ${taint.value ?? ""}, effect: ${taint.effect}}`);
        }
      }
    }
  }
  return out;
}
