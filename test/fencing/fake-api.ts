/**
 * A fake Kubernetes API server for the fencing tests: real HTTP (or HTTPS with a given key and
 * certificate) on 127.0.0.1 (port 0), the few
 * endpoints the job uses, merge-patch semantics (RFC 7386) with resourceVersion preconditions,
 * DeleteOptions uid preconditions, server-side pagination, injectable failures, and a record of
 * every request.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { RawLonghornVolume, RawNode, RawPod, RawVolumeAttachment } from "../../tools/fencing/api.ts";
import type { Taint } from "../../tools/fencing/decide.ts";
import { tcpConnect, type Connect } from "../../tools/fencing/probe.ts";

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  url: string;
  pathname: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

export interface FakeState {
  nodes: RawNode[];
  pods: RawPod[];
  volumes: RawLonghornVolume[];
  volumeAttachments: RawVolumeAttachment[];
  /** core/v1 Events POSTed by the job. */
  events?: Array<Record<string, any>>;
}

export interface Failure {
  method: string;
  pathname: string;
  status: number;
  /** Sent as is when a string, as JSON otherwise. */
  body: unknown;
}

/** A Kubernetes `Status` failure body. */
export function statusBody(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  readonly failures: Failure[] = [];
  state: FakeState;
  /** Token every request must carry (401 otherwise). */
  token = "test-token";
  /** When set, lists return at most this many items per page, with a continue token. */
  pageSize?: number;
  url = "";
  #server?: Server | HttpsServer;

  constructor(state: Partial<FakeState> = {}) {
    this.state = { nodes: [], pods: [], volumes: [], volumeAttachments: [], ...state };
  }

  /** Listens on 127.0.0.1 (a free port): HTTPS when `tls` is given, plain HTTP otherwise. */
  async start(tls?: { key: string; cert: string }): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const u = new URL(req.url ?? "/", "http://fake");
        const recorded: RecordedRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          pathname: u.pathname,
          query: Object.fromEntries(u.searchParams),
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        };
        this.requests.push(recorded);
        const [status, body] = this.#handle(recorded);
        const payload = typeof body === "string" ? body : JSON.stringify(body);
        res.writeHead(status, { "Content-Type": typeof body === "string" ? "text/plain" : "application/json" });
        res.end(payload);
      });
    };
    this.#server = tls ? createHttpsServer(tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `${tls ? "https" : "http"}://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    // Keep-alive sockets of the client would hold close() until their timeout.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }

  /** Requests other than GETs (the writes). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET");
  }

  node(name: string): RawNode {
    const n = this.state.nodes.find((x) => x.metadata.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  #list(items: unknown[], query: Record<string, string>): [number, unknown] {
    if (!this.pageSize) return [200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: "1" }, items }];
    const start = query.continue ? Number(query.continue) : 0;
    const end = start + this.pageSize;
    return [200, { kind: "List", apiVersion: "v1", metadata: { resourceVersion: "1", ...(end < items.length ? { continue: String(end) } : {}) }, items: items.slice(start, end) }];
  }

  #handle(r: RecordedRequest): [number, unknown] {
    const failure = this.failures.find((f) => f.method === r.method && f.pathname === r.pathname);
    if (failure) return [failure.status, failure.body];
    if (r.headers.authorization !== `Bearer ${this.token}`) return [401, statusBody(401, "Unauthorized", "Unauthorized")];
    const p = r.pathname;
    let m: RegExpMatchArray | null;
    if (r.method === "GET") {
      if (p === "/api/v1/nodes") return this.#list(this.state.nodes, r.query);
      if (p === "/api/v1/pods") return this.#list(this.state.pods, r.query);
      if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) {
        // labelSelector: one or more key=value terms (all the job sends).
        const terms = (r.query.labelSelector ?? "").split(",").filter(Boolean).map((t) => t.split("="));
        return this.#list(this.state.pods.filter((x) => x.metadata.namespace === m![1] && terms.every(([k, v]) => x.metadata.labels?.[k!] === v)), r.query);
      }
      if (p === "/apis/storage.k8s.io/v1/volumeattachments") return this.#list(this.state.volumeAttachments, r.query);
      if ((m = p.match(/^\/apis\/longhorn\.io\/v1beta2\/namespaces\/([^/]+)\/volumes$/))) {
        return this.#list(this.state.volumes.filter((x) => x.metadata.namespace === m![1]), r.query);
      }
    }
    if (r.method === "PATCH" && (m = p.match(/^\/api\/v1\/nodes\/([^/]+)$/))) {
      if (r.headers["content-type"] !== "application/merge-patch+json") return [415, statusBody(415, "UnsupportedMediaType", `unsupported ${r.headers["content-type"]}`)];
      const i = this.state.nodes.findIndex((x) => x.metadata.name === decodeURIComponent(m![1]!));
      if (i < 0) return [404, statusBody(404, "NotFound", `nodes "${m[1]}" not found`)];
      const current = this.state.nodes[i]!;
      const patch = r.body as { metadata?: { resourceVersion?: string } };
      const wanted = patch.metadata?.resourceVersion;
      if (wanted !== undefined && wanted !== current.metadata.resourceVersion) {
        return [409, statusBody(409, "Conflict", `Operation cannot be fulfilled on nodes "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`)];
      }
      const next = mergePatch(current, r.body) as RawNode;
      next.metadata.resourceVersion = String(Number(current.metadata.resourceVersion ?? "0") + 1);
      this.state.nodes[i] = next;
      return [200, next];
    }
    if (r.method === "POST" && (m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/events$/))) {
      const ev = r.body as Record<string, any>;
      // Event validation for a cluster-scoped involvedObject: namespace empty or default (core/validation/events.go).
      if (!ev.involvedObject?.namespace && m[1] !== "default") return [422, statusBody(422, "Invalid", "involvedObject.namespace: does not match event.namespace")];
      (this.state.events ??= []).push(ev);
      return [201, ev];
    }
    if (r.method === "DELETE" && (m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/))) {
      const i = this.state.pods.findIndex((x) => x.metadata.namespace === m![1] && x.metadata.name === m![2]);
      if (i < 0) return [404, statusBody(404, "NotFound", `pods "${m[2]}" not found`)];
      const uid = (r.body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
      const pod = this.state.pods[i]!;
      if (uid !== undefined && uid !== pod.metadata.uid) {
        return [409, statusBody(409, "Conflict", `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`)];
      }
      this.state.pods.splice(i, 1);
      return [200, pod];
    }
    return [404, statusBody(404, "NotFound", `the server could not find the requested resource (${r.method} ${p})`)];
  }
}

// ---- raw object builders ---------------------------------------------------------------------

export const NOW = "2026-03-01T12:00:00.000Z";
export const ago = (s: number) => new Date(Date.parse(NOW) - s * 1000).toISOString();

export const STORAGE_TAINT: Taint = { key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" };

export function rawNode(
  name: string,
  o: { storage?: boolean; labels?: Record<string, string>; ready?: [string, number]; unschedulable?: boolean; taints?: Taint[]; annotations?: Record<string, string>; rv?: string; address?: string } = {},
): RawNode {
  const [status, since] = o.ready ?? ["True", 86_400];
  return {
    metadata: {
      name,
      resourceVersion: o.rv ?? "500",
      labels: { "kubernetes.io/hostname": name, ...(o.storage ? { "node.longhorn.io/storage": "enabled" } : {}), ...o.labels },
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False", lastTransitionTime: ago(86_400) },
        { type: "Ready", status, lastTransitionTime: ago(since) },
      ],
      ...(o.address ? { addresses: [{ type: "InternalIP", address: o.address }, { type: "Hostname", address: name }] } : {}),
    },
  };
}

export function rawPod(namespace: string, name: string, nodeName: string, claims: string[], phase = "Running"): RawPod {
  return {
    metadata: { namespace, name, uid: `uid-${name}` },
    spec: { nodeName, volumes: [...claims.map((c, i) => ({ name: `data${i}`, persistentVolumeClaim: { claimName: c } })), { name: "tmp" }] },
    status: { phase },
  };
}

export function rawVolume(name: string, pvcNamespace: string, pvc: string, currentNodeID: string, accessMode = "rwo"): RawLonghornVolume {
  return {
    metadata: { name, namespace: "longhorn-system" },
    spec: { accessMode },
    status: {
      currentNodeID,
      state: currentNodeID ? "attached" : "detached",
      robustness: "degraded",
      kubernetesStatus: { pvName: name, pvcName: pvc, namespace: pvcNamespace },
    },
  };
}

export function rawVa(pv: string, nodeName: string, attached = true): RawVolumeAttachment {
  return {
    metadata: { name: `csi-${pv}-${nodeName}` },
    spec: { nodeName, source: { persistentVolumeName: pv } },
    status: { attached },
  };
}

/** A Longhorn instance-manager pod on `nodeName` with `podIP` (life-sign endpoint). */
export function rawInstanceManager(nodeName: string, podIP: string): RawPod {
  return {
    metadata: { namespace: "longhorn-system", name: `instance-manager-${nodeName}`, uid: `uid-im-${nodeName}`, labels: { "longhorn.io/component": "instance-manager", "longhorn.io/node": nodeName } },
    spec: { nodeName },
    status: { phase: "Running", podIP },
  };
}

