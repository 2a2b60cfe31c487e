/*! fencing-job: GENERATED from tools/fencing/ by tools/fencing/bundle.ts. Do not edit: change the TypeScript source and regenerate. */

// tools/fencing/main.ts
import { readFileSync as readFileSync2 } from "node:fs";

// tools/lib/entry.ts
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
function isEntry(url) {
  const entry = process.argv[1];
  if (!entry) return false;
  const self = fileURLToPath(url);
  try {
    return realpathSync(entry) === realpathSync(self);
  } catch {
    return resolve(entry) === self;
  }
}

// tools/fencing/api.ts
import { readFileSync } from "node:fs";

// tools/fencing/decide.ts
var OUT_OF_SERVICE_TAINT = Object.freeze({
  key: "node.kubernetes.io/out-of-service",
  value: "nodeshutdown",
  effect: "NoExecute"
});
var ANNOTATIONS = Object.freeze({
  /** ISO time this job fenced the node. Present = the node is fenced by this job. */
  fencedAt: "fencing.homelab/fenced-at",
  /** `"true"` when this job set `spec.unschedulable` (it was schedulable before). */
  cordoned: "fencing.homelab/cordoned",
  /** ISO time this job last deleted stale pods on the (recovering) node. */
  stalePodsDeletedAt: "fencing.homelab/stale-pods-deleted-at"
});
var FENCING_MODES = ["availability", "safety"];
var NODE_DOWN_POLICY_FOR_MODE = Object.freeze({
  availability: "delete-both-statefulset-and-deployment-pod",
  safety: "do-nothing"
});
var REQUIRED_ENDPOINTS = Object.freeze(["kubelet", "node-port"]);
var DEFAULT_LIFE_SIGNS = Object.freeze({
  windowSeconds: 30,
  intervalSeconds: 5,
  timeoutMs: 2e3,
  kubeletPort: 10250,
  instanceManagerPort: 8500,
  nodePorts: Object.freeze({}),
  defaultNodePort: 22
});
var DEFAULT_CONFIG = Object.freeze({
  thresholdSeconds: 120,
  recoverySeconds: 120,
  storageLabel: Object.freeze({ key: "node.longhorn.io/storage", value: "enabled" }),
  dryRun: false,
  mode: "availability",
  lifeSigns: DEFAULT_LIFE_SIGNS
});
function resolveConfig(partial = {}) {
  const thresholdSeconds = partial.thresholdSeconds ?? DEFAULT_CONFIG.thresholdSeconds;
  return {
    thresholdSeconds,
    recoverySeconds: partial.recoverySeconds ?? thresholdSeconds,
    storageLabel: partial.storageLabel ?? { ...DEFAULT_CONFIG.storageLabel },
    dryRun: partial.dryRun ?? DEFAULT_CONFIG.dryRun,
    mode: partial.mode ?? DEFAULT_CONFIG.mode,
    lifeSigns: { ...DEFAULT_LIFE_SIGNS, nodePorts: {}, ...partial.lifeSigns }
  };
}
var NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
var LEGACY_ROLE_LABEL = "kubernetes.io/role";
var CONTROL_PLANE_ROLES = Object.freeze(["control-plane", "master"]);
function rolesFromLabels(labels) {
  const roles = /* @__PURE__ */ new Set();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(NODE_ROLE_PREFIX) && key.length > NODE_ROLE_PREFIX.length) roles.add(key.slice(NODE_ROLE_PREFIX.length));
    else if (key === LEGACY_ROLE_LABEL && value) roles.add(value);
  }
  return [...roles].sort();
}
function isControlPlane(node) {
  return node.roles.some((r) => CONTROL_PLANE_ROLES.includes(r));
}
function isStorageNode(node, label) {
  return node.labels[label.key] === label.value;
}
function outOfServiceTaint(node) {
  return node.taints.find((t) => t.key === OUT_OF_SERVICE_TAINT.key);
}
function annotation(node, key) {
  return node.annotations?.[key];
}
function isFencedByUs(node) {
  return annotation(node, ANNOTATIONS.fencedAt) !== void 0;
}
function secondsSince(iso, now) {
  if (iso === void 0) return void 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? void 0 : (now - t) / 1e3;
}
function parseNow(snapshot) {
  const now = Date.parse(snapshot.now);
  if (Number.isNaN(now)) throw new TypeError(`snapshot.now is not an ISO time: '${snapshot.now}'`);
  return now;
}
function isFailoverTarget(node) {
  return node.ready?.status === "True" && !node.unschedulable && outOfServiceTaint(node) === void 0 && !isFencedByUs(node);
}
var TERMINAL_PHASES = /* @__PURE__ */ new Set(["Succeeded", "Failed"]);
function attachmentNodes(volume, attachments) {
  const nodes = /* @__PURE__ */ new Set();
  if (volume.state !== "detached") {
    if (volume.currentNodeID) nodes.add(volume.currentNodeID);
    if (volume.currentMigrationNodeID) nodes.add(volume.currentMigrationNodeID);
  }
  const pv = volume.kubernetesStatus?.pvName || volume.name;
  for (const va of attachments) {
    if (va.attached && va.persistentVolumeName === pv && va.nodeName) nodes.add(va.nodeName);
  }
  return [...nodes].sort();
}
function volumeForClaim(volumes, namespace, claim) {
  return volumes.find((v) => v.kubernetesStatus?.namespace === namespace && v.kubernetesStatus?.pvcName === claim);
}
function findStalePods(snapshot, nodeName) {
  const stale = [];
  for (const pod of snapshot.pods) {
    if (pod.nodeName !== nodeName || TERMINAL_PHASES.has(pod.phase)) continue;
    const volumes = [];
    const attachedTo = /* @__PURE__ */ new Set();
    for (const claim of pod.pvcs) {
      const volume = volumeForClaim(snapshot.volumes, pod.namespace, claim);
      if (!volume || volume.accessMode === "rwx") continue;
      const elsewhere = attachmentNodes(volume, snapshot.volumeAttachments).filter((n) => n !== nodeName);
      if (elsewhere.length === 0) continue;
      volumes.push(volume.name);
      for (const n of elsewhere) attachedTo.add(n);
    }
    if (volumes.length > 0) stale.push({ pod, volumes, attachedTo: [...attachedTo].sort() });
  }
  return stale.sort((a, b) => podKey(a.pod).localeCompare(podKey(b.pod)));
}
function podKey(pod) {
  return `${pod.namespace}/${pod.name}`;
}
function fmtSeconds(s) {
  return `${Math.floor(s)}s`;
}
function plan(snapshot) {
  const now = parseNow(snapshot);
  const { config } = snapshot;
  const actions = [];
  const holds = [];
  const storage = snapshot.nodes.filter((n) => isStorageNode(n, config.storageLabel)).sort((a, b) => a.name.localeCompare(b.name));
  for (const node of storage) {
    const ours = isFencedByUs(node);
    const taint = outOfServiceTaint(node);
    const hold = (code, reason, extra = {}) => holds.push({ node: node.name, code, reason, ...extra });
    if (taint && !ours) {
      hold("fenced-by-others", `carries ${OUT_OF_SERVICE_TAINT.key} without the ${ANNOTATIONS.fencedAt} annotation: fenced by someone else, left alone`);
      continue;
    }
    const since = secondsSince(node.ready?.lastTransitionTime, now);
    if (!node.ready || since === void 0) {
      hold("ready-condition-missing", node.ready ? `Ready condition has an unparsable lastTransitionTime '${node.ready.lastTransitionTime}': downtime cannot be measured` : "has no Ready condition: downtime cannot be measured, never fenced on that basis");
      continue;
    }
    if (node.ready.status === "True") {
      if (ours) recover(snapshot, node, since, now, actions, hold);
      continue;
    }
    if (isControlPlane(node) && !ours) {
      hold("control-plane", `Ready=${node.ready.status} for ${fmtSeconds(since)}, but its roles (${node.roles.join(", ")}) make it a control-plane node: never fenced`);
      continue;
    }
    if (since < config.thresholdSeconds) {
      hold(
        ours ? "fenced-node-not-ready" : "not-ready-below-threshold",
        `Ready=${node.ready.status} for ${fmtSeconds(since)}, below the ${config.thresholdSeconds}s threshold`
      );
      continue;
    }
    const needTaint = taint === void 0;
    const needCordon = !node.unschedulable;
    if (!needTaint && !needCordon) {
      hold("fenced-node-not-ready", `fenced since ${annotation(node, ANNOTATIONS.fencedAt)}, Ready=${node.ready.status} for ${fmtSeconds(since)}`);
      continue;
    }
    const targets = storage.filter((n) => n.name !== node.name && isFailoverTarget(n)).map((n) => n.name);
    if (targets.length === 0) {
      hold("no-failover-target", `Ready=${node.ready.status} for ${fmtSeconds(since)} but no other storage node is Ready, schedulable and in service: fencing would only force-detach volumes that have nowhere to go`);
      continue;
    }
    const verdict = verdictOf(snapshot, node);
    if (verdict.kind === "unknown") {
      hold("life-signs-unknown", `Ready=${node.ready.status} for ${fmtSeconds(since)} but ${verdict.why}: silence not established, not fenced`, verdict.needsProbe ? { needsProbe: true } : {});
      continue;
    }
    if (verdict.kind === "alive") {
      const longhorn = config.mode === "availability" ? `; mode availability: Longhorn's nodeDownPodDeletionPolicy (${NODE_DOWN_POLICY_FOR_MODE.availability}) force-deletes its pods anyway, so two writers are possible while it keeps running` : "; mode safety: its pods stay where they are until it is Ready again or silent";
      hold("life-signs", `Ready=${node.ready.status} for ${fmtSeconds(since)} but it shows life signs from ${verdict.origin} (${verdict.signs.join(", ")}): not shut down, the out-of-service taint would be unsafe${longhorn}`, { lifeSigns: verdict.signs });
      continue;
    }
    const why = `Ready=${node.ready.status} for ${fmtSeconds(since)} (threshold ${config.thresholdSeconds}s), silent from ${verdict.origin} for ${fmtSeconds(verdict.seconds)} (${verdict.probed}); failover target: ${targets.join(", ")}`;
    if (needCordon) actions.push({ type: "cordon", node: node.name, reason: `${why}; cordoned by the fencing job` });
    if (needTaint) actions.push({ type: "taint", node: node.name, taint: { ...OUT_OF_SERVICE_TAINT }, reason: `${why}; non-graceful shutdown: pods deleted, volumes detached at once` });
  }
  return { actions, holds };
}
function endpointsFor(snapshot, node) {
  const ls = snapshot.config.lifeSigns;
  const out = [];
  if (node.address) {
    out.push({ kind: "kubelet", host: node.address, port: ls.kubeletPort });
    out.push({ kind: "node-port", host: node.address, port: ls.nodePorts[node.name] ?? ls.defaultNodePort });
  }
  for (const im of snapshot.instanceManagers ?? []) {
    if (im.node === node.name && im.podIP) out.push({ kind: "instance-manager", host: im.podIP, port: ls.instanceManagerPort });
  }
  return out;
}
var endpointText = (a) => `${a.kind} ${a.host.includes(":") ? `[${a.host}]` : a.host}:${a.port}`;
function verdictOf(snapshot, node) {
  const { config } = snapshot;
  const origin = snapshot.origin;
  if (!origin) return { kind: "unknown", why: "the job does not know the node it runs on (FENCING_NODE_NAME unset), so no probe has a known origin" };
  const originNode = snapshot.nodes.find((n) => n.name === origin);
  if (origin === node.name) return { kind: "unknown", why: `the job runs on ${origin} itself` };
  if (!originNode || !isStorageNode(originNode, config.storageLabel)) {
    return { kind: "unknown", why: `the probes run from ${origin}, which is not a storage node: only the peer storage node's view tells whether the node can still reach its replicas` };
  }
  const report = (snapshot.lifeSigns ?? []).find((r) => r.node === node.name && r.origin === origin);
  if (!report || report.attempts.length === 0) return { kind: "unknown", why: `no life-sign probe from ${origin}`, needsProbe: true };
  const signs = [...new Set(report.attempts.filter((a) => a.result === "answered" || a.result === "refused").map((a) => `${endpointText(a)} ${a.result}`))];
  if (signs.length > 0) return { kind: "alive", origin, signs };
  const errors = report.attempts.filter((a) => a.result === "error");
  if (errors.length > 0) return { kind: "unknown", why: `the prober failed (${endpointText(errors[0])}: ${errors[0].detail ?? "error"})` };
  const missing = REQUIRED_ENDPOINTS.filter((k) => !report.attempts.some((a) => a.kind === k));
  if (missing.length > 0) return { kind: "unknown", why: `no probe of its ${missing.join(", ")} endpoint (node address unknown?)` };
  const start = Date.parse(report.start);
  const end = Date.parse(report.end);
  const seconds2 = Number.isNaN(start) || Number.isNaN(end) ? 0 : (end - start) / 1e3;
  if (seconds2 < config.lifeSigns.windowSeconds) {
    return { kind: "unknown", why: `its probes timed out for only ${fmtSeconds(seconds2)}, less than the ${config.lifeSigns.windowSeconds}s window` };
  }
  const kinds = [...new Set(report.attempts.map(endpointText))];
  return { kind: "silent", origin, seconds: seconds2, probed: `${report.attempts.length} attempts at ${kinds.join(", ")} timed out` };
}
function probeTargets(snapshot) {
  if (!snapshot.origin) return [];
  const { holds } = plan({ ...snapshot, lifeSigns: [] });
  const out = [];
  for (const h of holds) {
    if (h.code !== "life-signs-unknown" || h.needsProbe !== true) continue;
    const node = snapshot.nodes.find((n) => n.name === h.node);
    out.push({ node: h.node, endpoints: endpointsFor(snapshot, node) });
  }
  return out;
}
function recover(snapshot, node, readyFor, now, actions, hold) {
  const { recoverySeconds } = snapshot.config;
  const stale = findStalePods(snapshot, node.name);
  if (stale.length > 0) {
    for (const s of stale) {
      actions.push({
        type: "deletePod",
        node: node.name,
        namespace: s.pod.namespace,
        pod: s.pod.name,
        ...s.pod.uid !== void 0 ? { uid: s.pod.uid } : {},
        volumes: s.volumes,
        attachedTo: s.attachedTo,
        reason: `stale pod on recovered node ${node.name}: volume ${s.volumes.join(", ")} is attached to ${s.attachedTo.join(", ")}; node stays fenced`
      });
    }
    return;
  }
  if (readyFor < recoverySeconds) {
    hold("fenced-waiting-recovery", `Ready for ${fmtSeconds(readyFor)}, stays fenced until Ready for ${recoverySeconds}s`);
    return;
  }
  const sinceDelete = secondsSince(annotation(node, ANNOTATIONS.stalePodsDeletedAt), now);
  if (sinceDelete !== void 0 && sinceDelete < recoverySeconds) {
    hold("fenced-waiting-recovery", `stale pods deleted ${fmtSeconds(sinceDelete)} ago, stays fenced until ${recoverySeconds}s have passed`);
    return;
  }
  const verdict = verdictOf(snapshot, node);
  if (verdict.kind === "unknown") {
    hold("life-signs-unknown", `Ready for ${fmtSeconds(readyFor)} with no stale pod, but ${verdict.why}: stays fenced until the peer reaches it`, verdict.needsProbe ? { needsProbe: true } : {});
    return;
  }
  if (verdict.kind === "silent") {
    hold("fenced-not-reachable", `Ready for ${fmtSeconds(readyFor)} with no stale pod, but silent from ${verdict.origin} (${verdict.probed}): stays fenced until the peer reaches it`);
    return;
  }
  const why = `Ready for ${fmtSeconds(readyFor)} with no stale pod, reachable from ${verdict.origin} (${verdict.signs.join(", ")})`;
  actions.push({ type: "untaint", node: node.name, taint: { ...OUT_OF_SERVICE_TAINT }, reason: `${why}; unfenced` });
  if (annotation(node, ANNOTATIONS.cordoned) === "true") {
    actions.push({ type: "uncordon", node: node.name, reason: `${why}; the fencing job had cordoned it` });
  }
}
function nodeChange(node, actions, now) {
  const mine = actions.filter((a) => a.node === node.name);
  if (mine.length === 0) return void 0;
  const change = { node: node.name, annotations: {} };
  let taints = node.taints;
  for (const a of mine) {
    switch (a.type) {
      case "cordon":
        change.unschedulable = true;
        change.annotations[ANNOTATIONS.cordoned] = "true";
        break;
      case "uncordon":
        change.unschedulable = false;
        change.annotations[ANNOTATIONS.cordoned] = null;
        break;
      case "taint":
        taints = [...taints.filter((t) => t.key !== a.taint.key), { ...a.taint }];
        change.taints = taints;
        change.annotations[ANNOTATIONS.fencedAt] = now;
        break;
      case "untaint":
        taints = taints.filter((t) => !(t.key === a.taint.key && t.effect === a.taint.effect));
        change.taints = taints;
        change.annotations[ANNOTATIONS.fencedAt] = null;
        change.annotations[ANNOTATIONS.stalePodsDeletedAt] = null;
        break;
      case "deletePod":
        change.annotations[ANNOTATIONS.stalePodsDeletedAt] = now;
        break;
    }
  }
  return change;
}

