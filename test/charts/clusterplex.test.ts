/**
 * charts/clusterplex as Flux renders it in each environment (renderEnvironment), plus the
 * variants the environments do not use today (hard anti-affinity, GPU requests), rendered from a temporary copy of the repo with one values file edited.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { resolveHelm } from "../../tools/lib/helm.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { renderPrepared, withPreparedChart, type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { compileSchema } from "../../tools/lib/values-validate.ts";
import { pickNode, type Node, type PlacedPod, type PodSpec } from "../../tools/scheduling/index.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

// ---- helpers ---------------------------------------------------------------------------------

interface Container {
  name: string;
  image: string;
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: { allowPrivilegeEscalation?: boolean; privileged?: boolean };
}
interface ChartVolume {
  name: string;
  nfs?: { server: string; path: string; readOnly?: boolean };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec & { containers: Container[]; runtimeClassName?: string; enableServiceLinks?: boolean };
}
type Workload = K8sObject & {
  spec: {
    replicas: number;
    strategy?: { type: string };
    template: PodTemplate;
    volumeClaimTemplates?: { metadata: { name: string }; spec: { accessModes: string[]; storageClassName: string; resources: { requests: { storage: string } } } }[];
  };
};
type Claim = K8sObject & { spec: { accessModes: string[]; storageClassName: string; volumeName?: string; resources: { requests: { storage: string } } } };
type Pv = K8sObject & {
  spec: { accessModes: string[]; storageClassName: string; mountOptions: string[]; nfs: { server: string; path: string; readOnly: boolean }; claimRef: { namespace: string; name: string }; persistentVolumeReclaimPolicy: string };
};
type Svc = K8sObject & { spec: { type?: string; clusterIP?: string; ports: { name: string; port: number; targetPort: string }[] } };

const APP_VERSION = String((parse(readFileSync(join(repoRoot, "charts/clusterplex/Chart.yaml"), "utf8")) as { appVersion: string }).appVersion);

async function render(env: string, root?: string): Promise<K8sObject[]> {
  const releases = await renderEnvironment(env, { chart: "clusterplex", root });
  expect(releases.map((r) => r.release)).toEqual(["clusterplex"]);
  return releases[0].objects;
}

function get<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in [${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}]`);
  return found as T;
}

const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const portsOf = (c: Container) => Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));

/** mountPath -> what is mounted there (nfs server:path or claim name) and whether read-only. */
function mountsOf(t: PodTemplate): Record<string, { source: string; readOnly: boolean }> {
  const volumes = new Map(((t.spec.volumes ?? []) as ChartVolume[]).map((v) => [v.name, v]));
  const out: Record<string, { source: string; readOnly: boolean }> = {};
  for (const m of t.spec.containers[0].volumeMounts ?? []) {
    const v = volumes.get(m.name);
    const source = v?.nfs ? `nfs:${v.nfs.server}:${v.nfs.path}` : v?.persistentVolumeClaim ? `pvc:${v.persistentVolumeClaim.claimName}` : `template:${m.name}`;
    out[m.mountPath] = { source, readOnly: m.readOnly === true };
  }
  return out;
}

function nodesOf(env: string): Node[] {
  return Object.values(loadInventory(env).nodes).map((n) => ({ name: n.name, labels: n.labels, taints: n.taints }));
}

/** Places `replicas` copies of a pod template one after the other, as the scheduler would. */
function schedule(t: PodTemplate, replicas: number, nodes: Node[], placed: PlacedPod[] = []): (string | null)[] {
  const out: (string | null)[] = [];
  const all = [...placed];
  for (let i = 0; i < replicas; i++) {
    const pod = { name: `p${i}`, namespace: "media", labels: t.metadata.labels, spec: t.spec as PodSpec };
    const d = pickNode(pod, nodes, all);
    out.push(d.outcome === "scheduled" ? d.node : null);
    if (d.outcome === "scheduled") all.push({ ...pod, nodeName: d.node });
  }
  return out;
}

/**
 * NOTES.txt as helm renders it after an install. `helm template` does not print NOTES and helm 3's
 * dry-run install needs a cluster, so the test wraps the file in a named template and renders it
 * into a probe ConfigMap of the chart copy Flux would package (same values, same helpers).
 */
