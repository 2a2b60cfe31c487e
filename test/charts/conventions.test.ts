/**
 * Chart conventions every chart of the suite shares (docs/decisions.md "Chart conventions"),
 * checked on the rendered output of every environment and on crafted values that broke them:
 * the linuxserver environment and security context, pod seccomp, the Ingress, name lengths, the
 * component version label, headless governing Services, the CronJobs' deadline and priority.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listEnvironments } from "../../tools/lib/flux.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { renderEnvironment, type K8sObject } from "../../tools/lib/render.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { renderedEnvironment } from "../helpers/rendered.ts";

type Obj = Record<string, any>;
const envs = listEnvironments(repoRoot);
const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
const podSpecOf = (o: Obj): Obj => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
const ref = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const envOf = (c: Obj): Record<string, string> => Object.fromEntries((c.env ?? []).map((e: Obj) => [e.name, e.value]));
/** Containers of linuxserver-style images: those that get PUID (they start as root and drop to it). */
const linuxserverContainers = (objs: Obj[]) =>
  objs.filter((o) => WORKLOADS.includes(o.kind)).flatMap((w) => podSpecOf(w).containers.filter((c: Obj) => "PUID" in envOf(c)).map((c: Obj) => ({ w, c })));

async function renderChart(env: string, chart: string, root?: string): Promise<Obj[]> {
  const releases = await renderEnvironment(env, { chart, root });
  expect(releases).toHaveLength(1);
  return releases[0].objects as Obj[];
}

/** Appends top-level YAML to a values file of the fixture. */
const appendValues = (root: string, rel: string, yaml: string) => appendFileSync(join(root, rel), `\n${yaml}\n`);

describe("linuxserver environment, one definition for every chart", () => {
  it.each(["decypharr", "media-apps", "clusterplex"])("%s renders PUID 0 as \"0\" and PGID 1000000 as \"1000000\" in every linuxserver container", async (chart) => {
    const objs = await withFixtureRepo(
      (root) => appendValues(root, `values/homelab/${chart}.yaml`, "ids: {PUID: 0, PGID: 1000000, UMASK: \"022\", TZ: Europe/Berlin}"),
      (root) => renderChart("homelab", chart, root),
    );
    const found = linuxserverContainers(objs);
    expect(found.length).toBeGreaterThan(0);
    for (const { w, c } of found) {
      expect(envOf(c), `${ref(w)} ${c.name}`).toMatchObject({ PUID: "0", PGID: "1000000", UMASK: "022", TZ: "Europe/Berlin" });
    }
  });

  it.each(envs)("gives every unprivileged linuxserver container the same security context, KILL kept, in %s", async (env) => {
    const objs = (await renderedEnvironment(env)).flatMap((r) => r.objects) as Obj[];
    const found = linuxserverContainers(objs).filter(({ c }) => c.securityContext?.privileged !== true);
    // decypharr-download, three media apps, PMS and the workers (as configured per environment).
    expect(found.map(({ w }) => w.metadata.name)).toEqual(expect.arrayContaining(["decypharr-download", "clusterplex-pms"]));
    for (const { w, c } of found) {
      expect(c.securityContext, `${ref(w)} ${c.name}`).toEqual({
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL"] },
      });
    }
  });
});

