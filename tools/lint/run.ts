/**
 * The lint pipeline behind `npm run lint-charts`. Per environment: load the inventory and the
 * Flux objects (validated against their CRD schemas, references resolved, their files read as Flux
 * reads them: YAML 1.1, tools/lint/yaml11.ts); then, per profile:
 *   1. values (files + inline) against the chart schema, and values files as Flux reads them
 *      (YAML 1.1, tools/lint/yaml11.ts), errors at file:line:col;
 *   2. what `helm lint --strict` checks beyond helm template (tools/lint/helm-rules.ts);
 *   3. `helm template` with the profile's values (the one helm process per release), started
 *      before 1 and 2 and used only when they pass;
 *   4. every rendered object against its Kubernetes / CRD schema;
 *   5. the chart's own assertions (tools/lint/charts/<chart>.ts) and the cross-chart ones;
 * then, per environment once its releases are done, 6. the security policy gate (tools/policy)
 * over all rendered objects and the cross-release rules. Every profile of every environment is in
 * flight at once: helm runs one process per core, the heaviest renders first (tools/lib/helm.ts
 * runHelm), so this process checks one release while helm renders the next (issue 18).
 * Upstream releases (charts from a HelmRepository) are rendered with the real chart from the
 * mirror (CHART_MIRROR / --chart-mirror), the cache or the repository, in parallel with ours, and
 * their objects join the policy gate (tools/lint/upstream/release.ts); an unavailable chart is a
 * WARNING naming the release and the fix.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Cluster } from "../../schema/cluster.ts";
import { listEnvironments, loadEnvironment, type Environment, type Profile, type UpstreamRelease } from "../lib/flux.ts";
import { resolveHelm, type Helm } from "../lib/helm.ts";
import { loadInventory } from "../lib/inventory.ts";
import { validateObject } from "../lib/k8s-validate.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderProfile, type K8sObject, type RenderedRelease } from "../lib/render.ts";
import { locate, validateLayers } from "../lib/values-validate.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { policyStage, type Violation } from "../policy/index.ts";
import { scanRepo, scanViolations } from "../policy/secret-scan.ts";
import { checkBackupCoverage, checkDisruptionBudgets } from "./backups.ts";
import { CHART_ASSERTIONS } from "./charts/index.ts";
import { assertions as commonAssertions } from "./common.ts";
import { checkDataPath } from "./datapath.ts";
import { checkInstallOrder, lintFluxLayer } from "./environment.ts";
import { checkInstallSemantics, checkManualSteps, checkTimeouts } from "./flux-install.ts";
import { chartRules, indentedDocuments, objectRules } from "./helm-rules.ts";
import { checkLanAddresses } from "./lan.ts";
import { checkIngressHostsUnique, assertions as renderedAssertions } from "./rendered.ts";
import { lintUpstreamRelease, type UpstreamLint } from "./upstream/release.ts";
import { yaml11Divergences } from "./yaml11.ts";
import { errorFinding, errorFindings, objectRef, type ChartAssertion, type Finding, type LintContext } from "./types.ts";

export interface ProfileReport {
  env: string;
  /** Release name, or `(environment)` for environment-level checks, or the upstream release. */
  release: string;
  chart: string;
  /** "rendered", "validated, not rendered (upstream chart ...)", or "environment". */
  kind: "chart" | "upstream" | "environment";
  ok: boolean;
  ms: number;
  findings: Finding[];
  /** Rendered objects (chart profiles that got that far). */
  objects?: K8sObject[];
  /** The profile linted (chart profiles). */
  profile?: Profile;
  /** `namespace/name` of the HelmRelease (upstream releases). */
  helmRelease?: string;
  /** The upstream release linted (upstream releases). */
  upstreamRelease?: UpstreamRelease;
  note?: string;
}

export interface LintReport {
  ok: boolean;
  profiles: ProfileReport[];
  ms: number;
}

export interface LintOptions {
  env?: string;
  chart?: string;
  root?: string;
  helm?: Helm;
}

/**
 * Assertions for a chart: its own (tools/lint/charts/index.ts, imported statically), plus the rules
 * for every chart (tools/lint/common.ts) and the seed rules on rendered objects
 * (tools/lint/rendered.ts). They are code of this checkout, whatever root is being linted.
 */
async function loadAssertions(chart: string): Promise<ChartAssertion[]> {
  return [...(CHART_ASSERTIONS[chart] ?? []), ...commonAssertions, ...renderedAssertions];
}

