/**
 * Environment-level lint: the Flux layer of clusters/<env>/ and the upstream releases.
 *
 * - every object against its CRD / Kubernetes schema (kubernetes-models, flux-cd models, our
 *   typed MetalLB and Longhorn CRDs), and every HelmRelease against this repo's closed
 *   HelmRelease schema (a misspelt field is an error, where the CRD would let it through);
 * - references: `dependsOn` names an existing HelmRelease; sourceRef, chart path and values files
 *   are resolved when the environment is loaded;
 * - upstream releases (a HelmRepository chart cannot be fetched offline): `spec.values` against
 *   the typed values schema, then the release's own cross-checks against the inventory.
 */
import { podSpecOf } from "../lib/k8s.ts";
import { checkFluxGraph } from "./flux-graph.ts";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Cluster } from "../../schema/cluster.ts";
import type { Environment, FluxObject, UpstreamRelease } from "../lib/flux.ts";
import { inRange } from "../lib/inventory.ts";
import { validateObject } from "../lib/k8s-validate.ts";
import { repoRoot } from "../lib/paths.ts";
import { validateLayers } from "../lib/values-validate.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { DATA_PATHS } from "./datapath.ts";
import { objectRef, type Finding, type Location } from "./types.ts";
import { lintAlerts } from "./alerts.ts";
import { checkLonghornRelease } from "./upstream/longhorn.ts";
import { yaml11Divergences } from "./yaml11.ts";

type UpstreamCheck = (u: UpstreamRelease, inventory: Cluster, locate: (path: readonly PathSegment[]) => Location) => Finding[];

/** Cross-checks per upstream chart, after its values passed their schema. */
const UPSTREAM_CHECKS: Record<string, UpstreamCheck> = {
  longhorn: (u, inventory, locate) => checkLonghornRelease(u.hr, inventory, locate),
  traefik: checkTraefik,
  metallb: () => [],
};

/**
 * Schema of an upstream chart's values, if this repo types it: `upstream-<chart>-<env>` when an
 * environment has stricter rules (homelab's Longhorn), else `upstream-<chart>`.
 */
export function upstreamSchema(chart: string, env?: string): string | undefined {
  const names = [...(env ? [`upstream-${chart}-${env}.schema.json`] : []), `upstream-${chart}.schema.json`];
  return names.map((n) => join(repoRoot, "schema", "generated", n)).find((p) => existsSync(p));
}

function at(o: { file: string; doc: FluxObject["doc"] }, path: readonly PathSegment[]): Location {
  return { file: o.file, ...o.doc.position(path) };
}

