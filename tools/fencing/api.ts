/**
 * A minimal Kubernetes API client for the fencing job: node:https/node:http only, no kubectl and
 * no dependency, so the bundled job runs on a plain Node image.
 *
 * Requests and why they look the way they do:
 * - Lists are paginated (`limit` + `continue`), as every API list may be.
 * - A node is changed by ONE JSON merge patch (`application/merge-patch+json`, RFC 7386) per run,
 *   carrying the cordon, the taint list and the job's annotations together, so a fence is applied
 *   atomically. `spec.taints` is a list, and a merge patch replaces lists whole; a strategic merge
 *   patch would do the same here, because `NodeSpec.taints` declares no patch merge key (see
 *   k8s.io/api core/v1 types.go). So the patch sends the complete new list, computed from the
 *   snapshot, and includes `metadata.resourceVersion`: the API server then applies the patch only
 *   to that exact version of the node and answers 409 Conflict otherwise (optimistic locking, as
 *   controller-runtime's `MergeFromWithOptimisticLock` does; kubernetes/kubernetes#63104). A taint
 *   added by someone else between the snapshot and the patch is therefore never overwritten: the
 *   run reports the conflict and the next run decides again from fresh data.
 *   A JSON patch with a `test` op on the taints would work too but fails with a less specific
 *   error and needs array indexes; the merge patch reads like the resulting object.
 * - Stale pods are deleted with `gracePeriodSeconds: 0` and a `uid` precondition. Grace 0 removes
 *   the API object at once (a force delete: https://kubernetes.io/docs/tasks/run-application/force-delete-stateful-set-pod/)
 *   instead of giving a process whose volume now lives on another node 30 more seconds to run
 *   its SIGTERM handler (an *arr app flushing its SQLite database through a dead mount); the
 *   kubelet of the now-Ready node still kills the containers. The uid precondition makes sure the
 *   pod deleted is the stale one from the snapshot, not a replacement with the same name
 *   (StatefulSet pods keep their names); a mismatch answers 409.
 */
import { readFileSync } from "node:fs";
import type * as Http from "node:http";
import type * as Https from "node:https";
import {
  nodeChange,
  rolesFromLabels,
  type Action,
  type ConditionStatus,
  type FencingConfig,
  type InstanceManagerInfo,
  type LonghornVolumeInfo,
  type NodeChange,
  type NodeInfo,
  type PodInfo,
  type Snapshot,
  type Taint,
  type VolumeAttachmentInfo,
} from "./decide.ts";

/** Where Kubernetes mounts a pod's service account token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface KubeConnection {
  /** e.g. `https://10.43.0.1:443`; `http://` is accepted (tests). */
  baseUrl: string;
  /** Bearer token. */
  token?: string;
  /** PEM CA bundle to verify the API server with (https only). */
  ca?: string;
  /** Per-request timeout. @default 15000 */
  timeoutMs?: number;
}

/** The client could not be configured (missing env, unreadable token). */
export class KubeConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "KubeConfigError", enumerable: false });
  }
}

/** A request failed: the API answered non-2xx, or there was no answer. */
export class KubeApiError extends Error {
  readonly verb: string;
  readonly path: string;
  /** HTTP status; undefined when the request never got an answer. */
  readonly status?: number;
  /** `reason` of the API's Status body (Forbidden, Conflict, NotFound...). */
  readonly reason?: string;
  /** `message` of the API's Status body, or the raw body. */
  readonly apiMessage?: string;

  constructor(
    init: { verb: string; path: string; status?: number; reason?: string; apiMessage?: string },
    options?: { cause?: unknown },
  ) {
    const what = init.status !== undefined
      ? `HTTP ${init.status}${init.reason ? ` ${init.reason}` : ""}${init.apiMessage ? `: ${init.apiMessage}` : ""}`
      : (init.apiMessage ?? "no response");
    super(`${init.verb} ${init.path} failed: ${what}`, options);
    Object.defineProperty(this, "name", { value: "KubeApiError", enumerable: false });
    this.verb = init.verb;
    this.path = init.path;
    this.status = init.status;
    this.reason = init.reason;
    this.apiMessage = init.apiMessage;
  }
}

