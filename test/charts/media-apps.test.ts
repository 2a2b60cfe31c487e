/**
 * Rendered output of charts/media-apps in every environment, as Flux renders it (issue 5): the
 * seed's placement on every app, the DFS consumer mount, one writer per RWO config volume,
 * Services on port 80 behind Ingresses, and the values checks of the schema and _validate.tpl.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";
import { SEED_PLACEMENT } from "../helpers/seed.ts";

type Obj = Record<string, any>;
const ENVS = ["homelab", "staging"] as const;


async function render(env: string, root?: string): Promise<K8sObject[]> {
  const releases = await renderEnvironment(env, { chart: "media-apps", root });
  expect(releases.map((r) => r.release)).toEqual(["media-apps"]);
  expect(releases[0].namespace).toBe("media");
  return releases[0].objects;
}

const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind) as Obj[];
const podOf = (d: Obj): Obj => d.spec.template.spec;
const app = (d: Obj): string => d.metadata.labels["app.kubernetes.io/component"];
/** The pod spec of app `name`'s Deployment. */
const appPod = (objs: K8sObject[], name: string): Obj => podOf(ofKind(objs, "Deployment").find((d) => app(d) === name)!);
/** homelab's media-apps objects, rendered from a fixture repository whose values/homelab/media-apps.yaml has `from` replaced by `to`. */
const renderEdited = (from: string, to: string): Promise<K8sObject[]> =>
  withFixtureRepo((root) => editFixture(root, "values/homelab/media-apps.yaml", from, to), (root) => render("homelab", root));

