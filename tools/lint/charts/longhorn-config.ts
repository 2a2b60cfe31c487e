/**
 * Assertions for charts/longhorn-config: the StorageClasses' replica count against the inventory,
 * the Setting objects against the seed (the same rules as the Longhorn release, from
 * tools/lint/upstream/longhorn.ts), and the Setting objects against the Longhorn HelmRelease of
 * the same environment (they must agree, or Flux and longhorn-manager would flip each value).
 */
import { longhornDefaultSettings } from "../../lib/flux.ts";
import type { K8sObject } from "../../lib/render.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";
import { checkReplicaCount, checkSettings, parseNodeSelector, SEED, SETTING_KEYS, settingString, SHARE_MANAGER_NODE_SELECTOR, storageSplit } from "../upstream/longhorn.ts";

const CLASSES = ["longhorn", "longhorn-rwx"] as const;

function storageClasses(ctx: LintContext): Map<string, K8sObject & { parameters?: Record<string, string> }> {
  return new Map(ctx.objects.filter((o) => o.kind === "StorageClass").map((o) => [o.metadata.name, o]));
}

/** Both classes exist, `longhorn` is the only default, the RWX class has NFS options. */
export const storageClassesPresent: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  const scs = storageClasses(ctx);
  for (const name of CLASSES) {
    if (!scs.has(name)) out.push({ severity: "error", message: `StorageClass ${name} is not rendered; every chart of this suite claims storage from it. Fix: keep templates/sc.yaml rendering ${CLASSES.join(" and ")}` });
  }
  const defaults = [...scs.values()].filter((o) => o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true").map((o) => o.metadata.name);
  if (defaults.length !== 1 || defaults[0] !== "longhorn") {
    out.push({ severity: "error", message: `default StorageClass(es): ${JSON.stringify(defaults)}; exactly "longhorn" must be the default. Fix: annotate only longhorn with storageclass.kubernetes.io/is-default-class: "true"` });
  }
  const rwx = scs.get("longhorn-rwx");
  if (rwx && !rwx.parameters?.nfsOptions) {
    out.push({ severity: "error", object: objectRef(rwx), location: ctx.locate(["rwx", "nfsOptions"]), message: "longhorn-rwx has no nfsOptions: Longhorn's defaults apply and a moved share manager can hang the client. Fix: set rwx.nfsOptions" });
  }
  return out;
};

/** numberOfReplicas of each class against the inventory's storage nodes. */
export const replicasMatchInventory: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  const soft = ctx.objects.find((o) => o.kind === "Setting" && o.metadata.name === "replica-soft-anti-affinity") as { value?: string } | undefined;
  for (const sc of storageClasses(ctx).values()) {
    const n = Number(sc.parameters?.numberOfReplicas);
    checkReplicaCount({ numberOfReplicas: n }, ctx.inventory, soft?.value === "true", (msg) =>
      out.push({ severity: "error", object: objectRef(sc), location: ctx.locate(["numberOfReplicas"]), message: `numberOfReplicas: ${msg}` }),
    );
  }
  return out;
};

/** The rendered Setting objects against the seed and the inventory. */
export const settingsEnforceSeed: ChartAssertion = (ctx) => {
  const settings = ctx.objects.filter((o) => o.kind === "Setting") as (K8sObject & { value?: string })[];
  if (settings.length === 0) {
    const enforce = (ctx.values.settings as { enforce?: boolean } | undefined)?.enforce;
    return enforce === false
      ? [{ severity: "warning", location: ctx.locate(["settings", "enforce"]), message: "settings.enforce is false: a change of the seed's Longhorn settings in the Longhorn UI stays until longhorn-manager restarts. Fix: set settings.enforce: true unless you are handing a setting back on purpose" }]
      : [];
  }
  const byName = new Map(settings.map((o) => [o.metadata.name, o]));
  const values: Record<string, string | undefined> = {};
  for (const name of Object.keys(SETTING_KEYS)) values[name] = byName.get(name)?.value;
  return checkSettings(values, ctx.inventory, (setting) => {
    const o = byName.get(setting);
    const key = setting === "default-replica-count" ? ["numberOfReplicas"] : ["settings", SETTING_KEYS[setting]];
    return { location: ctx.locate(key), object: o ? objectRef(o) : `Setting/${ctx.profile.namespace}/${setting}`, label: `Setting ${setting}` };
  });
};