// tools/fencing/api.ts
var SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
var KubeConfigError = class extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "KubeConfigError", enumerable: false });
  }
};
var KubeApiError = class extends Error {
  verb;
  path;
  /** HTTP status; undefined when the request never got an answer. */
  status;
  /** `reason` of the API's Status body (Forbidden, Conflict, NotFound...). */
  reason;
  /** `message` of the API's Status body, or the raw body. */
  apiMessage;
  constructor(init, options) {
    const what = init.status !== void 0 ? `HTTP ${init.status}${init.reason ? ` ${init.reason}` : ""}${init.apiMessage ? `: ${init.apiMessage}` : ""}` : init.apiMessage ?? "no response";
    super(`${init.verb} ${init.path} failed: ${what}`, options);
    Object.defineProperty(this, "name", { value: "KubeApiError", enumerable: false });
    this.verb = init.verb;
    this.path = init.path;
    this.status = init.status;
    this.reason = init.reason;
    this.apiMessage = init.apiMessage;
  }
};
function inClusterConnection(env = process.env, dir = SERVICE_ACCOUNT_DIR) {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (the job runs in a pod)");
  }
  const read = (file) => {
    try {
      return readFileSync(`${dir}/${file}`, "utf8");
    } catch (error) {
      throw new KubeConfigError(`cannot read the service account ${file} at ${dir}/${file}`, { cause: error });
    }
  };
  return {
    baseUrl: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    token: read("token").trim(),
    ca: read("ca.crt")
  };
}
function toNodeInfo(raw) {
  const ready = raw.status?.conditions?.find((c) => c.type === "Ready");
  const internalIP = raw.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const labels = raw.metadata.labels ?? {};
  return {
    name: raw.metadata.name,
    ...raw.metadata.resourceVersion !== void 0 ? { resourceVersion: raw.metadata.resourceVersion } : {},
    labels,
    roles: rolesFromLabels(labels),
    annotations: raw.metadata.annotations ?? {},
    taints: raw.spec?.taints ?? [],
    unschedulable: raw.spec?.unschedulable === true,
    ...ready ? { ready: { status: ready.status, lastTransitionTime: ready.lastTransitionTime ?? "" } } : {},
    ...internalIP ? { address: internalIP } : {}
  };
}
var INSTANCE_MANAGER_SELECTOR = "longhorn.io/component=instance-manager";
function toInstanceManagers(pods) {
  return pods.filter((p) => p.spec?.nodeName && p.status?.podIP && p.metadata.deletionTimestamp === void 0).map((p) => ({ node: p.spec.nodeName, podIP: p.status.podIP }));
}
function toPodInfo(raw) {
  const pvcs = [];
  for (const v of raw.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) pvcs.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) pvcs.push(`${raw.metadata.name}-${v.name}`);
  }
  return {
    namespace: raw.metadata.namespace ?? "",
    name: raw.metadata.name,
    ...raw.metadata.uid !== void 0 ? { uid: raw.metadata.uid } : {},
    ...raw.spec?.nodeName ? { nodeName: raw.spec.nodeName } : {},
    phase: raw.status?.phase ?? "Unknown",
    pvcs,
    terminating: raw.metadata.deletionTimestamp !== void 0 && raw.metadata.deletionTimestamp !== null
  };
}
function toVolumeInfo(raw) {
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
      namespace: s.kubernetesStatus?.namespace ?? ""
    }
  };
}
function toVolumeAttachmentInfo(raw) {
  return {
    name: raw.metadata.name,
    nodeName: raw.spec?.nodeName ?? "",
    attached: raw.status?.attached === true,
    ...raw.spec?.source?.persistentVolumeName ? { persistentVolumeName: raw.spec.source.persistentVolumeName } : {}
  };
}
function nodeMergePatch(node, change) {
  const metadata = {};
  if (node.resourceVersion !== void 0) metadata.resourceVersion = node.resourceVersion;
  if (Object.keys(change.annotations).length > 0) metadata.annotations = change.annotations;
  const spec = {};
  if (change.unschedulable !== void 0) spec.unschedulable = change.unschedulable;
  if (change.taints !== void 0) spec.taints = change.taints;
  return { metadata, ...Object.keys(spec).length > 0 ? { spec } : {} };
}
var LIST_PAGE_SIZE = 500;
var KubeClient = class {
  #conn;
  constructor(connection) {
    this.#conn = { ...connection, baseUrl: connection.baseUrl.replace(/\/+$/, "") };
  }
  /** One request; resolves to the parsed JSON body (undefined when empty), rejects with {@link KubeApiError}. */
  request(verb, path, opts = {}) {
    const url = new URL(this.#conn.baseUrl + path);
    const payload = opts.body === void 0 ? void 0 : JSON.stringify(opts.body);
    const headers = { Accept: "application/json" };
    if (this.#conn.token) headers.Authorization = `Bearer ${this.#conn.token}`;
    if (payload !== void 0) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const isHttps = url.protocol === "https:";
    const options = {
      method: verb,
      headers,
      timeout: this.#conn.timeoutMs ?? 15e3,
      ...isHttps && this.#conn.ca ? { ca: this.#conn.ca } : {}
    };
    return new Promise((resolve2, reject) => {
      const client = isHttps ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
      const req = client.request(url, options, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("error", (error) => reject(new KubeApiError({ verb, path, apiMessage: error.message }, { cause: error })));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          let body;
          let parseError;
          try {
            body = text === "" ? void 0 : JSON.parse(text);
          } catch (error) {
            parseError = error;
          }
          if (status >= 200 && status < 300) {
            if (parseError) {
              reject(new KubeApiError({ verb, path, status, apiMessage: `response is not JSON: ${text.slice(0, 200)}` }, { cause: parseError }));
            } else resolve2(body);
            return;
          }
          const st = body && typeof body === "object" ? body : {};
          reject(new KubeApiError({
            verb,
            path,
            status,
            reason: st.reason ?? res.statusMessage,
            apiMessage: st.message ?? (text.slice(0, 500) || void 0)
          }));
        });
      });
      req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeout} ms`)));
      req.on("error", (error) => reject(new KubeApiError({ verb, path, apiMessage: error.message }, { cause: error })));
      req.end(payload);
    });
  }
  /** GETs every page of a list. */
  async list(path) {
    const items = [];
    let token;
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
      if (token) query.set("continue", token);
      const page = await this.request("GET", `${path}?${query}`);
      items.push(...page?.items ?? []);
      token = page?.metadata?.continue || void 0;
    } while (token);
    return items;
  }
  /** All nodes. */
  async listNodes() {
    return (await this.list("/api/v1/nodes")).map(toNodeInfo);
  }
  /** Pods of all namespaces, or of one. */
  async listPods(namespace) {
    const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : "/api/v1/pods";
    return (await this.list(path)).map(toPodInfo);
  }
  /** All VolumeAttachments (cluster-scoped). */
  async listVolumeAttachments() {
    return (await this.list("/apis/storage.k8s.io/v1/volumeattachments")).map(toVolumeAttachmentInfo);
  }
  /** Longhorn volumes of the namespace Longhorn runs in. */
  async listLonghornVolumes(namespace = "longhorn-system") {
    return (await this.list(`/apis/longhorn.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/volumes`)).map(toVolumeInfo);
  }
  /** Longhorn's instance-manager pods (life-sign endpoints), in Longhorn's namespace. */
  async listInstanceManagers(namespace = "longhorn-system") {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(INSTANCE_MANAGER_SELECTOR)}`;
    const page = await this.request("GET", path);
    return toInstanceManagers(page?.items ?? []);
  }
  /**
   * Posts a core/v1 Event about a Node, as the kubelet does for its node: in namespace `default`
   * (a cluster-scoped involvedObject requires the event's namespace to be empty or `default`,
   * kubernetes pkg/apis/core/validation/events.go), so `kubectl describe node` shows it.
   */
  async createNodeEvent(node, e) {
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
        reportingInstance: e.component
      }
    });
  }
  /** Applies a node change as one JSON merge patch, conditional on the snapshot's resourceVersion. */
  async patchNode(node, change) {
    await this.request("PATCH", `/api/v1/nodes/${encodeURIComponent(node.name)}`, {
      body: nodeMergePatch(node, change),
      contentType: "application/merge-patch+json"
    });
  }
  /** Force-deletes a pod (grace period 0), only if it still has `uid`. A pod already gone counts as deleted. */
  async deletePod(namespace, name, uid) {
    const body = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      ...uid ? { preconditions: { uid } } : {}
    };
    try {
      await this.request("DELETE", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, { body });
      return "deleted";
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return "gone";
      throw error;
    }
  }
};
async function buildSnapshot(client, opts) {
  const podLists = opts.podNamespaces && opts.podNamespaces.length > 0 ? Promise.all(opts.podNamespaces.map((ns) => client.listPods(ns))).then((lists) => lists.flat()) : client.listPods();
  const settled = await Promise.allSettled([
    client.listNodes(),
    podLists,
    client.listLonghornVolumes(opts.longhornNamespace ?? "longhorn-system"),
    client.listVolumeAttachments(),
    client.listInstanceManagers(opts.longhornNamespace ?? "longhorn-system")
  ]);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  const [nodes, pods, volumes, volumeAttachments, instanceManagers] = settled.map((r) => r.value);
  return {
    now: opts.now.toISOString(),
    config: opts.config,
    nodes,
    pods,
    volumes,
    volumeAttachments,
    instanceManagers,
    ...opts.origin ? { origin: opts.origin } : {}
  };
}
async function executeActions(client, snapshot, actions) {
  const results = /* @__PURE__ */ new Map();
  const nodeNames = [...new Set(actions.map((a) => a.node))];
  for (const name of nodeNames) {
    const mine = actions.filter((a) => a.node === name);
    const node = snapshot.nodes.find((n) => n.name === name);
    let patchError;
    if (!node) {
      patchError = new Error(`node ${name} is not in the snapshot`);
    } else {
      const change = nodeChange(node, mine, snapshot.now);
      if (change) {
        try {
          await client.patchNode(node, change);
        } catch (error) {
          patchError = error;
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
          results.set(action, { action, outcome: "failed", error });
        }
      } else {
        results.set(action, { action, outcome: "applied" });
      }
    }
  }
  return actions.map((a) => results.get(a));
}

