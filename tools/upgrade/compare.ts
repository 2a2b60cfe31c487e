/**
 * Compares two renders of the same environment (before and after a change) and reports what a
 * Flux Helm upgrade from one to the other would run into. Pure: no I/O.
 *
 * Reports
 * - `immutable-field` (error): a change Kubernetes rejects on update (tools/upgrade/immutable.ts);
 *   the HelmRelease would fail and retry forever.
 * - `renamed` (warning when data is at stake, else info): an object removed and a look-alike of
 *   the same kind and namespace added, i.e. deleted and re-created under a new name.
 * - `removed-data` (warning): a PVC, a StatefulSet with claim templates or a PV that Helm deletes.
 * - `rolls-pods` (warning): a StatefulSet change Kubernetes accepts that replaces every pod.
 * - `moved-release` (warning): an object that changes HelmRelease, which Helm cannot hand over.
 *
 * Objects are matched by API group (any version), kind, namespace and name. Helm hooks are
 * skipped: Helm re-creates them on every upgrade instead of patching them.
 */
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { IMMUTABLE_FIELDS, PV_SOURCES, type Condition, type ImmutableField, type Severity, type Source } from "./immutable.ts";
import {
  brief,
  expandPath,
  formatPath,
  getAt,
  isEmpty,
  isRecord,
  leafChanges,
  parsePath,
  parseQuantity,
  withoutPath,
  type LeafChange,
  type Segment,
} from "./values.ts";

export type { Severity } from "./immutable.ts";

/** Which object a finding is about. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** `<namespace>/<release>` of the HelmRelease that renders it, when known. */
  release?: string;
}

/** One way to resolve a finding, with what it costs. */
export interface Fix {
  title: string;
  steps: string[];
  cost: string;
}

export type FindingKind = "immutable-field" | "renamed" | "removed-data" | "rolls-pods" | "moved-release";

/** One thing the upgrade would run into. */
export interface Finding {
  severity: Severity;
  kind: FindingKind;
  object: ObjectRef;
  /** For `renamed`: the object added in its place. For `moved-release`: the new owner. */
  renamedTo?: ObjectRef;
  /** JSON path of the changed field (`immutable-field`, `rolls-pods`). */
  path?: string;
  old?: unknown;
  new?: unknown;
  /** Leaf-level differences under `path`. */
  changes?: LeafChange[];
  /** The immutable-field entry that matched. */
  rule?: { id: string; source: Source; note: string };
  /** One or two sentences: what happens. */
  message: string;
  fixes: Fix[];
}

/** An object with the release that renders it. */
export interface OwnedObject {
  object: K8sObject;
  release?: string;
}

export interface CompareOptions {
  /** Immutable-field list to check against (default: IMMUTABLE_FIELDS). */
  fields?: readonly ImmutableField[];
  /** Minimum similarity (0..1) for a removed and an added object to count as one renamed. Default 0.6. */
  renameThreshold?: number;
}

const HOOK = "helm.sh/hook";
const KEEP = "helm.sh/resource-policy";