/** Each Setting object equals the Longhorn HelmRelease's defaultSettings value of the same environment. */
export const settingsAgreeWithLonghornRelease: ChartAssertion = (ctx) => {
  const settings = ctx.objects.filter((o) => o.kind === "Setting") as (K8sObject & { value?: string })[];
  if (settings.length === 0) return [];
  const longhorn = longhornDefaultSettings(ctx.upstream);
  if (!longhorn) {
    return [{ severity: "error", message: `clusters/${ctx.env}/ has no HelmRelease of the upstream chart longhorn, which installs the Setting CRD and longhorn-manager this chart configures. Fix: add clusters/${ctx.env}/infrastructure/longhorn.yaml` }];
  }
  const ds: Record<string, unknown> = longhorn.settings;
  const out: Finding[] = [];
  for (const o of settings) {
    const key = SETTING_KEYS[o.metadata.name];
    if (!key) continue;
    const theirs = settingString(ds[key]);
    if (theirs !== o.value) {
      const reason = o.metadata.name === "replica-soft-anti-affinity" ? ` (the seed: "${SEED.softAntiAffinity}")` : "";
      out.push({
        severity: "error",
        object: objectRef(o),
        location: ctx.locate(o.metadata.name === "default-replica-count" ? ["numberOfReplicas"] : ["settings", key]),
        message: `Setting ${o.metadata.name} is ${JSON.stringify(o.value)} but ${longhorn.release.file} sets defaultSettings.${key}: ${JSON.stringify(theirs ?? null)}${reason}. longhorn-manager applies the ConfigMap value on every start and Flux puts this object's value back: they would flip. Fix: make both the same`,
      });
    }
  }
  return out;
};

/**
 * The Setting objects only stay enforced if helm-controller puts a changed value back: the
 * HelmRelease needs `driftDetection.mode: enabled` (`warn` only reports) and no drift `ignore`
 * rule covering a Setting. (Taking over the Setting objects longhorn-manager created first needs
 * `disableTakeOwnership` unset, which the closed HelmRelease schema of schema/flux.ts already
 * enforces: it does not admit the key.) See the chart README, "Settings stay enforced".
 */
export const settingsKeptByDriftDetection: ChartAssertion = (ctx) => {
  if (!ctx.objects.some((o) => o.kind === "Setting")) return [];
  const p = ctx.profile;
  const spec = (p.hr.spec ?? {}) as {
    driftDetection?: { mode?: string; ignore?: { paths?: string[]; target?: { kind?: string; name?: string } }[] };
  };
  const object = objectRef(p.hr);
  const at = (path: (string | number)[]) => ({ file: p.file, ...p.doc.position(path) });
  const out: Finding[] = [];
  const mode = spec.driftDetection?.mode;
  if (mode !== "enabled") {
    out.push({
      severity: "error",
      object,
      location: at(mode === undefined ? ["spec"] : ["spec", "driftDetection", "mode"]),
      message: `driftDetection.mode is ${JSON.stringify(mode ?? null)}, so a seed setting changed in the Longhorn UI (e.g. replica-soft-anti-affinity: true; the seed: "${SEED.softAntiAffinity}") stays until longhorn-manager restarts. Fix: set spec.driftDetection.mode: enabled`,
    });
  }
  (spec.driftDetection?.ignore ?? []).forEach((rule, i) => {
    const kind = rule.target?.kind;
    const coversValue = (rule.paths ?? []).some((path) => ["", "/", "/value"].includes(path.trim()));
    if ((kind === undefined || kind === "Setting") && coversValue) {
      out.push({
        severity: "error",
        object,
        location: at(["spec", "driftDetection", "ignore", i]),
        message: `driftDetection.ignore[${i}] (paths ${JSON.stringify(rule.paths ?? [])}) covers the value of the Setting objects${rule.target?.name ? ` (${rule.target.name})` : ""}, so a change made in the Longhorn UI is not put back. Fix: drop that path, give the rule a target of another kind, or remove the rule`,
      });
    }
  });
  return out;
};

/**
 * Share managers run only on the storage nodes (the seed's purpose, "Prevents share-manager landing
 * on cp1"), now that the system-managed selector also selects the GPU node. A share-manager pod's
 * nodeSelector is the system-managed selector with the class's `shareManagerNodeSelector` merged
 * over it (longhorn-manager v1.12.1 controller/share_manager_controller.go, createShareManagerPod:
 * `nodeSelector[k] = v` for each key of the class's selector). Every Longhorn class can serve an
 * RWX claim, so each must carry it; the merged selector must select every storage node (so the
 * share manager can move with a failover) and nothing else.
 */