// tools/fencing/probe.ts
import { Socket } from "node:net";
var SILENT_CODES = /* @__PURE__ */ new Set(["EHOSTUNREACH", "EHOSTDOWN"]);
var tcpConnect = (host, port, timeoutMs) => new Promise((resolve2) => {
  const socket = new Socket();
  let done = false;
  const finish = (result, detail) => {
    if (done) return;
    done = true;
    socket.destroy();
    resolve2(detail ? { result, detail } : { result });
  };
  socket.setTimeout(timeoutMs);
  socket.once("connect", () => finish("answered"));
  socket.once("timeout", () => finish("timeout", `no answer in ${timeoutMs} ms`));
  socket.once("error", (error) => {
    if (error.code === "ECONNREFUSED") finish("refused");
    else if (error.code && SILENT_CODES.has(error.code)) finish("timeout", error.code);
    else finish("error", error.code ?? error.message);
  });
  socket.connect({ host, port });
});
var defaultSleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function probeNode(node, endpoints, opts) {
  const connect = opts.connect ?? tcpConnect;
  const now = opts.now ?? (() => /* @__PURE__ */ new Date());
  const sleep = opts.sleep ?? defaultSleep;
  const { windowSeconds, intervalSeconds, timeoutMs } = opts.config;
  const attempts = [];
  const start = now();
  let end = start;
  if (endpoints.length === 0) return { node, origin: opts.origin, start: start.toISOString(), end: start.toISOString(), attempts };
  const maxRounds = Math.ceil(windowSeconds / intervalSeconds) + 2;
  for (let round = 1; ; round++) {
    const roundAt = now();
    const results = await Promise.all(endpoints.map(async (e) => {
      const r = await connect(e.host, e.port, timeoutMs);
      return { ...e, result: r.result, at: roundAt.toISOString(), ...r.detail ? { detail: r.detail } : {} };
    }));
    attempts.push(...results);
    end = now();
    if (results.some((a) => a.result !== "timeout")) break;
    if ((end.getTime() - start.getTime()) / 1e3 >= windowSeconds || round >= maxRounds) break;
    await sleep(intervalSeconds * 1e3);
  }
  return { node, origin: opts.origin, start: start.toISOString(), end: end.toISOString(), attempts };
}
async function probeNodes(targets, opts) {
  return Promise.all(targets.map((t) => probeNode(t.node, t.endpoints, opts)));
}

