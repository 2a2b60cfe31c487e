/**
 * `simulate --scenario first-install`: what Flux does on a fresh cluster after
 * `flux bootstrap git --path clusters/<env>`, in order, with times, and where a person must act.
 *
 * The semantics modelled, each from the controllers' own specs:
 * - Kustomizations (fluxcd/kustomize-controller docs/spec/v1/kustomizations.md): one starts when
 *   the Kustomization that applies it exists and every `dependsOn` is Ready ("Dependencies");
 *   the whole build is dry-run first, so one object of a kind the cluster does not know yet fails
 *   the apply, which is retried every `retryInterval` (default `interval`); CRDs and Namespaces of
 *   the build itself are applied first ("Server-side apply", staged). With `wait: true` it is Ready
 *   when every object it applied is; `timeout` defaults to `interval`.
 * - HelmReleases (fluxcd/helm-controller docs/spec/v2/helmreleases.md): one starts when it exists,
 *   its chart source is ready and every `dependsOn` is Ready; install applies the chart's CRDs
 *   first (`install.crds`), then the objects (a kind without its CRD fails the install:
 *   "resource mapping not found"); with wait on (the default, `waitStrategy` poller: kstatus) it
 *   is Ready when its Deployments, StatefulSets and DaemonSets have their pods Ready, within
 *   `install.timeout`/`timeout` (default 5m0s). A failed install is retried as an upgrade every
 *   `retryInterval` with `install.strategy: RetryOnFailure`; with the default
 *   RemediateOnFailure it is uninstalled between retries (tools/lint/flux-install.ts remediation).
 *   Hooks run only for their events: a `pre-delete`/`post-upgrade` hook is not part of install.
 * - Pods: a pod whose claim names a StorageClass that does not exist yet, or whose provisioner is
 *   not running, stays Pending until both exist; a pod whose volume waits for a manual step
 *   (tools/lib/manual-steps.ts) stays ContainerCreating until a person has done it; a pod the
 *   scheduler cannot place (the base placement) never starts.
 *
 * The scenario fails when a release would time out, be uninstalled or never install, or a
 * Kustomization would never become Ready. Times are estimates from the named ASSUMPTIONS and the
 * rendered probes; the worst-case probe budgets are checked by lint (checkTimeouts).
 */
import type { Environment, FluxObject } from "../lib/flux.ts";
import { helmReleaseSpec, kustomizationId, kustomizationSpec } from "../lib/flux.ts";
import { allContainers, asObjList, objectRef, podSpecOf, type K8sObject } from "../lib/k8s.ts";
import { blockedByManualSteps, MANUAL_STEPS } from "../lib/manual-steps.ts";
import type { RenderedRelease } from "../lib/render.ts";
import { durationSeconds, remediation } from "../lint/flux-install.ts";
import { KEEPALIVED } from "../runbook/keepalived.ts";
import type { ScenarioResult, SimContext } from "./scenarios.ts";

/** The estimates the timeline rests on (printed with the scenario). */
export const FIRST_INSTALL_ASSUMPTIONS = {
  /** kustomize-controller builds, dry-runs and applies one Kustomization. */
  applySeconds: 10,
  /** source-controller fetches a chart (index or Git artifact) and helm-controller runs the install. */
  chartSeconds: 20,
  /** A node pulls a container image for the first time. */
  pullSeconds: 60,
  /** A person does one manual step (reads NOTES, opens the UI, fills it in). */
  personSeconds: 900,
} as const;

/** API groups the cluster knows before anything is applied: Kubernetes' own and Flux's (bootstrap installs the toolkit CRDs). */
function builtIn(apiVersion: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return !group.includes(".") || group.endsWith(".k8s.io") || group.endsWith(".toolkit.fluxcd.io");
}
const kindKey = (apiVersion: string, kind: string) => `${apiVersion.includes("/") ? apiVersion.split("/")[0] : ""}/${kind}`;
const crdKey = (o: K8sObject) => {
  const s = o.spec as { group?: string; names?: { kind?: string } } | undefined;
  return `${s?.group ?? ""}/${s?.names?.kind ?? ""}`;
};

/**
 * StorageClass provisioners that no rendered object registers, because a controller creates their
 * CSIDriver at run time, and the chart whose release must be Ready for them to provision:
 * longhorn-driver-deployer registers driver.longhorn.io (longhorn-manager app/driver.go).
 */
const RUNTIME_PROVISIONERS: Readonly<Record<string, string>> = { "driver.longhorn.io": "longhorn" };