/**
 * The in-cluster connection: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service account's token
 * and CA. The token is read once: the job runs for seconds, well within a projected token's
 * lifetime (the kubelet refreshes the file at 80% of it).
 */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir: string = SERVICE_ACCOUNT_DIR): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (the job runs in a pod)");
  }
  const read = (file: string) => {
    try {
      return readFileSync(`${dir}/${file}`, "utf8");
    } catch (error) {
      throw new KubeConfigError(`cannot read the service account ${file} at ${dir}/${file}`, { cause: error });
    }
  };
  return {
    baseUrl: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    token: read("token").trim(),
    ca: read("ca.crt"),
  };
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
}

/** The Kubernetes `Status` object returned with errors. */
interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
}

// ---- raw API shapes (only the fields read) ---------------------------------------------------

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}
interface ListBody<T> {
  metadata?: { continue?: string };
  items: T[];
}
export interface RawNode {
  metadata: Meta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[]; addresses?: { type: string; address: string }[] };
}
export interface RawPod {
  metadata: Meta;
  spec?: { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] };
  status?: { phase?: string; podIP?: string };
}
export interface RawLonghornVolume {
  metadata: Meta;
  spec?: { accessMode?: string };
  status?: {
    currentNodeID?: string;
    currentMigrationNodeID?: string;
    state?: string;
    robustness?: string;
    kubernetesStatus?: { pvName?: string; pvcName?: string; namespace?: string };
  };
}
export interface RawVolumeAttachment {
  metadata: Meta;
  spec?: { nodeName?: string; source?: { persistentVolumeName?: string } };
  status?: { attached?: boolean };
}

// ---- conversions to the snapshot's shapes -----------------------------------------------------

/** A Node as the decision module sees it. */
export function toNodeInfo(raw: RawNode): NodeInfo {
  const ready = raw.status?.conditions?.find((c) => c.type === "Ready");
  const internalIP = raw.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const labels = raw.metadata.labels ?? {};
  return {
    name: raw.metadata.name,
    ...(raw.metadata.resourceVersion !== undefined ? { resourceVersion: raw.metadata.resourceVersion } : {}),
    labels,
    roles: rolesFromLabels(labels),
    annotations: raw.metadata.annotations ?? {},
    taints: raw.spec?.taints ?? [],
    unschedulable: raw.spec?.unschedulable === true,
    ...(ready ? { ready: { status: ready.status as ConditionStatus, lastTransitionTime: ready.lastTransitionTime ?? "" } } : {}),
    ...(internalIP ? { address: internalIP } : {}),
  };
}

/**
 * Label of Longhorn's instance-manager pods (longhorn-manager types/types.go
 * GetInstanceManagerComponentLabel: `longhorn.io/component=instance-manager`).
 */
export const INSTANCE_MANAGER_SELECTOR = "longhorn.io/component=instance-manager";

/** Running instance-manager pods with an IP, as life-sign endpoints of their node. */
export function toInstanceManagers(pods: RawPod[]): InstanceManagerInfo[] {
  return pods
    .filter((p) => p.spec?.nodeName && p.status?.podIP && p.metadata.deletionTimestamp === undefined)
    .map((p) => ({ node: p.spec!.nodeName!, podIP: p.status!.podIP! }));
}

/**
 * A Pod as the decision module sees it. A generic ephemeral volume's PVC is named
 * `<pod>-<volume>` (https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/#persistentvolumeclaim-naming).
 */