// tools/fencing/log.ts
function formatLogLine(record) {
  const level = record.event === "error" || record.event === "action" && record.outcome === "failed" ? "error" : "info";
  const head = { time: record.time, level, event: record.event };
  switch (record.event) {
    case "action": {
      const { type, ...rest } = record.action;
      return JSON.stringify({
        ...head,
        action: type,
        ...rest,
        dryRun: record.dryRun,
        outcome: record.outcome,
        ...record.error ? { error: record.error } : {}
      });
    }
    case "hold":
      return JSON.stringify({
        ...head,
        action: "none",
        node: record.hold.node,
        code: record.hold.code,
        reason: record.hold.reason,
        ...record.hold.lifeSigns ? { lifeSigns: record.hold.lifeSigns } : {}
      });
    case "probe": {
      const r = record.report;
      const results = {};
      for (const a of r.attempts) results[a.result] = (results[a.result] ?? 0) + 1;
      const endpoints = [...new Set(r.attempts.map((a) => `${a.kind} ${a.host}:${a.port}`))];
      return JSON.stringify({ ...head, node: r.node, origin: r.origin, start: r.start, end: r.end, endpoints, results });
    }
    case "summary": {
      const { time: _t, event: _e, ...counts } = record;
      return JSON.stringify({ ...head, ...counts });
    }
    case "error":
      return JSON.stringify({ ...head, stage: record.stage, error: record.error });
  }
}