async function notes(env: string, root?: string): Promise<string> {
  const p = loadEnvironment(env, root).profiles.find((x) => x.chart === "clusterplex");
  if (!p) throw new Error(`no clusterplex release in clusters/${env}`);
  const helm = await resolveHelm();
  const rendered = await withPreparedChart(p, (chartDir, userFile) => {
    const text = readFileSync(join(chartDir, "templates/NOTES.txt"), "utf8");
    writeFileSync(join(chartDir, "templates/_notes-probe.tpl"), `{{- define "test.notes" -}}\n${text}{{- end }}\n`);
    writeFileSync(
      join(chartDir, "templates/notes-probe.yaml"),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-probe\ndata:\n  notes: {{ include "test.notes" . | toJson }}\n',
    );
    return renderPrepared(p, helm, loadInventory(env, root).kubernetesVersion, chartDir, userFile);
  });
  const probe = rendered.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "notes-probe") as (K8sObject & { data: { notes: string } }) | undefined;
  if (!probe) throw new Error("the notes probe was not rendered");
  return probe.data.notes;
}

// ---- homelab ---------------------------------------------------------------------------------

describe("homelab", async () => {
  const objects = await render("homelab");
  const pms = get<Workload>(objects, "Deployment", "clusterplex-pms");
  const orch = get<Workload>(objects, "Deployment", "clusterplex-orchestrator");
  const workers = get<Workload>(objects, "StatefulSet", "clusterplex-worker");
  const inv = loadInventory("homelab");

  it("renders exactly the expected objects", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Deployment/clusterplex-orchestrator",
      "Deployment/clusterplex-pms",
      "PersistentVolume/clusterplex-dfs",
      "PersistentVolumeClaim/clusterplex-config",
      "PersistentVolumeClaim/clusterplex-dfs",
      "PersistentVolumeClaim/clusterplex-transcode",
      "Service/clusterplex-orchestrator",
      "Service/clusterplex-pms",
      "Service/clusterplex-pms-lan",
      "Service/clusterplex-worker",
      "StatefulSet/clusterplex-worker",
    ]);
  });

  it("PMS: one replica, Recreate, ports 32400 and 32499, the seed's storage placement", () => {
    expect(pms.spec.replicas).toBe(1);
    expect(pms.spec.strategy).toEqual({ type: "Recreate" });
    expect(portsOf(pms.spec.template.spec.containers[0])).toEqual({ pms: 32400, relay: 32499 });
    const aff = pms.spec.template.spec.affinity!;
    expect(aff.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms![0]!.matchExpressions!).toEqual([
      { key: "node.longhorn.io/storage", operator: "In", values: ["enabled"] },
    ]);
    expect(aff.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, preference: { matchExpressions: [{ key: "node.longhorn.io/primary", operator: "In", values: ["true"] }] } },
    ]);
    // PMS follows decypharr-streaming: the DFS export address leads to its node.
    expect(aff.podAffinity!.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { "app.kubernetes.io/name": "decypharr", "app.kubernetes.io/component": "streaming" } }, topologyKey: "kubernetes.io/hostname" } },
    ]);
    expect(schedule(pms.spec.template, 1, nodesOf("homelab"))).toEqual(["k3s-w1"]);
  });

  it.each([
    ["DOCKER_MODS", `ghcr.io/pabloromeo/clusterplex_dockermod:${APP_VERSION}`],
    ["ORCHESTRATOR_URL", "http://clusterplex-orchestrator:3500"],
    ["PMS_SERVICE", "clusterplex-pms"],
    ["PMS_PORT", "32400"],
    ["TRANSCODE_OPERATING_MODE", "both"],
    ["LOCAL_RELAY_ENABLED", "1"],
    ["LOCAL_RELAY_PORT", "32499"],
    ["PUID", "1000"],
    ["PGID", "1000"],
  ])("PMS env %s=%s", (name, value) => {
    expect(envOf(pms.spec.template.spec.containers[0])[name]).toBe(value);
  });

  it("PMS mounts: media NFS ro, media-apps' library ro, DFS claim ro at Decypharr's path, transcode, config", () => {
    expect(mountsOf(pms.spec.template)).toEqual({
      "/config": { source: "pvc:clusterplex-config", readOnly: false },
      "/mnt/media": { source: `nfs:${inv.nfs.unraid.server}:${inv.nfs.unraid.exports.media}`, readOnly: true },
      "/mnt/streaming-media": { source: "pvc:decypharr-library", readOnly: true },
      "/mnt/decypharr/dfs": { source: "pvc:clusterplex-dfs", readOnly: true },
      "/transcode": { source: "pvc:clusterplex-transcode", readOnly: false },
    });
  });

  it.each([
    ["clusterplex-config", ["ReadWriteOnce"], "longhorn"],
    ["clusterplex-transcode", ["ReadWriteMany"], "longhorn-rwx"],
  ])("claim %s is %j on %s", (name, modes, sc) => {
    const pvc = get<Claim>(objects, "PersistentVolumeClaim", name);
    expect(pvc.spec.accessModes).toEqual(modes);
    expect(pvc.spec.storageClassName).toBe(sc);
  });

  it("keeps the Plex config claim on helm uninstall", () => {
    expect(get(objects, "PersistentVolumeClaim", "clusterplex-config").metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
  });

  it("orchestrator: stateless, same placement as PMS, LOAD_TASKS, image pinned to the ClusterPlex version", () => {
    const c = orch.spec.template.spec.containers[0];
    // Stateless: nothing persistent, only a scratch /tmp for the read-only root filesystem.
    expect(orch.spec.template.spec.volumes ?? []).toEqual([{ name: "tmp", emptyDir: {} }]);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(orch.spec.template.spec.affinity).toEqual(pms.spec.template.spec.affinity);
    expect(orch.spec.template.spec.tolerations).toEqual(pms.spec.template.spec.tolerations);
    expect(envOf(c)).toMatchObject({ LISTENING_PORT: "3500", WORKER_SELECTION_STRATEGY: "LOAD_TASKS" });
    expect(portsOf(c)).toEqual({ orchestrator: 3500 });
    expect(c.image).toBe(`ghcr.io/pabloromeo/clusterplex_orchestrator:${APP_VERSION}`);
  });

  it("orchestrator Service is ClusterIP on 3500 only; PMS Service carries 32400 and the relay", () => {
    const o = get<Svc>(objects, "Service", "clusterplex-orchestrator");
    expect(o.spec.type).toBe("ClusterIP");
    expect(o.spec.ports.map((p) => [p.name, p.port])).toEqual([["orchestrator", 3500]]);
    const p = get<Svc>(objects, "Service", "clusterplex-pms");
    expect(p.spec.ports.map((x) => [x.name, x.port, x.targetPort])).toEqual([["pms", 32400, "pms"], ["relay", 32499, "relay"]]);
    // PMS on the LAN: a LoadBalancer with the fixed pool address as MetalLB's annotation only.
    const lan = get<Svc>(objects, "Service", "clusterplex-pms-lan");
    expect(lan.spec.type).toBe("LoadBalancer");
    expect(lan.metadata.annotations).toEqual({ "metallb.io/loadBalancerIPs": "192.168.1.201" });
    expect(lan.spec).not.toHaveProperty("loadBalancerIP");
    expect(lan.spec.ports.map((x) => [x.name, x.port, x.targetPort])).toEqual([["pms", 32400, "pms"]]);
    expect(get<Svc>(objects, "Service", "clusterplex-worker").spec.clusterIP).toBe("None");
  });

  it("workers: 2 replicas, required gpu=true affinity, port 3501, worker env", () => {
    expect(workers.spec.replicas).toBe(2);
    const t = workers.spec.template;
    expect(t.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "gpu", operator: "In", values: ["true"] }] },
    ]);
    expect(t.spec.tolerations ?? []).toEqual([]);
    const c = t.spec.containers[0];
    expect(portsOf(c)).toEqual({ worker: 3501 });
    const env = envOf(c);
    expect(env).toMatchObject({
      DOCKER_MODS: `ghcr.io/pabloromeo/clusterplex_worker_dockermod:${APP_VERSION}`,
      ORCHESTRATOR_URL: "http://clusterplex-orchestrator:3500",
      LISTENING_PORT: "3501",
      EAE_SUPPORT: "1",
    });
    // ffmpegHwaccel is null on the homelab: the variable is not set at all.
    expect(env).not.toHaveProperty("FFMPEG_HWACCEL");
    expect(t.spec.runtimeClassName).toBeUndefined();
    expect(c.resources?.requests).not.toHaveProperty("nvidia.com/gpu");
  });

  it("workers mount what PMS mounts (same paths, same sources) plus their own /codecs", () => {
    const { "/config": _config, ...shared } = mountsOf(pms.spec.template);
    expect(mountsOf(workers.spec.template)).toEqual({ ...shared, "/codecs": { source: "template:codecs", readOnly: false } });
  });

  it("the /codecs volumeClaimTemplate is a per-worker Longhorn RWO claim", () => {
    expect(workers.spec.volumeClaimTemplates).toHaveLength(1);
    const vct = workers.spec.volumeClaimTemplates![0];
    expect(vct.metadata.name).toBe("codecs");
    expect(vct.spec.accessModes).toEqual(["ReadWriteOnce"]);
    expect(vct.spec.storageClassName).toBe("longhorn");
    expect(vct.spec.resources.requests.storage).toBe("1Gi");
  });

  it("soft anti-affinity: both workers schedule on the single GPU node w3, away from PMS's w1", () => {
    const anti = workers.spec.template.spec.affinity!.podAntiAffinity!;
    expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution!.map((p) => [p.weight, p.podAffinityTerm.labelSelector!.matchLabels!["app.kubernetes.io/component"]])).toEqual([
      [100, "worker"],
      [50, "pms"],
    ]);
    expect(schedule(workers.spec.template, 2, nodesOf("homelab"))).toEqual(["k3s-w3", "k3s-w3"]);
  });

  it("the DFS PV: the inventory's export address (not a node), Decypharr's mount point, nfsvers=4.2, read-only, bound to its claim only", () => {
    const pv = get<Pv>(objects, "PersistentVolume", "clusterplex-dfs");
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.spec.nfs).toEqual({ server: inv.nfs.dfsExport!.address, path: "/mnt/decypharr/dfs", readOnly: true });
    expect(Object.values(inv.nodes).map((n) => n.ip)).not.toContain(pv.spec.nfs.server);
    expect(pv.spec.mountOptions).toEqual(["nfsvers=4.2", "soft", "timeo=150", "retrans=3", "actimeo=1"]);
    expect(pv.spec.accessModes).toEqual(["ReadOnlyMany"]);
    expect(pv.spec.storageClassName).toBe("");
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
    expect(pv.spec.claimRef).toEqual({ namespace: "media", name: "clusterplex-dfs" });
    const pvc = get<Claim>(objects, "PersistentVolumeClaim", "clusterplex-dfs");
    expect(pvc.spec).toMatchObject({ volumeName: "clusterplex-dfs", storageClassName: "", accessModes: ["ReadOnlyMany"] });
  });

  it("every container requests resources and disallows privilege escalation", () => {
    for (const w of [pms, orch, workers]) {
      for (const c of w.spec.template.spec.containers) {
        expect(Object.keys(c.resources?.requests ?? {}), `${w.metadata.name}/${c.name}`).toEqual(expect.arrayContaining(["cpu", "memory"]));
        expect(c.securityContext?.allowPrivilegeEscalation, `${w.metadata.name}/${c.name}`).toBe(false);
        expect(c.securityContext?.privileged ?? false, `${w.metadata.name}/${c.name}`).toBe(false);
        expect(c.image).not.toMatch(/:latest$/);
      }
    }
  });
});