/** The role labels k3s puts on a server node. */
export const K3S_SERVER_LABELS = {
  "node-role.kubernetes.io/control-plane": "true",
  "node-role.kubernetes.io/etcd": "true",
  "node-role.kubernetes.io/master": "true",
};

/** Loopback InternalIPs of the fake nodes (FakeNodeEndpoints listens there). */
export const NODE_IPS = { cp1: "127.0.0.10", w1: "127.0.0.12", w2: "127.0.0.22", w3: "127.0.0.13" } as const;

/** cp1 (a k3s server) + w1/w2 (storage) + w3, all Ready for a day, unless overridden. */
export function rawCluster(overrides: Partial<Record<"cp1" | "w1" | "w2" | "w3", Parameters<typeof rawNode>[1]>> = {}): RawNode[] {
  return [
    rawNode("cp1", { labels: K3S_SERVER_LABELS, address: NODE_IPS.cp1, ...overrides.cp1 }),
    rawNode("w1", { storage: true, taints: [STORAGE_TAINT], address: NODE_IPS.w1, ...overrides.w1 }),
    rawNode("w2", { storage: true, taints: [STORAGE_TAINT], address: NODE_IPS.w2, ...overrides.w2 }),
    rawNode("w3", { address: NODE_IPS.w3, ...overrides.w3 }),
  ];
}

