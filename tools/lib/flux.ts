/**
 * Environments and profiles, discovered from the Flux objects in clusters/<env>/.
 *
 * An environment is a directory under clusters/. Its objects are what kustomize-controller would
 * apply: the resources of its kustomization.yaml (recursively), or every YAML file when there is
 * none (kustomize-controller generates a kustomization in that case). `patches` of a
 * kustomization.yaml, and of the kustomize Components it lists (clusters/<env>/components/
 * helmrelease-defaults: the install/upgrade strategy defaults, set once), that target HelmReleases
 * are applied to the matching HelmReleases.
 *
 * A profile is exactly what Flux would render for one HelmRelease of our charts: release name,
 * target namespace, chart path, values files in order, valuesFrom ConfigMaps/Secrets present in
 * the repo, and spec.values on top, with the merge rules of tools/lib/merge.ts.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { coalesce, isMap, mergeMaps, setPath, type Values } from "./merge.ts";
import type { HelmReleaseSpec, KustomizationSpec } from "../../schema/flux.ts";
import type { LonghornDefaultSettings } from "../../schema/upstream/longhorn.ts";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./render.ts";
import type { ValuesLayer } from "./values-validate.ts";
import { InputError, loadYamlFile, loadYamlStream, parseYaml, type SourceDoc } from "./yaml.ts";

/**
 * The spec of a HelmRelease or a Flux Kustomization, typed as schema/flux.ts types it (generated
 * from the Flux CRDs): tools read the fields through these instead of re-declaring them. The
 * objects passed lint's schema stage, so the fields have these types; every field is optional here
 * because a rule may run on an object that failed it (and then reports nothing of its own).
 */
export function helmReleaseSpec(o: K8sObject): Partial<HelmReleaseSpec> {
  return (o.spec ?? {}) as Partial<HelmReleaseSpec>;
}
/** `namespace/name` of each HelmRelease `hr` dependsOn; one without a namespace is in `namespace`, the HelmRelease's own. */
export function dependsOnIds(hr: K8sObject, namespace: string): string[] {
  return (helmReleaseSpec(hr).dependsOn ?? []).map((d) => `${d.namespace ?? namespace}/${d.name}`);
}
export function kustomizationSpec(o: K8sObject): Partial<KustomizationSpec> {
  return (o.spec ?? {}) as Partial<KustomizationSpec>;
}

/**
 * The environment's Longhorn release and its `spec.values.defaultSettings`: keys as
 * schema/upstream/longhorn.ts names them (a misspelt key in a tool is a type error), values
 * `unknown` because they are the operator's input that the rules judge. Undefined without a
 * Longhorn release.
 */
export function longhornDefaultSettings(upstream: readonly UpstreamRelease[]): { release: UpstreamRelease; settings: { [K in keyof LonghornDefaultSettings]?: unknown } } | undefined {
  const release = upstream.find((u) => u.chart === "longhorn");
  if (!release) return undefined;
  const values = helmReleaseSpec(release.hr).values as { defaultSettings?: unknown } | undefined;
  const ds = values?.defaultSettings;
  return { release, settings: (ds !== null && typeof ds === "object" ? ds : {}) as { [K in keyof LonghornDefaultSettings]?: unknown } };
}

/** One object found under clusters/<env>/, with its source document. */
export interface FluxObject {
  /** Repo-relative file. */
  file: string;
  doc: SourceDoc;
  obj: K8sObject;
  /**
   * `namespace/name` of the Flux Kustomization that applies it: the one whose path is the
   * environment directory (bootstrap's `flux-system`) for the objects of clusters/<env>/ itself.
   */
  appliedBy?: string;
}

