/**
 * Ingress assertions shared by the charts that expose apps through Traefik (decypharr,
 * media-apps): the entrypoints must be ones the environment's Traefik declares, and the Service
 * behind each Ingress must listen on port 80 and target a port the selected pods really have.
 */
import type { K8sObject } from "../../lib/render.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { asObj, asObjList, podSpecOf, type Obj } from "../../policy/workloads.ts";
import { objectRef, type Finding, type LintContext } from "../types.ts";

/** The annotation Traefik's Kubernetes Ingress provider reads for a router's entrypoints. */
export const ENTRYPOINTS_ANNOTATION = "traefik.ingress.kubernetes.io/router.entrypoints";

/** The seed's reason, quoted in messages (ARCHITECTURE-DECISIONS.md, "Traefik / Ingress"). */
export const SEED_ENTRYPOINTS =
  'the seed ("Traefik / Ingress"): `traefik.ingress.kubernetes.io/router.entrypoints: web,websecure` does NOT work';

/** Entrypoint names of an Ingress's annotation, or undefined when it has none. */
export function entrypointsOf(ingress: K8sObject): string[] | undefined {
  const raw = ingress.metadata.annotations?.[ENTRYPOINTS_ANNOTATION];
  if (raw === undefined) return undefined;
  return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Every Ingress's entrypoints must be declared by the environment (inventory
 * `traefik.entrypoints`). `valuesPath` maps an Ingress to the values key that set its entrypoints,
 * so the finding points at the line to change.
 */
export function checkIngressEntrypoints(
  ctx: LintContext,
  valuesPath: (ingress: K8sObject) => readonly PathSegment[] | undefined,
): Finding[] {
  const declared = ctx.inventory.traefik.entrypoints;
  const redirected = redirectedEntrypoints(ctx);
  const bindable = declared.filter((e) => !redirected.has(e));
  const suggest = bindable.length > 0 ? bindable : declared;
  const out: Finding[] = [];
  for (const ing of ctx.objects.filter((o) => o.kind === "Ingress")) {
    const used = entrypointsOf(ing);
    if (used === undefined) continue;
    const unknown = used.filter((e) => !declared.includes(e));
    if (used.length > 0 && unknown.length === 0) continue;
    const path = valuesPath(ing);
    const key = path ? path.join(".") : `the ${ENTRYPOINTS_ANNOTATION} annotation`;
    const got = used.length === 0 ? "no entrypoints" : `entrypoints ${used.join(",")}`;
    out.push({
      severity: "error",
      object: objectRef(ing),
      location: path ? ctx.locate(path) : undefined,
      message:
        `uses Traefik ${got} (${ENTRYPOINTS_ANNOTATION}), but environment ${ctx.env} declares only ` +
        `${declared.join(", ")} (values/${ctx.env}/cluster.yaml traefik.entrypoints): ${unknown.length > 0 ? `${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} unknown to its Traefik, so the router never receives traffic. ` : ""}` +
        `This cluster's Traefik names them ${declared.join("/")}; ${SEED_ENTRYPOINTS}. Fix: set ${key} to [${suggest.join(", ")}]` +
        (suggest.length < declared.length ? ` (${declared.filter((e) => redirected.has(e)).join(", ")} redirects to ${[...new Set(declared.filter((e) => redirected.has(e)).map((e) => redirected.get(e)))].join(", ")}).` : "."),
    });
  }
  return out;
}

/**
 * Entrypoints the environment's Traefik redirects, name -> target: `ports.<name>.http.redirections
 * .entryPoint.to` in the Traefik HelmRelease's values. Traefik answers every request on such an
 * entrypoint with the redirect before any router sees it (doc.traefik.io/traefik/reference/
 * install-configuration/entrypoints/#redirection; the chart renders
 * `--entryPoints.<name>.http.redirections.entryPoint.to`, templates/_podtemplate.tpl).
 */
export function redirectedEntrypoints(ctx: Pick<LintContext, "upstream">): Map<string, string> {
  const out = new Map<string, string>();
  const traefik = ctx.upstream.find((u) => u.chart === "traefik");
  const ports = asObj(asObj(asObj(traefik?.hr.spec)?.values)?.ports) ?? {};
  for (const [name, port] of Object.entries(ports)) {
    const to = asObj(asObj(asObj(asObj(port)?.http)?.redirections)?.entryPoint)?.to;
    if (typeof to === "string") out.set(name, to);
  }
  return out;
}

/**
 * The project's convention (docs/decisions.md "Chart conventions"): an Ingress binds only the TLS
 * entrypoint; Traefik's http entrypoint redirects to https. A router on a redirected entrypoint
 * never receives a request, so binding it is an error that names the values key.
 */
export function checkIngressRedirected(
  ctx: LintContext,
  valuesPath: (ingress: K8sObject) => readonly PathSegment[] | undefined,
): Finding[] {
  const redirected = redirectedEntrypoints(ctx);
  const out: Finding[] = [];
  if (redirected.size === 0) return out;
  for (const ing of ctx.objects.filter((o) => o.kind === "Ingress")) {
    const used = entrypointsOf(ing) ?? [];
    const dead = used.filter((e) => redirected.has(e));
    if (dead.length === 0) continue;
    const keep = used.filter((e) => !redirected.has(e));
    const target = [...new Set(dead.map((e) => redirected.get(e)!))];
    const path = valuesPath(ing);
    const key = path ? path.join(".") : `the ${ENTRYPOINTS_ANNOTATION} annotation`;
    out.push({
      severity: "error",
      object: objectRef(ing),
      location: path ? ctx.locate(path) : undefined,
      message:
        `binds Traefik entrypoint ${dead.join(", ")}, which environment ${ctx.env}'s Traefik redirects to ${target.join(", ")} ` +
        `(clusters/${ctx.env}/infrastructure/traefik.yaml ports.${dead[0]}.http.redirections.entryPoint): that router never receives a request. ` +
        `Ingresses bind only ${target.join(", ")} and http:// URLs still work through the redirect (docs/decisions.md#chart-conventions). ` +
        `Fix: set ${key} to [${(keep.length ? keep : target).join(", ")}], or remove it (the default).`,
    });
  }
  return out;
}

