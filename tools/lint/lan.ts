/**
 * Fixed LoadBalancer addresses of an environment (PMS on the LAN, Traefik): every address is
 * requested with MetalLB's `metallb.io/loadBalancerIPs` annotation (not the deprecated
 * `spec.loadBalancerIP`, Kubernetes 1.24 deprecation; MetalLB docs "Requesting specific IPs":
 * https://metallb.universe.tf/usage/#requesting-specific-ips), lies in the inventory's MetalLB
 * pool (otherwise MetalLB never assigns it and the Service stays Pending) and is used by one
 * Service only (MetalLB shares an address only between Services that carry the same
 * `metallb.io/allow-shared-ip` key, which nothing here sets).
 *
 * Sources: rendered Services of the chart releases, and the Traefik HelmRelease's
 * `spec.values.service.annotations` (the upstream chart copies them onto its Service).
 */
import type { Cluster } from "../../schema/cluster.ts";
import type { UpstreamRelease } from "../lib/flux.ts";
import { inRange } from "../lib/inventory.ts";
import type { K8sObject } from "../lib/render.ts";
import { exportAddressProblems } from "../runbook/keepalived.ts";
import { objectRef, type Finding, type Location } from "./types.ts";

export const LB_ANNOTATION = "metallb.io/loadBalancerIPs";

/** One Service that asks for fixed addresses. */
export interface FixedAddress {
  address: string;
  /** `Service/ns/name` or the HelmRelease that renders the Service. */
  object: string;
  location?: Location;
}

function splitAddresses(v: unknown): string[] {
  return typeof v === "string" ? v.split(",").map((x) => x.trim()).filter(Boolean) : [];
}

/** Fixed addresses of rendered Services; `spec.loadBalancerIP` is reported as deprecated. */
export function renderedAddresses(objects: readonly K8sObject[]): { fixed: FixedAddress[]; findings: Finding[] } {
  const fixed: FixedAddress[] = [];
  const findings: Finding[] = [];
  for (const o of objects) {
    if (o.kind !== "Service") continue;
    const spec = (o.spec ?? {}) as { type?: string; loadBalancerIP?: string };
    if (spec.loadBalancerIP) {
      findings.push({
        severity: "error",
        rule: "lan/deprecated-loadbalancerip",
        object: objectRef(o),
        message: `sets spec.loadBalancerIP ${spec.loadBalancerIP}, deprecated since Kubernetes 1.24. Fix: annotate ${LB_ANNOTATION}: ${spec.loadBalancerIP} instead`,
      });
    }
    for (const address of splitAddresses(o.metadata.annotations?.[LB_ANNOTATION])) fixed.push({ address, object: objectRef(o) });
  }
  return { fixed, findings };
}

/** Fixed addresses the Traefik HelmRelease asks for (`spec.values.service.annotations`). */
export function upstreamAddresses(upstream: readonly UpstreamRelease[]): FixedAddress[] {
  const out: FixedAddress[] = [];
  for (const u of upstream) {
    if (u.chart !== "traefik") continue;
    const ann = ((u.hr.spec as { values?: { service?: { annotations?: Record<string, string> } } })?.values?.service?.annotations) ?? {};
    const path = ["spec", "values", "service", "annotations", LB_ANNOTATION];
    for (const address of splitAddresses(ann[LB_ANNOTATION])) out.push({ address, object: objectRef(u.hr), location: { file: u.file, ...u.doc.position(path) } });
  }
  return out;
}

/** In the pool, and used once per environment. */
export function checkFixedAddresses(inventory: Cluster, fixed: readonly FixedAddress[]): Finding[] {
  const out: Finding[] = [];
  const pool = inventory.metallb.addresses;
  const seen = new Map<string, FixedAddress>();
  for (const f of fixed) {
    if (!pool.some((r) => inRange(f.address, r))) {
      out.push({
        severity: "error",
        rule: "lan/address-in-pool",
        object: f.object,
        location: f.location,
        message: `${LB_ANNOTATION} ${f.address} is outside MetalLB's pool (${pool.join(", ")} in values/${inventory.name}/cluster.yaml metallb.addresses), so MetalLB never assigns it and the Service stays Pending. Fix: pick a free address from the pool`,
      });
    }
    const first = seen.get(f.address);
    if (first) {
      out.push({
        severity: "error",
        rule: "lan/address-unique",
        object: f.object,
        location: f.location,
        message: `${LB_ANNOTATION} ${f.address} is already requested by ${first.object}; MetalLB gives an address to one Service (no metallb.io/allow-shared-ip here), so one of them stays Pending. Fix: pick another free address from the pool (${pool.join(", ")})`,
      });
    } else seen.set(f.address, f);
  }
  return out;
}

/** The whole check for one environment, with the DFS export address (node subnet, outside the pool, no node's IP). */
export function checkLanAddresses(inventory: Cluster, upstream: readonly UpstreamRelease[], objects: readonly K8sObject[]): Finding[] {
  const r = renderedAddresses(objects);
  const dfs: Finding[] = exportAddressProblems(inventory).map((message) => ({ severity: "error", rule: "lan/dfs-export-address", message }));
  return [...r.findings, ...checkFixedAddresses(inventory, [...upstreamAddresses(upstream), ...r.fixed]), ...dfs];
}
