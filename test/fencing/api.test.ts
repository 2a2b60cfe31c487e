import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  KubeApiError,
  KubeClient,
  KubeConfigError,
  buildSnapshot,
  executeActions,
  inClusterConnection,
  toPodInfo,
} from "../../tools/fencing/api.ts";
import { ANNOTATIONS, OUT_OF_SERVICE_TAINT, resolveConfig, type Action } from "../../tools/fencing/decide.ts";
import { selfSignedCertificate } from "./tls.ts";
import { FakeApi, NOW, STORAGE_TAINT, ago, rawCluster, rawNode, rawPod, rawVa, rawVolume, statusBody } from "./fake-api.ts";

let api: FakeApi;
let client: KubeClient;

beforeEach(async () => {
  api = await new FakeApi().start();
  client = new KubeClient({ baseUrl: `${api.url}/`, token: api.token });
});
afterEach(async () => {
  await api.close();
});

const OOS = { ...OUT_OF_SERVICE_TAINT };
const FENCE: Action[] = [
  { type: "cordon", node: "w1", reason: "down" },
  { type: "taint", node: "w1", taint: OOS, reason: "down" },
];

describe("inClusterConnection", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "fencing-sa-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("uses the service host and port with the service account's token and CA", () => {
    writeFileSync(join(dir, "token"), "sa-token\n");
    writeFileSync(join(dir, "ca.crt"), "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
    expect(inClusterConnection({ KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "443" }, dir)).toEqual({
      baseUrl: "https://10.43.0.1:443",
      token: "sa-token",
      ca: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
    });
    expect(inClusterConnection({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" }, dir).baseUrl).toBe("https://[fd00::1]:6443");
  });

  it("fails with a KubeConfigError outside a pod, and keeps the file error as cause", () => {
    expect(() => inClusterConnection({}, dir)).toThrow(KubeConfigError);
    let error: unknown;
    try {
      inClusterConnection({ KUBERNETES_SERVICE_HOST: "10.43.0.1", KUBERNETES_SERVICE_PORT: "443" }, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toBe(`cannot read the service account token at ${dir}/token`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});

// The job's real path: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, verified with
// the service account's ca.crt, authenticated with its token.
describe("HTTPS with the service account's token and CA", () => {
  const tls = selfSignedCertificate();
  let secure: FakeApi;
  let dir: string;
  beforeEach(async () => {
    secure = await new FakeApi({ nodes: rawCluster() }).start(tls);
    dir = mkdtempSync(join(tmpdir(), "fencing-sa-"));
    writeFileSync(join(dir, "token"), `${secure.token}\n`);
    writeFileSync(join(dir, "ca.crt"), tls.cert);
  });
  afterEach(async () => {
    await secure.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const inCluster = () => inClusterConnection({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: new URL(secure.url).port }, dir);

  it("GIVEN the in-cluster connection WHEN listing nodes THEN the request goes over TLS, verified with ca.crt, with the token", async () => {
    const conn = inCluster();
    expect(conn.baseUrl).toBe(secure.url);
    const nodes = await new KubeClient(conn).listNodes();
    expect(nodes.map((n) => n.name)).toEqual(["cp1", "w1", "w2", "w3"]);
    expect(secure.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([["GET", "/api/v1/nodes?limit=500", "Bearer test-token"]]);
  });

  it("GIVEN no CA WHEN connecting THEN the self-signed server is refused before any request is sent", async () => {
    const { ca: _ca, ...withoutCa } = inCluster();
    const error = await new KubeClient(withoutCa).listNodes().then(() => undefined, (e: unknown) => e as KubeApiError);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error!.status).toBeUndefined();
    expect((error!.cause as NodeJS.ErrnoException).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(secure.requests).toEqual([]);
  });

  it("GIVEN another CA WHEN connecting THEN the server is refused (the token never leaves the pod)", async () => {
    const other = selfSignedCertificate();
    const error = await new KubeClient({ ...inCluster(), ca: other.cert }).listNodes().then(() => undefined, (e: unknown) => e as KubeApiError);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error!.message).toMatch(/^GET \/api\/v1\/nodes\?limit=500 failed: /);
    expect(secure.requests).toEqual([]);
  });

  it("GIVEN a fence WHEN executed over HTTPS THEN the same single merge patch reaches the server", async () => {
    secure.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300], taints: [STORAGE_TAINT] } });
    const tlsClient = new KubeClient(inCluster());
    const snapshot = await buildSnapshot(tlsClient, { config: resolveConfig(), now: new Date(NOW) });
    secure.requests.length = 0;
    const results = await executeActions(tlsClient, snapshot, FENCE);
    expect(results.map((r) => r.outcome)).toEqual(["applied", "applied"]);
    expect(secure.writes().map((r) => [r.method, r.url, r.headers["content-type"]])).toEqual([["PATCH", "/api/v1/nodes/w1", "application/merge-patch+json"]]);
    expect(secure.node("w1").spec).toEqual({ unschedulable: true, taints: [STORAGE_TAINT, OOS] });
  });
});

describe("lists", () => {
  it("GETs nodes with the bearer token, JSON accept and a page limit, and converts them", async () => {
    api.state.nodes = [rawNode("w1", { storage: true, ready: ["Unknown", 300], taints: [STORAGE_TAINT], rv: "42" })];
    const nodes = await client.listNodes();
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req).toMatchObject({ method: "GET", url: "/api/v1/nodes?limit=500" });
    expect(req!.headers.authorization).toBe("Bearer test-token");
    expect(req!.headers.accept).toBe("application/json");
    expect(req!.body).toBeUndefined();
    expect(nodes).toEqual([{
      name: "w1",
      resourceVersion: "42",
      labels: { "kubernetes.io/hostname": "w1", "node.longhorn.io/storage": "enabled" },
      roles: [],
      annotations: {},
      taints: [STORAGE_TAINT],
      unschedulable: false,
      ready: { status: "Unknown", lastTransitionTime: ago(300) },
    }]);
  });

  it("follows continue tokens until the last page", async () => {
    api.pageSize = 2;
    api.state.nodes = rawCluster();
    expect((await client.listNodes()).map((n) => n.name)).toEqual(["cp1", "w1", "w2", "w3"]);
    expect(api.requests.map((r) => r.url)).toEqual(["/api/v1/nodes?limit=500", "/api/v1/nodes?limit=500&continue=2"]);
  });

  it.each([
    { name: "pods of all namespaces", call: (c: KubeClient) => c.listPods(), url: "/api/v1/pods?limit=500" },
    { name: "pods of one namespace", call: (c: KubeClient) => c.listPods("media"), url: "/api/v1/namespaces/media/pods?limit=500" },
    { name: "VolumeAttachments", call: (c: KubeClient) => c.listVolumeAttachments(), url: "/apis/storage.k8s.io/v1/volumeattachments?limit=500" },
    { name: "Longhorn volumes (default namespace)", call: (c: KubeClient) => c.listLonghornVolumes(), url: "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes?limit=500" },
    { name: "Longhorn volumes (other namespace)", call: (c: KubeClient) => c.listLonghornVolumes("storage"), url: "/apis/longhorn.io/v1beta2/namespaces/storage/volumes?limit=500" },
  ])("GETs $name", async ({ call, url }) => {
    await call(client);
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${url}`]);
  });

  it("converts pods: PVC claims, generic ephemeral volumes, termination", () => {
    expect(toPodInfo({
      metadata: { namespace: "media", name: "sonarr-0", uid: "u1", deletionTimestamp: NOW },
      spec: {
        nodeName: "w1",
        volumes: [{ name: "config", persistentVolumeClaim: { claimName: "config-sonarr-0" } }, { name: "scratch", ephemeral: {} }, { name: "tmp" }],
      },
      status: { phase: "Running" },
    })).toEqual({ namespace: "media", name: "sonarr-0", uid: "u1", nodeName: "w1", phase: "Running", pvcs: ["config-sonarr-0", "sonarr-0-scratch"], terminating: true });
  });

  it("builds a snapshot from the four lists", async () => {
    api.state = {
      nodes: rawCluster(),
      pods: [rawPod("media", "sonarr-0", "w1", ["config-sonarr-0"])],
      volumes: [rawVolume("pvc-1", "media", "config-sonarr-0", "w1"), { ...rawVolume("pvc-x", "media", "x", "w2"), metadata: { name: "pvc-x", namespace: "elsewhere" } }],
      volumeAttachments: [rawVa("pvc-1", "w1")],
    };
    const config = resolveConfig();
    const snapshot = await buildSnapshot(client, { config, now: new Date(NOW) });
    expect(snapshot.now).toBe(NOW);
    expect(snapshot.config).toBe(config);
    expect(snapshot.nodes.map((n) => n.name)).toEqual(["cp1", "w1", "w2", "w3"]);
    // Roles come from the node-role.kubernetes.io/* labels.
    expect(snapshot.nodes.map((n) => n.roles)).toEqual([["control-plane", "etcd", "master"], [], [], []]);
    expect(snapshot.pods).toEqual([{ namespace: "media", name: "sonarr-0", uid: "uid-sonarr-0", nodeName: "w1", phase: "Running", pvcs: ["config-sonarr-0"], terminating: false }]);
    expect(snapshot.volumes).toEqual([{
      name: "pvc-1",
      accessMode: "rwo",
      currentNodeID: "w1",
      currentMigrationNodeID: "",
      state: "attached",
      robustness: "degraded",
      kubernetesStatus: { pvName: "pvc-1", pvcName: "config-sonarr-0", namespace: "media" },
    }]);
    expect(snapshot.volumeAttachments).toEqual([{ name: "csi-pvc-1-w1", nodeName: "w1", attached: true, persistentVolumeName: "pvc-1" }]);
    expect(api.requests.map((r) => r.pathname).sort()).toEqual([
      "/api/v1/namespaces/longhorn-system/pods",
      "/api/v1/nodes",
      "/api/v1/pods",
      "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes",
      "/apis/storage.k8s.io/v1/volumeattachments",
    ]);
    // The nodes' InternalIPs are the life-sign probes' targets.
    expect(snapshot.nodes.map((n) => n.address)).toEqual(["127.0.0.10", "127.0.0.12", "127.0.0.22", "127.0.0.13"]);
  });

  it("lists pods per namespace when namespaces are configured", async () => {
    api.state.pods = [rawPod("media", "a", "w1", []), rawPod("downloads", "b", "w2", []), rawPod("kube-system", "c", "w1", [])];
    const snapshot = await buildSnapshot(client, { config: resolveConfig(), podNamespaces: ["media", "downloads"], now: new Date(NOW) });
    expect(snapshot.pods.map((p) => p.name)).toEqual(["a", "b"]);
  });
});

describe("executeActions", () => {
  async function snapshotOf() {
    return buildSnapshot(client, { config: resolveConfig(), now: new Date(NOW) });
  }

  it("fences with ONE merge patch: full taint list, cordon, annotations, resourceVersion", async () => {
    const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" as const, timeAdded: ago(300) };
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300], taints: [STORAGE_TAINT, unreachable], rv: "77" } });
    const snapshot = await snapshotOf();
    api.requests.length = 0;
    const results = await executeActions(client, snapshot, FENCE);
    expect(results.map((r) => [r.action.type, r.outcome])).toEqual([["cordon", "applied"], ["taint", "applied"]]);
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req!.method).toBe("PATCH");
    expect(req!.url).toBe("/api/v1/nodes/w1");
    expect(req!.headers["content-type"]).toBe("application/merge-patch+json");
    expect(req!.body).toEqual({
      metadata: {
        resourceVersion: "77",
        annotations: { [ANNOTATIONS.cordoned]: "true", [ANNOTATIONS.fencedAt]: NOW },
      },
      spec: {
        unschedulable: true,
        taints: [STORAGE_TAINT, unreachable, { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" }],
      },
    });
    expect(api.node("w1").spec).toMatchObject({ unschedulable: true });
    expect(api.node("w1").spec!.taints).toHaveLength(3);
  });

  it("unfences: taint list without the out-of-service taint, unschedulable false, annotations removed", async () => {
    api.state.nodes = rawCluster({
      w1: { unschedulable: true, taints: [STORAGE_TAINT, OOS], annotations: { [ANNOTATIONS.fencedAt]: ago(900), [ANNOTATIONS.cordoned]: "true", other: "kept" } },
    });
    const snapshot = await snapshotOf();
    api.requests.length = 0;
    await executeActions(client, snapshot, [
      { type: "untaint", node: "w1", taint: OOS, reason: "back" },
      { type: "uncordon", node: "w1", reason: "back" },
    ]);
    expect(api.requests.map((r) => [r.method, r.url, r.body])).toEqual([[
      "PATCH",
      "/api/v1/nodes/w1",
      {
        metadata: { resourceVersion: "500", annotations: { [ANNOTATIONS.fencedAt]: null, [ANNOTATIONS.stalePodsDeletedAt]: null, [ANNOTATIONS.cordoned]: null } },
        spec: { taints: [STORAGE_TAINT], unschedulable: false },
      },
    ]]);
    expect(api.node("w1").metadata.annotations).toEqual({ other: "kept" });
    expect(api.node("w1").spec).toEqual({ taints: [STORAGE_TAINT], unschedulable: false });
  });

  it("deletes a stale pod with grace period 0 and a uid precondition, after recording the time on the node", async () => {
    api.state.nodes = rawCluster({ w1: { unschedulable: true, taints: [STORAGE_TAINT, OOS], annotations: { [ANNOTATIONS.fencedAt]: ago(900) } } });
    api.state.pods = [rawPod("media", "sonarr-7d9f", "w1", ["config-sonarr-0"])];
    const snapshot = await snapshotOf();
    api.requests.length = 0;
    const del: Action = { type: "deletePod", node: "w1", namespace: "media", pod: "sonarr-7d9f", uid: "uid-sonarr-7d9f", volumes: ["pvc-1"], attachedTo: ["w2"], reason: "stale" };
    const [result] = await executeActions(client, snapshot, [del]);
    expect(result!.outcome).toBe("applied");
    expect(api.requests.map((r) => [r.method, r.url, r.headers["content-type"], r.body])).toEqual([
      ["PATCH", "/api/v1/nodes/w1", "application/merge-patch+json", { metadata: { resourceVersion: "500", annotations: { [ANNOTATIONS.stalePodsDeletedAt]: NOW } } }],
      ["DELETE", "/api/v1/namespaces/media/pods/sonarr-7d9f", "application/json", { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: "uid-sonarr-7d9f" } }],
    ]);
    expect(api.state.pods).toEqual([]);
  });

  it("counts a pod that is already gone (404) as deleted", async () => {
    expect(await client.deletePod("media", "gone-0", "u")).toBe("gone");
  });

  it("a pod replaced under the same name (uid mismatch, 409) is not deleted and the action fails", async () => {
    api.state.pods = [{ ...rawPod("media", "sonarr-0", "w2", []), metadata: { namespace: "media", name: "sonarr-0", uid: "new-uid" } }];
    await expect(client.deletePod("media", "sonarr-0", "old-uid")).rejects.toMatchObject({ status: 409, reason: "Conflict" });
    expect(api.state.pods).toHaveLength(1);
  });

  it("a node changed since the snapshot (409) fails all its actions and skips its pod deletions", async () => {
    api.state.nodes = rawCluster({ w1: { unschedulable: true, taints: [STORAGE_TAINT, OOS], annotations: { [ANNOTATIONS.fencedAt]: ago(900) } } });
    api.state.pods = [rawPod("media", "sonarr-7d9f", "w1", ["c"])];
    const snapshot = await snapshotOf();
    api.node("w1").metadata.resourceVersion = "501"; // someone else wrote the node meanwhile
    api.requests.length = 0;
    const results = await executeActions(client, snapshot, [
      { type: "deletePod", node: "w1", namespace: "media", pod: "sonarr-7d9f", uid: "uid-sonarr-7d9f", volumes: ["v"], attachedTo: ["w2"], reason: "stale" },
    ]);
    expect(results[0]!.outcome).toBe("failed");
    expect(results[0]!.error).toBeInstanceOf(KubeApiError);
    expect((results[0]!.error as KubeApiError).status).toBe(409);
    expect(api.requests.map((r) => r.method)).toEqual(["PATCH"]);
    expect(api.state.pods).toHaveLength(1);
  });

  it("patches each node once, in the order the actions name them", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] }, w2: { ready: ["Unknown", 300] } });
    const snapshot = await snapshotOf();
    api.requests.length = 0;
    await executeActions(client, snapshot, [
      { type: "taint", node: "w2", taint: OOS, reason: "x" },
      ...FENCE,
      { type: "cordon", node: "w2", reason: "x" },
    ]);
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["PATCH /api/v1/nodes/w2", "PATCH /api/v1/nodes/w1"]);
  });
});

describe("errors", () => {
  it("403 with a Status body: the error names verb, path, status, reason and the API's message", async () => {
    api.state.nodes = rawCluster({ w1: { ready: ["Unknown", 300] } });
    const snapshot = await buildSnapshot(client, { config: resolveConfig(), now: new Date(NOW) });
    const message = 'nodes "w1" is forbidden: User "system:serviceaccount:ha-jobs:fencing" cannot patch resource "nodes" in API group "" at the cluster scope';
    api.failures.push({ method: "PATCH", pathname: "/api/v1/nodes/w1", status: 403, body: statusBody(403, "Forbidden", message) });
    const [result] = await executeActions(client, snapshot, FENCE);
    const error = result!.error as KubeApiError;
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.name).toBe("KubeApiError");
    expect(error.message).toBe(`PATCH /api/v1/nodes/w1 failed: HTTP 403 Forbidden: ${message}`);
    expect(error).toMatchObject({ verb: "PATCH", path: "/api/v1/nodes/w1", status: 403, reason: "Forbidden", apiMessage: message });
  });

  it("a non-JSON error body (a proxy's 502) is quoted", async () => {
    api.failures.push({ method: "GET", pathname: "/api/v1/nodes", status: 502, body: "upstream connect error" });
    await expect(client.listNodes()).rejects.toThrow("GET /api/v1/nodes?limit=500 failed: HTTP 502 Bad Gateway: upstream connect error");
  });

  it("a wrong token gets the API's 401", async () => {
    const stranger = new KubeClient({ baseUrl: api.url, token: "nope" });
    await expect(stranger.listNodes()).rejects.toMatchObject({ status: 401, reason: "Unauthorized" });
  });

  it("no answer at all: no status, the socket error as cause", async () => {
    const url = api.url;
    await api.close();
    api = await new FakeApi().start(); // for afterEach
    const dead = new KubeClient({ baseUrl: url, token: "t" });
    const error = await dead.listNodes().then(() => undefined, (e: unknown) => e as KubeApiError);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error!.status).toBeUndefined();
    expect(error!.message).toMatch(/^GET \/api\/v1\/nodes\?limit=500 failed: connect ECONNREFUSED/);
    expect((error!.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });
});
