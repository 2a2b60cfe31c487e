/**
 * The ha-jobs report job's decision, pure: from Longhorn volumes and Kubernetes Events, the
 * messages to post to Flux's notification-controller, so they reach the operator through the
 * same Provider as Flux's own failures (clusters/<env>/alerts/alert-ha-jobs.yaml).
 *
 * notification-controller accepts an event for any object it has an Alert for: it matches the
 * involved object's kind, namespace and name against the Alerts' eventSources and the event's
 * severity against the Alert's (fluxcd/notification-controller internal/server/event_handlers.go
 * eventMatchesAlertSource). The reports are therefore events about the ha-jobs HelmRelease, with
 * messages prefixed `[ha-jobs]` (the Alert's inclusionList).
 *
 * Longhorn volume health (`volumes.longhorn.io` status.robustness, longhorn-manager
 * k8s/pkg/apis/longhorn/v1beta2/volume.go): `healthy`, `degraded` (fewer healthy replicas than
 * spec.numberOfReplicas, still serving), `faulted` (no healthy replica: the data is unavailable),
 * `unknown` (detached). A faulted volume is reported as an error on every run (the rate limit of
 * notification-controller drops repeats within its interval); a degraded one when it became
 * degraded within the last window (status.lastDegradedAt) and then every `remindSeconds`.
 */

/** The subset of a Longhorn Volume the report reads. */
export interface VolumeInfo {
  name: string;
  robustness: string;
  state: string;
  lastDegradedAt?: string;
  pvc?: string;
}

/** The subset of a core/v1 Event the report reads. */
export interface EventInfo {
  namespace: string;
  reason: string;
  message: string;
  type: string;
  /** reportingComponent, or source.component. */
  component: string;
  /** `Kind/namespace/name` of the involved object. */
  object: string;
  /** The latest of lastTimestamp, eventTime, series.lastObservedTime (ISO). */
  time: string;
}

/** An event in notification-controller's format (fluxcd/pkg/apis/event/v1beta1 Event). */
export interface FluxEvent {
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string };
  severity: "info" | "error";
  timestamp: string;
  message: string;
  reason: string;
  reportingController: string;
  metadata?: Record<string, string>;
}

export interface ReportConfig {
  /** The HelmRelease the reports are about (the Alert's event source). */
  helmRelease: { name: string; namespace: string };
  /** Seconds since the previous run (the CronJob's period): what is new. */
  windowSeconds: number;
  /** Re-report a volume degraded for longer, every this many seconds. */
  remindSeconds: number;
  /** Event components to forward (reportingComponent or source.component, by prefix). */
  components: string[];
  /** Event reasons to forward whoever reported them. */
  reasons: string[];
}

export const PREFIX = "[ha-jobs]";

function event(cfg: ReportConfig, now: Date, severity: FluxEvent["severity"], reason: string, message: string): FluxEvent {
  return {
    involvedObject: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: cfg.helmRelease.name, namespace: cfg.helmRelease.namespace },
    severity,
    timestamp: now.toISOString().replace(/\.\d+Z$/, "Z"),
    message: `${PREFIX} ${message}`,
    reason,
    reportingController: "ha-jobs-report",
  };
}

/** What to post this run. */
export function decideReports(volumes: readonly VolumeInfo[], events: readonly EventInfo[], cfg: ReportConfig, now: Date): FluxEvent[] {
  const out: FluxEvent[] = [];
  const since = now.getTime() - cfg.windowSeconds * 1000;
  for (const v of volumes) {
    const what = v.pvc ? `${v.name} (PVC ${v.pvc})` : v.name;
    if (v.robustness === "faulted") {
      out.push(event(cfg, now, "error", "VolumeFaulted", `Longhorn volume ${what} is faulted: no healthy replica, its data is unavailable. Check: kubectl -n longhorn-system get volumes.longhorn.io ${v.name} -o yaml; restore from the NAS backup if no replica recovers (docs/restore-drill.md)`));
    } else if (v.robustness === "degraded") {
      const at = v.lastDegradedAt ? Date.parse(v.lastDegradedAt) : NaN;
      const age = Number.isNaN(at) ? null : now.getTime() - at;
      const fresh = age === null || at >= since;
      const remind = age !== null && age > 0 && age % (cfg.remindSeconds * 1000) < cfg.windowSeconds * 1000 && !fresh;
      if (fresh || remind) {
        const since_ = v.lastDegradedAt ? ` since ${v.lastDegradedAt}` : "";
        out.push(event(cfg, now, "info", "VolumeDegraded", `Longhorn volume ${what} is degraded${since_}: fewer healthy replicas than wanted; it rebuilds when the storage node is back. A second failure now loses it`));
      }
    }
  }
  for (const e of events) {
    const t = Date.parse(e.time);
    if (Number.isNaN(t) || t < since) continue;
    const byComponent = cfg.components.some((c) => e.component.startsWith(c));
    if (!byComponent && !cfg.reasons.includes(e.reason)) continue;
    out.push(event(cfg, now, e.type === "Warning" ? "error" : "info", e.reason || "Event", `${e.component || "event"}: ${e.reason} ${e.object}: ${e.message}`));
  }
  return out;
}

/** The report's view of a Longhorn Volume object. */
export function volumeInfo(o: { metadata: { name: string }; status?: { robustness?: string; state?: string; lastDegradedAt?: string; kubernetesStatus?: { pvcName?: string; namespace?: string } } }): VolumeInfo {
  const k = o.status?.kubernetesStatus;
  return {
    name: o.metadata.name,
    robustness: o.status?.robustness ?? "unknown",
    state: o.status?.state ?? "unknown",
    lastDegradedAt: o.status?.lastDegradedAt || undefined,
    pvc: k?.pvcName ? `${k.namespace}/${k.pvcName}` : undefined,
  };
}

/** The report's view of a core/v1 Event object. */
export function eventInfo(o: {
  metadata: { namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  reportingComponent?: string;
  source?: { component?: string };
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  series?: { lastObservedTime?: string } | null;
}): EventInfo {
  const times = [o.lastTimestamp, o.eventTime, o.series?.lastObservedTime, o.firstTimestamp].filter((x): x is string => typeof x === "string" && x.length > 0);
  const time = times.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? "";
  const io = o.involvedObject ?? {};
  return {
    namespace: o.metadata.namespace ?? "",
    reason: o.reason ?? "",
    message: o.message ?? "",
    type: o.type ?? "Normal",
    component: o.reportingComponent || o.source?.component || "",
    object: `${io.kind ?? "?"}/${io.namespace ? `${io.namespace}/` : ""}${io.name ?? "?"}`,
    time,
  };
}
