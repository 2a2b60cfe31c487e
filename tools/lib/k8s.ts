/**
 * The one core for Kubernetes objects as the tooling sees them (rendered by helm, read from
 * clusters/<env>/ or from a file): the object type, the plain-object guard, where each workload
 * kind keeps its pod template, its containers, and `Kind/namespace/name` references. Every
 * module takes these from here instead of re-declaring them.
 */

/** One Kubernetes object (API JSON form). */
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

/** A loosely typed JSON object. */
export type Obj = Record<string, unknown>;

/** Whether `v` is a plain object (not null, not an array). */
export function isPlainObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The value if it is a plain object, else undefined. */
export function asObj(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}

/** The value if it is an array of plain objects (non-objects dropped), else []. */
export function asObjList(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Whether the object is a kind that runs pods. */
export function isWorkload(o: { kind: string }): boolean {
  return o.kind in POD_SPEC_PATHS;
}

/**
 * The pod template of a workload (`spec.template`, CronJob `spec.jobTemplate.spec.template`; a
 * Pod is its own template), or undefined for other objects.
 */
export function podTemplateOf(o: K8sObject): { spec: Obj; metadata: Obj } | undefined {
  const path = POD_SPEC_PATHS[o.kind];
  if (!path) return undefined;
  if (o.kind === "Pod") {
    const spec = asObj(o.spec);
    return spec ? { spec, metadata: o.metadata } : undefined;
  }
  let cur: unknown = o;
  for (const seg of path.slice(0, -1)) cur = asObj(cur)?.[seg];
  const tpl = asObj(cur);
  const spec = asObj(tpl?.spec);
  return spec ? { spec, metadata: asObj(tpl?.metadata) ?? {} } : undefined;
}

/** The pod spec of a workload object, or undefined if the object is not a workload (or has none). */
export function podSpecOf(o: K8sObject): Obj | undefined {
  return podTemplateOf(o)?.spec;
}

/** The labels of a workload's pods (a Pod's own labels). */
export function podLabelsOf(o: K8sObject): Record<string, string> {
  return (podTemplateOf(o)?.metadata.labels as Record<string, string> | undefined) ?? {};
}

export type ContainerList = "initContainers" | "containers" | "ephemeralContainers";

/** Every container of a pod spec (init, regular, ephemeral) with the list it is in. */
export function allContainers(podSpec: Obj): { list: ContainerList; container: Obj }[] {
  return (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((list) => asObjList(podSpec[list]).map((container) => ({ list, container })));
}

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace: how messages name objects. */
export function objectRef(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}
