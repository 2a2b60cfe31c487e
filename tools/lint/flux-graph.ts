/**
 * Rules on the graph of an environment's Flux objects (clusters/<env>/), which no single
 * object's schema can see:
 *   - the same object defined twice (kustomize refuses to build it: "may not add resource with an
 *     already registered id"; two Flux Kustomizations applying it fight over it);
 *   - two HelmReleases that manage one Helm release (same release name in the same storage
 *     namespace): each upgrade overwrites the other's (helm-controller keys the release by
 *     storageNamespace/releaseName, fluxcd/helm-controller api/v2 GetReleaseName/GetStorageNamespace);
 *   - dependsOn cycles: helm-controller waits for every dependency to be Ready first, so a
 *     cycle never installs (fluxcd.io/flux/components/helm/helmreleases/#dependencies);
 *   - a release namespace nothing creates: without install.createNamespace the install fails
 *     with "namespaces ... not found" (fluxcd.io/flux/components/helm/helmreleases/#install-configuration);
 *   - a Secret committed in plain text: everything in Git is readable by whoever can read the
 *     repository; Flux's kustomize-controller decrypts SOPS-encrypted Secrets at apply time
 *     (fluxcd.io/flux/guides/mozilla-sops/), so an encrypted one (a top-level `sops:` block) passes.
 */
import { helmReleaseSpec, releaseName, type Environment, type FluxObject } from "../lib/flux.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { objectRef, type Finding, type Location } from "./types.ts";

const at = (o: FluxObject, path: readonly PathSegment[] = []): Location => ({ file: o.file, ...o.doc.position(path) });
const where = (o: FluxObject) => `${o.file}:${o.doc.position([]).line}`;
const group = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");


/** Namespaces that exist before anything of clusters/<env>/ is applied (flux bootstrap, Kubernetes). */
const PRE_EXISTING = new Set(["flux-system", "default", "kube-system", "kube-public", "kube-node-lease"]);

export function checkFluxGraph(e: Environment): Finding[] {
  const out: Finding[] = [];

  // 1. The same object twice.
  const seen = new Map<string, FluxObject>();
  for (const o of e.objects) {
    const key = `${group(o.obj.apiVersion)}/${o.obj.kind}/${o.obj.metadata.namespace ?? ""}/${o.obj.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      out.push({
        severity: "error",
        rule: "flux/duplicate-object",
        object: objectRef(o.obj),
        location: at(o),
        message: `${objectRef(o.obj)} is defined twice (first at ${where(first)}); kustomize refuses to build a directory with the same object twice, and Flux would apply only one of them. Fix: keep one definition and remove the other`,
      });
    } else seen.set(key, o);
  }

  // 2. Two HelmReleases, one Helm release.
  const hrs = e.objects.filter((o) => o.obj.kind === "HelmRelease");
  const releases = new Map<string, FluxObject>();
  for (const o of hrs) {
    const spec = helmReleaseSpec(o.obj);
    const storage = spec.storageNamespace ?? o.obj.metadata.namespace ?? "default";
    const name = releaseName(o.obj as Parameters<typeof releaseName>[0]);
    const key = `${storage}/${name}`;
    const first = releases.get(key);
    if (first && first !== o && objectRef(first.obj) !== objectRef(o.obj)) {
      out.push({
        severity: "error",
        rule: "flux/duplicate-release",
        object: objectRef(o.obj),
        location: at(o, spec.releaseName ? ["spec", "releaseName"] : ["metadata", "name"]),
        message: `Helm release ${name} in namespace ${storage} is also managed by ${objectRef(first.obj)} (${where(first)}); each upgrade would overwrite the other's release. Fix: give one of them another spec.releaseName (or name)`,
      });
    } else if (!first) releases.set(key, o);
  }

  // 3. dependsOn cycles.
  const id = (o: FluxObject) => `${o.obj.metadata.namespace ?? "default"}/${o.obj.metadata.name}`;
  const byId = new Map(hrs.map((o) => [id(o), o]));
  const deps = (o: FluxObject) =>
    (helmReleaseSpec(o.obj).dependsOn ?? []).map((d) => `${d.namespace ?? o.obj.metadata.namespace ?? "default"}/${d.name}`).filter((d) => byId.has(d));
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const visit = (node: string, stack: string[]) => {
    state.set(node, "visiting");
    for (const next of deps(byId.get(node)!)) {
      if (state.get(next) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), node, next];
        const key = [...new Set(cycle)].sort().join(",");
        if (reported.has(key)) continue;
        reported.add(key);
        const o = byId.get(node)!;
        const i = (helmReleaseSpec(o.obj).dependsOn ?? []).findIndex((d) => `${d.namespace ?? o.obj.metadata.namespace ?? "default"}/${d.name}` === next);
        out.push({
          severity: "error",
          rule: "flux/dependsOn-cycle",
          object: objectRef(o.obj),
          location: at(o, ["spec", "dependsOn", i]),
          message: `dependsOn forms a cycle: ${cycle.join(" -> ")}; helm-controller installs a release only after its dependencies are Ready, so none of them ever installs. Fix: remove the dependsOn that points back (here: ${next})`,
        });
      } else if (!state.has(next)) visit(next, [...stack, node]);
    }
    state.set(node, "done");
  };
  for (const node of byId.keys()) if (!state.has(node)) visit(node, []);

  // 4. Release namespaces that nothing creates.
  const created = new Set([...PRE_EXISTING, ...e.objects.filter((o) => o.obj.kind === "Namespace").map((o) => o.obj.metadata.name)]);
  for (const o of hrs) {
    const spec = helmReleaseSpec(o.obj);
    const target = spec.targetNamespace ?? o.obj.metadata.namespace ?? "default";
    if (created.has(target) || spec.install?.createNamespace === true) continue;
    out.push({
      severity: "error",
      rule: "flux/namespace-missing",
      object: objectRef(o.obj),
      location: at(o, spec.targetNamespace ? ["spec", "targetNamespace"] : ["metadata", "namespace"]),
      message: `installs into namespace ${target}, which no Namespace object of clusters/${e.env}/ creates (and install.createNamespace is off): the install fails with "namespaces \\"${target}\\" not found". Fix: add a Namespace ${target} next to the others (or correct the namespace)`,
    });
  }

  // 5. Secrets in plain text.
  for (const o of e.objects) {
    if (o.obj.kind !== "Secret" || o.obj.apiVersion !== "v1") continue;
    if (typeof o.obj.sops === "object" && o.obj.sops !== null) continue;
    const hasData = ["data", "stringData"].some((k) => typeof o.obj[k] === "object" && o.obj[k] !== null && Object.keys(o.obj[k] as object).length > 0);
    if (!hasData) continue;
    out.push({
      severity: "error",
      rule: "flux/plain-secret",
      object: objectRef(o.obj),
      location: at(o, [o.obj.stringData ? "stringData" : "data"]),
      message: `${objectRef(o.obj)} is committed in plain text (base64 in data is not encryption): anyone who can read the repository reads it. Fix: encrypt it with SOPS (sops --encrypt --in-place ${o.file}; Flux's kustomize-controller decrypts it with spec.decryption), or create the Secret out of band and only reference it here`,
    });
  }
  return out;
}