// ---- staging ---------------------------------------------------------------------------------

describe("staging (no GPU node)", async () => {
  const objects = await render("staging");
  const inv = loadInventory("staging");

  it("renders no workers, and PMS transcodes locally", () => {
    expect(objects.filter((o) => o.kind === "StatefulSet" || o.metadata.name === "clusterplex-worker")).toEqual([]);
    const pms = get<Workload>(objects, "Deployment", "clusterplex-pms");
    expect(envOf(pms.spec.template.spec.containers[0]).TRANSCODE_OPERATING_MODE).toBe("local");
  });

  it("mounts the DFS from the inventory's export address on its single storage node", () => {
    const pv = get<Pv>(objects, "PersistentVolume", "clusterplex-dfs");
    expect(pv.spec.nfs).toEqual({ server: inv.nfs.dfsExport!.address, path: inv.nfs.dfs.s1.path, readOnly: true });
    const pms = get<Workload>(objects, "Deployment", "clusterplex-pms");
    expect(mountsOf(pms.spec.template)["/mnt/decypharr/dfs"]).toEqual({ source: "pvc:clusterplex-dfs", readOnly: true });
    expect(schedule(pms.spec.template, 1, nodesOf("staging"))).toEqual(["k3s-staging"]);
  });
});

// ---- variants from a temporary copy ----------------------------------------------------------

