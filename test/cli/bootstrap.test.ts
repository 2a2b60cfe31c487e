/**
 * The bootstrap layout of clusters/<env> (flux2-kustomize-helm-example): `kubectl kustomize`
 * (kubectl 1.35, from the same npm package as helm) builds every directory Flux applies, the
 * root holds what `flux bootstrap` needs, the charts use bootstrap's GitRepository, and the
 * namespaces carry Pod Security levels that the rendered pods satisfy.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { provisionKubectl } from "../../tools/lib/helm.ts";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { renderEnvironment } from "../../tools/lib/render.ts";

type Obj = Record<string, any>;
/** kubectl's build of `dir`, run once per directory in this file (the tests read, never write, the checkout). */
const builds = new Map<string, string>();
const kustomize = (dir: string): Obj[] => {
  let text = builds.get(dir);
  if (text === undefined) builds.set(dir, (text = execFileSync(provisionKubectl(), ["kustomize", dir], { cwd: repoRoot, encoding: "utf8" })));
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
};
const id = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

describe.each(["homelab", "staging"])("clusters/%s", (env) => {
  it("kubectl kustomize builds the root with what bootstrap needs, and Flux Kustomizations in order", () => {
    const objs = kustomize(`clusters/${env}`);
    const ids = objs.map(id);
    expect(ids).toEqual(expect.arrayContaining([
      "GitRepository/flux-system/flux-system", "Kustomization/flux-system/flux-system",
      "Kustomization/flux-system/infrastructure", "Kustomization/flux-system/apps",
      "Namespace//media", "Namespace//traefik",
    ]));
    const flux = objs.find((o) => id(o) === "Kustomization/flux-system/flux-system")!;
    expect(flux.spec.path).toBe(`./clusters/${env}`);
    const apps = objs.find((o) => id(o) === "Kustomization/flux-system/apps")!;
    expect(apps.spec.dependsOn).toEqual([{ name: "infrastructure" }]);
    expect(objs.find((o) => id(o) === "Kustomization/flux-system/infrastructure")!.spec.wait).toBe(true);
    // No second hand-made source of this repository.
    expect(objs.filter((o) => o.kind === "GitRepository").map(id)).toEqual(["GitRepository/flux-system/flux-system"]);
  });

  it("kubectl kustomize builds infrastructure/ and apps/ with the strategy defaults on every HelmRelease", () => {
    for (const dir of ["infrastructure", "apps"]) {
      const hrs = kustomize(`clusters/${env}/${dir}`).filter((o) => o.kind === "HelmRelease");
      expect(hrs.length).toBeGreaterThan(2);
      for (const hr of hrs) {
        expect(hr.spec.install.strategy, id(hr)).toEqual({ name: "RetryOnFailure", retryInterval: "2m" });
        expect(hr.spec.upgrade.strategy, id(hr)).toEqual({ name: "RetryOnFailure", retryInterval: "2m" });
        if (hr.spec.chart.spec.sourceRef.kind === "GitRepository") expect(hr.spec.chart.spec.sourceRef.name, id(hr)).toBe("flux-system");
      }
    }
  });

  it("the tooling's loader sees the same HelmReleases and defaults as kubectl kustomize", () => {
    const e = loadEnvironment(env);
    const built = ["infrastructure", "apps"].flatMap((d) => kustomize(`clusters/${env}/${d}`)).filter((o) => o.kind === "HelmRelease");
    const loaded = e.objects.filter((o) => o.obj.kind === "HelmRelease");
    expect(loaded.map((o) => id(o.obj)).sort()).toEqual(built.map(id).sort());
    for (const b of built) expect(loaded.find((o) => id(o.obj) === id(b))!.obj.spec).toEqual(b.spec);
  });

  it("every namespace has a Pod Security level; the rendered pods of restricted namespaces meet it", async () => {
    const ns = kustomize(`clusters/${env}`).filter((o) => o.kind === "Namespace");
    const level = Object.fromEntries(ns.map((n) => [n.metadata.name, n.metadata.labels?.["pod-security.kubernetes.io/enforce"]]));
    expect(level).toEqual({ media: "privileged", "longhorn-system": "privileged", "metallb-system": "privileged", traefik: "restricted", "ha-jobs": "restricted" });
    const rs = await renderEnvironment(env, { onWarning: (m) => { throw new Error(m); } });
    const restricted = Object.keys(level).filter((n) => level[n] === "restricted");
    let checked = 0;
    for (const o of rs.flatMap((r) => r.objects as Obj[])) {
      if (!restricted.includes(o.metadata.namespace)) continue;
      const pod = o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec?.template?.spec;
      if (!pod) continue;
      checked++;
      const where = id(o);
      expect(pod.hostNetwork ?? false, where).toBe(false);
      expect((pod.volumes ?? []).some((v: Obj) => v.hostPath), where).toBe(false);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, `${where} ${c.name} runAsNonRoot`).toBe(true);
        expect(sc.allowPrivilegeEscalation, `${where} ${c.name} allowPrivilegeEscalation`).toBe(false);
        expect(sc.capabilities?.drop, `${where} ${c.name} drop`).toContain("ALL");
        expect((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, `${where} ${c.name} seccomp`).toMatch(/^(RuntimeDefault|Localhost)$/);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
