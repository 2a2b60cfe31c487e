/**
 * Rendered output of charts/decypharr in every environment (issue 5), and the DFS invariants
 * across the media namespace's two DFS charts: decypharr-streaming is the only privileged pod and
 * the only one with Bidirectional propagation.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderEnvironment, type K8sObject } from "../../tools/lib/render.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { SEED_PLACEMENT } from "../helpers/seed.ts";

type Obj = Record<string, any>;
const ENVS = ["homelab", "staging"] as const;


async function render(env: string, chart: string, root?: string): Promise<K8sObject[]> {
  const releases = await renderEnvironment(env, { chart, root });
  expect(releases).toHaveLength(1);
  return releases[0].objects;
}

const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as Obj[];
const podOf = (w: Obj): Obj => w.spec.template.spec;
const component = (o: Obj): string => o.metadata.labels["app.kubernetes.io/component"];
const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
const podSpecOf = (o: Obj): Obj => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

describe.each(ENVS)("charts/decypharr in %s", (env) => {
  const objects = render(env, "decypharr");
  const sts = async (c: string) => ofKind(await objects, "StatefulSet").find((s) => component(s) === c)!;

  it("renders the seed's two StatefulSets with the seed's images", async () => {
    const all = ofKind(await objects, "StatefulSet");
    expect(all.map((s) => s.metadata.name).sort()).toEqual(["decypharr-download", "decypharr-streaming"]);
    expect(podOf(await sts("streaming")).containers[0].image).toBe("cy01/blackhole:beta");
    expect(podOf(await sts("download")).containers[0].image).toBe("cy01/blackhole:latest");
  });

  it("gives both pods the seed's placement pattern exactly", async () => {
    for (const s of ofKind(await objects, "StatefulSet")) {
      expect({ affinity: podOf(s).affinity, tolerations: podOf(s).tolerations }, s.metadata.name).toEqual(parse(SEED_PLACEMENT));
    }
  });

  it("has no probe on either pod and service links off on both", async () => {
    for (const s of ofKind(await objects, "StatefulSet")) {
      expect(podOf(s).enableServiceLinks, s.metadata.name).toBe(false);
      for (const c of podOf(s).containers) {
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) expect(c[probe], `${s.metadata.name} ${probe}`).toBeUndefined();
      }
    }
  });

  it("mounts the host's /mnt Bidirectional with /dev/fuse in streaming, and the library read-only in download", async () => {
    const s = podOf(await sts("streaming"));
    expect(s.volumes).toContainEqual({ name: "host-mnt", hostPath: { path: "/mnt", type: "Directory" } });
    expect(s.volumes).toContainEqual({ name: "dev-fuse", hostPath: { path: "/dev/fuse", type: "CharDevice" } });
    expect(s.containers[0].volumeMounts).toContainEqual({ name: "host-mnt", mountPath: "/mnt", mountPropagation: "Bidirectional" });
    expect(s.containers[0].securityContext.privileged).toBe(true);
    const d = podOf(await sts("download"));
    expect(d.volumes.find((v: Obj) => v.name === "media").nfs.readOnly).toBe(true);
    expect(d.containers[0].volumeMounts).toContainEqual({ name: "media", mountPath: "/mnt/media", readOnly: true });
  });

  it("keeps config on a Longhorn RWO volumeClaimTemplate at /app and passes PUID, PGID, UMASK", async () => {
    for (const s of ofKind(await objects, "StatefulSet")) {
      expect(s.spec.volumeClaimTemplates[0].spec).toMatchObject({ accessModes: ["ReadWriteOnce"], storageClassName: "longhorn" });
      const c = podOf(s).containers[0];
      expect(c.volumeMounts).toContainEqual({ name: "config", mountPath: "/app" });
      expect(c.env.map((e: Obj) => e.name)).toEqual(expect.arrayContaining(["PUID", "PGID", "UMASK"]));
      expect(Object.keys(c.resources.requests).length).toBeGreaterThan(0);
    }
  });

  it("puts every Service on port 80 targeting container port 8282 (named targetPort resolved)", async () => {
    const objs = await objects;
    const services = ofKind(objs, "Service");
    expect(services).toHaveLength(2);
    for (const svc of services) {
      const [port] = svc.spec.ports;
      expect(port.port).toBe(80);
      const pods = ofKind(objs, "StatefulSet").filter((s) => Object.entries(svc.spec.selector).every(([k, v]) => s.spec.template.metadata.labels[k] === v));
      expect(pods).toHaveLength(1);
      const cport = podOf(pods[0]).containers.flatMap((c: Obj) => c.ports).find((p: Obj) => (typeof port.targetPort === "string" ? p.name === port.targetPort : p.containerPort === port.targetPort));
      expect(cport?.containerPort, svc.metadata.name).toBe(8282);
    }
    for (const ing of ofKind(objs, "Ingress")) {
      const backend = ing.spec.rules[0].http.paths[0].backend.service;
      expect(services.map((s) => s.metadata.name)).toContain(backend.name);
      expect(backend.port).toEqual({ name: "http" });
    }
  });

  it("never puts version labels in selectors", async () => {
    const objs = await objects;
    for (const sel of [...ofKind(objs, "StatefulSet").map((s) => s.spec.selector.matchLabels), ...ofKind(objs, "Service").map((s) => s.spec.selector)]) {
      expect(Object.keys(sel)).not.toContain("app.kubernetes.io/version");
      expect(Object.keys(sel)).not.toContain("helm.sh/chart");
    }
  });

  it("makes decypharr-streaming the only privileged pod and the only one with Bidirectional, across decypharr and media-apps", async () => {
    const all = [...(await objects), ...(await render(env, "media-apps"))] as Obj[];
    const workloads = all.filter((o) => WORKLOADS.includes(o.kind));
    expect(workloads.length).toBeGreaterThan(2);
    const privileged = workloads.filter((w) => podSpecOf(w).containers.some((c: Obj) => c.securityContext?.privileged === true));
    const bidirectional = workloads.filter((w) =>
      [...podSpecOf(w).containers, ...(podSpecOf(w).initContainers ?? [])].some((c: Obj) => (c.volumeMounts ?? []).some((m: Obj) => m.mountPropagation === "Bidirectional")),
    );
    expect(privileged.map((w) => `${w.kind}/${w.metadata.name}`)).toEqual(["StatefulSet/decypharr-streaming"]);
    expect(bidirectional.map((w) => `${w.kind}/${w.metadata.name}`)).toEqual(["StatefulSet/decypharr-streaming"]);
  });
});

describe("charts/decypharr values", () => {
  it("pins an image to a digest when one is set", async () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const objs = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", "streaming:\n", `streaming:\n  image: {repository: cy01/blackhole, tag: beta, digest: "${digest}"}\n`),
      (root) => render("homelab", "decypharr", root),
    );
    const s = ofKind(objs, "StatefulSet").find((x) => component(x) === "streaming")!;
    expect(podOf(s).containers[0].image).toBe(`cy01/blackhole:beta@${digest}`);
  });

  it("rejects a Samba variable in _validate.tpl with the seed's reason", async () => {
    await expect(
      withFixtureRepo(
        (root) => editFixture(root, "values/homelab/decypharr.yaml", "download:\n", "download:\n  env: {SMB_SHARE: //nas/media}\n"),
        (root) => render("homelab", "decypharr", root),
      ),
    ).rejects.toThrow(/download\.env mentions SMB\/CIFS\/Samba.*removed in commit e828583/);
  });
});