export const shareManagerOnStorageNodes: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  const system = (ctx.objects.find((o) => o.kind === "Setting" && o.metadata.name === "system-managed-components-node-selector") as { value?: string } | undefined)?.value ?? "";
  const systemSel = parseNodeSelector(system) ?? {};
  const { storage, other } = storageSplit(ctx.inventory);
  const at = ctx.locate(["rwx", "shareManagerNodeSelector"]);
  for (const sc of storageClasses(ctx).values()) {
    if ((sc as { provisioner?: string }).provisioner !== "driver.longhorn.io") continue;
    const text = sc.parameters?.shareManagerNodeSelector;
    const fix = `Fix: set rwx.shareManagerNodeSelector: "${SHARE_MANAGER_NODE_SELECTOR}"`;
    if (text === undefined) {
      out.push({ severity: "error", object: objectRef(sc), location: at, message: `has no shareManagerNodeSelector: an RWX volume's share manager may run on any node the system-managed selector allows, the GPU node included (the seed: "${SEED.nodeSelector}"). ${fix}` });
      continue;
    }
    const own = parseNodeSelector(text);
    if (!own || Object.keys(own).length === 0) {
      out.push({ severity: "error", object: objectRef(sc), location: at, message: `shareManagerNodeSelector ${JSON.stringify(text)} is not a Longhorn node selector (key:value;...) or is empty, so longhorn-manager ignores it (types.UnmarshalNodeSelector). ${fix}` });
      continue;
    }
    const merged = { ...systemSel, ...own };
    const matches = (labels: Record<string, string>) => Object.entries(merged).every(([k, v]) => labels[k] === v);
    const missing = storage.filter(([, n]) => !matches(n.labels));
    const leaking = other.filter(([, n]) => matches(n.labels));
    const sel = JSON.stringify(Object.entries(merged).map(([k, v]) => `${k}:${v}`).join(";"));
    if (missing.length > 0) {
      out.push({ severity: "error", object: objectRef(sc), location: at, message: `share managers get the node selector ${sel} (system-managed selector merged with shareManagerNodeSelector), which storage node(s) ${missing.map(([id]) => id).join(", ")} do not match: an RWX volume could not be served from there after a failover. ${fix}` });
    }
    if (leaking.length > 0) {
      out.push({ severity: "error", object: objectRef(sc), location: at, message: `share managers get the node selector ${sel} (system-managed selector merged with shareManagerNodeSelector), which also matches ${leaking.map(([id, n]) => `${id} (${n.name})`).join(", ")}, not storage nodes (the seed: "${SEED.nodeSelector}"). ${fix}` });
    }
  }
  return out;
};

/**
 * The backup target is the inventory's NAS (`nfs.unraid.server`, at or under
 * `nfs.unraid.exports.backups`), off the storage nodes; and the Longhorn release does not set a
 * different one: longhorn-manager writes the release's `defaultBackupStore.backupTarget` into the
 * BackupTarget `default` on every start and ConfigMap change (longhorn-manager
 * datastore/longhorn.go syncDefaultBackupTargetResourceWithCustomizedParameters), Flux would put
 * this chart's value back, and the two would flip.
 */
export const backupTargetOnTheNas: ChartAssertion = (ctx) => {
  const bt = ctx.values.backupTarget as { server: string; path: string } | null | undefined;
  if (!bt) return [];
  const out: Finding[] = [];
  const nas = ctx.inventory.nfs.unraid;
  const inv = `values/${ctx.env}/cluster.yaml`;
  if (bt.server !== nas.server) {
    out.push({ severity: "error", location: ctx.locate(["backupTarget", "server"]), message: `backupTarget.server is ${bt.server}, but the NAS of ${inv} is nfs.unraid.server ${nas.server}; a backup target on a storage node fails together with the replicas. Fix: set backupTarget.server: ${nas.server}` });
  }
  const root = nas.exports.backups;
  if (!root) {
    out.push({ severity: "error", location: ctx.locate(["backupTarget", "path"]), message: `${inv} names no backups export (nfs.unraid.exports.backups), so the runbook cannot set up the share Longhorn writes to. Fix: add nfs.unraid.exports.backups (e.g. /mnt/user/backups) to the inventory` });
  } else if (bt.path !== root && !bt.path.startsWith(`${root.replace(/\/$/, "")}/`)) {
    out.push({ severity: "error", location: ctx.locate(["backupTarget", "path"]), message: `backupTarget.path ${bt.path} is not under the NAS backups export ${root} (${inv} nfs.unraid.exports.backups), so the mount would fail. Fix: use ${root}/longhorn` });
  }
  const longhorn = ctx.upstream.find((u) => u.chart === "longhorn");
  const theirs = (longhorn?.hr.spec as { values?: { defaultBackupStore?: { backupTarget?: string | null } } } | undefined)?.values?.defaultBackupStore?.backupTarget;
  const mine = ctx.objects.find((o) => o.kind === "BackupTarget") as { spec?: { backupTargetURL?: string } } | undefined;
  if (longhorn && theirs && theirs !== mine?.spec?.backupTargetURL) {
    out.push({ severity: "error", location: { file: longhorn.file, ...longhorn.doc.position(["spec", "values", "defaultBackupStore", "backupTarget"]) }, message: `the Longhorn release sets defaultBackupStore.backupTarget ${theirs}, but longhorn-config renders BackupTarget default with ${mine?.spec?.backupTargetURL}: longhorn-manager and Flux would flip it. Fix: remove defaultBackupStore.backupTarget from the Longhorn release (longhorn-config owns the target)` });
  }
  return out;
};

export const assertions: ChartAssertion[] = [backupTargetOnTheNas, storageClassesPresent, shareManagerOnStorageNodes, replicasMatchInventory, settingsEnforceSeed, settingsAgreeWithLonghornRelease, settingsKeptByDriftDetection];