export function toPodInfo(raw: RawPod): PodInfo {
  const pvcs: string[] = [];
  for (const v of raw.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) pvcs.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) pvcs.push(`${raw.metadata.name}-${v.name}`);
  }
  return {
    namespace: raw.metadata.namespace ?? "",
    name: raw.metadata.name,
    ...(raw.metadata.uid !== undefined ? { uid: raw.metadata.uid } : {}),
    ...(raw.spec?.nodeName ? { nodeName: raw.spec.nodeName } : {}),
    phase: raw.status?.phase ?? "Unknown",
    pvcs,
    terminating: raw.metadata.deletionTimestamp !== undefined && raw.metadata.deletionTimestamp !== null,
  };
}

/** A Longhorn volume (longhorn.io/v1beta2) as the decision module sees it. */
export function toVolumeInfo(raw: RawLonghornVolume): LonghornVolumeInfo {
  const s = raw.status ?? {};
  return {
    name: raw.metadata.name,
    accessMode: raw.spec?.accessMode ?? "rwo",
    currentNodeID: s.currentNodeID ?? "",
    currentMigrationNodeID: s.currentMigrationNodeID ?? "",
    state: s.state ?? "",
    robustness: s.robustness ?? "",
    kubernetesStatus: {
      pvName: s.kubernetesStatus?.pvName ?? "",
      pvcName: s.kubernetesStatus?.pvcName ?? "",
      namespace: s.kubernetesStatus?.namespace ?? "",
    },
  };
}

/** A VolumeAttachment (storage.k8s.io/v1) as the decision module sees it. */
export function toVolumeAttachmentInfo(raw: RawVolumeAttachment): VolumeAttachmentInfo {
  return {
    name: raw.metadata.name,
    nodeName: raw.spec?.nodeName ?? "",
    attached: raw.status?.attached === true,
    ...(raw.spec?.source?.persistentVolumeName ? { persistentVolumeName: raw.spec.source.persistentVolumeName } : {}),
  };
}

/** The merge patch body for one node change; `resourceVersion` makes it conditional. */
export function nodeMergePatch(node: NodeInfo, change: NodeChange): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (node.resourceVersion !== undefined) metadata.resourceVersion = node.resourceVersion;
  if (Object.keys(change.annotations).length > 0) metadata.annotations = change.annotations;
  const spec: Record<string, unknown> = {};
  if (change.unschedulable !== undefined) spec.unschedulable = change.unschedulable;
  if (change.taints !== undefined) spec.taints = change.taints;
  return { metadata, ...(Object.keys(spec).length > 0 ? { spec } : {}) };
}

const LIST_PAGE_SIZE = 500;

/** A Kubernetes API client with exactly the calls the fencing job needs. */
export class KubeClient {
  readonly #conn: KubeConnection;

  constructor(connection: KubeConnection) {
    this.#conn = { ...connection, baseUrl: connection.baseUrl.replace(/\/+$/, "") };
  }

