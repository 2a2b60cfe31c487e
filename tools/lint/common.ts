/**
 * Rules every chart's rendered profile must follow, whatever the chart. They use the inventory
 * (values/<env>/cluster.yaml), the one source of node facts:
 * - every pod template can be placed on at least one inventory node (required node affinity,
 *   nodeSelector, NoSchedule/NoExecute taints), judged by the scheduling model;
 * - every IPv4 address in the values is one the inventory knows (a node, the Unraid server, the
 *   MetalLB pool), so a stale or mistyped address is caught before a PV points at it;
 * - a node name pinned in a pod (nodeName, kubernetes.io/hostname affinity) is an inventory node.
 */
import { longhornDefaultSettings } from "../lib/flux.ts";
import { podTemplateOf } from "../lib/k8s.ts";
import type { Cluster } from "../../schema/cluster.ts";
import type { K8sObject } from "../lib/render.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { filterNode, inventoryAllocatable, type FilterResult, type Node, type PodSpec } from "../scheduling/index.ts";
import { inRange } from "../lib/inventory.ts";
import { parseNodeSelector } from "./upstream/longhorn.ts";
import { checkPullPolicy } from "./images.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "./types.ts";

/** The pod template of a workload object, if it has one. */
export function podTemplate(o: K8sObject): { spec: PodSpec; labels: Record<string, string> } | undefined {
  const tpl = podTemplateOf(o);
  return tpl ? { spec: tpl.spec as unknown as PodSpec, labels: (tpl.metadata.labels as Record<string, string> | undefined) ?? {} } : undefined;
}

/** The inventory's nodes in the scheduling model's form. */
export function inventoryNodes(inventory: Cluster): (Node & { id: string })[] {
  return Object.entries(inventory.nodes).map(([id, n]) => ({ id, name: n.name, labels: { ...n.labels, "kubernetes.io/hostname": n.name }, taints: n.taints, allocatable: inventoryAllocatable(n) }));
}

/**
 * The scheduler's filter for a workload's pod template on each inventory node, computed once per
 * lint context and object: `schedulable` and `longhornReachable` both ask (twice the work at 200
 * apps; issue 18).
 */
const filtered = new WeakMap<LintContext, Map<K8sObject, { n: Node & { id: string }; r: FilterResult }[]>>();
function filterOnNodes(ctx: LintContext, o: K8sObject, tpl: { labels: Record<string, string>; spec: PodSpec }): { n: Node & { id: string }; r: FilterResult }[] {
  let perObject = filtered.get(ctx);
  if (!perObject) filtered.set(ctx, (perObject = new Map()));
  let results = perObject.get(o);
  if (!results) {
    results = inventoryNodes(ctx.inventory).map((n) => ({ n, r: filterNode({ name: o.metadata.name, namespace: o.metadata.namespace, labels: tpl.labels, spec: tpl.spec }, n) }));
    perObject.set(o, results);
  }
  return results;
}

/** Every workload must fit at least one inventory node. */
export const schedulable: ChartAssertion = (ctx) => {
  const out: Finding[] = [];
  for (const o of ctx.objects) {
    const tpl = podTemplate(o);
    if (!tpl) continue;
    if ((o.spec as { replicas?: number }).replicas === 0) continue;
    const results = filterOnNodes(ctx, o, tpl);
    if (results.some(({ r }) => r.ok)) continue;
    const why = results.map(({ n, r }) => `${n.id} (${n.name}): ${r.ok ? "ok" : r.rejections.map((x) => `${x.plugin}: ${x.reason}`).join("; ")}`).join(" | ");
    out.push({
      severity: "error",
      rule: "common/schedulable",
      object: objectRef(o),
      message: `can never schedule: no node of values/${ctx.env}/cluster.yaml satisfies its node affinity, nodeSelector and tolerations (${why}). Fix: correct the label/toleration in the chart values, or the node's labels/taints in the inventory`,
    });
  }
  return out;
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function walk(value: unknown, path: PathSegment[], visit: (v: unknown, path: PathSegment[]) => void): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}

/** Every IPv4 address in the values is a known one. */
export const knownAddresses: ChartAssertion = (ctx: LintContext) => {
  const inv = ctx.inventory;
  const known = new Map<string, string>([[inv.nfs.unraid.server, "the Unraid server"]]);
  for (const [id, n] of Object.entries(inv.nodes)) known.set(n.ip, `node ${id}`);
  if (inv.nfs.dfsExport) known.set(inv.nfs.dfsExport.address, "the DFS export address");
  const out: Finding[] = [];
  walk(ctx.values, [], (v, path) => {
    if (typeof v !== "string" || !IPV4.test(v)) return;
    if (known.has(v) || inv.metallb.addresses.some((r) => inRange(v, r))) return;
    out.push({
      severity: "error",
      rule: "common/known-addresses",
      location: ctx.locate(path),
      message: `${path.join(".")}: ${v} is not an address of values/${ctx.env}/cluster.yaml (nodes: ${Object.entries(inv.nodes).map(([id, n]) => `${id}=${n.ip}`).join(", ")}; Unraid: ${inv.nfs.unraid.server}; MetalLB: ${inv.metallb.addresses.join(", ")}). Fix: use the inventory's address, or add the machine to the inventory first`,
    });
  });
  return out;
};

