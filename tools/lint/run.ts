/**
 * The lint pipeline behind `npm run lint-charts`. Per environment: load the inventory and the
 * Flux objects (validated against their CRD schemas, references resolved); then, per profile and
 * in parallel across cores:
 *   1. values (files + inline) against the chart schema, errors at file:line:col;
 *   2. what `helm lint --strict` checks beyond helm template (tools/lint/helm-rules.ts);
 *   3. `helm template` with the profile's values (the one helm process per release);
 *   4. every rendered object against its Kubernetes / CRD schema;
 *   5. the chart's own assertions (tools/lint/charts/<chart>.ts) and the cross-chart ones;
 * then, per environment, 6. the security policy gate (tools/policy) over all rendered objects.
 * Upstream releases (charts from a HelmRepository) cannot be fetched offline: they are validated
 * (CRD schema, references, typed values) and reported as "not rendered".
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Cluster } from "../../schema/cluster.ts";
import { listEnvironments, loadEnvironment, type Environment, type Profile, type UpstreamRelease } from "../lib/flux.ts";
import { resolveHelm, type Helm } from "../lib/helm.ts";
import { loadInventory } from "../lib/inventory.ts";
import { validateObject } from "../lib/k8s-validate.ts";
import { repoRoot } from "../lib/paths.ts";
import { mapLimit, renderPrepared, withPreparedChart, type K8sObject } from "../lib/render.ts";
import { locate, validateLayers } from "../lib/values-validate.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { policyStage, type Violation } from "../policy/index.ts";
import { checkInstallOrder, lintFluxLayer, lintUpstream } from "./environment.ts";
import { chartRules, indentedDocuments, objectRules } from "./helm-rules.ts";
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
 * Assertions for a chart: tools/lint/charts/<chart>.ts, plus tools/lint/common.ts (rules for every
 * chart). They are code of this checkout, whatever root is being linted.
 */
async function loadAssertions(chart: string): Promise<ChartAssertion[]> {
  const files = [join(repoRoot, "tools", "lint", "charts", `${chart}.ts`), join(repoRoot, "tools", "lint", "common.ts")];
  const out: ChartAssertion[] = [];
  for (const file of files) out.push(...(await assertionsOf(file)));
  return out;
}

async function assertionsOf(file: string): Promise<ChartAssertion[]> {
  if (!existsSync(file)) return [];
  const mod = (await import(file)) as { assertions?: ChartAssertion[] };
  return mod.assertions ?? [];
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

/** Lints one profile; never throws (failures become findings). */
async function lintProfile(p: Profile, inventory: Cluster, helm: Helm, upstream: UpstreamRelease[]): Promise<ProfileReport> {
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
  // 1. values against the schema
  const schema = join(p.chartDir, "values.schema.json");
  if (!existsSync(schema)) {
    findings.push({ severity: "error", message: `charts/${p.chart}/values.schema.json is missing. Fix: npm run gen-schema` });
    return done();
  }
  const layers = [...p.defaultLayers, ...p.userLayers];
  for (const e of validateLayers(p.values, layers, schema)) findings.push(fromError(e));
  if (findings.length > 0) return done();

  // 2. what `helm lint --strict` adds to helm template (tools/lint/helm-rules.ts), once per chart,
  // and 3. helm template, on the chart as Flux packages it: one helm process per release.
  const chartFindings = chartRules(p.chartDir, `charts/${p.chart}`);
  findings.push(...chartFindings);
  if (chartFindings.length > 0) return done();
  let objects: K8sObject[] | undefined;
  await withPreparedChart(p, async (chartDir, userFile) => {
    try {
      const rendered = await renderPrepared(p, helm, inventory.kubernetesVersion, chartDir, userFile);
      objects = rendered.objects;
      for (const source of indentedDocuments(rendered.manifest ?? "")) {
        findings.push({ severity: "error", message: `helm lint: ${source.replace(`${p.chart}/`, `charts/${p.chart}/`)}: document starts with an illegal indent, which may cause parsing problems. Fix: remove the leading spaces (use {{- ... }} or nindent)` });
      }
      findings.push(...objectRules(objects, inventory.kubernetesVersion));
    } catch (err) {
      findings.push(fromError(err));
    }
  });
  if (!objects) return done();

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
    upstream,
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

/** Lints every environment (or one), every profile (or one chart's). */
export async function lintEnvironment(opts: LintOptions = {}): Promise<LintReport> {
  const t0 = performance.now();
  const root = opts.root ?? repoRoot;
  const envs = opts.env ? [opts.env] : listEnvironments(root);
  const reports: ProfileReport[] = [];
  let helm = opts.helm;
  const jobs: (() => Promise<ProfileReport>)[] = [];
  for (const env of envs) {
    const te = performance.now();
    const envReport = (findings: Finding[], note?: string): ProfileReport => ({
      env, release: "(environment)", chart: "-", kind: "environment", ok: !findings.some((f) => f.severity === "error"), ms: Math.round(performance.now() - te), findings, note,
    });
    let environment: Environment;
    let inventory: Cluster;
    try {
      environment = loadEnvironment(env, root);
      inventory = loadInventory(env, root);
      helm ??= await resolveHelm();
    } catch (err) {
      reports.push(envReport(errorFindings(err)));
      continue;
    }
    const objFindings = await lintFluxLayer(environment, inventory);
    reports.push(envReport(objFindings, `${environment.objects.length} Flux objects, ${environment.profiles.length} chart releases, ${environment.upstream.length} upstream releases`));
    for (const u of environment.upstream) {
      if (opts.chart && opts.chart !== u.chart) continue;
      const tu = performance.now();
      const findings = lintUpstream(u, inventory);
      reports.push({
        env, release: u.name, chart: u.chart, kind: "upstream", ok: !findings.some((f) => f.severity === "error"),
        ms: Math.round(performance.now() - tu), findings,
        note: `validated, not rendered: upstream chart ${u.chart} from ${u.source} cannot be fetched offline`,
      });
    }
    const h = helm;
    for (const p of environment.profiles) {
      if (opts.chart && opts.chart !== p.chart) continue;
      jobs.push(() => lintProfile(p, inventory, h, environment.upstream));
    }
  }
  const profileReports = await mapLimit(jobs, availableParallelism(), (j) => j());
  reports.push(...profileReports);
  // 6. the security policy gate over everything each environment renders
  for (const env of envs) {
    if (!reports.some((r) => r.env === env && r.kind === "environment" && r.note)) continue;
    const te = performance.now();
    const rendered = profileReports.filter((r) => r.env === env);
    const objects = rendered.flatMap((r) => r.objects ?? []);
    let findings: Finding[];
    try {
      findings = (await policyStage(env, objects, root)).map(fromViolation);
    } catch (err) {
      findings = [fromError(err)];
    }
    const order = checkInstallOrder(rendered.filter((r) => r.objects).map((r) => ({ profile: r.profile!, objects: r.objects! })));
    reports.push({
      env, release: "(install order)", chart: "-", kind: "environment", ok: order.length === 0, ms: 0, findings: order,
      note: "dependsOn covers every StorageClass and the DFS mount a release uses",
    });
    const incomplete = rendered.some((r) => !r.objects);
    reports.push({
      env, release: "(policy)", chart: "-", kind: "environment", ok: !findings.some((f) => f.severity === "error"),
      ms: Math.round(performance.now() - te), findings,
      note: `${objects.length} objects checked against values/${env}/policy.yaml${incomplete ? " (releases that failed to render are not included)" : ""}`,
    });
  }
  return { ok: reports.every((r) => r.ok), profiles: reports, ms: Math.round(performance.now() - t0) };
}