  /** One request; resolves to the parsed JSON body (undefined when empty), rejects with {@link KubeApiError}. */
  request(verb: string, path: string, opts: RequestOptions = {}): Promise<unknown> {
    const url = new URL(this.#conn.baseUrl + path);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.#conn.token) headers.Authorization = `Bearer ${this.#conn.token}`;
    if (payload !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const isHttps = url.protocol === "https:";
    const options: Https.RequestOptions = {
      method: verb,
      headers,
      timeout: this.#conn.timeoutMs ?? 15_000,
      ...(isHttps && this.#conn.ca ? { ca: this.#conn.ca } : {}),
    };
    return new Promise((resolve, reject) => {
      // node:http(s) through getBuiltinModule, not an ESM import: importing them makes Node load
      // its bundled undici for their lazy exports (~45 ms), and lint-charts imports this module
      // (through tools/fencing/main.ts) without ever making a request.
      const client = isHttps ? (process.getBuiltinModule("node:https") as typeof Https) : (process.getBuiltinModule("node:http") as typeof Http);
      const req = client.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (error) => reject(new KubeApiError({ verb, path, apiMessage: error.message }, { cause: error })));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let body: unknown;
          let parseError: unknown;
          try {
            body = text === "" ? undefined : JSON.parse(text);
          } catch (error) {
            parseError = error;
          }
          if (status >= 200 && status < 300) {
            if (parseError) {
              reject(new KubeApiError({ verb, path, status, apiMessage: `response is not JSON: ${text.slice(0, 200)}` }, { cause: parseError }));
            } else resolve(body);
            return;
          }
          const st = (body && typeof body === "object" ? body : {}) as StatusBody;
          reject(new KubeApiError({
            verb,
            path,
            status,
            reason: st.reason ?? res.statusMessage,
            apiMessage: st.message ?? (text.slice(0, 500) || undefined),
          }));
        });
      });
      req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeout} ms`)));
      req.on("error", (error) => reject(new KubeApiError({ verb, path, apiMessage: error.message }, { cause: error })));
      req.end(payload);
    });
  }

  /** GETs every page of a list. */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (token) query.set("continue", token);
      const page = (await this.request("GET", `${path}?${query}`)) as ListBody<T> | undefined;
      items.push(...(page?.items ?? []));
      token = page?.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /** All nodes. */
  async listNodes(): Promise<NodeInfo[]> {
    return (await this.list<RawNode>("/api/v1/nodes")).map(toNodeInfo);
  }

  /** Pods of all namespaces, or of one. */
  async listPods(namespace?: string): Promise<PodInfo[]> {
    const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : "/api/v1/pods";
    return (await this.list<RawPod>(path)).map(toPodInfo);
  }

  /** All VolumeAttachments (cluster-scoped). */
  async listVolumeAttachments(): Promise<VolumeAttachmentInfo[]> {
    return (await this.list<RawVolumeAttachment>("/apis/storage.k8s.io/v1/volumeattachments")).map(toVolumeAttachmentInfo);
  }

  /** Longhorn volumes of the namespace Longhorn runs in. */
  async listLonghornVolumes(namespace = "longhorn-system"): Promise<LonghornVolumeInfo[]> {
    return (await this.list<RawLonghornVolume>(`/apis/longhorn.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/volumes`)).map(toVolumeInfo);
  }

  /** Longhorn's instance-manager pods (life-sign endpoints), in Longhorn's namespace. */
  async listInstanceManagers(namespace = "longhorn-system"): Promise<InstanceManagerInfo[]> {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(INSTANCE_MANAGER_SELECTOR)}`;
    const page = (await this.request("GET", path)) as ListBody<RawPod> | undefined;
    return toInstanceManagers(page?.items ?? []);
  }

  /**
   * Posts a core/v1 Event about a Node, as the kubelet does for its node: in namespace `default`
   * (a cluster-scoped involvedObject requires the event's namespace to be empty or `default`,
   * kubernetes pkg/apis/core/validation/events.go), so `kubectl describe node` shows it.
   */
  async createNodeEvent(node: string, e: { type: "Normal" | "Warning"; reason: string; message: string; now: string; component: string }): Promise<void> {
    const name = `${node}.fencing.${Date.parse(e.now).toString(36)}`;
    await this.request("POST", "/api/v1/namespaces/default/events", {
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: "default" },
        involvedObject: { apiVersion: "v1", kind: "Node", name: node, uid: node },
        type: e.type,
        reason: e.reason,
        message: e.message.slice(0, 1024),
        source: { component: e.component },
        firstTimestamp: e.now,
        lastTimestamp: e.now,
        count: 1,
        reportingComponent: e.component,
        reportingInstance: e.component,
      },
    });
  }

  /** Applies a node change as one JSON merge patch, conditional on the snapshot's resourceVersion. */
  async patchNode(node: NodeInfo, change: NodeChange): Promise<void> {
    await this.request("PATCH", `/api/v1/nodes/${encodeURIComponent(node.name)}`, {
      body: nodeMergePatch(node, change),
      contentType: "application/merge-patch+json",
    });
  }

  /** Force-deletes a pod (grace period 0), only if it still has `uid`. A pod already gone counts as deleted. */
  async deletePod(namespace: string, name: string, uid?: string): Promise<"deleted" | "gone"> {
    const body = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      ...(uid ? { preconditions: { uid } } : {}),
    };
    try {
      await this.request("DELETE", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, { body });
      return "deleted";
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return "gone";
      throw error;
    }
  }
}

