/**
 * The alert path of an environment (clusters/<env>/alerts/): notification-controller Providers and
 * Alerts against this repository's closed schemas (schema/notification.ts; the flux-cd models
 * check them against the CRD in lintFluxLayer), and coverage: every HelmRelease and Flux
 * Kustomization of the environment is an event source of an Alert whose Provider exists, so no
 * failure goes unreported.
 *
 * Matching as notification-controller does it (fluxcd/notification-controller
 * internal/server/event_handlers.go eventMatchesAlertSource): same kind and namespace (an event
 * source without namespace means the Alert's), name `*` or equal, and the Alert's eventSeverity
 * `info` (every event) or equal to the event's (`error` for failures).
 */
import { join } from "node:path";
import type { AlertEventSource } from "../../schema/notification.ts";
import type { Environment, FluxObject } from "../lib/flux.ts";
import { repoRoot } from "../lib/paths.ts";
import { validateLayers } from "../lib/values-validate.ts";
import { objectRef, type Finding } from "./types.ts";

const CLOSED: Record<string, string> = { Provider: "provider.schema.json", Alert: "alert.schema.json" };

/**
 * Provider types whose webhook URL carries the credential (Flux docs, "Providers": for these the
 * address "can be specified in the Secret referenced by secretRef", which keeps the token out of Git).
 */
const TOKEN_IN_URL = new Set(["slack", "discord", "msteams", "googlechat", "rocket", "lark", "webex", "zulip", "generic-hmac"]);

interface AlertObj {
  metadata: { name: string; namespace?: string };
  spec?: { providerRef?: { name: string }; eventSeverity?: string; eventSources?: AlertEventSource[]; suspend?: boolean };
}

function at(o: FluxObject, path: (string | number)[]) {
  return { file: o.file, ...o.doc.position(path) };
}

export function lintAlerts(e: Environment): Finding[] {
  const out: Finding[] = [];
  const byKind = (kind: string) => e.objects.filter((o) => o.obj.kind === kind && o.obj.apiVersion.startsWith("notification.toolkit.fluxcd.io/"));
  const providers = byKind("Provider");
  const alerts = byKind("Alert");
  for (const o of [...providers, ...alerts]) {
    const schema = join(repoRoot, "schema", "generated", CLOSED[o.obj.kind]);
    for (const err of validateLayers(o.obj, [{ doc: o.doc, base: [], mount: [], value: o.obj }], schema)) {
      out.push({ severity: "error", rule: "alerts/schema", object: objectRef(o.obj), location: { file: err.file, line: err.line, col: err.col }, message: err.detail });
    }
  }
  for (const p of providers) {
    const spec = (p.obj.spec ?? {}) as { type?: string; address?: string; secretRef?: { name: string } };
    if (spec.address && spec.type && TOKEN_IN_URL.has(spec.type)) {
      out.push({
        severity: "error",
        rule: "alerts/address-in-git",
        object: objectRef(p.obj),
        location: at(p, ["spec", "address"]),
        message: `a ${spec.type} webhook URL carries its token, and spec.address puts it in Git. Fix: remove spec.address and create the Secret out of band: kubectl -n ${p.obj.metadata.namespace} create secret generic ${spec.secretRef?.name ?? "flux-alerts"} --from-literal=address=<URL> (and set spec.secretRef.name)`,
      });
    }
    if (!spec.address && !spec.secretRef) {
      out.push({ severity: "error", rule: "alerts/no-address", object: objectRef(p.obj), location: at(p, ["spec"]), message: "has neither spec.address nor spec.secretRef, so notification-controller has nowhere to send. Fix: set spec.secretRef.name to the Secret holding `address`" });
    }
  }
  const live: { o: FluxObject; a: AlertObj }[] = [];
  for (const o of alerts) {
    const a = o.obj as unknown as AlertObj;
    const ns = a.metadata.namespace;
    const ref = a.spec?.providerRef?.name;
    if (ref && !providers.some((p) => p.obj.metadata.name === ref && p.obj.metadata.namespace === ns)) {
      out.push({
        severity: "error",
        rule: "alerts/provider",
        object: objectRef(o.obj),
        location: at(o, ["spec", "providerRef", "name"]),
        message: `providerRef ${ref} is not a Provider of clusters/${e.env}/ in ${ns}, so notification-controller drops every event of this Alert. Fix: use one of ${providers.filter((p) => p.obj.metadata.namespace === ns).map((p) => p.obj.metadata.name).join(", ") || "(none: add a Provider)"}`,
      });
      continue;
    }
    if (!a.spec?.suspend) live.push({ o, a });
  }
  // Coverage of failures: an `error` event of every HelmRelease and Flux Kustomization.
  const covered = (kind: string, name: string, namespace: string) =>
    live.some(({ a }) =>
      (a.spec?.eventSources ?? []).some((s) => s.kind === kind && (s.namespace ?? a.metadata.namespace) === namespace && (s.name === "*" || s.name === name) && !s.matchLabels),
    );
  for (const o of e.objects) {
    const kind = o.obj.kind;
    const isFlux = (kind === "HelmRelease" && o.obj.apiVersion.startsWith("helm.toolkit.fluxcd.io/")) || (kind === "Kustomization" && o.obj.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/"));
    if (!isFlux) continue;
    const ns = o.obj.metadata.namespace ?? "default";
    if (covered(kind, o.obj.metadata.name, ns)) continue;
    out.push({
      severity: "error",
      rule: "alerts/coverage",
      object: objectRef(o.obj),
      location: at(o, ["metadata"]),
      message: `no Alert of clusters/${e.env}/ forwards its failures (${alerts.length === 0 ? "there is no Alert" : `Alerts: ${alerts.map((x) => objectRef(x.obj)).join(", ")}`}), so a failed ${kind === "HelmRelease" ? "install or upgrade" : "apply"} tells no one. Fix: add {kind: ${kind}, name: "*", namespace: ${ns}} to the eventSources of clusters/${e.env}/alerts/alert-failures.yaml`,
    });
  }
  return out;
}