describe.each(ENVS)("charts/media-apps in %s", (env) => {
  const objects = render(env);

  it("enables sonarr, radarr and prowlarr with pinned linuxserver images and PUID/PGID/UMASK from the values", async () => {
    const read = (rel: string) => (parse(readFileSync(join(repoRoot, rel), "utf8")) ?? {}) as Obj;
    const ids = { ...read("charts/media-apps/values.yaml").ids, ...(read(`values/${env}/media-apps.yaml`).ids ?? {}) };
    const deployments = ofKind(await objects, "Deployment");
    expect(deployments.map(app).sort()).toEqual(["prowlarr", "radarr", "sonarr"]);
    for (const d of deployments) {
      const [c] = podOf(d).containers;
      expect(c.image).toMatch(new RegExp(`^lscr\\.io/linuxserver/${app(d)}:\\d+(\\.\\d+)+-ls\\d+(@sha256:[a-f0-9]{64})?$`));
      const vars = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
      expect({ PUID: vars.PUID, PGID: vars.PGID, UMASK: vars.UMASK }, app(d)).toEqual({ PUID: String(ids.PUID), PGID: String(ids.PGID), UMASK: ids.UMASK });
    }
  });

  it("runs each app as one replica with strategy Recreate, its config on a separate RWO Longhorn PVC", async () => {
    const objs = await objects;
    expect(ofKind(objs, "StatefulSet")).toEqual([]);
    const pvcs = new Map(ofKind(objs, "PersistentVolumeClaim").map((p) => [p.metadata.name, p]));
    for (const d of ofKind(objs, "Deployment")) {
      expect(d.spec.replicas).toBe(1);
      expect(d.spec.strategy).toEqual({ type: "Recreate" });
      const config = podOf(d).volumes.find((v: Obj) => v.name === "config");
      const pvc = pvcs.get(config.persistentVolumeClaim.claimName);
      expect(pvc, `${d.metadata.name}: its config claim is rendered`).toBeDefined();
      expect(pvc!.spec).toMatchObject({ accessModes: ["ReadWriteOnce"], storageClassName: "longhorn" });
      expect(pvc!.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
      expect(podOf(d).containers[0].volumeMounts).toContainEqual({ name: "config", mountPath: "/config" });
    }
    expect(pvcs.size).toBe(ofKind(objs, "Deployment").length);
  });

  it("mounts decypharr's streaming library read-write in Sonarr and Radarr only, and creates no claim of its own for it", async () => {
    const objs = await objects;
    expect(ofKind(objs, "PersistentVolumeClaim").map((p) => p.metadata.name).filter((n) => n.includes("library"))).toEqual([]);
    for (const d of ofKind(objs, "Deployment")) {
      const vol = podOf(d).volumes.find((v: Obj) => v.persistentVolumeClaim?.claimName === "decypharr-library");
      const mount = podOf(d).containers[0].volumeMounts.find((m: Obj) => m.name === vol?.name);
      if (app(d) === "prowlarr") expect(vol).toBeUndefined();
      else expect(mount, app(d)).toEqual({ name: "library", mountPath: "/mnt/streaming-media" });
    }
  });

  it("follows decypharr-streaming (preferred pod affinity) and starts only once the DFS is live", async () => {
    for (const d of ofKind(await objects, "Deployment")) {
      const pod = podOf(d);
      const c = pod.containers[0];
      if (app(d) === "prowlarr") {
        expect(pod.affinity.podAffinity).toBeUndefined();
        expect(c.startupProbe).toBeUndefined();
        continue;
      }
      expect(pod.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { "app.kubernetes.io/name": "decypharr", "app.kubernetes.io/component": "streaming" } }, topologyKey: "kubernetes.io/hostname" } },
      ]);
      expect(c.startupProbe.exec.command).toEqual(["sh", "-c", "grep -qs ' /mnt/decypharr/dfs fuse' /proc/self/mounts && ls /mnt/decypharr/dfs >/dev/null"]);
    }
  });

  it("gives every stateful pod the seed's placement pattern exactly", async () => {
    const seed = parse(SEED_PLACEMENT);
    for (const d of ofKind(await objects, "Deployment")) {
      const { affinity, tolerations } = podOf(d);
      // The seed's pattern; DFS consumers add their pod affinity to decypharr-streaming (tested below).
      const { podAffinity: _follow, ...rest } = affinity;
      expect({ affinity: rest, tolerations }, d.metadata.name).toEqual(seed);
    }
  });

  it("binds the host's DFS parent /mnt/decypharr with HostToContainer, read-only, in every consumer and not in prowlarr", async () => {
    for (const d of ofKind(await objects, "Deployment")) {
      const pod = podOf(d);
      const dfsVolumes = pod.volumes.filter((v: Obj) => typeof v.hostPath?.path === "string" && v.hostPath.path.startsWith("/mnt/decypharr"));
      const mounts = pod.containers.flatMap((c: Obj) => c.volumeMounts).filter((m: Obj) => dfsVolumes.some((v: Obj) => v.name === m.name));
      if (app(d) === "prowlarr") {
        expect(mounts, "prowlarr never reads media files").toEqual([]);
        continue;
      }
      expect(dfsVolumes).toEqual([{ name: "dfs", hostPath: { path: "/mnt/decypharr", type: "Directory" } }]);
      expect(mounts).toEqual([{ name: "dfs", mountPath: "/mnt/decypharr", mountPropagation: "HostToContainer", readOnly: true }]);
    }
  });

  it("mounts the inventory's Unraid library read-only over NFS", async () => {
    const inv = loadInventory(env);
    for (const d of ofKind(await objects, "Deployment").filter((x) => app(x) !== "prowlarr")) {
      const media = podOf(d).volumes.find((v: Obj) => v.name === "media");
      expect(media.nfs).toEqual({ server: inv.nfs.unraid.server, path: inv.nfs.unraid.exports.media, readOnly: true });
      expect(podOf(d).containers[0].volumeMounts).toContainEqual({ name: "media", mountPath: "/mnt/media", readOnly: true });
    }
  });

  it("has no privileged container, no Bidirectional propagation, no privilege escalation, and requests everywhere", async () => {
    for (const d of ofKind(await objects, "Deployment")) {
      for (const c of podOf(d).containers) {
        expect(c.securityContext.privileged).toBe(false);
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext.capabilities.drop).toEqual(["ALL"]);
        expect(c.securityContext.capabilities.add).not.toContain("SYS_ADMIN");
        expect(c.volumeMounts.map((m: Obj) => m.mountPropagation)).not.toContain("Bidirectional");
        expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
      }
    }
  });

  it("puts every Service behind an Ingress on port 80, targeting the container port (named targetPort resolved)", async () => {
    const objs = await objects;
    const ingresses = ofKind(objs, "Ingress");
    if (env === "homelab") expect(ingresses.map(app).sort()).toEqual(["prowlarr", "radarr", "sonarr"]);
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ing of ingresses) {
      const backend = ing.spec.rules[0].http.paths[0].backend.service;
      const svc = ofKind(objs, "Service").find((s) => s.metadata.name === backend.name)!;
      const port = svc.spec.ports.find((p: Obj) => p.name === backend.port.name || p.port === backend.port.number);
      expect(port.port).toBe(80);
      const pods = ofKind(objs, "Deployment").filter((d) =>
        Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
      );
      expect(pods).toHaveLength(1);
      const cport = podOf(pods[0]).containers
        .flatMap((c: Obj) => c.ports)
        .find((p: Obj) => (typeof port.targetPort === "string" ? p.name === port.targetPort : p.containerPort === port.targetPort));
      expect(cport, `${svc.metadata.name} targetPort ${port.targetPort}`).toBeDefined();
      expect(cport.containerPort).toBe({ sonarr: 8989, radarr: 7878, prowlarr: 9696 }[app(pods[0])]);
    }
  });

  it("uses only entrypoints the environment's Traefik declares", async () => {
    const declared = loadInventory(env).traefik.entrypoints;
    for (const ing of ofKind(await objects, "Ingress")) {
      const eps = ing.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"].split(",");
      expect(eps.every((e: string) => declared.includes(e)), eps.join(",")).toBe(true);
    }
  });

  it("never puts version labels in selectors", async () => {
    const objs = await objects;
    const selectors = [
      ...ofKind(objs, "Deployment").map((d) => d.spec.selector.matchLabels),
      ...ofKind(objs, "Service").map((s) => s.spec.selector),
    ];
    expect(selectors.length).toBeGreaterThan(0);
    for (const sel of selectors) {
      expect(Object.keys(sel)).not.toContain("app.kubernetes.io/version");
      expect(Object.keys(sel)).not.toContain("helm.sh/chart");
      expect(sel["app.kubernetes.io/component"]).toBeTruthy();
    }
  });
});

