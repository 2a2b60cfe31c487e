/**
 * Flux install/upgrade semantics, per HelmRelease (after the kustomization patches), with the
 * HelmRelease file:line and the fix. helm-controller sources:
 * - fluxcd/helm-controller api/v2/helmrelease_types.go (Install.GetRetry, InstallStrategy,
 *   UpgradeStrategy: `RemediateOnFailure` is the default; `RetryOnFailure`, since helm-controller
 *   v1.4, retries a failed install as an upgrade every retryInterval and never remediates);
 * - docs/spec/v2/helmreleases.md "Install remediation": "Remediation, using an uninstall, is
 *   performed between each attempt"; "Upgrade remediation": strategy rollback (default) or
 *   uninstall.
 * An uninstall deletes every object Helm created, PVCs and PVs included, unless the object carries
 * `helm.sh/resource-policy: keep` (helm/helm pkg/action/resource_policy.go). PVCs created from a
 * StatefulSet's volumeClaimTemplates are the StatefulSet controller's, not Helm's, and survive.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { helmReleaseSpec } from "../lib/flux.ts";
import type { Cluster } from "../lib/inventory.ts";
import { blockedByManualSteps, MANUAL_STEPS } from "../lib/manual-steps.ts";
import type { K8sObject } from "../lib/render.ts";
import type { SourceDoc } from "../lib/yaml.ts";
import { objectRef, type Finding } from "./types.ts";

export interface ReleaseUnderCheck {
  file: string;
  doc: SourceDoc;
  hr: K8sObject;
  chart: string;
  values: Record<string, unknown>;
  objects: K8sObject[];
}

/** How a failed install/upgrade is remediated: "retry" (RetryOnFailure), or the uninstall/rollback helm-controller would run. */
export function remediation(hr: K8sObject): { install: "retry" | "uninstall" | "none"; upgrade: "retry" | "rollback" | "uninstall" | "none" } {
  const spec = helmReleaseSpec(hr);
  const install = spec.install?.strategy?.name === "RetryOnFailure" ? "retry"
    : (spec.install?.remediation?.retries ?? 0) !== 0 || spec.install?.remediation?.remediateLastFailure ? "uninstall" : "none";
  const upgrade = spec.upgrade?.strategy?.name === "RetryOnFailure" ? "retry"
    : (spec.upgrade?.remediation?.retries ?? 0) !== 0 || spec.upgrade?.remediation?.remediateLastFailure
      ? (spec.upgrade?.remediation?.strategy === "uninstall" ? "uninstall" : "rollback") : "none";
  return { install, upgrade };
}

const FIX_RETRY = "set install.strategy {name: RetryOnFailure} and upgrade.strategy {name: RetryOnFailure} in the HelmRelease patch of clusters/<env>/kustomization.yaml (helm-controller >= 1.4)";

export function checkInstallSemantics(r: ReleaseUnderCheck): Finding[] {
  const out: Finding[] = [];
  const ref = `HelmRelease/${r.hr.metadata.namespace}/${r.hr.metadata.name}`;
  const at = (path: (string | number)[]) => ({ file: r.file, ...r.doc.position(path) });
  const mode = remediation(r.hr);
  if (mode.install === "uninstall" || mode.upgrade === "uninstall") {
    for (const o of r.objects) {
      if (o.kind !== "PersistentVolumeClaim" && o.kind !== "PersistentVolume") continue;
      if (o.metadata.annotations?.["helm.sh/resource-policy"] === "keep") continue;
      out.push({
        severity: "error", object: ref, location: at(["spec"]),
        message: `a failed ${mode.install === "uninstall" ? "install" : "upgrade"} is remediated by uninstall, which deletes ${objectRef(o)} (no helm.sh/resource-policy: keep) and its data. Fix: ${FIX_RETRY}, or annotate the ${o.kind} with helm.sh/resource-policy: keep`,
      });
    }
  }
  if (r.chart === "longhorn") {
    if (mode.install === "uninstall" || mode.upgrade !== "retry") {
      out.push({
        severity: "error", object: ref, location: at(["spec"]),
        message: `Longhorn would be ${mode.install === "uninstall" ? "uninstalled" : mode.upgrade === "rollback" ? "rolled back" : "uninstalled or rolled back"} on a failure: Longhorn does not support downgrades (longhorn.io docs "Upgrade": "downgrade is not supported") and refuses uninstall without deletingConfirmationFlag, so remediation can only wedge it. Fix: ${FIX_RETRY}`,
      });
    }
    const flag = (r.values.defaultSettings as Record<string, unknown> | undefined)?.deletingConfirmationFlag;
    if (flag === true || flag === "true") {
      out.push({
        severity: "error", object: ref, location: at(["spec", "values", "defaultSettings", "deletingConfirmationFlag"]),
        message: "defaultSettings.deletingConfirmationFlag: true lets an uninstall (a remediation, or a pruned HelmRelease) delete Longhorn and every volume's data. Fix: remove it; set it by hand only when decommissioning the cluster",
      });
    }
  }
  return out;
}