/** A policy violation as a lint finding (the one Finding type of every command). */
export function fromViolation(v: Violation): Finding {
  const container = v.container !== undefined ? `${v.containerKind ?? "container"} ${v.container}: ` : "";
  return {
    severity: v.severity,
    object: v.location ? undefined : v.object,
    location: v.location,
    message: `${container}${v.rule}: ${v.message.replace(/\.$/, "")}. Fix: ${v.fix}`,
  };
}

const fromError = errorFinding;

type Rendering = Promise<{ rendered: RenderedRelease } | { error: unknown }>;

/**
 * 3. helm template, on the chart as Flux packages it (one helm process per release). Started for
 * every release of every environment before any check runs, so helm renders while this process
 * checks; the result counts only when steps 1 and 2 pass. Never rejects.
 */
function startRender(p: Profile, inventory: Cluster, helm: Helm): Rendering {
  return renderProfile(p, helm, inventory.kubernetesVersion).then((rendered) => ({ rendered }), (error: unknown) => ({ error }));
}

/** Lints one profile, whose render `rendering` is under way; never throws (failures become findings). */
async function lintProfile(p: Profile, inventory: Cluster, environment: Environment, rendering: Rendering, root: string): Promise<ProfileReport> {
  const t0 = performance.now();
  const findings: Finding[] = [];
  const done = (objects?: K8sObject[]): ProfileReport => ({
    env: p.env,
    release: p.release,
    chart: p.chart,
    kind: "chart",
    ok: !findings.some((f) => f.severity === "error"),
    ms: Math.round(performance.now() - t0),
    findings,
    objects,
    profile: p,
  });
  const skipRender = async () => {
    await rendering;
    return done();
  };
  // 1. values against the schema
  const schema = join(p.chartDir, "values.schema.json");
  if (!existsSync(schema)) {
    findings.push({ severity: "error", message: `charts/${p.chart}/values.schema.json is missing. Fix: npm run gen-schema` });
    return skipRender();
  }
  const layers = [...p.defaultLayers, ...p.userLayers];
  for (const e of validateLayers(p.values, layers, schema)) findings.push(fromError(e));
  // valuesFiles as Flux reads them: YAML 1.1 (tools/lint/yaml11.ts)
  for (const l of p.defaultLayers) {
    for (const e of yaml11Divergences(readFileSync(resolve(root, l.doc.file), "utf8"), l.doc.file)) findings.push(fromError(e));
  }
  if (findings.length > 0) return skipRender();

  // 2. what `helm lint --strict` adds to helm template (tools/lint/helm-rules.ts), once per chart
  const chartFindings = chartRules(p.chartDir, `charts/${p.chart}`);
  findings.push(...chartFindings);
  if (chartFindings.length > 0) return skipRender();
  let objects: K8sObject[];
  try {
    const result = await rendering;
    if ("error" in result) throw result.error;
    const { rendered } = result;
    objects = rendered.objects;
    for (const source of indentedDocuments(rendered.manifest ?? "")) {
      findings.push({ severity: "error", message: `helm lint: ${source.replace(`${p.chart}/`, `charts/${p.chart}/`)}: document starts with an illegal indent, which may cause parsing problems. Fix: remove the leading spaces (use {{- ... }} or nindent)` });
    }
    findings.push(...objectRules(objects, inventory.kubernetesVersion));
  } catch (err) {
    findings.push(fromError(err));
    return done();
  }

  // 4. every rendered object against its schema
  for (const o of objects) {
    for (const msg of await validateObject(o)) findings.push({ severity: "error", object: objectRef(o), message: msg });
  }

  // 5. assertions
  const ctx: LintContext = {
    env: p.env,
    profile: p,
    values: p.values,
    objects,
    inventory,
    environment,
    upstream: environment.upstream,
    locate: (path: readonly PathSegment[]) => locate(path, layers),
  };
  for (const assertion of await loadAssertions(p.chart)) {
    try {
      findings.push(...assertion(ctx));
    } catch (err) {
      findings.push({ severity: "error", message: `assertion ${assertion.name || p.chart} crashed: ${(err as Error).message}` });
    }
  }
  return done(objects);
}

/**
 * The checks of one environment over everything it renders: 6. the security policy gate, the
 * install order, Flux's install semantics, the data path, the LAN addresses and the backups.
 */
