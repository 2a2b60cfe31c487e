/**
 * charts/media-apps assertions: no Samba/SMB/CIFS (shared with decypharr), Traefik entrypoints and
 * Service ports behind Ingresses, and one writer per ReadWriteOnce config volume. Privileged
 * containers and propagation are the policy stage's and the data path's (tools/lint/charts/decypharr.ts).
 */
import type { K8sObject } from "../../lib/render.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { asObj, asObjList, podSpecOf } from "../../policy/workloads.ts";
import { objectRef, type ChartAssertion, type Finding, type LintContext } from "../types.ts";
import { checkNoSmb } from "./decypharr.ts";
import { checkIngressBackends, checkIngressEntrypoints, checkIngressRedirected } from "./ingress.ts";

/** Values key of an app's Ingress entrypoints: `apps.<app>.ingress.entrypoints`. */
function appIngressPath(ing: K8sObject): PathSegment[] | undefined {
  const app = ing.metadata.labels?.["app.kubernetes.io/component"];
  return app ? ["apps", app, "ingress", "entrypoints"] : undefined;
}

/**
 * A Deployment that mounts a ReadWriteOnce claim must run one replica with strategy Recreate: a
 * RollingUpdate starts the new pod while the old one still holds the volume, and Longhorn cannot
 * attach an RWO volume to two nodes (the new pod hangs in Multi-Attach until the rollout times out).
 */
export function checkSingleWriter(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const rwo = new Set(
    ctx.objects
      .filter((o) => o.kind === "PersistentVolumeClaim")
      .filter((o) => (asObj(o.spec)?.accessModes as unknown[] | undefined)?.includes("ReadWriteOnce"))
      .map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`),
  );
  for (const d of ctx.objects.filter((o) => o.kind === "Deployment")) {
    const claims = asObjList(podSpecOf(d)?.volumes)
      .map((v) => asObj(v.persistentVolumeClaim)?.claimName)
      .filter((n): n is string => typeof n === "string" && rwo.has(`${d.metadata.namespace ?? ""}/${n}`));
    if (claims.length === 0) continue;
    const spec = asObj(d.spec) ?? {};
    const strategy = asObj(spec.strategy)?.type ?? "RollingUpdate";
    const replicas = spec.replicas ?? 1;
    if (strategy !== "Recreate" || replicas !== 1) {
      out.push({
        severity: "error",
        object: objectRef(d),
        message:
          `${objectRef(d)} mounts ReadWriteOnce claim ${claims.join(", ")} with ${replicas} replica(s) and strategy ${String(strategy)}: ` +
          `an RWO Longhorn volume cannot be attached twice, so a rolling update's second pod hangs on Multi-Attach. Fix: replicas: 1 and strategy.type: Recreate.`,
      });
    }
  }
  return out;
}

export const assertions: ChartAssertion[] = [
  checkNoSmb,
  checkSingleWriter,
  (ctx) => checkIngressEntrypoints(ctx, appIngressPath),
  (ctx) => checkIngressRedirected(ctx, appIngressPath),
  checkIngressBackends,
];