/** Findings about the Flux objects of an environment (upstream releases: lintUpstream). */
export async function lintFluxLayer(e: Environment, inventory: Cluster, root = repoRoot): Promise<Finding[]> {
  const findings: Finding[] = [];
  // the files as the cluster gets them: YAML 1.1 (tools/lint/yaml11.ts)
  for (const file of new Set(e.objects.map((o) => o.file))) {
    for (const err of yaml11Divergences(readFileSync(resolve(root, file), "utf8"), file, "clusters")) {
      findings.push({ severity: "error", location: { file: err.file, line: err.line, col: err.col }, message: err.detail });
    }
  }
  const hrSchema = join(repoRoot, "schema", "generated", "helmrelease.schema.json");
  for (const o of e.objects) {
    for (const msg of await validateObject(o.obj)) {
      const path = msg.split(":")[0].split(".").filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      findings.push({ severity: "error", object: objectRef(o.obj), location: at(o, path), message: msg });
    }
    const closed = SOURCE_SCHEMAS[o.obj.kind];
    if (closed && o.obj.apiVersion === "source.toolkit.fluxcd.io/v1") {
      // The flux-cd models miss the CRD's patterns (interval) and accept any field; the API
      // server would reject the first and prune the second (a pruned ref.branch tracks master).
      const schema = join(repoRoot, "schema", "generated", closed);
      for (const err of validateLayers(o.obj, [{ doc: o.doc, base: [], mount: [], value: o.obj }], schema)) {
        findings.push({ severity: "error", object: objectRef(o.obj), location: { file: err.file, line: err.line, col: err.col }, message: err.detail });
      }
    }
    if (o.obj.kind === "HelmRelease") {
      // spec.values are validated against the chart's own schema elsewhere; here the Flux fields.
      const { values, ...spec } = (o.obj.spec ?? {}) as Record<string, unknown>;
      void values;
      const stripped = { ...o.obj, spec: { ...spec, ...(values === undefined ? {} : { values: {} }) } };
      for (const err of validateLayers(stripped, [{ doc: o.doc, base: [], mount: [], value: stripped }], hrSchema)) {
        findings.push({ severity: "error", object: objectRef(o.obj), location: { file: err.file, line: err.line, col: err.col }, message: err.detail });
      }
      findings.push(...checkDependsOn(o, e));
    }
  }
  for (const file of e.unreferenced) {
    findings.push({
      severity: "error",
      location: { file, line: 1, col: 1 },
      message: `no kustomization.yaml or Flux Kustomization under clusters/${e.env}/ lists this file, so Flux never applies it. Fix: add it to the resources of its directory's kustomization.yaml, or delete it`,
    });
  }
  findings.push(...lintAlerts(e));
  findings.push(...checkMetallbPool(e, inventory));
  findings.push(...checkL2Pools(e));
  findings.push(...checkFluxGraph(e));
  return findings;
}

/** This repo's closed schemas of the Flux sources (schema/flux.ts). */
const SOURCE_SCHEMAS: Record<string, string> = { GitRepository: "gitrepository.schema.json", HelmRepository: "helmrepository.schema.json" };

/** Every pool an L2Advertisement names is an IPAddressPool of its namespace. */
function checkL2Pools(e: Environment): Finding[] {
  const out: Finding[] = [];
  for (const o of e.objects.filter((x) => x.obj.kind === "L2Advertisement")) {
    const ns = o.obj.metadata.namespace;
    const pools = e.objects.filter((x) => x.obj.kind === "IPAddressPool" && x.obj.metadata.namespace === ns).map((x) => x.obj.metadata.name);
    const names = (o.obj.spec as { ipAddressPools?: unknown } | undefined)?.ipAddressPools;
    if (!Array.isArray(names)) continue; // unset: every pool; not a list: reported by the CRD schema
    names.forEach((n, i) => {
      if (pools.includes(n)) return;
      out.push({
        severity: "error",
        object: objectRef(o.obj),
        location: at(o, ["spec", "ipAddressPools", i]),
        message: `ipAddressPools names ${n}, which is not an IPAddressPool of clusters/${e.env}/ in ${ns}, so MetalLB announces none of its addresses and LoadBalancer Services stay unreachable. Fix: use one of ${pools.join(", ") || "(none: add an IPAddressPool)"}`,
      });
    });
  }
  return out;
}