const HOMELAB_VALUES = "values/homelab/clusterplex.yaml";

describe("NOTES.txt and the README: the manual post-deploy step", () => {
  const POST_DEPLOY = [/Sign in to the Plex UI/, /Transcoder temporary directory.*\/transcode/s];

  it.each([
    { env: "homelab", want: [/^- Workers: 2 on the gpu=true nodes/m, /^- DFS: 192\.168\.1\.30:\/mnt\/decypharr\/dfs at \/mnt\/decypharr\/dfs, claim clusterplex-dfs \(the address follows decypharr-streaming; no failover step\)\.$/m, /^- LAN: Service clusterplex-pms-lan on 192\.168\.1\.201:32400\.$/m, /Custom server access URLs.*http:\/\/192\.168\.1\.201:32400/s, /TRANSCODE_OPERATING_MODE=both/] },
    { env: "staging", want: [/^- Workers: disabled; PMS transcodes locally\.$/m, /^- DFS: 10\.10\.0\.30:\/mnt\/decypharr\/dfs/m, /TRANSCODE_OPERATING_MODE=local/] },
  ])("$env: NOTES name the release's state and the post-deploy step", async ({ env, want }) => {
    const text = await notes(env);
    for (const re of [...want, ...POST_DEPLOY]) expect(text).toMatch(re);
    expect(text).toContain("port-forward svc/clusterplex-pms 32400");
  });

  it("with a GPU, NOTES add the Plex hardware-transcoding setting (PMS chooses the encoder); without one they do not", async () => {
    const hw = /Use hardware acceleration when available.*Use hardware-accelerated video encoding.*FFMPEG_HWACCEL=vaapi only sets their decoder/s;
    expect(await notes("homelab")).not.toMatch(/Use hardware acceleration/);
    await withFixtureRepo(
      (root) => editFixture(root, HOMELAB_VALUES, "  gpu:\n    vendor: null\n  ffmpegHwaccel: null\n", "  gpu:\n    vendor: intel\n  ffmpegHwaccel: vaapi\n"),
      async (root) => expect(await notes("homelab", root)).toMatch(hw),
    );
    const readme = readFileSync(join(repoRoot, "charts/clusterplex/README.md"), "utf8");
    expect(readme.slice(readme.indexOf("## Post-deploy step"))).toMatch(/"Use hardware acceleration when\s+available" and "Use hardware-accelerated video encoding"/);
  });

  it("the chart README has the same post-deploy step", () => {
    const readme = readFileSync(join(repoRoot, "charts/clusterplex/README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Post-deploy step"));
    expect(section.length).toBeLessThan(readme.length);
    for (const re of POST_DEPLOY) expect(section).toMatch(re);
  });
});