async function environmentStage(env: string, rendered: ProfileReport[], inventory: Cluster, upstream: UpstreamRelease[], root: string, opts: LintOptions): Promise<ProfileReport[]> {
  const out: ProfileReport[] = [];
  const te = performance.now();
  const objects = rendered.flatMap((r) => r.objects ?? []);
  let findings: Finding[];
  try {
    // Objects of upstream releases may break the rules values/<env>/policy.yaml upstreamReleases accepts for them.
    const owners = new Map(rendered.filter((r) => r.kind === "upstream").flatMap((r) => (r.objects ?? []).map((o) => [o, r.helmRelease ?? ""] as const)));
    findings = (await policyStage(env, objects, root, owners, { secretScan: false })).map(fromViolation);
  } catch (err) {
    findings = [fromError(err)];
  }
  const order = [
    ...checkInstallOrder(rendered.filter((r) => r.objects && r.profile).map((r) => ({ profile: r.profile!, objects: r.objects! }))),
    ...checkIngressHostsUnique(rendered.filter((r) => r.objects).map((r) => ({ objects: r.objects! }))),
  ];
  out.push({
    env, release: "(install order)", chart: "-", kind: "environment", ok: order.length === 0, ms: 0, findings: order,
    note: "dependsOn covers every StorageClass and the DFS mount a release uses",
  });
  // Flux install/upgrade semantics over every rendered release (tools/lint/flux-install.ts).
  const semantics = rendered.flatMap((r) => {
    const src = r.profile ? { file: r.profile.file, doc: r.profile.doc, hr: r.profile.hr, values: r.profile.values }
      : r.upstreamRelease ? { file: r.upstreamRelease.file, doc: r.upstreamRelease.doc, hr: r.upstreamRelease.hr, values: r.upstreamRelease.user } : undefined;
    if (!src) return [];
    const rel = { ...src, chart: r.chart, objects: r.objects ?? [] };
    return [...checkInstallSemantics(rel), ...checkTimeouts(rel), ...checkManualSteps(rel, objects, inventory, root)];
  });
  out.push({
    env, release: "(install semantics)", chart: "-", kind: "environment", ok: !semantics.some((f) => f.severity === "error"), ms: 0, findings: semantics,
    note: "no release remediated by uninstall can lose a PVC/PV; Longhorn never uninstalled or rolled back; timeouts cover startup budgets; releases blocked by a manual step install without wait, and the step is in NOTES",
  });
  // Cross-release rules on the rendered objects: the data path (docs/decisions.md#dfs-data-path)
  // and the fixed LoadBalancer addresses (tools/lint/lan.ts).
  // The data path spans releases: only meaningful when every release was rendered.
  if (!opts.chart && !rendered.some((r) => !r.objects)) {
    const dp = checkDataPath(inventory, objects);
    out.push({ env, release: "(data path)", chart: "-", kind: "environment", ok: !dp.some((f) => f.severity === "error"), ms: 0, findings: dp, note: "library, DFS and transcode paths and modes of every pod, from the declared roles" });
  }
  // Upstream releases' addresses are counted once, from their HelmRelease values (with file:line),
  // not again from the Service their real chart renders.
  const lan = checkLanAddresses(inventory, upstream, rendered.filter((r) => r.kind !== "upstream").flatMap((r) => r.objects ?? []));
  out.push({ env, release: "(LAN addresses)", chart: "-", kind: "environment", ok: !lan.some((f) => f.severity === "error"), ms: 0, findings: lan, note: "fixed LoadBalancer addresses in the MetalLB pool, once each" });
  const complete = rendered.filter((r) => r.objects).map((r) => ({ profile: r.profile!, objects: r.objects! }));
  const backups = [...checkBackupCoverage(complete), ...checkDisruptionBudgets(complete)];
  out.push({
    env, release: "(backups)", chart: "-", kind: "environment", ok: !backups.some((f) => f.severity === "error"), ms: 0, findings: backups,
    note: "every Longhorn claim is backed up or declared scratch; no PodDisruptionBudget blocks a drain",
  });
  const incomplete = rendered.some((r) => !r.objects);
  out.push({
    env, release: "(policy)", chart: "-", kind: "environment", ok: !findings.some((f) => f.severity === "error"),
    ms: Math.round(performance.now() - te), findings,
    note: `${objects.length} objects checked against values/${env}/policy.yaml${incomplete ? " (releases that failed to render are not included)" : ""}`,
  });
  return out;
}