interface PodTemplate {
  workload: K8sObject;
  labels: Record<string, string> | undefined;
  ports: Obj[];
}

/**
 * The pod templates (labels and containers' ports) of `objects`, read once per release and found
 * by namespace and one label (`namespace\0key\0value`): a Service's equality selector can only
 * select templates that carry its first pair, so a Service is compared with those alone, not with
 * every template (200 apps: 200 x 200 comparisons per release before; issue 18).
 */
function podTemplates(objects: readonly K8sObject[]): Map<string, PodTemplate[]> {
  const out = new Map<string, PodTemplate[]>();
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    const labels = o.kind === "Pod" ? o.metadata.labels : (asObj(asObj(asObj(o.spec)?.template)?.metadata)?.labels as Record<string, string> | undefined);
    const t: PodTemplate = { workload: o, labels, ports: asObjList(pod.containers).flatMap((c) => asObjList(c.ports)) };
    for (const k in labels ?? {}) {
      const key = `${o.metadata.namespace}\0${k}\0${labels![k]}`;
      const list = out.get(key);
      if (list) list.push(t);
      else out.set(key, [t]);
    }
  }
  return out;
}

/** The pod templates a Service's equality selector selects (every key/value); an empty selector selects none. */
function podsSelectedBy(service: K8sObject, templates: Map<string, PodTemplate[]>): PodTemplate[] {
  const selector = (asObj(asObj(service.spec)?.selector) ?? {}) as Record<string, string>;
  const keys = Object.keys(selector);
  if (keys.length === 0) return [];
  const candidates = templates.get(`${service.metadata.namespace}\0${keys[0]}\0${selector[keys[0]]}`) ?? [];
  return candidates.filter((t) => keys.every((k) => t.labels?.[k] === selector[k]));
}

/**
 * Every Service behind an Ingress listens on port 80 (the seed: Traefik routes to port 80;
 * other ports caused 404s) and its targetPort resolves, by name or number, to a container port
 * of every pod template it selects.
 */
export function checkIngressBackends(ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const err = (o: K8sObject, message: string) => out.push({ severity: "error", object: objectRef(o), message });
  const services = new Map<string, K8sObject>();
  for (const o of ctx.objects) {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    if (o.kind === "Service" && !services.has(key)) services.set(key, o);
  }
  let templates: Map<string, PodTemplate[]> | undefined;
  for (const ing of ctx.objects.filter((o) => o.kind === "Ingress")) {
    const spec = asObj(ing.spec) ?? {};
    const backends = [asObj(spec.defaultBackend), ...asObjList(spec.rules).flatMap((r) => asObjList(asObj(r.http)?.paths).map((p) => asObj(p.backend)))];
    for (const backend of backends) {
      const ref = asObj(backend?.service);
      if (!ref) continue;
      const svc = typeof ref.name === "string" ? services.get(`${ing.metadata.namespace}/${ref.name}`) : undefined;
      if (!svc) {
        err(ing, `${objectRef(ing)} routes to Service ${String(ref.name)}, which this release does not render. Fix: point the backend at the app's Service.`);
        continue;
      }
      const want = asObj(ref.port) ?? {};
      const ports = asObjList(asObj(svc.spec)?.ports);
      const port = ports.find((p) => (want.name !== undefined ? p.name === want.name : p.port === want.number));
      if (!port) {
        err(ing, `${objectRef(ing)} routes to port ${JSON.stringify(want)} of ${objectRef(svc)}, which has no such port. Fix: use port name http.`);
        continue;
      }
      if (port.port !== 80) {
        err(svc, `${objectRef(svc)} port ${String(port.name ?? port.port)} listens on ${String(port.port)}; Services behind an Ingress listen on 80 and map to the app's port with targetPort (seed, "Traefik / Ingress": Traefik routes to port 80, other ports caused 404s). Fix: port: 80.`);
      }
      const target = port.targetPort ?? port.port;
      const pods = podsSelectedBy(svc, (templates ??= podTemplates(ctx.objects)));
      if (pods.length === 0) err(svc, `${objectRef(svc)} selects no pod template of this release (selector ${JSON.stringify(asObj(svc.spec)?.selector ?? {})}). Fix: use the workload's selector labels.`);
      for (const { workload, ports: cports } of pods) {
        const hit = typeof target === "string" ? cports.find((c) => c.name === target) : cports.find((c) => c.containerPort === target);
        if (!hit) {
          err(svc, `${objectRef(svc)} targetPort ${String(target)} matches no container port of ${objectRef(workload)} (it has ${cports.map((c) => `${String(c.name ?? "")}:${String(c.containerPort)}`).join(", ") || "none"}). Fix: target the container port's name (http).`);
        }
      }
    }
  }
  return out;
}