describe("charts/media-apps values", () => {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const schema = JSON.parse(readFileSync(join(repoRoot, "charts/media-apps/values.schema.json"), "utf8"));
  const defaults = parse(readFileSync(join(repoRoot, "charts/media-apps/values.yaml"), "utf8"));
  const validate = addFormats(new Ajv({ allErrors: true, strict: false, allowUnionTypes: true })).compile(schema);
  const withSonarr = (patch: Obj) => ({ ...defaults, apps: { ...defaults.apps, sonarr: { ...defaults.apps.sonarr, ...patch } } });

  it.each([
    { name: "the chart defaults", values: defaults, ok: true },
    { name: "Bidirectional on a consumer", values: withSonarr({ dfs: { mountPropagation: "Bidirectional" } }), ok: false },
    { name: "HostToContainer spelled out", values: withSonarr({ dfs: { mountPropagation: "HostToContainer" } }), ok: true },
    { name: "a cifs extra mount", values: withSonarr({ extraMounts: [{ mountPath: "/mnt/nas", cifs: { server: "nas" } }] }), ok: false },
    { name: "an NFS extra mount", values: withSonarr({ extraMounts: [{ mountPath: "/mnt/nas", nfs: { server: "192.168.1.50", path: "/mnt/user/tv" } }] }), ok: true },
    { name: "a privileged security context", values: withSonarr({ securityContext: { privileged: true } }), ok: false },
    { name: "tolerationSeconds 4", values: { ...defaults, placement: { tolerationSeconds: 4 } }, ok: false },
    { name: "tolerationSeconds 5", values: { ...defaults, placement: { tolerationSeconds: 5 } }, ok: true },
    { name: "tolerationSeconds 300", values: { ...defaults, placement: { tolerationSeconds: 300 } }, ok: true },
    { name: "tolerationSeconds 301", values: { ...defaults, placement: { tolerationSeconds: 301 } }, ok: false },
    { name: "an app without a port", values: { ...defaults, apps: { bazarr: { image: { repository: "lscr.io/linuxserver/bazarr", tag: "v1.5.5-ls337" } } } }, ok: false },
  ])("schema: $name -> valid=$ok", ({ values, ok }) => {
    expect(validate(values), JSON.stringify(validate.errors)).toBe(ok);
  });

  it("adds an app with one values entry (image and port), with every default applied", async () => {
    const objs = await withFixtureRepo(
      (root) =>
        writeFixture(
          root,
          "values/staging/media-apps.yaml",
          "media:\n  server: 10.10.0.50\n  path: /mnt/user/media\napps:\n  bazarr:\n    image: {repository: lscr.io/linuxserver/bazarr, tag: v1.5.5-ls337}\n    port: 6767\n",
        ),
      (root) => render("staging", root),
    );
    const d = ofKind(objs, "Deployment").find((x) => app(x) === "bazarr")!;
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
    const { podAffinity, ...affinity } = podOf(d).affinity;
    expect({ affinity, tolerations: podOf(d).tolerations }).toEqual(parse(SEED_PLACEMENT));
    expect(podAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(podOf(d).containers[0].resources).toEqual({ requests: { cpu: "50m", memory: "256Mi" } });
    expect(podOf(d).containers[0].volumeMounts.map((m: Obj) => m.mountPath)).toEqual(["/config", "/mnt/decypharr", "/mnt/media"]);
    const pvc = ofKind(objs, "PersistentVolumeClaim").find((p) => p.metadata.name === "media-apps-bazarr-config")!;
    expect(pvc.spec.resources.requests.storage).toBe("1Gi");
    expect(ofKind(objs, "Service").find((s) => s.metadata.name === "media-apps-bazarr")!.spec.ports[0]).toMatchObject({ port: 80, targetPort: "http" });
  });

  it("lets values override tolerationSeconds, globally and per app", async () => {
    const objs = await renderEdited("apps:\n  sonarr:\n", "placement:\n  tolerationSeconds: 60\napps:\n  sonarr:\n    placement: {tolerationSeconds: 120}\n");
    const seconds = (name: string) => appPod(objs, name).tolerations.filter((t: Obj) => t.effect === "NoExecute").map((t: Obj) => t.tolerationSeconds);
    expect(seconds("sonarr")).toEqual([120, 120]);
    expect(seconds("radarr")).toEqual([60, 60]);
  });

  it("passes ids from the values (an explicit 0 and a large id included) and pins an app's image to a digest", async () => {
    const digest = `sha256:${"cd".repeat(32)}`;
    const objs = await renderEdited("apps:\n  sonarr:\n", `ids: {PUID: 1000000, PGID: 0, UMASK: "027"}\napps:\n  sonarr:\n    image: {repository: lscr.io/linuxserver/sonarr, tag: 4.0.16.2944-ls302, digest: "${digest}"}\n`);
    for (const d of ofKind(objs, "Deployment")) {
      const vars = Object.fromEntries(podOf(d).containers[0].env.map((e: Obj) => [e.name, e.value]));
      expect(vars, app(d)).toMatchObject({ PUID: "1000000", PGID: "0", UMASK: "027" });
    }
    const image = (name: string) => appPod(objs, name).containers[0].image;
    expect(image("sonarr")).toBe(`lscr.io/linuxserver/sonarr:4.0.16.2944-ls302@${digest}`);
    expect(image("radarr")).not.toContain("@sha256:");
  });

  it("renders extra mounts: an NFS export read-only by default, an existing claim read-write unless readOnly", async () => {
    const objs = await renderEdited("  sonarr:\n", "  sonarr:\n    extraMounts:\n      - {mountPath: /mnt/tv-archive, nfs: {server: 192.168.1.50, path: /mnt/user/archive}}\n      - {mountPath: /downloads, existingClaim: downloads, subPath: tv}\n");
    const pod = appPod(objs, "sonarr");
    expect(pod.volumes).toContainEqual({ name: "extra-0", nfs: { server: "192.168.1.50", path: "/mnt/user/archive", readOnly: true } });
    expect(pod.volumes).toContainEqual({ name: "extra-1", persistentVolumeClaim: { claimName: "downloads", readOnly: false } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "extra-0", mountPath: "/mnt/tv-archive", readOnly: true });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: "extra-1", mountPath: "/downloads", subPath: "tv", readOnly: false });
  });

  it("mounts the library read-write only when an app says readOnly: false", async () => {
    const objs = await renderEdited("  radarr:\n", "  radarr:\n    media: {readOnly: false}\n");
    const media = (name: string) => appPod(objs, name).volumes.find((v: Obj) => v.name === "media").nfs.readOnly;
    expect(media("radarr")).toBe(false);
    expect(media("sonarr")).toBe(true);
  });

  it.each([
    { name: "an extra mount with two sources", patch: "    extraMounts: [{mountPath: /mnt/x, existingClaim: x, nfs: {server: 192.168.1.50, path: /x}}]\n", want: /extraMounts\[0\] \(mountPath \/mnt\/x\) must set exactly one of existingClaim or nfs/ },
    { name: "an extra mount over /config", patch: "    extraMounts: [{mountPath: /config, existingClaim: x}]\n", want: /mountPath \/config is already used by config/ },
  ])("_validate.tpl rejects $name with the reason", async ({ patch, want }) => {
    await expect(renderEdited("  sonarr:\n", `  sonarr:\n${patch}`)).rejects.toThrow(want);
  });

  // Samba is rejected by lint only (docs/decisions.md "Chart conventions"): the template used to
  // fail on any value containing "smb", "cifs" or "samba", legitimate names included.
  it("renders an NFS extra mount whose path and claim names merely contain samba/smb", async () => {
    const objs = await renderEdited("  sonarr:\n", "  sonarr:\n    extraMounts:\n      - {mountPath: /mnt/old, nfs: {server: 192.168.1.50, path: /mnt/user/samba-old}}\n      - {mountPath: /mnt/smbless, existingClaim: smbless-archive}\n");
    const pod = appPod(objs, "sonarr");
    expect(pod.volumes).toContainEqual({ name: "extra-0", nfs: { server: "192.168.1.50", path: "/mnt/user/samba-old", readOnly: true } });
    expect(pod.volumes).toContainEqual({ name: "extra-1", persistentVolumeClaim: { claimName: "smbless-archive", readOnly: false } });
  });
});