/** What one HelmRelease of this repo's charts renders from. */
export interface Profile {
  env: string;
  /** Repo-relative path of the HelmRelease file. */
  file: string;
  /** The HelmRelease (with kustomization patches applied). */
  hr: K8sObject;
  doc: SourceDoc;
  /** metadata.name / metadata.namespace of the HelmRelease. */
  name: string;
  hrNamespace: string;
  /** Helm release name and target namespace, as helm-controller computes them. */
  release: string;
  namespace: string;
  /** Chart name (directory under charts/) and absolute chart directory. */
  chart: string;
  chartDir: string;
  /** valuesFiles layers (become the chart's values.yaml), then user layers (valuesFrom, spec.values). */
  defaultLayers: ValuesLayer[];
  userLayers: ValuesLayer[];
  /** Merged valuesFiles, merged user values, and Helm's coalesced result. */
  defaults: Values;
  user: Values;
  values: Values;
}

/**
 * A HelmRelease of an upstream chart (from a HelmRepository): the chart is fetched from the
 * repository or a mirror (tools/lib/charts.ts) and rendered like ours.
 */
export interface UpstreamRelease {
  env: string;
  file: string;
  hr: K8sObject;
  doc: SourceDoc;
  name: string;
  hrNamespace: string;
  /** Helm release name and target namespace, as helm-controller computes them. */
  release: string;
  namespace: string;
  chart: string;
  /** `HelmRepository/namespace/name` the chart comes from. */
  source: string;
  /** The HelmRepository's spec.url, and the HelmRelease's version range (`*` when unset, as source-controller). */
  repoUrl: string;
  version: string;
  /** valuesFrom and spec.values, in order, and their merge (the user values helm-controller passes). */
  userLayers: ValuesLayer[];
  user: Values;
}

export interface Environment {
  env: string;
  objects: FluxObject[];
  /** YAML files under clusters/<env>/ that no kustomization (or Flux Kustomization) applies. */
  unreferenced: string[];
  profiles: Profile[];
  upstream: UpstreamRelease[];
}