// ---- timeout vs. startup budgets -----------------------------------------------------------------

type Probe = { initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number };
type Container = { name: string; startupProbe?: Probe; readinessProbe?: Probe };

/** A Go duration (`5m`, `1h30m`, `90s`) in seconds; NaN when it is not one. */
export function durationSeconds(d: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let seen = "";
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as "ms" | "s" | "m" | "h"];
    seen += m[0];
  }
  return seen === d && d !== "" ? total : NaN;
}

/**
 * The longest time a pod of `o` may take to become Ready while its probes still allow it: a
 * startupProbe's initialDelaySeconds + failureThreshold × periodSeconds (Kubernetes defaults 0, 3,
 * 10; the kubelet restarts the container after that), else the readinessProbe's first success at
 * initialDelaySeconds + periodSeconds. A StatefulSet with OrderedReady pods starts them one after
 * another (kubernetes/kubernetes pkg/controller/statefulset), so its budget is per pod × replicas.
 */
export function startupBudget(o: K8sObject): { seconds: number; detail: string } | undefined {
  const spec = o.spec as { replicas?: number; podManagementPolicy?: string; template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined;
  if (!["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind) || !spec?.template?.spec) return undefined;
  let worst: { seconds: number; detail: string } | undefined;
  for (const c of spec.template.spec.containers ?? []) {
    const p = c.startupProbe;
    const s = p ? (p.initialDelaySeconds ?? 0) + (p.failureThreshold ?? 3) * (p.periodSeconds ?? 10)
      : c.readinessProbe ? (c.readinessProbe.initialDelaySeconds ?? 0) + (c.readinessProbe.periodSeconds ?? 10) : 0;
    const what = p ? `startupProbe ${p.initialDelaySeconds ?? 0}s + ${p.failureThreshold ?? 3} × ${p.periodSeconds ?? 10}s` : "readinessProbe";
    if (!worst || s > worst.seconds) worst = { seconds: s, detail: `container ${c.name}: ${what} = ${s}s` };
  }
  if (!worst) return undefined;
  const ordered = o.kind === "StatefulSet" && spec.podManagementPolicy !== "Parallel" && (spec.replicas ?? 1) > 1;
  return ordered ? { seconds: worst.seconds * (spec.replicas ?? 1), detail: `${worst.detail}, × ${spec.replicas} OrderedReady replicas` } : worst;
}

/**
 * With wait on (the default), helm-controller's install/upgrade fails when the release's workloads
 * are not Ready within the timeout (`.spec.install.timeout` / `.spec.upgrade.timeout`, else
 * `.spec.timeout`, default 5m0s: fluxcd/helm-controller docs/spec/v2/helmreleases.md "Timeout",
 * "Install configuration" disableWait). So the timeout must cover the longest startup budget.
 */
export function checkTimeouts(r: ReleaseUnderCheck): Finding[] {
  const spec = helmReleaseSpec(r.hr);
  const out: Finding[] = [];
  const ref = `HelmRelease/${r.hr.metadata.namespace}/${r.hr.metadata.name}`;
  let worst: { seconds: number; detail: string; obj: K8sObject } | undefined;
  for (const o of r.objects) {
    const b = startupBudget(o);
    if (b && (!worst || b.seconds > worst.seconds)) worst = { ...b, obj: o };
  }
  if (!worst) return out;
  for (const action of ["install", "upgrade"] as const) {
    if (spec[action]?.disableWait) continue;
    const raw = spec[action]?.timeout ?? spec.timeout ?? "5m0s";
    const t = durationSeconds(raw);
    if (!(t < worst.seconds)) continue;
    const path = spec[action]?.timeout ? ["spec", action, "timeout"] : spec.timeout ? ["spec", "timeout"] : ["spec"];
    out.push({
      severity: "error", object: ref, location: { file: r.file, ...r.doc.position(path) },
      message: `${action} waits ${raw}${spec[action]?.timeout || spec.timeout ? "" : " (helm-controller's default)"} for the release to be Ready, but ${objectRef(worst.obj)} may need ${worst.seconds}s (${worst.detail}): a slow but healthy start fails the ${action}. Fix: set spec.timeout to at least ${Math.ceil((worst.seconds + 60) / 60)}m in ${r.file}`,
    });
  }
  return out;
}

// ---- releases blocked by a manual step ------------------------------------------------------------

/**
 * A release whose pods cannot become Ready before a documented manual step (tools/lib/manual-steps.ts:
 * derived from its rendered volumes) must still install: with wait on, helm-controller fails the
 * install at the timeout and retries or remediates it (checkTimeouts' sources), so such a release
 * sets `install.disableWait: true` (helm-controller docs/spec/v2/helmreleases.md "Install
 * configuration": "DisableWait disables the waiting for resources to be ready after a Helm install
 * has been performed"). Every step is named in the NOTES of its chart (what the operator reads
 * after the install) and, generated from the same list, in the runbook.
 */
export function checkManualSteps(r: ReleaseUnderCheck, cluster: readonly K8sObject[], inventory: Cluster, root: string): Finding[] {
  const out: Finding[] = [];
  const ref = `HelmRelease/${r.hr.metadata.namespace}/${r.hr.metadata.name}`;
  const spec = helmReleaseSpec(r.hr);
  const blocked = blockedByManualSteps(r.objects, cluster, inventory);
  if (blocked.length > 0 && spec.install?.disableWait !== true) {
    const b = blocked[0];
    out.push({
      severity: "error", rule: "flux/manual-step-wait", object: ref, location: { file: r.file, ...r.doc.position(spec.install ? ["spec", "install"] : ["spec"]) },
      message: `the install waits for its pods to be Ready, but ${b.reason}: the install times out on a fresh cluster and is retried (or remediated) until a person acts. Fix: set install.disableWait: true in ${r.file} (this release only), or make the pods' readiness independent of step ${b.step.id}`,
    });
  }
  // Each release checks the steps of its own chart (the release where the person acts).
  for (const s of MANUAL_STEPS.filter((x) => x.chart === r.chart)) {
    const notes = join(root, "charts", s.chart, "templates", "NOTES.txt");
    if (!existsSync(join(root, "charts", s.chart))) continue;
    if (existsSync(notes) && readFileSync(notes, "utf8").includes(s.id)) continue;
    out.push({
      severity: "error", rule: "flux/manual-step-notes", object: ref, location: { file: relative(root, notes), line: 1, col: 1 },
      message: `manual step ${s.id} (${s.title}) is not named in charts/${s.chart}/templates/NOTES.txt, so the operator who installs the release does not learn of it. Fix: add a line naming "${s.id}" and pointing at the runbook's "After the first install" section (npm run runbook)`,
    });
  }
  return out;
}