export interface SnapshotOptions {
  config: FencingConfig;
  /** @default "longhorn-system" */
  longhornNamespace?: string;
  /** Namespaces to list pods in; empty or undefined = all namespaces. */
  podNamespaces?: string[];
  now: Date;
  /** The node this job runs on (the probes' origin). */
  origin?: string;
}

/** Lists everything the decision needs, in parallel, into a {@link Snapshot}. */
export async function buildSnapshot(client: KubeClient, opts: SnapshotOptions): Promise<Snapshot> {
  const podLists = opts.podNamespaces && opts.podNamespaces.length > 0
    ? Promise.all(opts.podNamespaces.map((ns) => client.listPods(ns))).then((lists) => lists.flat())
    : client.listPods();
  // allSettled, not all: no request is left in flight when the first failure is reported.
  const settled = await Promise.allSettled([
    client.listNodes(),
    podLists,
    client.listLonghornVolumes(opts.longhornNamespace ?? "longhorn-system"),
    client.listVolumeAttachments(),
    client.listInstanceManagers(opts.longhornNamespace ?? "longhorn-system"),
  ] as const);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  const [nodes, pods, volumes, volumeAttachments, instanceManagers] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
    NodeInfo[],
    PodInfo[],
    LonghornVolumeInfo[],
    VolumeAttachmentInfo[],
    InstanceManagerInfo[],
  ];
  return {
    now: opts.now.toISOString(),
    config: opts.config,
    nodes,
    pods,
    volumes,
    volumeAttachments,
    instanceManagers,
    ...(opts.origin ? { origin: opts.origin } : {}),
  };
}

export interface ActionResult {
  action: Action;
  outcome: "applied" | "failed";
  error?: Error;
}

/**
 * Executes a plan. Per node, in node order: first the node's one merge patch (cordon, taints and
 * annotations, including the stale-pod deletion time, which is recorded before the deletions so
 * that the unfence waits even if the job dies in between), then its pod deletions. When the
 * patch fails, that node's pod deletions are skipped and reported failed with the same error: the
 * next run retries. Results come back in the order of `actions`.
 */
export async function executeActions(client: KubeClient, snapshot: Snapshot, actions: Action[]): Promise<ActionResult[]> {
  const results = new Map<Action, ActionResult>();
  const nodeNames = [...new Set(actions.map((a) => a.node))];
  for (const name of nodeNames) {
    const mine = actions.filter((a) => a.node === name);
    const node = snapshot.nodes.find((n) => n.name === name);
    let patchError: Error | undefined;
    if (!node) {
      patchError = new Error(`node ${name} is not in the snapshot`);
    } else {
      const change = nodeChange(node, mine, snapshot.now);
      if (change) {
        try {
          await client.patchNode(node, change);
        } catch (error) {
          patchError = error as Error;
        }
      }
    }
    for (const action of mine) {
      if (patchError) {
        results.set(action, { action, outcome: "failed", error: patchError });
      } else if (action.type === "deletePod") {
        try {
          await client.deletePod(action.namespace, action.pod, action.uid);
          results.set(action, { action, outcome: "applied" });
        } catch (error) {
          results.set(action, { action, outcome: "failed", error: error as Error });
        }
      } else {
        results.set(action, { action, outcome: "applied" });
      }
    }
  }
  return actions.map((a) => results.get(a)!);
}