/** Environment names: the directories under clusters/. */
export function listEnvironments(root = repoRoot): string[] {
  const dir = join(root, "clusters");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Loads clusters/<env>/ and resolves every HelmRelease. Throws InputError (file:line:col, the
 * problem and the fix) on malformed YAML, a missing chart or values file, or a broken reference.
 */
export function loadEnvironment(env: string, root = repoRoot): Environment {
  const dir = join(root, "clusters", env);
  if (!existsSync(dir)) {
    throw new InputError(`clusters/${env}`, 0, 0, `environment ${JSON.stringify(env)} does not exist. Fix: use one of ${listEnvironments(root).join(", ") || "(none)"}`);
  }
  const loaded = new Set<string>();
  const objects = collect(dir, root, loaded);
  const rootK = objects.find((o) => isFluxKustomization(o) && resolve(root, String((o.obj.spec as { path?: string } | undefined)?.path ?? ".")) === resolve(dir));
  for (const o of objects) o.appliedBy = rootK ? kustomizationId(rootK) : "flux-system/flux-system";
  objects.push(...followFluxKustomizations(objects, root, loaded, dir));
  const unreferenced = yamlFilesUnder(dir)
    .filter((f) => !/(^|\/)kustomization\.ya?ml$/.test(f) && !loaded.has(f))
    .map((f) => relative(root, f));
  const profiles: Profile[] = [];
  const upstream: UpstreamRelease[] = [];
  for (const o of objects) {
    if (o.obj.kind !== "HelmRelease") continue;
    const r = resolveRelease(env, o, objects, root);
    if ("chartDir" in r) profiles.push(r);
    else upstream.push(r);
  }
  return { env, objects, unreferenced, profiles, upstream };
}

/**
 * Objects applied by Flux Kustomizations (kustomize.toolkit.fluxcd.io/v1) that build a path of
 * this repository: the layout keeps objects whose CRDs a HelmRelease installs (MetalLB's pool)
 * in their own Kustomization, so the first apply of the cluster directory does not fail its
 * dry-run on unknown kinds (fluxcd/kustomize-controller#601). Their `spec.patches` apply to
 * their own objects, as kustomize-controller does.
 */
const isFluxKustomization = (o: FluxObject) => o.obj.kind === "Kustomization" && o.obj.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/");
/** `namespace/name` of a Flux object (namespace `default` when unset). */
export const kustomizationId = (o: FluxObject) => `${o.obj.metadata.namespace ?? "default"}/${o.obj.metadata.name}`;

function followFluxKustomizations(objects: FluxObject[], root: string, loaded: Set<string>, envDir: string): FluxObject[] {
  const out: FluxObject[] = [];
  const queue = objects.filter(isFluxKustomization);
  // The environment directory itself is what bootstrap's Kustomization flux-system applies.
  const seen = new Set<string>([resolve(envDir)]);
  while (queue.length > 0) {
    const k = queue.shift()!;
    const spec = (k.obj.spec ?? {}) as { path?: string; sourceRef?: { kind?: string; name?: string; namespace?: string }; patches?: unknown };
    const ref = spec.sourceRef ?? {};
    const ns = ref.namespace ?? k.obj.metadata.namespace ?? "default";
    const source = [...objects, ...out].find((x) => x.obj.kind === ref.kind && x.obj.metadata.name === ref.name && (x.obj.metadata.namespace ?? "default") === ns);
    const at = (path: (string | number)[], msg: string) => {
      const { line, col } = k.doc.position(path);
      return new InputError(k.file, line, col, `Kustomization ${k.obj.metadata.namespace}/${k.obj.metadata.name}: ${msg}`);
    };
    if (ref.kind !== "GitRepository" || !source) {
      throw at(["spec", "sourceRef"], `sourceRef ${ref.kind}/${ns}/${ref.name} is not a GitRepository of this environment. Fix: point it at this repository's GitRepository`);
    }
    const dir = resolve(root, spec.path ?? ".");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw at(["spec", "path"], `spec.path ${spec.path} is not a directory of this repository. Fix: use a path like ./clusters/<env>/<dir>`);
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const built = collect(dir, root, loaded);
    for (const o of built) o.appliedBy = kustomizationId(k);
    applyPatches(built, Array.isArray(spec.patches) ? spec.patches : [], { doc: k.doc, base: ["spec", "patches"], dir, root });
    out.push(...built);
    queue.push(...built.filter(isFluxKustomization));
  }
  return out;
}

/** Objects of a kustomization directory, with HelmRelease patches applied; `loaded` collects the files read. */
function collect(dir: string, root: string, loaded: Set<string>): FluxObject[] {
  const kfile = join(dir, "kustomization.yaml");
  if (!existsSync(kfile)) {
    return yamlFilesUnder(dir).flatMap((f) => objectsOf(f, root, loaded));
  }
  const kdoc = loadYamlFile(kfile, "kustomization", root);
  const k = (kdoc.value ?? {}) as { resources?: unknown; patches?: unknown };
  const resources = Array.isArray(k.resources) ? k.resources : [];
  const objects: FluxObject[] = [];
  resources.forEach((entry, i) => {
    if (typeof entry !== "string") {
      const { line, col } = kdoc.position(["resources", i]);
      throw new InputError(kdoc.file, line, col, `resources[${i}] must be a path string`);
    }
    const target = resolve(dir, entry);
    if (!existsSync(target)) {
      const { line, col } = kdoc.position(["resources", i]);
      throw new InputError(kdoc.file, line, col, `resource ${JSON.stringify(entry)} does not exist. Fix: correct the path or remove the entry`);
    }
    objects.push(...(statSync(target).isDirectory() ? collect(target, root, loaded) : objectsOf(target, root, loaded)));
  });
  applyPatches(objects, Array.isArray(k.patches) ? k.patches : [], { doc: kdoc, base: ["patches"], dir, root });
  // kustomize Components (kind: Component): their resources join, their patches apply to everything built here.
  const components = Array.isArray((k as { components?: unknown }).components) ? ((k as { components: unknown[] }).components) : [];
  components.forEach((entry, i) => {
    const cdir = typeof entry === "string" ? resolve(dir, entry) : "";
    const cfile = join(cdir, "kustomization.yaml");
    if (!cdir || !existsSync(cfile)) {
      const { line, col } = kdoc.position(["components", i]);
      throw new InputError(kdoc.file, line, col, `component ${JSON.stringify(entry)} is not a directory with a kustomization.yaml. Fix: correct the path`);
    }
    const cdoc = loadYamlFile(cfile, "kustomize component", root);
    const c = (cdoc.value ?? {}) as { resources?: unknown; patches?: unknown };
    for (const r of Array.isArray(c.resources) ? c.resources : []) objects.push(...objectsOf(resolve(cdir, String(r)), root, loaded));
    applyPatches(objects, Array.isArray(c.patches) ? c.patches : [], { doc: cdoc, base: ["patches"], dir: cdir, root });
  });
  return objects;
}

/** Applies kustomize `patches` that target HelmReleases (strategic merge = JSON merge on a CRD). */
function applyPatches(objects: FluxObject[], patches: unknown[], where0: { doc: SourceDoc; base: (string | number)[]; dir: string; root: string }): void {
  const { doc: kdoc, base, dir, root } = where0;
  (patches as { target?: { kind?: string; name?: string; namespace?: string }; patch?: string; path?: string }[]).forEach((p, i) => {
    const where = (msg: string) => {
      const { line, col } = kdoc.position([...base, i]);
      return new InputError(kdoc.file, line, col, `${[...base, i].join(".")}: ${msg}`);
    };
    if (p.target?.kind !== "HelmRelease") throw where("only patches with target.kind HelmRelease are supported by this repo's tooling. Fix: set target.kind: HelmRelease or move the patch elsewhere");
    let body: SourceDoc;
    if (typeof p.patch === "string") body = parseYaml(p.patch, `${kdoc.file} (${[...base, i].join(".")})`);
    else if (typeof p.path === "string") body = loadYamlFile(resolve(dir, p.path), "patch file", root);
    else throw where("needs an inline `patch` or a `path`");
    if (!isMap(body.value)) throw where("the patch must be a YAML mapping (a strategic-merge patch)");
    for (const o of objects) {
      if (o.obj.kind !== "HelmRelease") continue;
      if (p.target.name && !new RegExp(`^${p.target.name}$`).test(o.obj.metadata.name)) continue;
      if (p.target.namespace && p.target.namespace !== o.obj.metadata.namespace) continue;
      // Strategic merge on a CRD is a JSON merge patch: maps merge, lists replace.
      const { apiVersion, kind, metadata, ...rest } = body.value as Values;
      void apiVersion;
      void kind;
      void metadata;
      o.obj = mergeMaps(o.obj as Values, rest) as K8sObject;
    }
  });
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

function objectsOf(file: string, root: string, loaded: Set<string>): FluxObject[] {
  loaded.add(file);
  const rel = relative(root, file);
  return loadYamlStream(file, "YAML file", root).map((doc) => {
    const obj = doc.value as K8sObject;
    if (!isMap(obj) || typeof obj.kind !== "string" || typeof obj.apiVersion !== "string" || !isMap(obj.metadata) || typeof obj.metadata.name !== "string") {
      const { line, col } = doc.position([]);
      throw new InputError(rel, line, col, "not a Kubernetes object (needs apiVersion, kind and metadata.name). Fix: complete the object or move the file out of clusters/");
    }
    return { file: rel, doc: { ...doc, file: rel }, obj };
  });
}

/**
 * helm-controller's release name: spec.releaseName, else `<targetNamespace>-<name>` when a target
 * namespace is set, else the HelmRelease name; names over 53 characters are shortened to their
 * first 40 characters, a dash and the first 12 hex digits of their SHA-256.
 * (fluxcd/helm-controller api/v2 HelmRelease.GetReleaseName, internal/release ShortenName)
 */
export function releaseName(hr: { metadata: { name: string }; spec?: { releaseName?: string; targetNamespace?: string } }): string {
  const spec = hr.spec ?? {};
  const name = spec.releaseName || (spec.targetNamespace ? `${spec.targetNamespace}-${hr.metadata.name}` : hr.metadata.name);
  if (name.length <= 53) return name;
  return `${name.slice(0, 40)}-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

interface ChartSpec {
  chart?: string;
  sourceRef?: { kind?: string; name?: string; namespace?: string };
  valuesFiles?: string[];
}

function resolveRelease(env: string, o: FluxObject, objects: FluxObject[], root: string): Profile | UpstreamRelease {
  const hr = o.obj as K8sObject & {
    spec?: {
      chart?: { spec?: ChartSpec };
      chartRef?: unknown;
      values?: unknown;
      valuesFrom?: { kind: string; name: string; valuesKey?: string; targetPath?: string; optional?: boolean }[];
      releaseName?: string;
      targetNamespace?: string;
    };
  };
  const at = (path: (string | number)[], msg: string) => {
    const { line, col } = o.doc.position(path);
    return new InputError(o.file, line, col, `HelmRelease ${hr.metadata.namespace ?? "default"}/${hr.metadata.name}: ${msg}`);
  };
  const hrNamespace = hr.metadata.namespace ?? "default";
  if (hr.spec?.chartRef) throw at(["spec", "chartRef"], "spec.chartRef is not supported by this repo's tooling. Fix: use spec.chart.spec with a GitRepository or HelmRepository sourceRef");
  const spec = hr.spec?.chart?.spec;
  if (!spec?.chart) throw at(["spec", "chart"], "spec.chart.spec.chart is missing. Fix: set it to ./charts/<name> (this repo) or an upstream chart name");
  const ref = spec.sourceRef ?? {};
  const refNs = ref.namespace ?? hrNamespace;
  const source = objects.find((x) => x.obj.kind === ref.kind && x.obj.metadata.name === ref.name && (x.obj.metadata.namespace ?? "default") === refNs);
  if (!source) {
    throw at(["spec", "chart", "spec", "sourceRef"], `sourceRef ${ref.kind}/${refNs}/${ref.name} is not defined in clusters/${env}/. Fix: add the source or correct the reference`);
  }
  if (ref.kind === "HelmRepository") {
    const { userLayers, user } = userValues(env, o, hr, objects, at);
    return {
      env, file: o.file, hr, doc: o.doc, name: hr.metadata.name, hrNamespace, release: releaseName(hr), namespace: hr.spec?.targetNamespace ?? hrNamespace,
      chart: spec.chart, source: `HelmRepository/${refNs}/${ref.name}`,
      repoUrl: String((source.obj.spec as { url?: unknown } | undefined)?.url ?? ""), version: (spec as { version?: string }).version || "*",
      userLayers, user,
    };
  }
  if (ref.kind !== "GitRepository") throw at(["spec", "chart", "spec", "sourceRef", "kind"], `sourceRef kind ${ref.kind} is not supported. Fix: use GitRepository or HelmRepository`);

  const chartDir = resolve(root, spec.chart);
  const chart = relative(join(root, "charts"), chartDir);
  if (chart.startsWith("..") || chart.includes("/") || !existsSync(join(chartDir, "Chart.yaml"))) {
    throw at(["spec", "chart", "spec", "chart"], `chart ${spec.chart} is not a chart of this repository (no ${relative(root, chartDir)}/Chart.yaml). Fix: point it at ./charts/<name>, one of: ${readdirSync(join(root, "charts")).join(", ")}`);
  }

  // 1. valuesFiles -> the chart's values.yaml (the chart's own only if listed).
  const defaultLayers: ValuesLayer[] = [];
  const files = spec.valuesFiles ?? [relative(root, join(chartDir, "values.yaml"))];
  files.forEach((f, i) => {
    // source-controller reads valuesFiles inside the GitRepository artifact only (paths joined
    // securely under its root, so `..` cannot leave it): an absolute path or one that climbs out
    // is not the file Flux would use.
    if (typeof f !== "string" || isAbsolute(f) || f.split(/[\\/]/).includes("..")) {
      throw at(["spec", "chart", "spec", "valuesFiles", i], `values file ${JSON.stringify(f)} is outside the repository (an absolute path or ..): Flux reads valuesFiles from the GitRepository's content only. Fix: keep the file in this repository and write its path relative to the repository root, e.g. values/<env>/<chart>.yaml`);
    }
    const abs = resolve(root, f);
    if (!existsSync(abs)) {
      throw at(["spec", "chart", "spec", "valuesFiles", i], `values file ${f} does not exist. Fix: create it or remove it from valuesFiles (paths are relative to the repository root)`);
    }
    const doc = loadYamlFile(abs, "values file", root);
    const value = doc.value ?? {};
    if (!isMap(value)) {
      const { line, col } = doc.position([]);
      throw new InputError(doc.file, line, col, "a values file must be a YAML mapping. Fix: put the values under top-level keys");
    }
    defaultLayers.push({ doc, base: [], mount: [], value });
  });
  const defaults = defaultLayers.reduce<Values>((acc, l) => mergeMaps(acc, l.value as Values), {});

  // 2. valuesFrom (in order), then spec.values.
  const { userLayers, user } = userValues(env, o, hr, objects, at);

  return {
    env,
    file: o.file,
    hr,
    doc: o.doc,
    name: hr.metadata.name,
    hrNamespace,
    release: releaseName(hr),
    namespace: hr.spec?.targetNamespace ?? hrNamespace,
    chart,
    chartDir,
    defaultLayers,
    userLayers,
    defaults,
    user,
    values: coalesce(defaults, user),
  };
}