/** API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `""`. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** The matching key: group, kind, namespace, name. */
export function objectKey(o: K8sObject): string {
  return `${apiGroup(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function ref(o: OwnedObject): ObjectRef {
  const r: ObjectRef = { apiVersion: o.object.apiVersion, kind: o.object.kind, name: o.object.metadata.name };
  if (o.object.metadata.namespace) r.namespace = o.object.metadata.namespace;
  if (o.release) r.release = o.release;
  return r;
}

/** `StatefulSet media/sonarr` style name for messages. */
export function describe(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

function isHook(o: K8sObject): boolean {
  return Boolean(o.metadata.annotations?.[HOOK]);
}

function ns(o: K8sObject): string {
  return o.metadata.namespace ? ` -n ${o.metadata.namespace}` : "";
}

// ---------------------------------------------------------------------------------------------
// Immutable fields

function conditionHolds(c: Condition, oldObj: K8sObject, newObj: K8sObject): boolean {
  switch (c) {
    case "oldImmutableTrue":
      return oldObj.immutable === true;
    case "notExternalName":
      return getAt(oldObj, ["spec", "type"]) !== "ExternalName" && getAt(newObj, ["spec", "type"]) !== "ExternalName";
    case "bothLoadBalancer":
      return getAt(oldObj, ["spec", "type"]) === "LoadBalancer" && getAt(newObj, ["spec", "type"]) === "LoadBalancer";
  }
}

function prepare(o: K8sObject, how: ImmutableField["prepare"]): unknown {
  if (how === "secretData") {
    const data: Record<string, unknown> = { ...(isRecord(o.data) ? o.data : {}) };
    if (isRecord(o.stringData)) {
      for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    }
    return { ...o, data, stringData: undefined };
  }
  if (how === "claimTemplates") {
    const vcts = getAt(o, ["spec", "volumeClaimTemplates"]);
    if (!Array.isArray(vcts)) return o;
    const cleaned = vcts.map((t: unknown) => {
      if (!isRecord(t)) return t;
      const { apiVersion: _a, kind: _k, status: _s, ...rest } = t;
      const spec = isRecord(rest.spec) ? rest.spec : {};
      return { ...rest, spec: { volumeMode: "Filesystem", ...spec } };
    });
    return { ...o, spec: { ...(o.spec as Record<string, unknown>), volumeClaimTemplates: cleaned } };
  }
  return o;
}

/** Checks one immutable-field entry on a matched pair. */
export function checkField(field: ImmutableField, oldObj: K8sObject, newObj: K8sObject): { severity: Severity; path: Segment[]; old: unknown; new: unknown; changes: LeafChange[] }[] {
  if (field.when?.some((c) => !conditionHolds(c, oldObj, newObj))) return [];
  const a = prepare(oldObj, field.prepare);
  const b = prepare(newObj, field.prepare);
  const out: ReturnType<typeof checkField> = [];
  for (const path of expandPath(parsePath(field.path), a, b)) {
    let x = getAt(a, path);
    let y = getAt(b, path);
    if (field.default !== undefined) {
      if (isEmpty(x)) x = field.default;
      if (isEmpty(y)) y = field.default;
    }
    for (const ex of field.except ?? []) {
      const rel = parsePath(ex);
      x = withoutPath(x, rel);
      y = withoutPath(y, rel);
    }
    const mode = field.mode ?? "immutable";
    if (mode === "noDecrease") {
      const qx = parseQuantity(x);
      const qy = parseQuantity(y);
      if (qx !== undefined && qy !== undefined && qy < qx) {
        out.push({ severity: "error", path, old: x, new: y, changes: [{ path: formatPath(path), old: x, new: y }] });
      }
      continue;
    }
    if (mode === "noUnset") {
      if (!isEmpty(x) && isEmpty(y)) out.push({ severity: "error", path, old: x, new: undefined, changes: [{ path: formatPath(path), old: x, new: undefined }] });
      continue;
    }
    const changes = leafChanges(x, y, path);
    if (changes.length === 0) continue;
    let severity: Severity = "error";
    if (isEmpty(x) && !isEmpty(y) && field.onAdd) {
      if (field.onAdd === "allowed") continue;
      severity = "warning";
    } else if (!isEmpty(x) && isEmpty(y) && field.onRemove) {
      if (field.onRemove === "allowed") continue;
      severity = "warning";
    }
    if (field.except) {
      // "Everything but" entries: one finding per changed top-level key, so the path names it.
      const byKey = new Map<string, LeafChange[]>();
      for (const c of changes) {
        const key = c.path.slice(formatPath(path).length).replace(/^\./, "").split(/[.[]/)[0];
        byKey.set(key, [...(byKey.get(key) ?? []), c]);
      }
      for (const [key, cs] of byKey) {
        const sub = [...path, key];
        out.push({ severity, path: sub, old: getAt(x, [key]), new: getAt(y, [key]), changes: cs });
      }
    } else {
      out.push({ severity, path, old: isEmpty(x) ? undefined : x, new: isEmpty(y) ? undefined : y, changes });
    }
  }
  return out;
}

/**
 * The Helm / Flux "force" escape hatch. Sources: helm/helm pkg/kube/client.go `Client.Update`
 * (Helm 4: force replace is a PUT via replaceResource, and "cannot use server-side apply and force
 * replace together"), pkg/cmd/upgrade.go (`--force-replace`, `--force` deprecated, `--server-side`
 * true|false|auto), and the helm-controller CRD (`spec.upgrade.force` "is ignored for server-side
 * apply"; `spec.upgrade.serverSideApply` enabled|disabled|auto).
 */
const FORCE_FIX: Fix = {
  title: "Helm / Flux force (replace instead of patch)",
  steps: [
    "Flux: set `spec.upgrade.force: true` AND `spec.upgrade.serverSideApply: disabled` on the HelmRelease for one reconcile, then remove both (helm-controller ignores force under server-side apply, its default with Helm 4).",
    "Helm 4: `helm upgrade --force-replace --server-side=false` (Helm 4 refuses --force-replace with server-side apply). Helm 3: `helm upgrade --force`.",
  ],
  cost:
    "Replaces every object of the release with a PUT and switches the release to client-side apply for that upgrade. A PUT is validated like any update, so on its own it does NOT get past an immutable field " +
    "(helm/helm#7173, #7082); Helm 3's --force also fails on every Service with an allocated clusterIP. Only useful after deleting the object (see the delete fix).",
};

function deleteFix(o: OwnedObject): Fix {
  const obj = o.object;
  const name = obj.metadata.name;
  const kind = obj.kind;
  const release = o.release?.split("/");
  const reconcile = release
    ? `flux reconcile helmrelease ${release[1]} -n ${release[0]} --force  # Flux re-creates it from the chart`
    : "flux reconcile helmrelease <release> -n <namespace> --force  # Flux re-creates it from the chart";
  const del = (extra = "") => `kubectl${ns(obj)} delete ${kind.toLowerCase()} ${name}${extra}`;
  switch (kind) {
    case "StatefulSet":
      return {
        title: "Delete the StatefulSet but keep its pods and PVCs, let Flux re-create it",
        steps: [del(" --cascade=orphan"), reconcile],
        cost:
          "No data loss: PVCs are never deleted with the StatefulSet (unless persistentVolumeClaimRetentionPolicy.whenDeleted: Delete). No downtime while the selector is unchanged: the new StatefulSet adopts the running pods. " +
          "If the selector changed, the orphaned pods are not adopted: delete them by hand (downtime per pod). New claim templates apply only to PVCs created afterwards.",
      };
    case "Deployment":
    case "DaemonSet":
    case "ReplicaSet":
      return {
        title: `Delete the ${kind} but keep its pods, let Flux re-create it`,
        steps: [del(" --cascade=orphan"), reconcile, `kubectl${ns(obj)} delete replicaset,pod -l <old selector>  # after the new pods are ready`],
        cost: "Old and new pods run side by side until the orphans are deleted (double capacity, or a short outage for ReadWriteOnce volumes).",
      };
    case "PersistentVolumeClaim":
      return {
        title: "Delete and re-create the claim, keeping its volume",
        steps: [
          `kubectl patch pv $(kubectl${ns(obj)} get pvc ${name} -o jsonpath='{.spec.volumeName}') -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'  # FIRST, or the data is deleted`,
          "scale every consumer of the claim to 0",
          del(),
          `kubectl patch pv <that pv> --type json -p '[{"op":"remove","path":"/spec/claimRef"}]'  # make it Available again`,
          "set spec.volumeName: <that pv> in the chart so the new claim binds it",
          reconcile,
        ],
        cost: "Downtime of every consumer. DATA LOSS if the bound PV still has reclaimPolicy Delete when the claim is deleted (the default for dynamically provisioned volumes).",
      };
    case "PersistentVolume":
      return {
        title: "Delete and re-create the PersistentVolume",
        steps: ["scale every consumer of the bound claim to 0", `kubectl${ns(obj)} delete pvc <bound claim>  # the PV is only removed once unbound`, del(), reconcile],
        cost:
          "Downtime of every consumer; the claim must be re-created too (a claim whose PV disappears is Lost). Deleting a PV object does not touch the storage behind it for nfs/hostPath/local, " +
          "but a CSI volume with reclaimPolicy Delete is deleted with it: set Retain first.",
      };
    case "Job":
      return {
        title: "Delete the Job, let Flux re-create it",
        steps: [del(), reconcile],
        cost: "The Job runs again from the start.",
      };
    case "Service":
      return {
        title: "Delete the Service, let Flux re-create it",
        steps: [del(), reconcile],
        cost: "Short outage for clients; a new clusterIP (and LoadBalancer IP, unless pinned) is allocated, so anything that cached the old IP breaks.",
      };
    case "ConfigMap":
    case "Secret":
      return {
        title: `Delete the ${kind}, let Flux re-create it`,
        steps: [del(), reconcile],
        cost: "Pods that start while it is missing fail; running pods keep the old content until restarted.",
      };
    case "StorageClass":
      return {
        title: "Delete the StorageClass, let Flux re-create it",
        steps: [del(), reconcile],
        cost: "Safe for existing volumes (bound PVs never re-read their class); claims created in between stay Pending until it is back.",
      };
    default:
      return {
        title: `Delete the ${kind}, let Flux re-create it`,
        steps: [del(), reconcile],
        cost: "The object is missing for a moment (for a binding: its permissions are revoked until it is back).",
      };
  }
}

