/**
 * Rendering environments exactly as Flux would: each HelmRelease of this repo's charts becomes a
 * profile (tools/lib/flux.ts) and is rendered with `helm template`. The merged `valuesFiles`
 * become the chart's values.yaml, as source-controller packages it, and the user values
 * (valuesFrom + spec.values) are passed with `-f`, as helm-controller does; Helm itself then
 * coalesces and validates them against values.schema.json.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll, YAMLException } from "js-yaml";
import { stringify } from "yaml";
import { dependsOnIds, loadEnvironment, type Environment, type Profile } from "./flux.ts";
import { ChartUnavailable, fetchChart, renderUpstream, unavailableMessage, validateChartValues } from "./charts.ts";
import { resolveHelm, runHelm, type Helm } from "./helm.ts";
import { contentKey, directoryDigest } from "./content-cache.ts";
import { GO_YAML_V2_SCHEMA } from "./go-yaml.ts";
import { cachedRender } from "./render-cache.ts";
import { loadInventory } from "./inventory.ts";
import { repoRoot, scratchRoot } from "./paths.ts";
import { InputError } from "./yaml.ts";

import type { K8sObject } from "./k8s.ts";

/** One Kubernetes object as helm rendered it (tools/lib/k8s.ts). */
export type { K8sObject };

/** What one HelmRelease renders to. */
export interface RenderedRelease {
  /** Environment name (directory under clusters/). */
  env: string;
  /** Helm release name as Flux computes it. */
  release: string;
  /** Target namespace of the release. */
  namespace: string;
  /** Chart name (directory under charts/). */
  chart: string;
  /** The HelmRelease manifest file, relative to the repo root. */
  source: string;
  /** The rendered objects, in helm's output order, with metadata.namespace filled in. */
  objects: K8sObject[];
  /** `namespace/name` of the HelmRelease, and of the HelmReleases it dependsOn (Flux's install order). */
  helmRelease?: string;
  dependsOn?: string[];
  /** Upstream releases: the chart version resolved from the HelmRelease's range, and where the archive came from. */
  upstream?: { version: string; origin: string };
  /** helm's output as it printed it (lint checks its layout). */
  manifest?: string;
}

export interface RenderOptions {
  /** Only releases of this chart. */
  chart?: string;
  /** Repository root to render from (default: this checkout). */
  root?: string;
  /** The helm to use (default: resolveHelm()). */
  helm?: Helm;
  /** The environment, when the caller has loaded it already (else loaded from root). */
  environment?: Environment;
  /** Skip the upstream releases (charts from a HelmRepository). */
  noUpstream?: boolean;
  /** Called for an upstream release whose chart is unavailable (default: a WARNING line on stderr). */
  onWarning?: (message: string) => void;
}

/** Kinds without a namespace (the ones our charts may render). */
export const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
  "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass", "VolumeAttachment",
  "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
]);

/** A helm failure while rendering a profile; the message carries helm's own first error line. */
export class RenderError extends Error {
  /** helm refused the chart or its values: a finding about the input (tools/lib/cli.ts exit codes). */
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "RenderError", enumerable: false });
  }
}

/**
 * Values for helm, written as JSON, which is YAML: helm parses a values file with sigs.k8s.io/yaml
 * (YAML 1.1, converted to JSON before decoding; helm's chartutil.ReadValues). In JSON every string
 * is quoted, so helm reads exactly these values, where the YAML 1.2 the `yaml` package writes
 * leaves `yes`, `on`, `y`, `off`... unquoted and helm reads them as booleans (test/lib/render.test.ts).
 * It is also written ~20x faster: YAML was 6 % of a lint run's main thread at 200 apps (issue 18).
 * A number JSON cannot hold (YAML's .inf and .nan) makes it YAML.
 */
export function valuesText(values: unknown): string {
  let finite = true;
  const json = JSON.stringify(values ?? {}, (_key, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) finite = false;
    return v;
  });
  return finite ? `${json}\n` : stringify(values);
}

/**
 * Lays out a profile's chart as Flux packages it: a copy of the chart whose values.yaml is the
 * merged valuesFiles, plus a file with the user values. Calls `fn(chartDir, userValuesFile)` and
 * removes the copy afterwards.
 */