function checkDependsOn(o: FluxObject, e: Environment): Finding[] {
  const deps = ((o.obj.spec as { dependsOn?: { name: string; namespace?: string }[] })?.dependsOn ?? []);
  const out: Finding[] = [];
  deps.forEach((d, i) => {
    const ns = d.namespace ?? o.obj.metadata.namespace;
    const found = e.objects.some((x) => x.obj.kind === "HelmRelease" && x.obj.metadata.name === d.name && x.obj.metadata.namespace === ns);
    if (!found) {
      const known = e.objects.filter((x) => x.obj.kind === "HelmRelease").map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`);
      out.push({
        severity: "error",
        object: objectRef(o.obj),
        location: at(o, ["spec", "dependsOn", i]),
        message: `dependsOn ${ns}/${d.name} is not a HelmRelease of clusters/${e.env}/, so Flux would wait for it forever. Fix: use one of ${known.join(", ")}`,
      });
    }
  });
  return out;
}

/** Validates an upstream release's inline values and runs its cross-checks. */
export function lintUpstream(u: UpstreamRelease, inventory: Cluster): Finding[] {
  const schema = upstreamSchema(u.chart, u.env);
  const values = (u.hr.spec as { values?: unknown })?.values ?? {};
  if (!schema) {
    return [{ severity: "error", object: objectRef(u.hr), location: at(u, ["spec", "chart"]), message: `upstream chart ${u.chart} has no typed values in schema/upstream/, so a typo in its values would go unnoticed. Fix: add schema/upstream/${u.chart}.ts and list it in OTHER_SCHEMAS` }];
  }
  const errors = validateLayers(values, [{ doc: u.doc, base: ["spec", "values"], mount: [], value: values }], schema, ["spec", "values"]);
  if (errors.length > 0) {
    return errors.map((err) => ({ severity: "error" as const, object: objectRef(u.hr), location: { file: err.file, line: err.line, col: err.col }, message: err.detail }));
  }
  const check = UPSTREAM_CHECKS[u.chart];
  return check ? check(u, inventory, (path) => at(u, path)) : [];
}

/** Traefik declares exactly the entrypoints the inventory says. */
function checkTraefik(u: UpstreamRelease, inventory: Cluster, locate: (path: readonly PathSegment[]) => Location): Finding[] {
  const out: Finding[] = [];
  const values = (u.hr.spec as { values: { ports: Record<string, { expose?: { default?: boolean } } | null>} }).values;
  const declared = Object.entries(values.ports).filter(([name, p]) => p !== null && name !== "traefik").map(([name]) => name).sort();
  const wanted = [...inventory.traefik.entrypoints].sort();
  if (declared.join(",") !== wanted.join(",")) {
    out.push({
      severity: "error",
      object: objectRef(u.hr),
      location: locate(["spec", "values", "ports"]),
      message: `Traefik declares entrypoints ${declared.join(", ")} but values/${inventory.name}/cluster.yaml says this cluster's Traefik names them ${wanted.join(", ")}; Ingresses annotated with the inventory's names would not route. Fix: make spec.values.ports declare exactly ${wanted.join(", ")} (null the chart's web/websecure)`,
    });
  }
  // The Service address (metallb.io/loadBalancerIPs) is checked with every other fixed
  // LoadBalancer address of the environment: tools/lint/lan.ts.
  return out;
}

/** The IPAddressPool objects together hold exactly the inventory's addresses. */
function checkMetallbPool(e: Environment, inventory: Cluster): Finding[] {
  const pools = e.objects.filter((o) => o.obj.kind === "IPAddressPool");
  const addresses = pools.flatMap((o) => ((o.obj.spec as { addresses?: string[] })?.addresses ?? []));
  const want = inventory.metallb.addresses;
  if ([...addresses].sort().join(",") === [...want].sort().join(",")) return [];
  const o = pools[0];
  return [{
    severity: "error",
    object: o ? objectRef(o.obj) : undefined,
    location: o ? at(o, ["spec", "addresses"]) : undefined,
    message: `MetalLB pools hold ${addresses.join(", ") || "no addresses"} but values/${e.env}/cluster.yaml says metallb.addresses is ${want.join(", ")}. Fix: make the IPAddressPool addresses equal the inventory`,
  }];
}

/** A rendered release with the HelmRelease it came from. */
export interface RenderedProfile {
  profile: import("../lib/flux.ts").Profile;
  objects: import("../lib/render.ts").K8sObject[];
}

/**
 * Install order: a release that uses what another release provides must depend on it
 * (transitively), or Flux may install it first. Checked for the two orderings the cluster needs:
 * a PVC / volumeClaimTemplate's StorageClass (storage before anything with a PVC), and the DFS
 * FUSE mount (decypharr-streaming, the Bidirectional `/mnt` pod) before its consumers (hostPath
 * `/mnt/dfs`).
 */
export function checkInstallOrder(rendered: RenderedProfile[]): Finding[] {
  const key = (p: RenderedProfile["profile"]) => `${p.hrNamespace}/${p.name}`;
  const byKey = new Map(rendered.map((r) => [key(r.profile), r]));
  const deps = (r: RenderedProfile) =>
    (((r.profile.hr.spec as { dependsOn?: { name: string; namespace?: string }[] })?.dependsOn) ?? []).map((d) => `${d.namespace ?? r.profile.hrNamespace}/${d.name}`);
  const closure = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [...deps(byKey.get(start)!)];
    while (stack.length) {
      const k = stack.pop()!;
      if (seen.has(k)) continue;
      seen.add(k);
      const r = byKey.get(k);
      if (r) stack.push(...deps(r));
    }
    return seen;
  };
  type Pod = { volumes?: { hostPath?: { path: string } }[]; containers?: { volumeMounts?: { mountPropagation?: string; name: string }[] }[] };
  const pods = (objects: RenderedProfile["objects"]): Pod[] =>
    objects.flatMap((o) => {
      const p = podSpecOf(o) as Pod | undefined;
      return p ? [p] : [];
    });
  const providers = new Map<string, string>();
  for (const r of rendered) {
    for (const o of r.objects) if (o.kind === "StorageClass") providers.set(`StorageClass ${o.metadata.name}`, key(r.profile));
    // A claim one release creates and another mounts (the streaming library): the creator first.
    for (const o of r.objects) if (o.kind === "PersistentVolumeClaim") providers.set(`PersistentVolumeClaim ${o.metadata.namespace ?? r.profile.namespace}/${o.metadata.name}`, key(r.profile));
    for (const p of pods(r.objects)) {
      const bidir = (p.containers ?? []).some((c) => (c.volumeMounts ?? []).some((m) => m.mountPropagation === "Bidirectional"));
      if (bidir && (p.volumes ?? []).some((v) => v.hostPath?.path === DATA_PATHS.dfsParent)) providers.set("the DFS mount", key(r.profile));
    }
  }
  const out: Finding[] = [];
  for (const r of rendered) {
    const needs = new Set<string>();
    for (const o of r.objects) {
      const spec = o.spec as { storageClassName?: string; volumeClaimTemplates?: { spec?: { storageClassName?: string } }[] } | undefined;
      if (o.kind === "PersistentVolumeClaim" && spec?.storageClassName) needs.add(`StorageClass ${spec.storageClassName}`);
      for (const t of spec?.volumeClaimTemplates ?? []) if (t.spec?.storageClassName) needs.add(`StorageClass ${t.spec.storageClassName}`);
    }
    if (pods(r.objects).some((p) => (p.volumes ?? []).some((v) => v.hostPath?.path === DATA_PATHS.dfsParent))) needs.add("the DFS mount");
    for (const o of r.objects) {
      const spec = podSpecOf(o) as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined;
      for (const v of spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) needs.add(`PersistentVolumeClaim ${o.metadata.namespace ?? r.profile.namespace}/${v.persistentVolumeClaim.claimName}`);
    }
    const mine = key(r.profile);
    const before = closure(mine);
    for (const need of needs) {
      const provider = providers.get(need);
      if (!provider || provider === mine || before.has(provider)) continue;
      out.push({
        severity: "error",
        object: `HelmRelease/${mine}`,
        location: { file: r.profile.file, ...r.profile.doc.position(["spec", "dependsOn"]) },
        message: `uses ${need}, which HelmRelease ${provider} provides, but does not depend on it, so Flux may install it first (PVCs stay Pending, pods wait for a claim that does not exist yet, or consumers bind an empty DFS parent directory). Fix: add dependsOn: [{name: ${provider.split("/")[1]}, namespace: ${provider.split("/")[0]}}]`,
      });
    }
  }
  return out;
}
