/**
 * Where Longhorn's own pods run, for the placement table of `npm run simulate`. longhorn-manager
 * creates the system-managed components at runtime, not the chart, so they are modelled from the
 * settings as longhorn-manager v1.12.1 computes them:
 * - longhorn-manager DaemonSet: the chart's `longhornManager.nodeSelector`/`tolerations`
 *   (chart templates/daemonset-sa.yaml);
 * - CSI plugin DaemonSet: nodeSelector = `system-managed-components-node-selector`, tolerations =
 *   `taint-toleration` (app/driver.go -> csi/deployment.go NewPluginDeployment);
 * - instance manager (one pod per Longhorn node) and engine image DaemonSet: the same two settings
 *   (controller/instance_manager_controller.go createInstanceManagerPod,
 *   controller/engine_image_controller.go createEngineImageDaemonSetSpec), and only on nodes where
 *   longhorn-manager runs (each node's manager owns its instance manager);
 * - share manager of an RWX volume: the system-managed selector with the StorageClass's
 *   `shareManagerNodeSelector` merged over it, tolerations `taint-toleration` plus the class's
 *   `shareManagerTolerations` (controller/share_manager_controller.go createShareManagerPod).
 * A DaemonSet pod lands on every node its selector and tolerations admit (NoSchedule/NoExecute
 * taints; the DaemonSet controller adds only the node-condition tolerations).
 */
import type { Environment } from "../lib/flux.ts";
import type { RenderedRelease } from "../lib/render.ts";
import { parseNodeSelector, parseTaintToleration } from "../lint/upstream/longhorn.ts";
import { tolerationsTolerateTaint, type Toleration } from "../scheduling/index.ts";
import type { SimNode, SimPod } from "./model.ts";

export interface LonghornComponentPlacement {
  /** Component name as Longhorn names its pods. */
  component: string;
  /** How longhorn-manager or the chart places it, with the source. */
  how: string;
  /** Node ids it runs on. */
  nodes: string[];
}

export interface LonghornPlacement {
  components: LonghornComponentPlacement[];
  /** Node ids where Longhorn's CSI plugin runs (a Longhorn volume can attach there). */
  csiNodes: string[];
}

type Obj = Record<string, any>;

const admits = (node: SimNode, selector: Record<string, string>, tolerations: Toleration[]) =>
  Object.entries(selector).every(([k, v]) => node.labels[k] === v) &&
  node.taints.filter((t) => t.effect !== "PreferNoSchedule").every((t) => tolerationsTolerateTaint(tolerations, t));

/** Longhorn's pods per node, from the Longhorn release values and the rendered StorageClasses. Null without a Longhorn release. */
export function longhornPlacement(flux: Environment, releases: readonly RenderedRelease[], nodes: readonly SimNode[]): LonghornPlacement | null {
  const hr = flux.upstream.find((u) => u.chart === "longhorn");
  if (!hr) return null;
  const values = ((hr.hr as Obj).spec?.values ?? {}) as Obj;
  const ds = (values.defaultSettings ?? {}) as Obj;
  const system = parseNodeSelector(String(ds.systemManagedComponentsNodeSelector ?? "")) ?? {};
  const systemTol = parseTaintToleration(String(ds.taintToleration ?? "")) ?? [];
  const on = (sel: Record<string, string>, tol: Toleration[], among: readonly SimNode[] = nodes) => among.filter((n) => admits(n, sel, tol)).map((n) => n.id);
  const comp = (key: string) => ({ sel: (values[key]?.nodeSelector ?? {}) as Record<string, string>, tol: (values[key]?.tolerations ?? []) as Toleration[] });
  const manager = comp("longhornManager");
  const managerNodes = on(manager.sel, manager.tol);
  const systemNodes = on(system, systemTol);
  const systemText = `system-managed-components-node-selector "${ds.systemManagedComponentsNodeSelector ?? ""}", taint-toleration "${ds.taintToleration ?? ""}"`;
  const components: LonghornComponentPlacement[] = [
    { component: "longhorn-manager (DaemonSet)", how: `longhornManager.nodeSelector ${JSON.stringify(manager.sel)}`, nodes: managerNodes },
    { component: "longhorn-csi-plugin (DaemonSet)", how: `${systemText} (longhorn-manager app/driver.go)`, nodes: systemNodes },
    { component: "instance-manager (pod per node)", how: `${systemText}, on nodes with a longhorn-manager (controller/instance_manager_controller.go)`, nodes: systemNodes.filter((id) => managerNodes.includes(id)) },
    { component: "engine-image (DaemonSet)", how: `${systemText} (controller/engine_image_controller.go)`, nodes: systemNodes },
  ];
  for (const r of releases) {
    for (const o of r.objects as Obj[]) {
      if (o.kind !== "StorageClass" || o.provisioner !== "driver.longhorn.io") continue;
      const own = parseNodeSelector(String(o.parameters?.shareManagerNodeSelector ?? "")) ?? {};
      const tol = [...systemTol, ...((() => { try { return JSON.parse(String(o.parameters?.shareManagerTolerations ?? "[]")) as Toleration[]; } catch { return []; } })())];
      const merged = { ...system, ...own };
      components.push({
        component: `share-manager (RWX volumes of StorageClass ${o.metadata.name})`,
        how: `system selector merged with shareManagerNodeSelector ${JSON.stringify(o.parameters?.shareManagerNodeSelector ?? null)} (controller/share_manager_controller.go)`,
        nodes: on(merged, tol).filter((id) => managerNodes.includes(id)),
      });
    }
  }
  return { components, csiNodes: systemNodes };
}

/** Pods placed on a node where Longhorn's CSI plugin does not run although they mount a Longhorn claim. */
export function longhornUnreachable(placement: LonghornPlacement, bound: readonly { pod: SimPod; node: SimNode }[]): string[] {
  const out: string[] = [];
  for (const b of bound) {
    const claims = b.pod.claims.filter((c) => (c.storageClassName ?? "").startsWith("longhorn"));
    if (claims.length === 0 || placement.csiNodes.includes(b.node.id)) continue;
    out.push(`${b.pod.name}: placed on ${b.node.id}, where Longhorn's CSI plugin does not run, but mounts Longhorn claim(s) ${claims.map((c) => c.claimName).join(", ")}: it would stay ContainerCreating`);
  }
  return out;
}