/** Whether a rendered object is part of `helm install` (hooks only for their events). */
function installs(o: K8sObject): boolean {
  const hook = o.metadata.annotations?.["helm.sh/hook"];
  return hook === undefined || hook.split(",").some((h) => /^(pre|post)-install$/.test(h.trim()));
}

/** The first time a pod of `o` reports Ready after its containers start: the slowest container's first probe success. */
function firstReadySeconds(o: K8sObject): number {
  const spec = podSpecOf(o);
  if (!spec) return 0;
  let worst = 0;
  for (const { list, container } of allContainers(spec)) {
    if (list !== "containers") continue;
    const p = (container.startupProbe ?? container.readinessProbe) as { initialDelaySeconds?: number; periodSeconds?: number } | undefined;
    if (p) worst = Math.max(worst, (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10));
  }
  const sts = o.kind === "StatefulSet" && (o.spec as { podManagementPolicy?: string }).podManagementPolicy !== "Parallel";
  return sts ? worst * Math.max(1, Number((o.spec as { replicas?: number }).replicas ?? 1)) : worst;
}

interface Release {
  id: string;
  flux: FluxObject;
  rendered: RenderedRelease | undefined;
}

interface ReleaseOutcome {
  id: string;
  kustomization: string;
  start: number;
  installed: number;
  ready: number;
  waitsFor: string[];
  timeout: number | null;
  personAfter: string[];
  /** When its pods that wait for no manual step are Ready (Infinity: one of them never runs). */
  podsReady: number;
}

const fmt = (t: number) => (Number.isFinite(t) ? `${Math.round(t)}s` : "never");
const mins = (t: number) => `${Math.floor(t / 60)}m${String(Math.round(t % 60)).padStart(2, "0")}s`;

