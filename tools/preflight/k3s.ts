/**
 * k3s's packaged components in a live cluster, from `kubectl get ... -o json` dumps: the bundled
 * Traefik, ServiceLB (klipper-lb) and local-path storage must be disabled (`--disable
 * traefik,servicelb,local-storage`, runbook section "k3s server flags"), or they fight this
 * repository's Traefik and MetalLB releases and Longhorn's default StorageClass.
 *
 * Evidence, any of: the server node's `k3s.io/node-args` annotation (k3s writes the server's
 * arguments there; a component missing from its `--disable` values is enabled), the objects k3s
 * deploys for them (docs.k3s.io "Packaged Components": HelmChart kube-system/traefik and the
 * Deployment traefik in kube-system; DaemonSets `svclb-*` in kube-system for ServiceLB; the
 * StorageClass `local-path` / Deployment `local-path-provisioner`).
 */
import type { Finding } from "./compare.ts";

type Obj = { kind?: string; metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> }; provisioner?: string };

const FIX = "restart the k3s server with --disable traefik --disable servicelb --disable local-storage (npm run runbook, section \"k3s server flags\"); k3s then removes the packaged component";

export const COMPONENTS = {
  traefik: { what: "k3s's bundled Traefik (it would take ports 80/443 and the IngressClass from this repository's Traefik release)" },
  servicelb: { what: "k3s's ServiceLB (klipper-lb; it would answer LoadBalancer Services next to MetalLB)" },
  "local-storage": { what: "k3s's local-path provisioner and its default StorageClass local-path (a second default next to Longhorn's)" },
} as const;
export type Component = keyof typeof COMPONENTS;

function items(doc: unknown): Obj[] {
  const d = doc as { kind?: string; items?: unknown[] };
  return Array.isArray(d?.items) ? (d.items as Obj[]) : d && typeof d === "object" && d.kind ? [d as Obj] : [];
}

/** Which packaged components the dumps show enabled, with the evidence. */
export function bundledComponents(dumps: unknown[]): Map<Component, string> {
  const found = new Map<Component, string>();
  const all = dumps.flatMap(items);
  for (const o of all) {
    const ns = o.metadata?.namespace;
    const name = o.metadata?.name ?? "";
    const args = o.kind === "Node" ? o.metadata?.annotations?.["k3s.io/node-args"] : undefined;
    if (args) {
      let list: string[] = [];
      try {
        list = JSON.parse(args) as string[];
      } catch {
        list = [];
      }
      if (list[0] === "server") {
        const disabled = new Set<string>();
        list.forEach((a, i) => {
          if (a === "--disable" && list[i + 1]) list[i + 1].split(",").forEach((c) => disabled.add(c.trim()));
          else if (a.startsWith("--disable=")) a.slice(10).split(",").forEach((c) => disabled.add(c.trim()));
        });
        for (const c of Object.keys(COMPONENTS) as Component[]) {
          if (!disabled.has(c) && !found.has(c)) found.set(c, `node ${name}: k3s.io/node-args has no --disable ${c}`);
        }
      }
    }
    if (ns === "kube-system" && (o.kind === "HelmChart" || o.kind === "Deployment") && name === "traefik") found.set("traefik", `${o.kind} kube-system/traefik`);
    if (ns === "kube-system" && o.kind === "DaemonSet" && name.startsWith("svclb-")) found.set("servicelb", `DaemonSet kube-system/${name}`);
    if (o.kind === "StorageClass" && (name === "local-path" || o.provisioner === "rancher.io/local-path")) found.set("local-storage", `StorageClass ${name}`);
    if (ns === "kube-system" && o.kind === "Deployment" && name === "local-path-provisioner") found.set("local-storage", "Deployment kube-system/local-path-provisioner");
  }
  return found;
}

/** Preflight findings (errors) for the enabled packaged components. */
export function k3sFindings(dumps: unknown[]): Finding[] {
  return [...bundledComponents(dumps)].map(([c, evidence]) => ({
    severity: "error" as const,
    kind: "k3s-component" as Finding["kind"],
    node: "(cluster)",
    expected: `k3s --disable ${c}`,
    actual: `enabled (${evidence})`,
    fix: FIX,
    message: `${COMPONENTS[c].what} is enabled: ${evidence}`,
  }));
}
