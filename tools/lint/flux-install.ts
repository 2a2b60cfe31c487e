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

type Spec = {
  install?: { strategy?: { name?: string }; remediation?: { retries?: number; remediateLastFailure?: boolean } };
  upgrade?: { strategy?: { name?: string }; remediation?: { retries?: number; strategy?: string; remediateLastFailure?: boolean } };
};

/** How a failed install/upgrade is remediated: "retry" (RetryOnFailure), or the uninstall/rollback helm-controller would run. */
export function remediation(hr: K8sObject): { install: "retry" | "uninstall" | "none"; upgrade: "retry" | "rollback" | "uninstall" | "none" } {
  const spec = (hr.spec ?? {}) as Spec;
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