// tools/fencing/main.ts
var FENCING_COMPONENT = "ha-jobs-fencing";
var ACTION_REASONS = {
  cordon: "FencingCordoned",
  uncordon: "FencingUncordoned",
  taint: "Fenced",
  untaint: "Unfenced",
  deletePod: "FencingDeletedStalePod"
};
var FencingConfigError = class extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "FencingConfigError", enumerable: false });
  }
};
function seconds(env, name, unit = "seconds", max = Infinity) {
  const raw = env[name];
  if (raw === void 0 || raw.trim() === "") return void 0;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0 || Number(raw) > max) {
    throw new FencingConfigError(`'${name}' (${JSON.stringify(raw)}) must be a positive whole number ${unit === "port" ? "(a TCP port)" : `of ${unit}`}${max < Infinity ? ` up to ${max}` : ""}`);
  }
  return Number(raw);
}
function nodePorts(env) {
  const out = {};
  for (const item of (env.FENCING_NODE_PORTS ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new FencingConfigError(`'FENCING_NODE_PORTS' entry ${JSON.stringify(item)} must be node=port with a port from 1 to 65535, e.g. k3s-w1=22`);
    }
    out[m[1]] = Number(m[2]);
  }
  return out;
}
function lifeSignsFromEnv(env) {
  const d = DEFAULT_LIFE_SIGNS;
  return {
    windowSeconds: seconds(env, "FENCING_PROBE_WINDOW_SECONDS") ?? d.windowSeconds,
    intervalSeconds: seconds(env, "FENCING_PROBE_INTERVAL_SECONDS") ?? d.intervalSeconds,
    timeoutMs: seconds(env, "FENCING_PROBE_TIMEOUT_MS", "milliseconds") ?? d.timeoutMs,
    kubeletPort: seconds(env, "FENCING_KUBELET_PORT", "port", 65535) ?? d.kubeletPort,
    instanceManagerPort: seconds(env, "FENCING_INSTANCE_MANAGER_PORT", "port", 65535) ?? d.instanceManagerPort,
    nodePorts: nodePorts(env),
    defaultNodePort: seconds(env, "FENCING_DEFAULT_NODE_PORT", "port", 65535) ?? d.defaultNodePort
  };
}
function parseStorageLabel(raw) {
  const eq = raw.indexOf("=");
  if (eq <= 0) throw new FencingConfigError(`'FENCING_STORAGE_LABEL' (${JSON.stringify(raw)}) must be key=value`);
  return { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
}
function settingsFromEnv(env) {
  const dryRunRaw = (env.FENCING_DRY_RUN ?? "").trim().toLowerCase();
  let dryRun;
  if (dryRunRaw === "") dryRun = DEFAULT_CONFIG.dryRun;
  else if (dryRunRaw === "true" || dryRunRaw === "1") dryRun = true;
  else if (dryRunRaw === "false" || dryRunRaw === "0") dryRun = false;
  else throw new FencingConfigError(`'FENCING_DRY_RUN' (${JSON.stringify(env.FENCING_DRY_RUN)}) must be true or false`);
  const labelRaw = env.FENCING_STORAGE_LABEL?.trim();
  const storageLabel = labelRaw ? parseStorageLabel(labelRaw) : { ...DEFAULT_CONFIG.storageLabel };
  const thresholdSeconds = seconds(env, "FENCING_THRESHOLD_SECONDS");
  const recoverySeconds = seconds(env, "FENCING_RECOVERY_SECONDS");
  const modeRaw = (env.FENCING_MODE ?? "").trim();
  if (modeRaw !== "" && !FENCING_MODES.includes(modeRaw)) {
    throw new FencingConfigError(`'FENCING_MODE' (${JSON.stringify(env.FENCING_MODE)}) must be one of ${FENCING_MODES.join(", ")}`);
  }
  const nodeName = env.FENCING_NODE_NAME?.trim() || void 0;
  return {
    config: resolveConfig({
      ...thresholdSeconds !== void 0 ? { thresholdSeconds } : {},
      ...recoverySeconds !== void 0 ? { recoverySeconds } : {},
      storageLabel,
      dryRun,
      mode: modeRaw || DEFAULT_CONFIG.mode,
      lifeSigns: lifeSignsFromEnv(env)
    }),
    longhornNamespace: env.FENCING_LONGHORN_NAMESPACE?.trim() || "longhorn-system",
    podNamespaces: (env.FENCING_POD_NAMESPACES ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    ...nodeName ? { nodeName } : {}
  };
}
function connectionFromEnv(env) {
  const url = env.FENCING_API_URL?.trim();
  if (!url) return inClusterConnection(env);
  const read = (name) => {
    const file = env[name]?.trim();
    if (!file) return void 0;
    try {
      return readFileSync2(file, "utf8");
    } catch (error) {
      throw new FencingConfigError(`cannot read '${name}' (${file})`, { cause: error });
    }
  };
  const token = read("FENCING_TOKEN_FILE")?.trim();
  const ca = read("FENCING_CA_FILE");
  return { baseUrl: url, ...token ? { token } : {}, ...ca ? { ca } : {} };
}
function errorInfo(error) {
  const info = { message: error instanceof Error ? error.message : String(error) };
  if (error instanceof KubeApiError) {
    info.verb = error.verb;
    info.path = error.path;
    if (error.status !== void 0) info.status = error.status;
  }
  const cause = error instanceof Error ? error.cause : void 0;
  if (cause instanceof Error && !info.message.includes(cause.message)) info.cause = cause.message;
  return info;
}
async function run(opts = {}) {
  const env = opts.env ?? process.env;
  const write = opts.write ?? ((line) => process.stdout.write(`${line}
`));
  const now = opts.now ?? (() => /* @__PURE__ */ new Date());
  const log = (record) => write(formatLogLine(record));
  const fail = (stage, error, code) => {
    log({ event: "error", time: now().toISOString(), stage, error: errorInfo(error) });
    return code;
  };
  let settings;
  let client;
  try {
    settings = settingsFromEnv(env);
    client = new KubeClient(opts.connection ?? connectionFromEnv(env));
  } catch (error) {
    return fail("config", error, 2);
  }
  const { config } = settings;
  let snapshot;
  try {
    snapshot = await buildSnapshot(client, {
      config,
      longhornNamespace: settings.longhornNamespace,
      podNamespaces: settings.podNamespaces,
      now: now(),
      ...settings.nodeName ? { origin: settings.nodeName } : {}
    });
  } catch (error) {
    return fail("snapshot", error, 1);
  }
  const targets = probeTargets(snapshot);
  if (targets.length > 0 && snapshot.origin) {
    const reports = await probeNodes(targets, {
      config: config.lifeSigns,
      origin: snapshot.origin,
      ...opts.connect ? { connect: opts.connect } : {},
      ...opts.sleep ? { sleep: opts.sleep } : {},
      now
    });
    snapshot = { ...snapshot, lifeSigns: reports };
    for (const report of reports) log({ event: "probe", time: now().toISOString(), report });
  }
  const { actions, holds } = plan(snapshot);
  for (const hold of holds) log({ event: "hold", time: now().toISOString(), hold });
  if (!config.dryRun) {
    for (const hold of holds.filter((h) => h.code === "life-signs")) {
      try {
        await client.createNodeEvent(hold.node, { type: "Warning", reason: "FencingHeldLifeSigns", message: hold.reason, now: now().toISOString(), component: FENCING_COMPONENT });
      } catch (error) {
        log({ event: "error", time: now().toISOString(), stage: "event", error: errorInfo(error) });
      }
    }
  }
  let applied = 0;
  let failed = 0;
  if (config.dryRun) {
    for (const action of actions) log({ event: "action", time: now().toISOString(), dryRun: true, outcome: "planned", action });
  } else {
    for (const result of await executeActions(client, snapshot, actions)) {
      if (result.outcome === "applied") applied++;
      else failed++;
      if (result.outcome === "applied") {
        try {
          await client.createNodeEvent(result.action.node, { type: "Warning", reason: ACTION_REASONS[result.action.type], message: result.action.reason, now: now().toISOString(), component: FENCING_COMPONENT });
        } catch (error) {
          log({ event: "error", time: now().toISOString(), stage: "event", error: errorInfo(error) });
        }
      }
      log({
        event: "action",
        time: now().toISOString(),
        dryRun: false,
        outcome: result.outcome,
        action: result.action,
        ...result.error ? { error: errorInfo(result.error) } : {}
      });
    }
  }
  log({
    event: "summary",
    time: now().toISOString(),
    dryRun: config.dryRun,
    storageNodes: snapshot.nodes.filter((n) => isStorageNode(n, config.storageLabel)).length,
    planned: actions.length,
    applied,
    failed,
    holds: holds.length
  });
  return failed > 0 ? 1 : 0;
}
if (isEntry(import.meta.url)) {
  run().then((code) => {
    process.exitCode = code;
  });
}
export {
  FencingConfigError,
  connectionFromEnv,
  parseStorageLabel,
  run,
  settingsFromEnv
};
