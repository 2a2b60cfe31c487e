/**
 * The Kubernetes Event a job of ha-jobs records for what it did, so the report job forwards it
 * to the operator (decide.ts matches `reportingComponent`). Separate from tools/fencing/ on
 * purpose: issue 16 reworks the fencing job; it records each action by POSTing this object to
 * `/api/v1/namespaces/default/events` (Events about a Node, a cluster-scoped object, live in
 * `default`, as client-go's recorder puts them) and needs `create` on `events` there.
 */

/** The reporting component the report job forwards (charts/ha-jobs values `report.components`). */
export const FENCING_COMPONENT = "ha-jobs-fencing";

export interface JobEventInput {
  /** What happened: `Fenced`, `Unfenced`, `StalePodDeleted`, ... (CamelCase, the Event reason). */
  reason: string;
  /** One line for the operator. */
  message: string;
  /** `Warning` for an action that disrupts (a fence, a deletion), `Normal` otherwise. */
  type: "Normal" | "Warning";
  /** The object acted on. */
  object: { kind: "Node" | "Pod"; name: string; namespace?: string; uid?: string };
  /** The job's pod name (reportingInstance). */
  instance: string;
  now: Date;
}

/** A core/v1 Event object for the API server. */
export function jobEvent(e: JobEventInput, component = FENCING_COMPONENT): Record<string, unknown> {
  const ns = e.object.namespace ?? "default";
  const time = e.now.toISOString();
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { generateName: `${e.object.name}.${component}.`, namespace: ns },
    involvedObject: { apiVersion: "v1", kind: e.object.kind, name: e.object.name, ...(e.object.namespace ? { namespace: e.object.namespace } : {}), ...(e.object.uid ? { uid: e.object.uid } : {}) },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component },
    reportingComponent: component,
    reportingInstance: e.instance,
    action: e.reason,
    firstTimestamp: time.replace(/\.\d+Z$/, "Z"),
    lastTimestamp: time.replace(/\.\d+Z$/, "Z"),
    eventTime: time.replace(/Z$/, "000Z").replace(/(\.\d{6})\d*Z$/, "$1Z"),
    count: 1,
  };
}