/** Runs the first-install scenario for the environment's Flux objects and rendered releases. */
export function scenarioFirstInstall(ctx: SimContext, flux: Environment, releases: readonly RenderedRelease[]): ScenarioResult {
  const A = FIRST_INSTALL_ASSUMPTIONS;
  const r: ScenarioResult = {
    name: "first-install",
    title: `first install after flux bootstrap --path clusters/${ctx.env}: order, waits, manual steps, time to a working cluster`,
    applicable: true,
    assumptions: [
      `${A.applySeconds}s for kustomize-controller to apply one Kustomization`,
      `${A.chartSeconds}s to fetch a chart and run helm install`,
      `${A.pullSeconds}s for a node's first pull of an image`,
      `${A.personSeconds}s for a person to do one manual step (tools/lib/manual-steps.ts)`,
      "a person is not required to act within any timeout: a release that waits for a manual step times out",
    ],
    timeline: [],
    pods: [],
    findings: [],
    violations: [],
    facts: {},
  };
  const all = flux.objects;
  const fluxKs = new Map(all.filter((o) => o.obj.kind === "Kustomization" && o.obj.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")).map((o) => [kustomizationId(o), o]));
  const rootId = all[0]?.appliedBy ?? "flux-system/flux-system";
  const hrs = new Map<string, Release>();
  for (const o of all) {
    if (o.obj.kind !== "HelmRelease") continue;
    const id = kustomizationId(o);
    hrs.set(id, { id, flux: o, rendered: releases.find((x) => x.helmRelease === id) });
  }
  const unrendered = [...hrs.values()].filter((h) => !h.rendered).map((h) => h.id);
  if (unrendered.length > 0) {
    return { ...r, applicable: false, reason: `HelmRelease ${unrendered.join(", ")} not rendered (an upstream chart without network or CHART_MIRROR, or a render limited to some releases): the install order needs every release's objects. Fix: set CHART_MIRROR or --chart-mirror to a Helm repository directory, or run online` };
  }
  const clusterObjects = releases.flatMap((x) => x.objects);
  const blocked = blockedByManualSteps(clusterObjects, clusterObjects, ctx.inventory);
  const pending = new Set(ctx.base.placements.filter((p) => p.status !== "Scheduled").map((p) => p.workload));

  // What provides each CRD kind: Kustomization builds (applied with them) and releases (installed first).
  const crdInBuild = new Map<string, Set<string>>();
  for (const o of all) if (o.obj.kind === "CustomResourceDefinition") (crdInBuild.get(o.appliedBy ?? rootId) ?? crdInBuild.set(o.appliedBy ?? rootId, new Set()).get(o.appliedBy ?? rootId)!).add(crdKey(o.obj));
  const crdFromRelease = new Map<string, string[]>();
  for (const h of hrs.values()) for (const o of h.rendered?.objects ?? []) if (o.kind === "CustomResourceDefinition") crdFromRelease.set(crdKey(o), [...(crdFromRelease.get(crdKey(o)) ?? []), h.id]);

  const kMemo = new Map<string, { start: number; applied: number; ready: number }>();
  /** When a pod-owning object that waits for a manual step could start but for the step (its install, claims, classes). */
  const availBeforeStep = new Map<K8sObject, number>();
  const hMemo = new Map<string, ReleaseOutcome>();
  const visiting = new Set<string>();
  const event = (t: number, text: string) => {
    if (Number.isFinite(t)) r.timeline.push({ t: Math.round(t), text });
  };

  /** When the kind exists in the cluster (Infinity: nothing provides it). */
  const kindAvailable = (key: string, inBuild?: string): number => {
    if (inBuild && crdInBuild.get(inBuild)?.has(key)) return 0;
    let t = Infinity;
    for (const id of crdFromRelease.get(key) ?? []) t = Math.min(t, release(id).installed);
    for (const [kid, set] of crdInBuild) if (set.has(key)) t = Math.min(t, kust(kid).applied);
    return t;
  };

  /** The first try at or after `need`, for a controller retrying every `every` seconds from `start`. */
  const retryAt = (start: number, need: number, every: number) => (need <= start ? start : start + Math.ceil((need - start) / every) * every);

  function kust(id: string): { start: number; applied: number; ready: number } {
    const memo = kMemo.get(id);
    if (memo) return memo;
    if (visiting.has(id)) return { start: Infinity, applied: Infinity, ready: Infinity };
    visiting.add(id);
    const k = fluxKs.get(id);
    const spec = k ? kustomizationSpec(k.obj) : {};
    const interval = durationSeconds(spec.interval ?? "10m");
    const every = spec.retryInterval ? durationSeconds(spec.retryInterval) : interval;
    const timeout = spec.timeout ? durationSeconds(spec.timeout) : interval;
    const created = id === rootId ? 0 : k?.appliedBy ? kust(k.appliedBy).applied : Infinity;
    const deps = (spec.dependsOn ?? []).map((d) => `${d.namespace ?? k?.obj.metadata.namespace ?? "default"}/${d.name}`);
    const start = Math.max(created, ...deps.map((d) => (fluxKs.has(d) ? kust(d).ready : Infinity)));
    const objs = all.filter((o) => (o.appliedBy ?? rootId) === id);
    let need = start;
    for (const o of objs) {
      if (builtIn(o.obj.apiVersion)) continue;
      const t = kindAvailable(kindKey(o.obj.apiVersion, o.obj.kind), id);
      if (t > start) {
        need = Math.max(need, t);
        if (Number.isFinite(t)) r.findings.push(`Kustomization ${id}: ${objectRef(o.obj)} is a kind the cluster learns only at ${fmt(t)}: its dry-run fails and kustomize-controller retries it every ${every}s until the CRD exists (only this Kustomization waits)`);
        else r.violations.push(`Kustomization ${id} never applies: ${objectRef(o.obj)} (${o.file}) is a kind (${o.obj.apiVersion} ${o.obj.kind}) whose CRD nothing in clusters/${ctx.env} installs, so the dry-run of the whole build fails. Fix: install the CRD (a HelmRelease or the build itself), or remove the object`);
      }
    }
    const applied = Number.isFinite(need) ? retryAt(start, need, every) + A.applySeconds : Infinity;
    // Applied is known: the objects it applies may ask for it while its readiness is computed
    // (a Kustomization that waits for itself never becomes Ready: Infinity until done).
    kMemo.set(id, { start, applied, ready: Infinity });
    visiting.delete(id);
    let ready = applied;
    if (spec.wait) {
      for (const o of objs) {
        if (o.obj.kind === "HelmRelease") ready = Math.max(ready, release(kustomizationId(o)).ready);
        if (fluxKs.has(kustomizationId(o)) && o.obj.kind === "Kustomization") ready = Math.max(ready, kust(kustomizationId(o)).ready);
      }
    }
    const out = { start, applied, ready };
    kMemo.set(id, out);
    if (Number.isFinite(start)) {
      event(start, `Kustomization ${id} starts${deps.length ? ` (dependsOn ${deps.join(", ")} Ready)` : ""}: applies ${objs.length} object(s)${Number.isFinite(applied) ? "" : " - NEVER"}`);
      if (spec.wait && Number.isFinite(ready)) event(ready, `Kustomization ${id} Ready (wait: every object it applied is Ready)`);
      if (spec.wait && ready - start > timeout) {
        r.violations.push(`Kustomization ${id} is not Ready within its timeout ${spec.timeout ?? `${spec.interval ?? "10m"} (its interval)`} (${fmt(ready - start)} after it starts): it reports a failure and every Kustomization that dependsOn it waits. Fix: raise spec.timeout of ${k?.file ?? id}, or find the release that is slow in this timeline`);
      }
    }
    return out;
  }

  function release(id: string): ReleaseOutcome {
    const memo = hMemo.get(id);
    if (memo) return memo;
    const never: ReleaseOutcome = { id, kustomization: "", start: Infinity, installed: Infinity, ready: Infinity, waitsFor: [], timeout: null, personAfter: [], podsReady: Infinity };
    if (visiting.has(id)) return never;
    visiting.add(id);
    const h = hrs.get(id)!;
    const hr = h.flux.obj;
    const spec = helmReleaseSpec(hr);
    const kid = h.flux.appliedBy ?? rootId;
    const created = kust(kid).applied;
    const src = spec.chart?.spec?.sourceRef;
    const srcObj = all.find((o) => o.obj.kind === src?.kind && o.obj.metadata.name === src?.name && (o.obj.metadata.namespace ?? "default") === (src?.namespace ?? hr.metadata.namespace));
    const sourceReady = srcObj ? (srcObj.appliedBy === kid ? created : kust(srcObj.appliedBy ?? rootId).applied) : Infinity;
    const deps = (spec.dependsOn ?? []).map((d) => `${d.namespace ?? hr.metadata.namespace ?? "default"}/${d.name}`);
    const start = Math.max(created, sourceReady, ...deps.map((d) => (hrs.has(d) ? release(d).ready : Infinity)));
    const mode = remediation(hr);
    // RetryOnFailure retries every install.strategy.retryInterval ("Defaults to '5m'", the CRD's
    // description); otherwise the next attempt comes with the next reconciliation (spec.interval).
    const every = durationSeconds(spec.install?.strategy?.name === "RetryOnFailure" ? (spec.install.strategy.retryInterval ?? "5m") : (spec.interval ?? "10m"));
    const objects = (h.rendered?.objects ?? []).filter(installs);
    // CRDs: the chart's own first, then every other kind must already exist.
    const own = new Set(objects.filter((o) => o.kind === "CustomResourceDefinition").map(crdKey));
    let need = start;
    for (const o of objects) {
      const key = kindKey(o.apiVersion, o.kind);
      if (builtIn(o.apiVersion) || own.has(key)) continue;
      const t = kindAvailable(key);
      if (t > start) {
        need = Math.max(need, t);
        const how = mode.install === "retry" ? `retried as an upgrade every ${every}s` : mode.install === "uninstall" ? "uninstalled and retried" : "not retried";
        r.violations.push(`HelmRelease ${id}: the install fails ("resource mapping not found" for ${o.apiVersion} ${o.kind}) because ${Number.isFinite(t) ? `its CRD arrives only at ${fmt(t)}` : "nothing installs its CRD"}; it is ${how}. Fix: dependsOn the release that installs the CRD, or move this release to a Kustomization that dependsOn it`);
      }
    }
    const installAt = Number.isFinite(need) ? retryAt(start, need, every) : Infinity;
    const installed = installAt + A.chartSeconds;
    const wait = spec.install?.disableWait !== true;
    const timeoutRaw = spec.install?.timeout ?? spec.timeout ?? "5m0s";
    const timeout = durationSeconds(timeoutRaw);
    // Each pod-owning object: when its pods are Ready.
    const waitsFor: string[] = [];
    const personAfter: string[] = [];
    let ready = installed;
    let unblocked = installed;
    let worst: { t: number; why: string } = { t: installed, why: "" };
    for (const o of objects) {
      if (!["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind)) continue;
      const ref = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
      waitsFor.push(ref);
      let avail = installed;
      let why = "";
      if (pending.has(ref)) {
        avail = Infinity;
        why = "the scheduler places none of its pods (see the placement above)";
      }
      for (const v of asObjList(podSpecOf(o)?.volumes)) {
        const claim = (v.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
        if (claim) {
          const t = claimAvailable(o.metadata.namespace ?? "", claim, objects);
          if (t.at > avail) [avail, why] = [t.at, t.why];
        }
      }
      for (const tpl of asObjList((o.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates)) {
        const t = classAvailable(String((tpl.spec as { storageClassName?: string } | undefined)?.storageClassName ?? ""));
        if (t.at > avail) [avail, why] = [t.at, t.why];
      }
      const b = blocked.find((x) => x.object === o);
      if (b) {
        // Ready only after the step, and not before what else it waits for.
        personAfter.push(b.step.id);
        availBeforeStep.set(o, avail);
        if (Number.isFinite(avail)) [avail, why] = [Infinity, b.reason];
      }
      const podsReady = avail + A.pullSeconds + firstReadySeconds(o);
      if (podsReady > worst.t) worst = { t: podsReady, why: `${ref}: ${why || "image pull and first probe success"}` };
      ready = Math.max(ready, podsReady);
      if (!b) unblocked = Math.max(unblocked, podsReady);
    }
    const out: ReleaseOutcome = { id, kustomization: kid, start, installed, ready: wait ? ready : installed, waitsFor, timeout: wait ? timeout : null, personAfter, podsReady: unblocked };
    hMemo.set(id, out);
    visiting.delete(id);
    if (Number.isFinite(start)) {
      const ver = h.rendered?.upstream ? ` ${h.rendered.upstream.version}` : "";
      event(start, `HelmRelease ${id} installs ${h.rendered?.chart ?? "its chart"}${ver}${deps.length ? ` (after ${deps.join(", ")})` : ""}; ${wait ? `waits up to ${timeoutRaw} for ${waitsFor.length ? waitsFor.join(", ") : "its objects"}` : "disableWait: Ready once applied"}`);
    }
    if (wait && ready - start > timeout) {
      const blockedBy = blocked.filter((x) => objects.includes(x.object));
      const cause = blockedBy.length ? `${blockedBy[0].reason}, and no one is required to act within the timeout` : worst.why;
      const then = mode.install === "uninstall" ? "uninstalled between retries, deleting every PVC/PV it created without helm.sh/resource-policy: keep" : mode.install === "retry" ? `retried as an upgrade every ${every}s and reported failed (alerts fire) until the pods are Ready` : "left failed";
      r.violations.push(`HelmRelease ${id} times out: its install waits ${timeoutRaw} but ${Number.isFinite(ready) ? `its pods are Ready only ${fmt(ready - start)} after it starts` : "its pods are never Ready without a person"} (${cause}); it is ${then}. Fix: ${blockedBy.length ? `set install.disableWait: true in ${h.flux.file} (this release only; step ${blockedBy[0].step.id} is named in its NOTES and the runbook)` : `raise spec.timeout in ${h.flux.file}, or remove what it waits for`}`);
    } else if (mode.install === "uninstall" && !Number.isFinite(out.ready)) {
      r.violations.push(`HelmRelease ${id} never becomes Ready and is uninstalled between install retries. Fix: set install.strategy {name: RetryOnFailure} (clusters/${ctx.env}/components/helmrelease-defaults)`);
    }
    if (Number.isFinite(out.ready)) event(out.ready, `HelmRelease ${id} Ready${wait ? "" : " (applied; its pods start later)"}`);
    return out;
  }

  /** The release of `chart`, if the environment has one. */
  const ofChart = (chart: string) => [...hrs.values()].find((h) => h.rendered?.chart === chart);
  /** The release that renders `kind` `name` (in namespace `ns` when given), with the object. */
  const renderedBy = (kind: string, name: string, ns?: string) => {
    for (const h of hrs.values()) {
      const o = h.rendered?.objects.find((x) => x.kind === kind && x.metadata.name === name && (ns === undefined || x.metadata.namespace === ns));
      if (o) return { h, o };
    }
    return undefined;
  };
  const classOf = (pvc: K8sObject) => String((pvc.spec as { storageClassName?: string } | undefined)?.storageClassName ?? "");

  /** When a claim of a release's pod is usable: its PVC exists (this or another release) and its class can provision. */
  function claimAvailable(ns: string, claim: string, own: readonly K8sObject[]): { at: number; why: string } {
    const mine = own.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === claim && o.metadata.namespace === ns);
    if (mine) return classAvailable(classOf(mine), mine);
    const owner = renderedBy("PersistentVolumeClaim", claim, ns);
    if (!owner) return { at: Infinity, why: `claim ${ns}/${claim} is created by no release` };
    const t = release(owner.h.id).installed;
    const c = classAvailable(classOf(owner.o), owner.o);
    return t >= c.at ? { at: t, why: `claim ${ns}/${claim} is created by HelmRelease ${owner.h.id}` } : c;
  }

  /** When a StorageClass exists and its provisioner runs ("" : a static PersistentVolume, at once). */
  function classAvailable(name: string, pvc?: K8sObject): { at: number; why: string } {
    if (name === "" || (pvc && (pvc.spec as { volumeName?: string }).volumeName)) return { at: 0, why: "" };
    const owner = renderedBy("StorageClass", name);
    if (!owner) return { at: Infinity, why: `StorageClass ${name} is created by no release` };
    const provisioner = String(owner.o.provisioner ?? "");
    let at = release(owner.h.id).installed;
    let why = `StorageClass ${name} is created by HelmRelease ${owner.h.id}`;
    const chart = RUNTIME_PROVISIONERS[provisioner];
    const prov = chart ? ofChart(chart) : undefined;
    if (chart && !prov) return { at: Infinity, why: `the provisioner ${provisioner} of StorageClass ${name} needs the ${chart} release, which this environment does not have` };
    if (prov && release(prov.id).ready > at) [at, why] = [release(prov.id).ready, `StorageClass ${name}'s provisioner ${provisioner} runs when HelmRelease ${prov.id} is Ready`];
    return { at, why };
  }

  event(0, `flux bootstrap: Kustomization ${rootId} applies clusters/${ctx.env} (the Flux controllers and their CRDs are already installed)`);
  kust(rootId);
  for (const id of fluxKs.keys()) kust(id);
  for (const id of hrs.keys()) release(id);

  // Where a person acts, in the catalogue's order (a step may need the pods an earlier one
  // unblocks): once the pods of the step's chart run, those waiting for earlier steps included.
  const stepDone = new Map<string, number>();
  const podsReadyAfterSteps = (b: (typeof blocked)[number]) =>
    Math.max((stepDone.get(b.step.id) ?? Infinity) + KEEPALIVED.rise * KEEPALIVED.interval, availBeforeStep.get(b.object) ?? Infinity) + A.pullSeconds + firstReadySeconds(b.object);
  const chartPodsReady = (chart: string) => {
    const h = ofChart(chart);
    if (!h) return Infinity;
    const o = hMemo.get(h.id)!;
    let t = Math.max(o.installed, o.podsReady);
    for (const b of blocked) if (h.rendered!.objects.includes(b.object)) t = Math.max(t, podsReadyAfterSteps(b));
    return t;
  };
  let person = 0;
  for (const s of MANUAL_STEPS) {
    if (!ofChart(s.chart)) continue;
    const ready = chartPodsReady(s.chart);
    if (!Number.isFinite(ready)) {
      r.violations.push(`manual step ${s.id} can never be done: the pods of the ${s.chart} release never run (see the releases above)`);
      continue;
    }
    const at = Math.max(ready, person);
    person = at + A.personSeconds;
    stepDone.set(s.id, person);
    event(at, `PERSON: step ${s.id} (runbook "After the first install", NOTES of ${s.chart}): ${s.title}; done at ~${fmt(person)}`);
  }
  let working = person;
  for (const o of hMemo.values()) working = Math.max(working, o.installed, o.podsReady);
  for (const b of blocked) {
    const t = podsReadyAfterSteps(b);
    if (Number.isFinite(t)) event(t, `${objectRef(b.object)} Ready after step ${b.step.id}`);
    working = Math.max(working, t);
  }
  if (Number.isFinite(working)) {
    r.findings.push(`expected time to a working cluster: ~${mins(working)}, of which ~${mins(stepDone.size * A.personSeconds)} is a person doing ${stepDone.size} manual step(s): ${[...stepDone.keys()].join(", ") || "none"}`);
  } else r.violations.push("the cluster never finishes installing: see the releases and Kustomizations above");
  r.facts = {
    releases: [...hMemo.values()].sort((a, b) => a.start - b.start).map((o) => ({ ...o, start: Math.round(o.start), installed: Math.round(o.installed), ready: Number.isFinite(o.ready) ? Math.round(o.ready) : null, podsReady: Number.isFinite(o.podsReady) ? Math.round(o.podsReady) : null })),
    kustomizations: [...kMemo.entries()].map(([id, k]) => ({ id, start: Number.isFinite(k.start) ? k.start : null, applied: Number.isFinite(k.applied) ? k.applied : null, ready: Number.isFinite(k.ready) ? k.ready : null })),
    manualSteps: [...stepDone.entries()].map(([id, done]) => ({ id, done })),
    workingAt: Number.isFinite(working) ? Math.round(working) : null,
  };
  return r;
}