export async function withPreparedChart<T>(p: Profile, fn: (chartDir: string, userFile: string) => Promise<T>, text?: { defaults: string; user: string }): Promise<T> {
  const dir = mkdtempSync(join(scratchRoot(), `render-${p.chart}-`));
  try {
    const chartDir = join(dir, p.chart);
    cpSync(p.chartDir, chartDir, { recursive: true });
    writeFileSync(join(chartDir, "values.yaml"), text?.defaults ?? valuesText(p.defaults));
    const userFile = join(dir, "user-values.yaml");
    writeFileSync(userFile, text?.user ?? valuesText(p.user));
    return await fn(chartDir, userFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Renders one profile with helm template, or takes the render from `.cache/render/` when the same
 * chart files, values, arguments and helm rendered before (tools/lib/render-cache.ts).
 */
export async function renderProfile(p: Profile, helm: Helm, kubeVersion: string): Promise<RenderedRelease> {
  const defaults = valuesText(p.defaults);
  const user = valuesText(p.user);
  const key = () => contentKey(["chart", helm.version, helm.bin, directoryDigest(p.chartDir), defaults, user, p.release, templateFlags(p, kubeVersion)]);
  let rendered: RenderedRelease | undefined;
  const { objects, manifest } = await cachedRender("chart", key, true, async () => {
    // the values' size is the render's weight: media-apps with many apps renders longest
    rendered = await withPreparedChart(p, (chartDir, userFile) => renderPrepared(p, helm, kubeVersion, chartDir, userFile, defaults.length + user.length), { defaults, user });
    return { objects: rendered.objects, manifest: rendered.manifest };
  });
  return rendered ?? releaseOf(p, fillNamespaces(objects, p.namespace), manifest ?? "");
}

/** helm template's flags besides the values file (part of a render's key). */
function templateFlags(p: Profile, kubeVersion: string): string[] {
  return ["--namespace", p.namespace, "--kube-version", kubeVersion];
}

/** Objects without a namespace get the release's, as helm's install would (cluster-scoped kinds excepted). */
export function fillNamespaces(objects: K8sObject[], namespace: string): K8sObject[] {
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind) && !o.metadata.namespace) o.metadata.namespace = namespace;
  }
  return objects;
}

function releaseOf(p: Profile, objects: K8sObject[], manifest: string): RenderedRelease {
  return { env: p.env, release: p.release, namespace: p.namespace, chart: p.chart, source: p.file, objects, helmRelease: `${p.hrNamespace}/${p.name}`, dependsOn: dependsOnIds(p.hr, p.hrNamespace), manifest };
}

/** `helm template` of a chart laid out by withPreparedChart. */
export async function renderPrepared(p: Profile, helm: Helm, kubeVersion: string, chartDir: string, userFile: string, weight = 0): Promise<RenderedRelease> {
  const args = ["template", p.release, chartDir, "-f", userFile, ...templateFlags(p, kubeVersion)];
  const res = await runHelm(helm, args, weight);
  if (res.exitCode !== 0) {
    // helm names templates chart-relative (`demo/templates/x.yaml:1:3`); show repo paths.
    const msg = (res.stderr || res.stdout || "").trim().replaceAll(chartDir, `charts/${p.chart}`).replaceAll(`(${p.chart}/`, `(charts/${p.chart}/`);
    throw new RenderError(`${p.file}: helm ${helm.version} template ${p.release} failed: ${msg}`, { cause: res });
  }
  return releaseOf(p, fillNamespaces(parseManifest(res.stdout, `helm template ${p.release}`), p.namespace), res.stdout);
}

/**
 * The objects of helm's output, as the cluster receives them: helm hands its manifest to the API
 * server through sigs.k8s.io/yaml over go-yaml v2, a YAML 1.1 reader (tools/lib/go-yaml.ts), so a
 * template's `defaultMode: 0444` is 292 (r--r--r--) and an unquoted `yes` is the boolean true, where
 * YAML 1.2 reads 444 and "yes". Read with js-yaml and that reader's schema (GO_YAML_V2_SCHEMA),
 * because helm's output needs no source positions and this is most of the YAML a lint run reads:
 * 6-10x faster than parsing it into position-keeping documents (issue 18). Duplicate keys are an
 * error, as in tools/lib/yaml.ts. An upstream chart's values.yaml is read the same way (helm reads
 * it with the same library).
 *
 * One document at a time (manifestDocuments): js-yaml 5 parses a whole input into one list of
 * parser events before it builds any object, and for a 1.7 MB render (the bench's 200 apps) that
 * list outlived several young-generation collections, so V8 copied it into the old generation and
 * collected it there. A document's events die young. The result is the same: documents share no
 * anchors, and a marker line ends any scalar (below). Errors are reported from the whole stream,
 * so their line and column are the stream's.
 */