/** Lints every environment (or one), every profile (or one chart's). */
export async function lintEnvironment(opts: LintOptions = {}): Promise<LintReport> {
  const t0 = performance.now();
  const root = opts.root ?? repoRoot;
  const envs = opts.env ? [opts.env] : listEnvironments(root);
  const reports: ProfileReport[] = [];
  let helm = opts.helm;
  // Every environment is loaded and every release's helm template requested (startRender) before
  // any check runs: helm's queue (tools/lib/helm.ts runHelm) then never waits for this process,
  // whose main thread checks one release while helm renders the next.
  type Loaded = { env: string; environment: Environment; inventory: Cluster; helm: Helm; renders: { p: Profile; rendering: Rendering }[]; loadMs: number };
  const loaded: (Loaded | { failed: ProfileReport })[] = [];
  const envReport = (env: string, ms: number, findings: Finding[], note?: string): ProfileReport => ({
    env, release: "(environment)", chart: "-", kind: "environment", ok: !findings.some((f) => f.severity === "error"), ms: Math.round(ms), findings, note,
  });
  for (const env of envs) {
    const te = performance.now();
    let environment: Environment;
    let inventory: Cluster;
    try {
      environment = loadEnvironment(env, root);
      inventory = loadInventory(env, root);
      helm ??= await resolveHelm();
    } catch (err) {
      loaded.push({ failed: envReport(env, performance.now() - te, errorFindings(err)) });
      continue;
    }
    const h = helm;
    const renders = environment.profiles.filter((p) => !opts.chart || opts.chart === p.chart).map((p) => ({ p, rendering: startRender(p, inventory, h) }));
    loaded.push({ env, environment, inventory, helm: h, renders, loadMs: performance.now() - te });
  }
  const jobs: Promise<ProfileReport>[] = [];
  const stages: Promise<ProfileReport[]>[] = [];
  for (const l of loaded) {
    if ("failed" in l) {
      reports.push(l.failed);
      continue;
    }
    const { env, environment, inventory, helm: h, renders, loadMs } = l;
    const ours = renders.map(({ p, rendering }) => lintProfile(p, inventory, environment, rendering, root));
    // Upstream releases render with the real chart, in parallel with ours (tools/lint/upstream/release.ts).
    const envUpstream: Promise<ProfileReport>[] = [];
    for (const u of environment.upstream) {
      if (opts.chart && opts.chart !== u.chart) continue;
      envUpstream.push((async () => {
        const tu = performance.now();
        let r: UpstreamLint;
        try {
          r = await lintUpstreamRelease(u, inventory, h);
        } catch (err) {
          r = { findings: [fromError(err)], note: "crashed" };
        }
        return {
          env, release: u.release, chart: u.chart, kind: "upstream", ok: !r.findings.some((f) => f.severity === "error"),
          ms: Math.round(performance.now() - tu), findings: r.findings, objects: r.objects, note: r.note, helmRelease: `${u.hrNamespace}/${u.name}`, upstreamRelease: u,
        };
      })());
    }
    const tf = performance.now();
    const objFindings = await lintFluxLayer(environment, inventory, root);
    reports.push(envReport(env, loadMs + performance.now() - tf, objFindings, `${environment.objects.length} Flux objects, ${environment.profiles.length} chart releases, ${environment.upstream.length} upstream releases`));
    // reported in this order: upstream releases, then ours
    const releases = [...envUpstream, ...ours];
    jobs.push(...releases);
    // 6. the environment's own stage starts when its releases are linted, while others still render
    stages.push(Promise.all(releases).then((rendered) => environmentStage(env, rendered, inventory, environment.upstream, root, opts)));
  }
  // The secret scan covers the repository, not an environment: once per run, reported once; it
  // runs while helm renders.
  const ts = performance.now();
  const secretScan = scanRepo(root).then(
    (r) => ({ findings: scanViolations(r).map(fromViolation), ms: Math.round(performance.now() - ts) }),
    (err: unknown) => ({ findings: [fromError(err)], ms: Math.round(performance.now() - ts) }),
  );
  reports.push(...(await Promise.all(jobs)));
  for (const stage of await Promise.all(stages)) reports.push(...stage);
  const secrets = await secretScan;
  reports.push({
    env: "repository", release: "(secret scan)", chart: "-", kind: "environment", ok: !secrets.findings.some((f) => f.severity === "error"),
    ms: secrets.ms, findings: secrets.findings, note: "no key, token or password in a git-tracked YAML file",
  });
  return { ok: reports.every((r) => r.ok), profiles: reports, ms: Math.round(performance.now() - t0) };
}