/** Node names pinned by pods are inventory nodes. */
export const knownNodeNames: ChartAssertion = (ctx) => {
  const names = new Set(Object.values(ctx.inventory.nodes).map((n) => n.name));
  const out: Finding[] = [];
  for (const o of ctx.objects) {
    const tpl = podTemplate(o);
    if (!tpl) continue;
    const pinned: string[] = [];
    if (tpl.spec.nodeName) pinned.push(tpl.spec.nodeName);
    const terms = tpl.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    for (const t of terms) for (const e of t.matchExpressions ?? []) if (e.key === "kubernetes.io/hostname" && e.operator === "In") pinned.push(...(e.values ?? []));
    for (const n of pinned) {
      if (!names.has(n)) {
        out.push({ severity: "error", rule: "common/known-node-names", object: objectRef(o), message: `pins node ${JSON.stringify(n)}, which is not a node of values/${ctx.env}/cluster.yaml (${[...names].join(", ")}). Fix: refer to an inventory node` });
      }
    }
  }
  return out;
};

/** Claim names of a pod template that are Longhorn volumes (templates or PVC objects of the release). */
function longhornClaims(o: K8sObject, spec: PodSpec, objects: K8sObject[]): string[] {
  const isLonghorn = (sc: unknown) => typeof sc === "string" && sc.startsWith("longhorn");
  const out: string[] = [];
  for (const t of ((o.spec as { volumeClaimTemplates?: { metadata: { name: string }; spec?: { storageClassName?: string } }[] }).volumeClaimTemplates ?? [])) {
    if (isLonghorn(t.spec?.storageClassName)) out.push(t.metadata.name);
  }
  for (const v of ((spec as { volumes?: { persistentVolumeClaim?: { claimName: string } }[] }).volumes ?? [])) {
    const claim = v.persistentVolumeClaim?.claimName;
    const pvc = claim && objects.find((x) => x.kind === "PersistentVolumeClaim" && x.metadata.name === claim);
    if (pvc && isLonghorn((pvc.spec as { storageClassName?: string }).storageClassName)) out.push(claim);
  }
  return out;
}

/**
 * A pod with Longhorn volumes must only be able to run on nodes where Longhorn's CSI plugin runs:
 * kubelet calls the plugin on the pod's node to stage and publish the volume (longhorn-manager
 * csi/node_server.go), and the plugin DaemonSet gets the `system-managed-components-node-selector`
 * setting as its nodeSelector (longhorn-manager v1.12.1 app/driver.go -> csi/deployment.go
 * NewPluginDeployment). On any other node the pod stays ContainerCreating forever ("driver name
 * driver.longhorn.io not found in the list of registered CSI drivers"). So every node the pod can
 * schedule on must be selected; an error, not a warning (docs/decisions.md#longhorn-placement).
 */
export const longhornReachable: ChartAssertion = (ctx) => {
  const longhorn = longhornDefaultSettings(ctx.upstream);
  const selectorText = longhorn?.settings.systemManagedComponentsNodeSelector;
  if (typeof selectorText !== "string" || !selectorText) return [];
  const selector = parseNodeSelector(selectorText) ?? {};
  const out: Finding[] = [];
  for (const o of ctx.objects) {
    const tpl = podTemplate(o);
    if (!tpl) continue;
    const claims = longhornClaims(o, tpl.spec, ctx.objects);
    if (claims.length === 0) continue;
    const feasible = filterOnNodes(ctx, o, tpl).filter(({ r }) => r.ok).map(({ n }) => n);
    if (feasible.length === 0) continue; // reported by `schedulable`
    const unserved = feasible.filter((n) => !Object.entries(selector).every(([k, v]) => n.labels[k] === v));
    if (unserved.length === 0) continue;
    const ids = unserved.map((n) => n.id).join(", ");
    out.push({
      severity: "error",
      rule: "common/longhorn-reachable",
      object: objectRef(o),
      message: `mounts Longhorn volume(s) ${claims.join(", ")} and can run on ${ids}, where Longhorn's CSI plugin does not run (the Longhorn release's systemManagedComponentsNodeSelector is "${selectorText}"): the volume would never attach there and the pod would stay ContainerCreating. Fix: label ${ids} ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",")} in values/${ctx.env}/cluster.yaml and on the node (npm run runbook), or keep this workload off ${ids} with its node affinity`,
    });
  }
  return out;
};

export const assertions: ChartAssertion[] = [schedulable, knownAddresses, knownNodeNames, longhornReachable, checkPullPolicy];