export function parseManifest(text: string, what: string): K8sObject[] {
  const parts = manifestDocuments(text);
  let docs: unknown[] = [];
  try {
    if (!parts) docs = loadAll(text, { schema: GO_YAML_V2_SCHEMA });
    else for (const part of parts) docs.push(...loadAll(part, { schema: GO_YAML_V2_SCHEMA }));
  } catch (err) {
    try {
      if (parts) loadAll(text, { schema: GO_YAML_V2_SCHEMA });
    } catch (whole) {
      err = whole;
    }
    const mark = err instanceof YAMLException ? err.mark : undefined;
    const reason = err instanceof YAMLException ? err.reason : (err as Error).message;
    throw new InputError(what, mark ? mark.line + 1 : 0, mark ? mark.column + 1 : 0, `malformed YAML: ${reason}`, { cause: err });
  }
  return docs.filter((d) => d !== null && d !== undefined) as K8sObject[];
}

/** A `---` or `...` marker line: YAML 1.2 §9.1.2 forbids one as a line of any scalar's content, so it always ends a document. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?=[ \t\n]|$)/gm;

/**
 * `text` cut before each document marker line, or undefined when a cut could be wrong: with
 * directives (`%YAML`, `%TAG`, which belong to the document after them), or with line breaks other
 * than LF (a JavaScript `^` also matches after CR, U+2028 and U+2029, which YAML 1.2 does not
 * count as line breaks in the same way).
 */
export function manifestDocuments(text: string): string[] | undefined {
  if (/^%|[\r\u2028\u2029]/m.test(text)) return undefined;
  const parts: string[] = [];
  let start = 0;
  for (const m of text.matchAll(DOCUMENT_MARKER)) {
    if (m.index > start) parts.push(text.slice(start, m.index));
    start = m.index;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Renders every HelmRelease in clusters/<env>/ with helm template: ours, and the upstream ones
 * with the real chart (tools/lib/charts.ts); an upstream chart that cannot be fetched is a
 * warning (opts.onWarning) naming the release and the fix, and the release is left out.
 */
export async function renderEnvironment(env: string, opts: RenderOptions = {}): Promise<RenderedRelease[]> {
  const root = opts.root ?? repoRoot;
  const environment = opts.environment ?? loadEnvironment(env, root);
  const inventory = loadInventory(env, root);
  const helm = opts.helm ?? (await resolveHelm());
  const warn = opts.onWarning ?? ((m: string) => console.error(`WARNING - ${m}`));
  const profiles = environment.profiles.filter((p) => !opts.chart || p.chart === opts.chart);
  const upstream = opts.noUpstream ? [] : environment.upstream.filter((u) => !opts.chart || u.chart === opts.chart);
  const jobs: (() => Promise<RenderedRelease | undefined>)[] = [
    ...upstream.map((u) => async () => {
      let chart;
      try {
        chart = await fetchChart({ repoUrl: u.repoUrl, chart: u.chart, range: u.version });
      } catch (err) {
        if (!(err instanceof ChartUnavailable)) throw err;
        warn(unavailableMessage(u, err));
        return undefined;
      }
      const bad = validateChartValues(u, chart);
      if (bad.length > 0) throw new RenderError(bad.map((e) => e.message).join("\n"));
      return renderUpstream(u, chart, helm, inventory.kubernetesVersion);
    }),
    ...profiles.map((p) => () => renderProfile(p, helm, inventory.kubernetesVersion)),
  ];
  // all at once: runHelm runs one helm per core (tools/lib/helm.ts)
  const out = await Promise.all(jobs.map((j) => j()));
  return out.filter((r): r is RenderedRelease => r !== undefined);
}
