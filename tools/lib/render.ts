/**
 * Rendering environments exactly as Flux would: each HelmRelease of this repo's charts becomes a
 * profile (tools/lib/flux.ts) and is rendered with `helm template`. The merged `valuesFiles`
 * become the chart's values.yaml, as source-controller packages it, and the user values
 * (valuesFrom + spec.values) are passed with `-f`, as helm-controller does; Helm itself then
 * coalesces and validates them against values.schema.json.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";
import { loadEnvironment, type Profile } from "./flux.ts";
import { resolveHelm, type Helm } from "./helm.ts";
import { loadInventory } from "./inventory.ts";
import { repoRoot } from "./paths.ts";
import { parseYamlStream } from "./yaml.ts";

/** One Kubernetes object as helm rendered it (API JSON form). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

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
}

/** Kinds without a namespace (the ones our charts may render). */
export const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
  "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass", "VolumeAttachment",
  "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
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
 * Lays out a profile's chart as Flux packages it: a copy of the chart whose values.yaml is the
 * merged valuesFiles, plus a file with the user values. Calls `fn(chartDir, userValuesFile)` and
 * removes the copy afterwards.
 */
export async function withPreparedChart<T>(p: Profile, fn: (chartDir: string, userFile: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `render-${p.chart}-`));
  try {
    const chartDir = join(dir, p.chart);
    cpSync(p.chartDir, chartDir, { recursive: true });
    writeFileSync(join(chartDir, "values.yaml"), stringify(p.defaults));
    const userFile = join(dir, "user-values.yaml");
    writeFileSync(userFile, stringify(p.user));
    return await fn(chartDir, userFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders one profile with helm template. */
export async function renderProfile(p: Profile, helm: Helm, kubeVersion: string): Promise<RenderedRelease> {
  return withPreparedChart(p, (chartDir, userFile) => renderPrepared(p, helm, kubeVersion, chartDir, userFile));
}

/** `helm template` of a chart laid out by withPreparedChart. */
export async function renderPrepared(p: Profile, helm: Helm, kubeVersion: string, chartDir: string, userFile: string): Promise<RenderedRelease> {
  const args = ["template", p.release, chartDir, "--namespace", p.namespace, "-f", userFile, "--kube-version", kubeVersion];
  const res = await execa(helm.bin, args, { reject: false, timeout: 120_000 });
  if (res.exitCode !== 0) {
    // helm names templates chart-relative (`demo/templates/x.yaml:1:3`); show repo paths.
    const msg = (res.stderr || res.stdout || "").trim().replaceAll(chartDir, `charts/${p.chart}`).replaceAll(`(${p.chart}/`, `(charts/${p.chart}/`);
    throw new RenderError(`${p.file}: helm ${helm.version} template ${p.release} failed: ${msg}`, { cause: res });
  }
  const objects = parseYamlStream(res.stdout, `helm template ${p.release}`).map((d) => d.value as K8sObject);
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind) && !o.metadata.namespace) o.metadata.namespace = p.namespace;
  }
  const dependsOn = ((p.hr.spec as { dependsOn?: { name: string; namespace?: string }[] } | undefined)?.dependsOn ?? []).map((d) => `${d.namespace ?? p.hrNamespace}/${d.name}`);
  return { env: p.env, release: p.release, namespace: p.namespace, chart: p.chart, source: p.file, objects, helmRelease: `${p.hrNamespace}/${p.name}`, dependsOn, manifest: res.stdout };
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

/** Renders every HelmRelease of our charts in clusters/<env>/ with helm template. */
export async function renderEnvironment(env: string, opts: RenderOptions = {}): Promise<RenderedRelease[]> {
  const root = opts.root ?? repoRoot;
  const environment = loadEnvironment(env, root);
  const inventory = loadInventory(env, root);
  const helm = opts.helm ?? (await resolveHelm());
  const profiles = environment.profiles.filter((p) => !opts.chart || p.chart === opts.chart);
  return mapLimit(profiles, availableParallelism(), (p) => renderProfile(p, helm, inventory.kubernetesVersion));
}
