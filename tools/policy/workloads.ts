/**
 * Pod templates of workload objects, and their containers with the security context Kubernetes
 * would apply to each.
 */
import type { K8sObject } from "../lib/render.ts";
import type { ContainerKind } from "./types.ts";

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace. */
export function objectId(obj: K8sObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata.name}` : `${obj.kind}/${obj.metadata?.name}`;
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

/** A loosely typed JSON object. */
export type Obj = Record<string, unknown>;

/** The value if it is a plain object, else undefined. */
export function asObj(v: unknown): Obj | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The value if it is an array of plain objects (non-objects dropped), else []. */
export function asObjList(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(asObj).filter((o): o is Obj => o !== undefined) : [];
}

/** The pod spec of a workload object, or undefined if the object is not a workload (or has none). */
export function podSpecOf(obj: K8sObject): Obj | undefined {
  const path = POD_SPEC_PATHS[obj.kind];
  if (!path) return undefined;
  let cur: unknown = obj;
  for (const seg of path) cur = asObj(cur)?.[seg];
  return asObj(cur);
}

/** Security settings of a container after pod-level inheritance. */
export interface EffectiveSecurity {
  privileged: boolean;
  /** Explicit `allowPrivilegeEscalation`, undefined when unset (Kubernetes then allows it). */
  allowPrivilegeEscalation: boolean | undefined;
  readOnlyRootFilesystem: boolean;
  /** `runAsNonRoot` from the container, else from the pod. */
  runAsNonRoot: boolean | undefined;
  /** `runAsUser` from the container, else from the pod. */
  runAsUser: number | undefined;
  /** Added capabilities, upper-case, without `CAP_`. */
  addedCapabilities: string[];
}

/** One container of a pod spec, with where it sits and its effective security settings. */
export interface ContainerInfo {
  name: string;
  kind: ContainerKind;
  spec: Obj;
  security: EffectiveSecurity;
}

const CONTAINER_LISTS: ReadonlyArray<[ContainerKind, string]> = [
  ["initContainer", "initContainers"],
  ["container", "containers"],
  ["ephemeralContainer", "ephemeralContainers"],
];

/** Normalises a capability name: upper case, without the `CAP_` prefix. */
export function normaliseCapability(cap: string): string {
  return cap.trim().toUpperCase().replace(/^CAP_/, "");
}

/**
 * Every container of a pod spec (init, regular, ephemeral), with its effective security context:
 * `runAsNonRoot` and `runAsUser` fall back to the pod's securityContext as Kubernetes does; the
 * other fields exist only on containers.
 */
export function containersOf(podSpec: Obj): ContainerInfo[] {
  const podSc = asObj(podSpec.securityContext) ?? {};
  const out: ContainerInfo[] = [];
  for (const [kind, key] of CONTAINER_LISTS) {
    for (const c of asObjList(podSpec[key])) {
      const sc = asObj(c.securityContext) ?? {};
      const caps = asObj(sc.capabilities);
      const add = Array.isArray(caps?.add) ? caps.add.filter((x): x is string => typeof x === "string") : [];
      const pick = <T>(field: string, type: string): T | undefined =>
        typeof sc[field] === type ? (sc[field] as T) : typeof podSc[field] === type ? (podSc[field] as T) : undefined;
      out.push({
        name: typeof c.name === "string" ? c.name : "(unnamed)",
        kind,
        spec: c,
        security: {
          privileged: sc.privileged === true,
          allowPrivilegeEscalation: typeof sc.allowPrivilegeEscalation === "boolean" ? sc.allowPrivilegeEscalation : undefined,
          readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
          runAsNonRoot: pick<boolean>("runAsNonRoot", "boolean"),
          runAsUser: pick<number>("runAsUser", "number"),
          addedCapabilities: add.map(normaliseCapability),
        },
      });
    }
  }
  return out;
}
