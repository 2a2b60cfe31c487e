/**
 * Pod templates of workload objects, and their containers with the security context Kubernetes
 * would apply to each.
 */
import { asObj, asObjList, objectRef, podSpecOf, POD_SPEC_PATHS, type K8sObject, type Obj } from "../lib/k8s.ts";
import type { ContainerKind } from "./types.ts";

/** `Kind/namespace/name`, or `Kind/name` for objects without a namespace (tools/lib/k8s.ts). */
export const objectId: (obj: K8sObject) => string = objectRef;

export { asObj, asObjList, podSpecOf, POD_SPEC_PATHS, type Obj };


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