// ---- fake node endpoints (life-sign probes) ----------------------------------------------------

/**
 * Real TCP endpoints for the life-sign probes on loopback addresses (Linux routes all of
 * 127.0.0.0/8 to lo): `listen(host)` makes a node's kubelet, node port and instance-manager
 * ports answer; a host without listeners refuses (RST). A powered-off or partitioned node,
 * whose SYNs get no answer at all, cannot be produced on loopback: `blackhole` hosts are answered
 * by {@link FakeNodeEndpoints.connect} with a timeout after the probe's timeout instead, and every
 * other host goes through the real tcpConnect.
 */
export class FakeNodeEndpoints {
  readonly blackhole = new Set<string>();
  readonly servers: Server[] = [];
  ports = { kubelet: 0, node: 0, instanceManager: 0 };

  /** The probes' connect: a timeout for blackhole hosts, a real TCP connect otherwise. */
  readonly connect: Connect = (host, port, timeoutMs) =>
    this.blackhole.has(host)
      ? new Promise((resolve) => setTimeout(() => resolve({ result: "timeout", detail: `no answer in ${timeoutMs} ms` }), Math.min(timeoutMs, 20)))
      : tcpConnect(host, port, timeoutMs);

  /**
   * Picks three free ports (the same on every loopback host). Each stays bound on 127.0.0.1 until
   * close(): released at once, the kernel could hand the same port to another test worker's
   * FakeNodeEndpoints, whose listen on 127.0.0.10 would then fail with EADDRINUSE.
   */
  async init(): Promise<this> {
    const free = async () => {
      const s = createServer();
      await new Promise<void>((resolve, reject) => s.once("error", reject).listen(0, "127.0.0.1", resolve));
      this.servers.push(s);
      return (s.address() as AddressInfo).port;
    };
    this.ports = { kubelet: await free(), node: await free(), instanceManager: await free() };
    return this;
  }

  /** Makes `host` answer on the given kinds of ports; a port that cannot be bound fails at once. */
  async listen(host: string, kinds: Array<keyof FakeNodeEndpoints["ports"]> = ["kubelet", "node", "instanceManager"]): Promise<void> {
    for (const k of kinds) {
      const s = createServer((req, res) => res.end());
      await new Promise<void>((resolve, reject) => s.once("error", reject).listen(this.ports[k], host, resolve));
      this.servers.push(s);
    }
  }

  /** The env of the job for these ports. */
  env(): Record<string, string> {
    return {
      FENCING_KUBELET_PORT: String(this.ports.kubelet),
      FENCING_DEFAULT_NODE_PORT: String(this.ports.node),
      FENCING_INSTANCE_MANAGER_PORT: String(this.ports.instanceManager),
    };
  }

  async close(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