describe("DFS mount options from values", () => {
  it("the PV carries dfs.mountOptions as set, not the defaults", async () => {
    const options = ["nfsvers=4.1", "noac", "soft", "timeo=30", "retrans=3"];
    await withFixtureRepo(
      (root) => editFixture(root, HOMELAB_VALUES, "dfs:\n", `dfs:\n  mountOptions: [${options.join(", ")}]\n`),
      async (root) => {
        const pv = get<Pv>(await render("homelab", root), "PersistentVolume", "clusterplex-dfs");
        expect(pv.spec.mountOptions).toEqual(options);
        expect(pv.spec.nfs.readOnly).toBe(true);
      },
    );
  });
});

describe("worker options", () => {
  it("hard anti-affinity renders a required term, and the second worker cannot schedule on one GPU node", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, HOMELAB_VALUES, "antiAffinity: soft", "antiAffinity: hard"),
      async (root) => {
        const sts = get<Workload>(await render("homelab", root), "StatefulSet", "clusterplex-worker");
        const anti = sts.spec.template.spec.affinity!.podAntiAffinity!;
        expect(anti.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
        expect(anti.requiredDuringSchedulingIgnoredDuringExecution![0].topologyKey).toBe("kubernetes.io/hostname");
        expect(anti.preferredDuringSchedulingIgnoredDuringExecution!.map((p) => p.weight)).toEqual([50]);
        expect(schedule(sts.spec.template, 2, nodesOf("homelab"))).toEqual(["k3s-w3", null]);
      },
    );
  });

  it("EAE_SUPPORT comes from values (the GPU parts: test/charts/clusterplex-gpu.test.ts)", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, HOMELAB_VALUES, "  ffmpegHwaccel: null", "  ffmpegHwaccel: null\n  eaeSupport: \"0\""),
      async (root) => {
        const sts = get<Workload>(await render("homelab", root), "StatefulSet", "clusterplex-worker");
        expect(envOf(sts.spec.template.spec.containers[0])).toMatchObject({ EAE_SUPPORT: "0" });
      },
    );
  });
});

