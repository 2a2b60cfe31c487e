/**
 * Rendered output of charts/decypharr in every environment (issue 5), and the DFS invariants
 * across the media namespace's two DFS charts: decypharr-streaming is the only privileged pod and
 * the only one with Bidirectional propagation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../../tools/lib/paths.ts";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
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

/** The ids helm renders for an environment: the chart defaults, overridden by values/<env>/decypharr.yaml. */
function idsOf(env: string): { PUID: number; PGID: number; UMASK: string } {
  const read = (rel: string) => (parse(readFileSync(join(repoRoot, rel), "utf8")) ?? {}) as Obj;
  return { ...read("charts/decypharr/values.yaml").ids, ...(read(`values/${env}/decypharr.yaml`).ids ?? {}) };
}

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

  it("binds the DFS parent Bidirectional with /dev/fuse in streaming, its kept library read-write, and the Unraid library read-only in download", async () => {
    const s = podOf(await sts("streaming"));
    expect(s.volumes).toContainEqual({ name: "dfs-parent", hostPath: { path: "/mnt/decypharr", type: "Directory" } });
    expect(s.volumes).toContainEqual({ name: "dev-fuse", hostPath: { path: "/dev/fuse", type: "CharDevice" } });
    expect(s.volumes).toContainEqual({ name: "library", persistentVolumeClaim: { claimName: "decypharr-library" } });
    expect(s.containers[0].volumeMounts).toContainEqual({ name: "dfs-parent", mountPath: "/mnt/decypharr", mountPropagation: "Bidirectional" });
    expect(s.containers[0].volumeMounts).toContainEqual({ name: "library", mountPath: "/mnt/streaming-media" });
    expect(s.containers[0].securityContext.privileged).toBe(true);
    // This release owns the library: RWX, kept on uninstall.
    const lib = ofKind(await objects, "PersistentVolumeClaim").find((p) => p.metadata.name === "decypharr-library")!;
    expect(lib.spec).toMatchObject({ accessModes: ["ReadWriteMany"], storageClassName: "longhorn-rwx" });
    expect(lib.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    const d = podOf(await sts("download"));
    expect(d.volumes.find((v: Obj) => v.name === "media").nfs.readOnly).toBe(true);
    expect(d.containers[0].volumeMounts).toContainEqual({ name: "media", mountPath: "/mnt/media", readOnly: true });
  });

  it("streaming unmounts the DFS lazily in preStop, with a grace period longer than Decypharr's 20 s unmount", async () => {
    const s = podOf(await sts("streaming"));
    expect(s.containers[0].lifecycle.preStop.exec.command).toEqual([
      "sh", "-c", "fusermount3 -uz /mnt/decypharr/dfs || fusermount -uz /mnt/decypharr/dfs || umount -l /mnt/decypharr/dfs || true",
    ]);
    expect(s.terminationGracePeriodSeconds).toBe(30);
    const d = podOf(await sts("download"));
    expect(d.containers[0].lifecycle).toBeUndefined();
  });

  it("streaming writes Decypharr's first config (mount type dfs at the mount path) only when none exists", async () => {
    const s = podOf(await sts("streaming"));
    const init = s.initContainers.find((c: Obj) => c.name === "initial-config");
    const env = Object.fromEntries(init.env.map((e: Obj) => [e.name, e.value]));
    expect(JSON.parse(env.INITIAL_CONFIG)).toEqual({ url_base: "/", port: "8282", log_level: "info", use_auth: true, mount: { type: "dfs", mount_path: "/mnt/decypharr/dfs" } });
    expect(env.DFS_MOUNT_PATH).toBe("/mnt/decypharr/dfs");
    expect(init.args[0]).toMatch(/^if \[ -e \/app\/config\.json \]; then/);
    expect(init.volumeMounts).toEqual([{ name: "config", mountPath: "/app" }]);
    expect(init.image).toBe(s.containers[0].image);
  });

  it("keeps config on a Longhorn RWO volumeClaimTemplate at /app and passes PUID, PGID, UMASK from the values", async () => {
    const ids = idsOf(env);
    for (const s of ofKind(await objects, "StatefulSet")) {
      expect(s.spec.volumeClaimTemplates.map((t: Obj) => t.metadata.name)).toEqual(["config"]);
      expect(s.spec.volumeClaimTemplates[0].spec).toMatchObject({ accessModes: ["ReadWriteOnce"], storageClassName: "longhorn" });
      const c = podOf(s).containers[0];
      expect(c.volumeMounts).toContainEqual({ name: "config", mountPath: "/app" });
      expect(c.ports).toEqual([{ name: "http", containerPort: 8282, protocol: "TCP" }]);
      const vars = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
      expect({ PUID: vars.PUID, PGID: vars.PGID, UMASK: vars.UMASK }, s.metadata.name).toEqual({ PUID: String(ids.PUID), PGID: String(ids.PGID), UMASK: ids.UMASK });
      expect(Object.keys(c.resources.requests).length).toBeGreaterThan(0);
    }
  });

  it("puts every Service on port 80 targeting container port 8282 (named targetPort resolved)", async () => {
    const objs = await objects;
    // The ClusterIP Services Traefik routes to; the headless governing ones are checked in conventions.test.ts.
    const services = ofKind(objs, "Service").filter((s) => s.spec.clusterIP !== "None");
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

  it("makes decypharr-streaming the only privileged pod and the only one with Bidirectional, across every release of this repository's charts", async () => {
    // Longhorn's manager is privileged with Bidirectional mounts too: upstream releases are
    // governed by values/<env>/policy.yaml upstreamReleases (test/lint/upstream/release.test.ts).
    const releases = await renderEnvironment(env, { noUpstream: true });
    expect(releases.map((r) => r.release)).toEqual(expect.arrayContaining(["decypharr", "media-apps"]));
    const all = releases.flatMap((r) => r.objects) as Obj[];
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
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const schema = JSON.parse(readFileSync(join(repoRoot, "charts/decypharr/values.schema.json"), "utf8"));
  const defaults = parse(readFileSync(join(repoRoot, "charts/decypharr/values.yaml"), "utf8"));
  const validate = addFormats(new Ajv({ allErrors: true, strict: false, allowUnionTypes: true })).compile(schema);
  const patch = (component: "streaming" | "download", p: Obj) => ({ ...defaults, [component]: { ...defaults[component], ...p } });
  const digest = `sha256:${"ab".repeat(32)}`;

  it.each([
    { name: "the chart defaults", values: defaults, ok: true },
    { name: "a digest on the streaming image", values: patch("streaming", { image: { ...defaults.streaming.image, digest } }), ok: true },
    { name: "a digest on the download image", values: patch("download", { image: { ...defaults.download.image, digest } }), ok: true },
    { name: "a malformed digest", values: patch("download", { image: { ...defaults.download.image, digest: "sha256:abc" } }), ok: false },
    { name: "a grace period not longer than Decypharr's unmount", values: patch("streaming", { terminationGracePeriodSeconds: 20 }), ok: false },
    { name: "a privileged security context on download", values: patch("download", { securityContext: { privileged: true } }), ok: false },
    { name: "an smb share on download", values: patch("download", { smb: { share: "//nas/media" } }), ok: false },
    { name: "a probe", values: patch("streaming", { readinessProbe: { httpGet: { path: "/", port: 8282 } } }), ok: false },
    { name: "PUID 0 (root)", values: { ...defaults, ids: { PUID: 0 } }, ok: true },
    { name: "a negative PUID", values: { ...defaults, ids: { PUID: -1 } }, ok: false },
    { name: "UMASK 22 (not octal digits, 3-4 long)", values: { ...defaults, ids: { UMASK: "22" } }, ok: false },
    { name: "tolerationSeconds 4", values: { ...defaults, placement: { tolerationSeconds: 4 } }, ok: false },
    { name: "tolerationSeconds 5", values: { ...defaults, placement: { tolerationSeconds: 5 } }, ok: true },
    { name: "tolerationSeconds 300", values: { ...defaults, placement: { tolerationSeconds: 300 } }, ok: true },
    { name: "tolerationSeconds 301", values: { ...defaults, placement: { tolerationSeconds: 301 } }, ok: false },
  ])("schema: $name -> valid=$ok", ({ values, ok }) => {
    expect(validate(values), JSON.stringify(validate.errors)).toBe(ok);
  });

  it.each([
    { component: "streaming", tag: "beta" },
    { component: "download", tag: "latest" },
  ])("pins the $component image to a digest when one is set, and only that one", async ({ component: c, tag }) => {
    const objs = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", `${c}:\n`, `${c}:\n  image: {repository: cy01/blackhole, tag: ${tag}, digest: "${digest}"}\n`),
      (root) => render("homelab", "decypharr", root),
    );
    const images = Object.fromEntries(ofKind(objs, "StatefulSet").map((s) => [component(s), podOf(s).containers[0].image]));
    const other = c === "streaming" ? "download" : "streaming";
    expect(images[c]).toBe(`cy01/blackhole:${tag}@${digest}`);
    expect(images[other]).toBe(`cy01/blackhole:${other === "streaming" ? "beta" : "latest"}`);
  });

  it("passes PUID, PGID, UMASK and TZ from the values to both containers, an explicit 0 and a large id included", async () => {
    const objs = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", "streaming:\n", `ids: {PUID: 0, PGID: 1000000, UMASK: "022", TZ: Europe/Berlin}\nstreaming:\n`),
      (root) => render("homelab", "decypharr", root),
    );
    const sets = ofKind(objs, "StatefulSet");
    expect(sets).toHaveLength(2);
    for (const s of sets) {
      const vars = Object.fromEntries(podOf(s).containers[0].env.map((e: Obj) => [e.name, e.value]));
      expect(vars, s.metadata.name).toMatchObject({ PUID: "0", PGID: "1000000", UMASK: "022", TZ: "Europe/Berlin" });
    }
  });

  it("lets values override tolerationSeconds on both pods", async () => {
    const objs = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", "streaming:\n", "placement: {tolerationSeconds: 90}\nstreaming:\n"),
      (root) => render("homelab", "decypharr", root),
    );
    for (const s of ofKind(objs, "StatefulSet")) {
      expect(podOf(s).tolerations.filter((t: Obj) => t.effect === "NoExecute").map((t: Obj) => t.tolerationSeconds), s.metadata.name).toEqual([90, 90]);
    }
  });

  // Samba is rejected by lint only (docs/decisions.md "Chart conventions"): the template used to
  // fail on any value containing "smb", "cifs" or "samba", legitimate names included.
  it("renders an NFS library path that merely contains samba", async () => {
    const objs = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/decypharr.yaml", /path: \/mnt\/user\/[^\n]*/, "path: /mnt/user/samba-old"),
      (root) => render("homelab", "decypharr", root),
    );
    const d = podOf(ofKind(objs, "StatefulSet").find((s) => component(s) === "download")!);
    expect(d.volumes.find((v: Obj) => v.name === "media").nfs.path).toBe("/mnt/user/samba-old");
  });
});