function renameFix(o: OwnedObject): Fix {
  const obj = o.object;
  const name = obj.metadata.name;
  switch (obj.kind) {
    case "StatefulSet": {
      const vcts = (getAt(obj, ["spec", "volumeClaimTemplates"]) as { metadata?: { name?: string } }[] | undefined) ?? [];
      const claims = vcts.map((t) => t.metadata?.name ?? "?");
      return {
        title: `Rename the StatefulSet (e.g. ${name}-v2)`,
        steps: [
          "give it a new name in the chart; Helm creates the new StatefulSet and deletes the old one in the same upgrade",
          ...(claims.length
            ? [
                `the new pods get new, empty claims (${claims.map((c) => `${c}-${name}-v2-<ordinal>`).join(", ")}); the old ones (${claims.map((c) => `${c}-${name}-<ordinal>`).join(", ")}) are kept but unused`,
                "migrate data: scale the old StatefulSet to 0, copy each old claim into the new one with a Job mounting both (rsync -a), or pre-create the new claims bound to the old PVs (set the PVs to Retain, delete the old claims, clear claimRef, create claims with the new names and spec.volumeName)",
              ]
            : []),
          "update everything that refers to the old name (Services, NetworkPolicies, peers' DNS names <pod>.<serviceName>)",
        ],
        cost: claims.length ? "Downtime while data is copied; the pods' DNS names change." : "Pods are replaced; their DNS names change.",
      };
    }
    case "PersistentVolumeClaim":
      return {
        title: `Rename the claim (e.g. ${name}-v2)`,
        steps: [
          "give it a new name in the chart and point the consumers' claimName at it; Helm creates it and deletes the old one",
          "the new claim gets a new, empty volume: copy the data first (a Job mounting both claims, rsync -a), or bind the new claim to the old PV (set the PV to Retain, clear its claimRef, set spec.volumeName on the new claim)",
          `add the annotation ${KEEP}: keep to the old claim for the upgrade, so Helm does not delete it before the copy is verified`,
        ],
        cost: "Downtime while the data is copied; without Retain or the keep annotation, the old data is deleted with the old claim.",
      };
    case "PersistentVolume":
      return {
        title: `Rename the PV and its claim together (e.g. ${name}-v2)`,
        steps: [
          "create the PV under a new name with the new source, and its claim under a new name with spec.volumeName set to it (a bound claim's volumeName is immutable)",
          "point the consumers' claimName at the new claim; Helm deletes the old PV and claim",
          "keep persistentVolumeReclaimPolicy: Retain on the old PV so deleting it never touches the data",
        ],
        cost: "Consumers restart (pod template change); the data stays on the storage backend.",
      };
    case "ConfigMap":
    case "Secret":
      return {
        title: `Rename the ${obj.kind} with a content-hash suffix (e.g. ${name}-<sha256 of data, 8 chars>)`,
        steps: ["name it after its content so every content change is a new object, and reference the new name from the pods"],
        cost: "Pods that use it restart (their template changes); that is the intended pattern for immutable ConfigMaps and Secrets.",
      };
    default:
      return {
        title: `Rename the ${obj.kind} (e.g. ${name}-v2)`,
        steps: ["give it a new name in the chart; Helm creates the new object and deletes the old one in the same upgrade", "update everything that refers to it by name"],
        cost: obj.kind === "Job" ? "The Job runs again under the new name." : "The old and new object are briefly both present, or briefly both absent.",
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Data holders, renames

/** Whether deleting this object can lose data (PVC, StatefulSet with claim templates, PV with Retain). */
export function holdsData(o: K8sObject): boolean {
  if (o.kind === "PersistentVolumeClaim" && apiGroup(o.apiVersion) === "") return true;
  if (o.kind === "StatefulSet") {
    const v = getAt(o, ["spec", "volumeClaimTemplates"]);
    return Array.isArray(v) && v.length > 0;
  }
  if (o.kind === "PersistentVolume") return reclaimPolicy(o) === "Retain";
  return false;
}

function reclaimPolicy(pv: K8sObject): string {
  // Statically created PVs default to Retain; dynamically provisioned ones get their class's policy.
  return (getAt(pv, ["spec", "persistentVolumeReclaimPolicy"]) as string | undefined) ?? "Retain";
}

function pvSource(pv: K8sObject): { type: string; where: string } | undefined {
  for (const src of PV_SOURCES) {
    const v = getAt(pv, ["spec", src]);
    if (!isRecord(v)) continue;
    const where =
      src === "nfs" ? `${String(v.server)}:${String(v.path)}` : src === "csi" ? `${String(v.driver)} ${String(v.volumeHandle)}` : brief(v, 60);
    return { type: src, where };
  }
  return undefined;
}

/**
 * Flattens an object to `path=value` leaves for similarity, with the object's own name replaced
 * by a placeholder (so `claimRef.name: <self>` or a label carrying the name still match).
 */
function fingerprint(o: K8sObject): Set<string> {
  const self = o.metadata.name;
  const out = new Set<string>();
  const walk = (v: unknown, at: string) => {
    if (isEmpty(v)) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${at}[${i}]`));
    if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
      return;
    }
    const s = typeof v === "string" ? v.split(self).join("\u0000") : JSON.stringify(v);
    out.add(`${at}=${s}`);
  };
  const { name: _n, namespace: _ns, uid: _u, resourceVersion: _r, ...meta } = o.metadata;
  walk({ ...o, metadata: meta }, "");
  return out;
}

/** Similarity of two objects of the same kind: Jaccard index of their fingerprints (0..1). */
export function similarity(a: K8sObject, b: K8sObject): number {
  const fa = fingerprint(a);
  const fb = fingerprint(b);
  let common = 0;
  for (const x of fa) if (fb.has(x)) common++;
  const union = fa.size + fb.size - common;
  return union === 0 ? 1 : common / union;
}

interface Rename {
  from: OwnedObject;
  to: OwnedObject;
  score: number;
}

function pairRenames(removed: OwnedObject[], added: OwnedObject[], threshold: number): Rename[] {
  const bucket = (o: OwnedObject) => `${apiGroup(o.object.apiVersion)}/${o.object.kind}/${o.object.metadata.namespace ?? ""}`;
  const candidates: Rename[] = [];
  for (const r of removed) {
    for (const a of added) {
      if (bucket(r) !== bucket(a)) continue;
      const score = similarity(r.object, a.object);
      if (score >= threshold) candidates.push({ from: r, to: a, score });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  const used = new Set<OwnedObject>();
  const out: Rename[] = [];
  for (const c of candidates) {
    if (used.has(c.from) || used.has(c.to)) continue;
    used.add(c.from);
    used.add(c.to);
    out.push(c);
  }
  return out;
}

function renameFinding(rn: Rename, renames: Rename[]): Finding {
  const from = rn.from.object;
  const to = rn.to.object;
  const base = { kind: "renamed" as const, object: ref(rn.from), renamedTo: ref(rn.to) };
  const pct = `${Math.round(rn.score * 100)}% alike`;
  const kept = from.metadata.annotations?.[KEEP] === "keep";
  const renamedName = (kind: string, oldName: unknown, newName: unknown) =>
    renames.some((r) => r.from.object.kind === kind && r.from.object.metadata.name === oldName && r.to.object.metadata.name === newName);

  if (from.kind === "PersistentVolume") {
    const src = pvSource(to);
    const policy = reclaimPolicy(from);
    const claimOld = getAt(from, ["spec", "claimRef", "name"]);
    const claimNew = getAt(to, ["spec", "claimRef", "name"]);
    const claimFollows = claimOld === undefined || renamedName("PersistentVolumeClaim", claimOld, claimNew);
    if (policy === "Retain" && src && src.type !== "csi" && claimFollows) {
      return {
        ...base,
        severity: "info",
        message: `${describe(ref(rn.from))} is replaced by ${describe(ref(rn.to))} (${pct}). Its data lives outside the cluster (${src.type} ${src.where}) and the reclaim policy is Retain, so deleting the old PV object touches no data${claimOld !== undefined ? "; its claim is renamed with it" : ""}.`,
        fixes: [],
      };
    }
    return {
      ...base,
      severity: "warning",
      message: `${describe(ref(rn.from))} is deleted and ${describe(ref(rn.to))} created (${pct}). Reclaim policy ${policy}${src ? `, source ${src.type} ${src.where}` : ""}${claimFollows ? "" : `; its claim ${String(claimOld)} is not renamed with it and becomes Lost`}.`,
      fixes: [renameFix(rn.from)],
    };
  }
  if (from.kind === "PersistentVolumeClaim") {
    const volOld = getAt(from, ["spec", "volumeName"]);
    const volNew = getAt(to, ["spec", "volumeName"]);
    if (volNew !== undefined && volOld !== undefined && renamedName("PersistentVolume", volOld, volNew)) {
      return {
        ...base,
        severity: "info",
        message: `${describe(ref(rn.from))} is replaced by ${describe(ref(rn.to))} (${pct}), statically bound to PV ${String(volNew)}, which is renamed from ${String(volOld)} in the same change: the claim carries no data of its own. Consumers must use the new claimName.`,
        fixes: [],
      };
    }
    if (volNew !== undefined && volNew === volOld) {
      return {
        ...base,
        severity: "warning",
        message: `${describe(ref(rn.from))} is replaced by ${describe(ref(rn.to))} (${pct}), both naming PV ${String(volNew)}. The new claim can only bind once the old one is deleted AND the PV's claimRef is cleared; with reclaimPolicy Delete, deleting the old claim deletes the data.`,
        fixes: [renameFix(rn.from)],
      };
    }
    return {
      ...base,
      severity: "warning",
      message: `${describe(ref(rn.from))} is deleted and ${describe(ref(rn.to))} created (${pct}): the new claim gets a new, EMPTY volume and ${kept ? `the old one is kept (${KEEP}: keep) but no longer used` : "the old claim's data is deleted with it when its StorageClass reclaims with Delete (the default)"}.`,
      fixes: [renameFix(rn.from)],
    };
  }
  if (holdsData(from)) {
    return {
      ...base,
      severity: "warning",
      message: `${describe(ref(rn.from))} is deleted and ${describe(ref(rn.to))} created (${pct}): the new pods get new, EMPTY claims from the claim templates; the old claims stay behind unused.`,
      fixes: [renameFix(rn.from)],
    };
  }
  return {
    ...base,
    severity: "info",
    message: `${describe(ref(rn.from))} is deleted and ${describe(ref(rn.to))} created (${pct}); it holds no data.`,
    fixes: [],
  };
}

function removedFinding(o: OwnedObject): Finding {
  const obj = o.object;
  const kept = obj.metadata.annotations?.[KEEP] === "keep";
  const what =
    obj.kind === "StatefulSet"
      ? "its pods are deleted; its claims are kept unless persistentVolumeClaimRetentionPolicy.whenDeleted is Delete"
      : obj.kind === "PersistentVolume"
        ? "the PV object is deleted once unbound (the storage behind an nfs/hostPath PV is untouched)"
        : "its volume is reclaimed per its reclaim policy: with Delete (the default for dynamic provisioning) the DATA IS DELETED";
  return {
    severity: kept ? "info" : "warning",
    kind: "removed-data",
    object: ref(o),
    message: kept
      ? `${describe(ref(o))} is no longer rendered; it carries ${KEEP}: keep, so Helm leaves it in place (orphaned).`
      : `${describe(ref(o))} is no longer rendered, so Helm deletes it: ${what}.`,
    fixes: kept
      ? []
      : [
          {
            title: `Keep it: annotate ${KEEP}: keep before removing it from the chart`,
            steps: [`first ship the annotation ${KEEP}: keep on it, then remove it in a later change`],
            cost: "The object stays as an orphan outside the release; delete it by hand when the data is no longer needed.",
          },
        ],
  };
}

// ---------------------------------------------------------------------------------------------
// StatefulSet rolls

function rollFinding(oldO: OwnedObject, newO: OwnedObject): Finding | undefined {
  const a = getAt(oldO.object, ["spec", "template"]);
  const b = getAt(newO.object, ["spec", "template"]);
  const changes = leafChanges(a, b, ["spec", "template"], 20);
  if (changes.length === 0) return undefined;
  const strategy = (getAt(newO.object, ["spec", "updateStrategy", "type"]) as string | undefined) ?? "RollingUpdate";
  const replicas = (getAt(newO.object, ["spec", "replicas"]) as number | undefined) ?? 1;
  const partition = getAt(newO.object, ["spec", "updateStrategy", "rollingUpdate", "partition"]) as number | undefined;
  const onDelete = strategy === "OnDelete";
  const how = onDelete
    ? "updateStrategy OnDelete: no pod changes until each is deleted by hand"
    : `all ${replicas} pod(s) are replaced one at a time, highest ordinal first${partition ? `, only ordinals >= ${partition} (partition)` : ""}; each is down while it restarts and re-attaches its volumes`;
  return {
    severity: onDelete ? "info" : "warning",
    kind: "rolls-pods",
    object: ref(newO),
    path: "spec.template",
    changes,
    message: `${describe(ref(newO))}: spec.template changes (${changes.length}${changes.length === 20 ? "+" : ""} field(s)); Kubernetes accepts it, and ${how}.`,
    fixes: [],
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Compares two renders (objects with their owning release, if known) and returns every finding,
 * errors first.
 */
export function compareOwned(before: OwnedObject[], after: OwnedObject[], opts: CompareOptions = {}): Finding[] {
  const fields = opts.fields ?? IMMUTABLE_FIELDS;
  const index = (list: OwnedObject[]) => {
    const m = new Map<string, OwnedObject>();
    for (const o of list) if (!isHook(o.object) && !m.has(objectKey(o.object))) m.set(objectKey(o.object), o);
    return m;
  };
  const oldMap = index(before);
  const newMap = index(after);
  const findings: Finding[] = [];

  for (const [key, oldO] of oldMap) {
    const newO = newMap.get(key);
    if (!newO) continue;
    const group = apiGroup(oldO.object.apiVersion);
    for (const field of fields) {
      if (field.group !== group || field.kind !== oldO.object.kind) continue;
      for (const hit of checkField(field, oldO.object, newO.object)) {
        const path = formatPath(hit.path);
        const obj = ref(newO);
        findings.push({
          severity: hit.severity,
          kind: "immutable-field",
          object: obj,
          path,
          old: hit.old,
          new: hit.new,
          changes: hit.changes,
          rule: { id: field.id, source: field.source, note: field.note },
          message:
            hit.severity === "error"
              ? `${describe(obj)}: ${path} cannot be changed in place (${brief(hit.old, 60)} -> ${brief(hit.new, 60)}); the Helm upgrade fails and Flux retries it forever.`
              : `${describe(obj)}: ${path} goes ${brief(hit.old, 60)} -> ${brief(hit.new, 60)}; this passes only if it matches what the API server already holds. ${field.note}`,
          fixes: hit.severity === "error" ? [renameFix(newO), deleteFix(newO), FORCE_FIX] : [],
        });
      }
    }
    if (oldO.object.kind === "StatefulSet" && group === "apps") {
      const roll = rollFinding(oldO, newO);
      if (roll) findings.push(roll);
    }
    if (oldO.release && newO.release && oldO.release !== newO.release) {
      findings.push({
        severity: "warning",
        kind: "moved-release",
        object: ref(oldO),
        renamedTo: ref(newO),
        message: `${describe(ref(oldO))} moves from HelmRelease ${oldO.release} to ${newO.release}: Helm will not adopt an object another release owns (invalid ownership metadata), and the old release deletes it${holdsData(oldO.object) ? " — with its data" : ""}.`,
        fixes: [
          {
            title: "Hand it over explicitly",
            steps: [
              `annotate it ${KEEP}: keep in the old release first, then relabel it (meta.helm.sh/release-name, meta.helm.sh/release-namespace) for the new release`,
            ],
            cost: "Two changes instead of one; no downtime.",
          },
        ],
      });
    }
  }

  const removed = [...oldMap].filter(([k]) => !newMap.has(k)).map(([, o]) => o);
  const added = [...newMap].filter(([k]) => !oldMap.has(k)).map(([, o]) => o);
  const renames = pairRenames(removed, added, opts.renameThreshold ?? 0.6);
  const renamedFrom = new Set(renames.map((r) => r.from));
  for (const rn of renames) findings.push(renameFinding(rn, renames));
  for (const o of removed) if (!renamedFrom.has(o) && holdsData(o.object)) findings.push(removedFinding(o));

  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((x, y) => rank[x.severity] - rank[y.severity]);
}

/** Compares two plain object lists (no release information). */
export function compareObjects(before: K8sObject[], after: K8sObject[], opts: CompareOptions = {}): Finding[] {
  return compareOwned(
    before.map((object) => ({ object })),
    after.map((object) => ({ object })),
    opts,
  );
}

/** Compares two renders of one environment, release by release output flattened. */
export function compareReleases(before: RenderedRelease[], after: RenderedRelease[], opts: CompareOptions = {}): Finding[] {
  const own = (rs: RenderedRelease[]) => rs.flatMap((r) => r.objects.map((object) => ({ object, release: `${r.namespace}/${r.release}` })));
  return compareOwned(own(before), own(after), opts);
}

/** Counts per severity. */
export function summarize(findings: readonly Finding[]): Record<Severity, number> {
  const s: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/** Whether any finding is at `error` severity. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

/** Findings of one environment, as check.ts returns them. */
export interface EnvFindings {
  env: string;
  /** Set when the environment could not be compared (new, removed). */
  skipped?: string;
  findings: Finding[];
}

/** Readable text report: `ERROR - ...` / `WARN - ...` / `INFO - ...` blocks and a summary line. */
export function formatText(results: readonly EnvFindings[]): string {
  const lines: string[] = [];
  const tag: Record<Severity, string> = { error: "ERROR", warning: "WARN", info: "INFO" };
  for (const r of results) {
    if (r.skipped) {
      lines.push(`INFO - [${r.env}] ${r.skipped}`);
      continue;
    }
    for (const f of r.findings) {
      lines.push(`${tag[f.severity]} - [${r.env}] ${f.message}`);
      if (f.object.release) lines.push(`    release: ${f.object.release}`);
      if (f.kind === "immutable-field") {
        lines.push(`    path: ${f.path}`);
        lines.push(`    old:  ${brief(f.old, 200)}`);
        lines.push(`    new:  ${brief(f.new, 200)}`);
      }
      if (f.changes && (f.kind !== "immutable-field" || f.changes.length > 1 || f.changes[0]?.path !== f.path)) {
        for (const c of f.changes.slice(0, 8)) lines.push(`      ${c.path}: ${brief(c.old, 70)} -> ${brief(c.new, 70)}`);
        if (f.changes.length > 8) lines.push(`      … ${f.changes.length - 8} more`);
      }
      if (f.rule) lines.push(`    why: ${f.rule.note} (kubernetes/kubernetes ${f.rule.source.file} ${f.rule.source.func})`);
      f.fixes.forEach((fix, i) => {
        lines.push(`    fix ${i + 1}: ${fix.title}`);
        for (const s of fix.steps) lines.push(`      - ${s}`);
        lines.push(`      cost: ${fix.cost}`);
      });
    }
  }
  const all = results.flatMap((r) => r.findings);
  const s = summarize(all);
  lines.push(`${s.error} error(s), ${s.warning} warning(s), ${s.info} info in ${results.length} environment(s)`);
  return lines.join("\n");
}

/** JSON report: `{ summary, environments: [{ env, skipped?, findings }] }`, pretty-printed. */
export function formatJson(results: readonly EnvFindings[]): string {
  const summary = summarize(results.flatMap((r) => r.findings));
  return JSON.stringify({ summary, environments: results }, (_k, v: unknown) => (v === undefined ? null : v), 2);
}