describe.each(envs)("rendered conventions in %s", (env) => {
  const rendered = renderedEnvironment(env, { noUpstream: true }); // this repository's charts; upstream charts keep their own conventions
  const all = async () => (await rendered).flatMap((r) => r.objects) as Obj[];

  it("puts seccompProfile RuntimeDefault on every pod, and adds no capability to a privileged container", async () => {
    const workloads = (await all()).filter((o) => WORKLOADS.includes(o.kind));
    expect(workloads.length).toBeGreaterThan(5);
    for (const w of workloads) {
      const pod = podSpecOf(w);
      const containers = [...pod.containers, ...(pod.initContainers ?? [])];
      expect(pod.securityContext?.seccompProfile, ref(w)).toEqual({ type: "RuntimeDefault" });
      for (const c of containers.filter((x: Obj) => x.securityContext?.privileged === true)) {
        expect(c.securityContext.capabilities?.add ?? [], `${ref(w)} ${c.name}: privileged already has every capability`).toEqual([]);
      }
    }
  });

  it("labels every workload with its own image version, not the suite's", async () => {
    const workloads = (await all()).filter((o) => WORKLOADS.includes(o.kind));
    for (const w of workloads) {
      const image: string = podSpecOf(w).containers[0].image;
      const tag = image.replace(/@sha256:.*$/, "").split(":").pop();
      expect(w.metadata.labels["app.kubernetes.io/version"], ref(w)).toBe(tag);
    }
    // Objects of one component carry the same version as its workload.
    const byComponent = new Map<string, string>();
    for (const w of workloads) byComponent.set(`${w.metadata.labels["app.kubernetes.io/instance"]}/${w.metadata.labels["app.kubernetes.io/component"]}`, w.metadata.labels["app.kubernetes.io/version"]);
    for (const o of (await all()).filter((x) => x.kind === "Service" || x.kind === "Ingress")) {
      const key = `${o.metadata.labels["app.kubernetes.io/instance"]}/${o.metadata.labels["app.kubernetes.io/component"]}`;
      if (byComponent.has(key)) expect(o.metadata.labels["app.kubernetes.io/version"], ref(o)).toBe(byComponent.get(key));
    }
  });

  it("names a headless Service of the release, selecting its pods, in every StatefulSet's serviceName", async () => {
    const releases = await rendered;
    const sets = releases.flatMap((r) => (r.objects as Obj[]).filter((o) => o.kind === "StatefulSet").map((s) => ({ s, objs: r.objects as Obj[] })));
    expect(sets.map(({ s }) => s.metadata.name)).toEqual(expect.arrayContaining(["decypharr-streaming", "decypharr-download"]));
    for (const { s, objs } of sets) {
      const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === s.spec.serviceName);
      expect(svc, `${ref(s)} serviceName ${s.spec.serviceName}`).toBeDefined();
      expect(svc!.spec.clusterIP, ref(svc!)).toBe("None");
      for (const [k, v] of Object.entries(svc!.spec.selector)) expect(s.spec.template.metadata.labels[k], `${ref(svc!)} selects ${ref(s)}`).toBe(v);
    }
  });

  it("gives every CronJob a startingDeadlineSeconds and the release's own PriorityClass, not a system class", async () => {
    const objs = await all();
    const jobs = objs.filter((o) => o.kind === "CronJob");
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(["ha-jobs-descheduler", "ha-jobs-fencing", "ha-jobs-report"]);
    const classes = objs.filter((o) => o.kind === "PriorityClass");
    for (const j of jobs) {
      expect(j.spec.startingDeadlineSeconds, ref(j)).toBeGreaterThanOrEqual(10);
      const name = podSpecOf(j).priorityClassName;
      expect(name, ref(j)).not.toMatch(/^system-/);
      const pc = classes.find((c) => c.metadata.name === name);
      expect(pc, `${ref(j)} priorityClassName ${name}`).toBeDefined();
      expect(pc!.value).toBeGreaterThan(0);
      expect(pc!.value).toBeLessThanOrEqual(1_000_000_000);
      expect(pc!.globalDefault).toBe(false);
    }
  });

  it("binds every Ingress only to entrypoints the environment's Traefik does not redirect, with TLS on the router; Traefik redirects http to https", async () => {
    const hr = parse(readFileSync(join(repoRoot, `clusters/${env}/infrastructure/traefik.yaml`), "utf8")) as Obj;
    expect(hr.spec.values.ports.http.http.redirections.entryPoint).toEqual({ to: "https", scheme: "https", permanent: true });
    const ingresses = (await all()).filter((o) => o.kind === "Ingress");
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ing of ingresses) {
      expect(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"], ref(ing)).toBe("https");
      expect(ing.metadata.annotations["traefik.ingress.kubernetes.io/router.tls"], ref(ing)).toBe("true");
    }
  });
});