type ReleaseSpec = {
  values?: unknown;
  valuesFrom?: { kind: string; name: string; valuesKey?: string; targetPath?: string; optional?: boolean }[];
};

/** helm-controller's user values: valuesFrom references in order, then spec.values (fluxcd/pkg/chartutil ChartValuesFromReferences). */
function userValues(env: string, o: FluxObject, hr: K8sObject & { spec?: ReleaseSpec }, objects: FluxObject[], at: (path: (string | number)[], msg: string) => InputError): { userLayers: ValuesLayer[]; user: Values } {
  const hrNamespace = hr.metadata.namespace ?? "default";
  const userLayers: ValuesLayer[] = [];
  let user: Values = {};
  (hr.spec?.valuesFrom ?? []).forEach((vf, i) => {
    const cm = objects.find((x) => x.obj.kind === vf.kind && x.obj.metadata.name === vf.name && (x.obj.metadata.namespace ?? "default") === hrNamespace);
    if (!cm) {
      if (vf.optional) return;
      throw at(["spec", "valuesFrom", i], `valuesFrom ${vf.kind}/${hrNamespace}/${vf.name} is not in clusters/${env}/. Fix: add it to the repository, mark it optional: true, or remove the reference`);
    }
    const key = vf.valuesKey ?? "values.yaml";
    const data = (cm.obj as { data?: Record<string, string>; stringData?: Record<string, string> });
    let text = data.stringData?.[key] ?? (vf.kind === "Secret" ? undefined : data.data?.[key]);
    if (text === undefined && vf.kind === "Secret" && data.data?.[key] !== undefined) text = Buffer.from(data.data[key], "base64").toString("utf8");
    if (text === undefined) {
      if (vf.optional) return;
      throw at(["spec", "valuesFrom", i], `${vf.kind} ${vf.name} has no key ${JSON.stringify(key)}. Fix: set valuesKey to an existing key`);
    }
    const base = [vf.kind === "Secret" && data.stringData?.[key] !== undefined ? "stringData" : "data", key];
    if (vf.targetPath) {
      const path = vf.targetPath.split(".");
      user = setPath(user, path, text);
      userLayers.push({ doc: cm.doc, base, mount: path, value: text });
    } else {
      const inner = parseYaml(text, `${cm.file} (${vf.kind} ${vf.name} key ${key})`);
      const value = inner.value ?? {};
      if (!isMap(value)) throw at(["spec", "valuesFrom", i], `${vf.kind} ${vf.name} key ${key} is not a YAML mapping`);
      user = mergeMaps(user, value);
      userLayers.push({ doc: inner, base: [], mount: [], value });
    }
  });
  if (hr.spec?.values !== undefined && hr.spec.values !== null) {
    if (!isMap(hr.spec.values)) throw at(["spec", "values"], "spec.values must be a mapping");
    user = mergeMaps(user, hr.spec.values);
    userLayers.push({ doc: o.doc, base: ["spec", "values"], mount: [], value: hr.spec.values });
  }
  return { userLayers, user };
}
