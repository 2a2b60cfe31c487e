/**
 * The data-path check (tools/lint/datapath.ts) on the RENDERED objects of the real environments:
 * passes as the repository is, and fails, naming the object and the path, on a crafted break of
 * each kind, applied to the rendered objects (unit), to a values file and to a template (end to
 * end through npm run lint-charts' pipeline).
 */
import { describe, expect, it } from "vitest";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { renderEnvironment, type K8sObject } from "../../tools/lib/render.ts";
import { checkDataPath } from "../../tools/lint/datapath.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

const homelab = renderEnvironment("homelab").then((rs) => rs.flatMap((r) => r.objects));
const inv = loadInventory("homelab");
const lines = (objs: K8sObject[], i = inv) => checkDataPath(i, objs).map((f) => `${f.object}: ${f.message}`);

/** A deep copy of the objects with `edit` applied to the one named `kind/name`. */
async function broken(kind: string, name: string, edit: (o: Obj) => void): Promise<K8sObject[]> {
  const objs = structuredClone(await homelab) as Obj[];
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} rendered`);
  edit(o);
  return objs as K8sObject[];
}
const pod = (o: Obj) => o.spec.template.spec;
const mount = (o: Obj, name: string) => pod(o).containers[0].volumeMounts.find((m: Obj) => m.name === name);
const volume = (o: Obj, name: string) => pod(o).volumes.find((v: Obj) => v.name === name);

describe.each(["homelab", "staging"])("%s as rendered", (env) => {
  it("passes the data-path check", async () => {
    const objs = (await renderEnvironment(env)).flatMap((r) => r.objects);
    expect(checkDataPath(loadInventory(env), objs)).toEqual([]);
  });
});

describe("crafted breaks of the rendered objects", () => {
  it.each([
    {
      name: "a consumer binds the FUSE mount point itself",
      objs: () => broken("Deployment", "media-apps-sonarr", (o) => {
        volume(o, "dfs").hostPath.path = "/mnt/decypharr/dfs";
        mount(o, "dfs").mountPath = "/mnt/decypharr/dfs";
      }),
      want: ["Deployment/media/media-apps-sonarr: container sonarr binds the host's /mnt/decypharr/dfs at /mnt/decypharr/dfs; the DFS is shared through the stable parent /mnt/decypharr only: binding the FUSE mount point itself pins one Decypharr instance (kubernetes#66567)", "Deployment/media/media-apps-sonarr: media-apps sonarr reads the DFS but does not bind the host's /mnt/decypharr"],
    },
    {
      name: "a consumer without HostToContainer",
      objs: () => broken("Deployment", "media-apps-radarr", (o) => delete mount(o, "dfs").mountPropagation),
      want: ["Deployment/media/media-apps-radarr: media-apps radarr binds /mnt/decypharr with mountPropagation None: a FUSE mount Decypharr creates after this pod started never appears in it. Fix: mountPropagation: HostToContainer"],
    },
    {
      name: "a consumer binding the parent at another container path",
      objs: () => broken("Deployment", "media-apps-radarr", (o) => (mount(o, "dfs").mountPath = "/dfs")),
      want: ["Deployment/media/media-apps-radarr: container radarr binds the DFS parent /mnt/decypharr at /dfs, but every other pod uses /mnt/decypharr"],
    },
    {
      name: "a consumer without the DFS-live probe",
      objs: () => broken("Deployment", "media-apps-sonarr", (o) => delete pod(o).containers[0].startupProbe),
      want: ["Deployment/media/media-apps-sonarr: media-apps sonarr has no startup or readiness probe checking that the DFS at /mnt/decypharr/dfs is live"],
    },
    {
      name: "the producer without Bidirectional",
      objs: () => broken("StatefulSet", "decypharr-streaming", (o) => (mount(o, "dfs-parent").mountPropagation = "HostToContainer")),
      want: ["StatefulSet/media/decypharr-streaming: decypharr streaming binds /mnt/decypharr with mountPropagation HostToContainer: its FUSE mount would never reach the host. Fix: mountPropagation: Bidirectional"],
    },
    {
      name: "the producer without the preStop unmount",
      objs: () => broken("StatefulSet", "decypharr-streaming", (o) => delete pod(o).containers[0].lifecycle),
      want: ["StatefulSet/media/decypharr-streaming: decypharr streaming has no preStop hook unmounting /mnt/decypharr/dfs lazily. Fix: lifecycle.preStop exec fusermount3 -uz /mnt/decypharr/dfs"],
    },
    {
      name: "the producer with a grace period shorter than Decypharr's unmount",
      objs: () => broken("StatefulSet", "decypharr-streaming", (o) => (pod(o).terminationGracePeriodSeconds = 15)),
      want: ["StatefulSet/media/decypharr-streaming: decypharr streaming has terminationGracePeriodSeconds 15, not more than Decypharr's own unmount (20 s)"],
    },
    {
      name: "the library claim without keep",
      objs: () => broken("PersistentVolumeClaim", "decypharr-library", (o) => delete o.metadata.annotations),
      want: ["PersistentVolumeClaim/media/decypharr-library: holds the streaming library at /mnt/streaming-media but is not annotated helm.sh/resource-policy: keep"],
    },
    {
      name: "Sonarr mounting the library read-only",
      objs: () => broken("Deployment", "media-apps-sonarr", (o) => (mount(o, "library").readOnly = true)),
      want: ["Deployment/media/media-apps-sonarr: media-apps sonarr mounts the library at /mnt/streaming-media read-only, but it writes there (imports). Fix: remove readOnly from the mount and the volume"],
    },
    {
      name: "Radarr without the library",
      objs: () => broken("Deployment", "media-apps-radarr", (o) => (pod(o).containers[0].volumeMounts = pod(o).containers[0].volumeMounts.filter((m: Obj) => m.name !== "library"))),
      want: ["Deployment/media/media-apps-radarr: media-apps radarr needs the streaming library (read-write: it imports into it) at /mnt/streaming-media but mounts nothing there"],
    },
    {
      name: "PMS mounting the library at another path",
      objs: () => broken("Deployment", "clusterplex-pms", (o) => (mount(o, "library").mountPath = "/library")),
      want: [
        "Deployment/media/clusterplex-pms: container plex mounts the library claim decypharr-library at /library, but every other pod uses /mnt/streaming-media",
        "Deployment/media/clusterplex-pms: clusterplex pms needs the streaming library (read-only) at /mnt/streaming-media but mounts nothing there",
      ],
    },
    {
      name: "a worker mounting the library read-write",
      objs: () => broken("StatefulSet", "clusterplex-worker", (o) => delete mount(o, "library").readOnly),
      want: ["StatefulSet/media/clusterplex-worker: clusterplex worker mounts the library at /mnt/streaming-media read-write, but only reads it. Fix: readOnly: true"],
    },
    {
      name: "a worker with a read-only /transcode",
      objs: () => broken("StatefulSet", "clusterplex-worker", (o) => (mount(o, "transcode").readOnly = true)),
      want: ["StatefulSet/media/clusterplex-worker: clusterplex worker mounts /transcode read-only, but transcodes write segments there. Fix: remove readOnly"],
    },
    {
      name: "the DFS PV on a node address",
      objs: () => broken("PersistentVolume", "clusterplex-dfs", (o) => (o.spec.nfs.server = "192.168.1.12")),
      want: [
        "Deployment/media/clusterplex-pms: clusterplex pms mounts the DFS from 192.168.1.12, not the export address 192.168.1.30 that follows Decypharr (values/homelab/cluster.yaml nfs.dfsExport.address): after a failover it would lead to a node without the mount. Fix: dfs.address: 192.168.1.30",
        "StatefulSet/media/clusterplex-worker: clusterplex worker mounts the DFS from 192.168.1.12, not the export address 192.168.1.30",
      ],
    },
    {
      name: "the DFS PV without nfsvers=4.2",
      objs: () => broken("PersistentVolume", "clusterplex-dfs", (o) => (o.spec.mountOptions = ["soft", "timeo=150", "retrans=3"])),
      want: ["Deployment/media/clusterplex-pms: clusterplex pms mounts the DFS PV without nfsvers=4.2 (soft,timeo=150,retrans=3)"],
    },
  ])("$name", async ({ objs, want }) => {
    const got = lines(await objs());
    for (const w of want) expect(got.some((l) => l.startsWith(w)), `${w}\nin\n${got.join("\n")}`).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(want.length);
  });

  it("an inventory export path that is not Decypharr's mount point", async () => {
    const i = structuredClone(inv);
    i.nfs.dfs.w2.path = "/mnt/dfs";
    expect(lines(await homelab, i)).toEqual([
      "values/homelab/cluster.yaml nfs.dfs.w2.path: nfs.dfs.w2.path is /mnt/dfs, but Decypharr mounts the DFS at /mnt/decypharr/dfs (below the parent /mnt/decypharr); the export and the NFS PV would serve another directory. Fix: path: /mnt/decypharr/dfs",
    ]);
  });
});

describe("breaks in values and templates fail npm run lint-charts with the object and the path", () => {
  const dataPath = (root: string) =>
    lintEnvironment({ env: "homelab", root }).then((r) => {
      const rep = r.profiles.find((p) => p.release === "(data path)");
      if (!rep) throw new Error(`no (data path) report: ${JSON.stringify(r.profiles.filter((p) => !p.ok).map((p) => p.findings))}`);
      return { ok: r.ok, lines: rep.findings.map((f) => `${f.object}: ${f.message}`) };
    });

  it("values: Sonarr no longer mounts the library", async () => {
    const r = await withFixtureRepo((root) => editFixture(root, "values/homelab/media-apps.yaml", "  sonarr:\n", "  sonarr:\n    library: false\n"), dataPath);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([expect.stringMatching(/^Deployment\/media\/media-apps-sonarr: media-apps sonarr needs the streaming library \(read-write: it imports into it\) at \/mnt\/streaming-media but mounts nothing there\. Fix:/)]);
  }, 240_000);

  it("templates: the clusterplex mount helper moves the library and the decypharr template loses its preStop", async () => {
    const r = await withFixtureRepo((root) => {
      editFixture(root, "charts/clusterplex/templates/_helpers.tpl", "  mountPath: {{ .Values.library.mountPath }}", "  mountPath: /mnt/library");
      editFixture(root, "charts/decypharr/templates/sts.yaml", /command: \["sh", "-c", "fusermount3 -uz[^\]]*\]/, 'command: ["sh", "-c", "true"]');
    }, dataPath);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^Deployment\/media\/clusterplex-pms: container plex mounts the library claim decypharr-library at \/mnt\/library, but every other pod uses \/mnt\/streaming-media/),
      expect.stringMatching(/^StatefulSet\/media\/clusterplex-worker: container worker mounts the library claim decypharr-library at \/mnt\/library/),
      expect.stringMatching(/^StatefulSet\/media\/decypharr-streaming: decypharr streaming has no preStop hook unmounting \/mnt\/decypharr\/dfs lazily/),
    ]));
  }, 240_000);
});