describe("one Ingress definition for decypharr and media-apps", () => {
  it("renders the same Ingress shape from the same values in both charts", async () => {
    const ingressValues = "{host: x.home.example, tlsSecretName: x-tls}";
    const [d, m] = await withFixtureRepo(
      (root) => {
        editFixture(root, "values/homelab/decypharr.yaml", /streaming:\n  ingress:\n(?:    .*\n)+/, `streaming:\n  ingress: ${ingressValues}\n`);
        editFixture(root, "values/homelab/media-apps.yaml", /  sonarr:\n    ingress:\n(?:      .*\n)+/, `  sonarr:\n    ingress: ${ingressValues}\n`);
      },
      async (root) => [await renderChart("homelab", "decypharr", root), await renderChart("homelab", "media-apps", root)],
    );
    const strip = (o: Obj) => ({ annotations: o.metadata.annotations, spec: { ...o.spec, rules: o.spec.rules.map((r: Obj) => ({ ...r, http: { paths: r.http.paths.map((p: Obj) => ({ ...p, backend: { service: { port: p.backend.service.port } } })) } })) } });
    const di = d.find((o) => o.kind === "Ingress" && o.metadata.name === "decypharr-streaming")!;
    const mi = m.find((o) => o.kind === "Ingress" && o.metadata.name === "media-apps-sonarr")!;
    expect(strip(di)).toEqual(strip(mi));
    expect(di.spec.tls).toEqual([{ hosts: ["x.home.example"], secretName: "x-tls" }]);
    expect(di.spec.rules[0].http.paths[0].backend.service.name).toBe("decypharr-streaming");
    expect(mi.spec.rules[0].http.paths[0].backend.service.name).toBe("media-apps-sonarr");
  });
});

describe("name-length validation in every chart, suffixes and the 52-character limits included", () => {
  // fullnameOverride lengths at the limit and one past it: the chart appends the suffix.
  it.each([
    { chart: "decypharr", suffix: "-streaming", max: 52, kind: "StatefulSet" },
    { chart: "clusterplex", suffix: "-worker", max: 52, kind: "StatefulSet" },
    { chart: "ha-jobs", suffix: "-descheduler", max: 52, kind: "CronJob" },
    { chart: "media-apps", suffix: "-prowlarr", max: 63, kind: "Service" },
  ])("$chart: a $kind name ending in $suffix may have $max characters, not one more", async ({ chart, suffix, max, kind }) => {
    const prefix = (n: number) => `n${"x".repeat(n - 1)}`;
    const fits = prefix(max - suffix.length);
    const objs = await withFixtureRepo(
      (root) => appendValues(root, `values/homelab/${chart}.yaml`, `fullnameOverride: ${fits}`),
      (root) => renderChart("homelab", chart, root),
    );
    expect(objs.find((o) => o.kind === kind && o.metadata.name === `${fits}${suffix}`), `${kind} ${fits}${suffix}`).toBeDefined();
    const long = prefix(max - suffix.length + 1);
    await expect(
      withFixtureRepo(
        (root) => appendValues(root, `values/homelab/${chart}.yaml`, `fullnameOverride: ${long}`),
        (root) => renderChart("homelab", chart, root),
      ),
    ).rejects.toThrow(new RegExp(`the ${kind} name ${long}${suffix} is ${max + 1} characters, longer than ${max}.*Fix: shorten it, or set fullnameOverride`));
  });
});

describe("ha-jobs PriorityClass", () => {
  it("uses an existing class when priorityClass.create is false, and renders none of its own", async () => {
    const objs = await withFixtureRepo(
      (root) => appendValues(root, "values/homelab/ha-jobs.yaml", "priorityClass: {create: false, name: homelab-critical}"),
      (root) => renderChart("homelab", "ha-jobs", root),
    );
    expect(objs.filter((o) => o.kind === "PriorityClass")).toEqual([]);
    for (const j of objs.filter((o) => o.kind === "CronJob")) expect(podSpecOf(j).priorityClassName, ref(j)).toBe("homelab-critical");
  });

  it("fails with the fix when priorityClass.create is false and no name is given", async () => {
    await expect(
      withFixtureRepo(
        (root) => appendValues(root, "values/homelab/ha-jobs.yaml", "priorityClass: {create: false}"),
        (root) => renderChart("homelab", "ha-jobs", root),
      ),
    ).rejects.toThrow(/priorityClass\.create is false but priorityClass\.name is not set.*Fix: set priorityClass\.name/);
  });
});