describe("values validation", () => {
  it.each([
    {
      name: "workers disabled while PMS still sends jobs to them",
      edit: (root: string) => editFixture(root, HOMELAB_VALUES, "workers:\n", "workers:\n  enabled: false\n"),
      want: /pms\.transcodeOperatingMode is "both" but workers\.enabled is false.*Fix: set pms\.transcodeOperatingMode: local/,
    },
  ])("rejects $name", async ({ edit, want }) => {
    await withFixtureRepo(edit, async (root) => {
      await expect(render("homelab", root)).rejects.toThrow(want);
    });
  });
});

describe("values schema", () => {
  const validate = compileSchema(join(repoRoot, "charts/clusterplex/values.schema.json"));
  const base = parse(readFileSync(join(repoRoot, "charts/clusterplex/values.yaml"), "utf8")) as Record<string, Record<string, unknown>>;
  const withKey = (section: string, key: string, value: unknown) => ({ ...base, [section]: { ...base[section], [key]: value } });

  it("accepts the chart defaults", () => {
    expect(validate(base), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ["transcode", "accessMode", "ReadWriteOnce"],
    ["transcode", "accessMode", "ReadOnlyMany"],
    ["transcode", "storageClass", "longhorn"],
    ["workers", "replicas", 1],
    ["workers", "antiAffinity", "required"],
    ["workers", "ffmpegHwaccel", "dxva2"],
    ["workers", "eaeSupport", 1],
    ["workers", "gpu", { vendor: "matrox" }],
    ["workers", "gpu", { vendor: "amd", access: "usb" }],
    ["workers", "gpuCount", 1],
    ["pms", "transcodeOperatingMode", "hybrid"],
    ["orchestrator", "workerSelectionStrategy", "LEAST_USED"],
    ["media", "readOnly", false],
    ["dfs", "mountOptions", []],
  ])("rejects %s.%s = %j", (section, key, value) => {
    expect(validate(withKey(section, key, value))).toBe(false);
  });

  it.each([
    ["workers", "antiAffinity", "hard"],
    ["workers", "gpu", { vendor: "nvidia", count: 2, runtimeClassName: "nvidia" }],
    ["workers", "tolerations", [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]],
    ["pms", "transcodeOperatingMode", "remote"],
    ["orchestrator", "workerSelectionStrategy", "LOAD_RANK"],
  ])("accepts %s.%s = %j", (section, key, value) => {
    expect(validate(withKey(section, key, value)), JSON.stringify(validate.errors)).toBe(true);
  });
});
