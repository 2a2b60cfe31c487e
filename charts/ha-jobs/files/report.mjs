/*! report-job: GENERATED from tools/report/ by tools/report/bundle.ts. Do not edit: change the TypeScript source and regenerate. */

// tools/report/main.ts
import { readFileSync } from "node:fs";

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

// tools/report/main.ts
import * as http from "node:http";
import * as https from "node:https";

// tools/report/decide.ts
var PREFIX = "[ha-jobs]";
function event(cfg, now, severity, reason, message) {
  return {
    involvedObject: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: cfg.helmRelease.name, namespace: cfg.helmRelease.namespace },
    severity,
    timestamp: now.toISOString().replace(/\.\d+Z$/, "Z"),
    message: `${PREFIX} ${message}`,
    reason,
    reportingController: "ha-jobs-report"
  };
}
function decideReports(volumes, events, cfg, now) {
  const out = [];
  const since = now.getTime() - cfg.windowSeconds * 1e3;
  for (const v of volumes) {
    const what = v.pvc ? `${v.name} (PVC ${v.pvc})` : v.name;
    if (v.robustness === "faulted") {
      out.push(event(cfg, now, "error", "VolumeFaulted", `Longhorn volume ${what} is faulted: no healthy replica, its data is unavailable. Check: kubectl -n longhorn-system get volumes.longhorn.io ${v.name} -o yaml; restore from the NAS backup if no replica recovers (docs/restore-drill.md)`));
    } else if (v.robustness === "degraded") {
      const at = v.lastDegradedAt ? Date.parse(v.lastDegradedAt) : NaN;
      const age = Number.isNaN(at) ? null : now.getTime() - at;
      const fresh = age === null || at >= since;
      const remind = age !== null && age > 0 && age % (cfg.remindSeconds * 1e3) < cfg.windowSeconds * 1e3 && !fresh;
      if (fresh || remind) {
        const since_ = v.lastDegradedAt ? ` since ${v.lastDegradedAt}` : "";
        out.push(event(cfg, now, "info", "VolumeDegraded", `Longhorn volume ${what} is degraded${since_}: fewer healthy replicas than wanted; it rebuilds when the storage node is back. A second failure now loses it`));
      }
    }
  }
  for (const e of events) {
    const t = Date.parse(e.time);
    if (Number.isNaN(t) || t < since) continue;
    const byComponent = cfg.components.some((c) => e.component.startsWith(c));
    if (!byComponent && !cfg.reasons.includes(e.reason)) continue;
    out.push(event(cfg, now, e.type === "Warning" ? "error" : "info", e.reason || "Event", `${e.component || "event"}: ${e.reason} ${e.object}: ${e.message}`));
  }
  return out;
}
function volumeInfo(o) {
  const k = o.status?.kubernetesStatus;
  return {
    name: o.metadata.name,
    robustness: o.status?.robustness ?? "unknown",
    state: o.status?.state ?? "unknown",
    lastDegradedAt: o.status?.lastDegradedAt || void 0,
    pvc: k?.pvcName ? `${k.namespace}/${k.pvcName}` : void 0
  };
}
function eventInfo(o) {
  const times = [o.lastTimestamp, o.eventTime, o.series?.lastObservedTime, o.firstTimestamp].filter((x) => typeof x === "string" && x.length > 0);
  const time = times.sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? "";
  const io = o.involvedObject ?? {};
  return {
    namespace: o.metadata.namespace ?? "",
    reason: o.reason ?? "",
    message: o.message ?? "",
    type: o.type ?? "Normal",
    component: o.reportingComponent || o.source?.component || "",
    object: `${io.kind ?? "?"}/${io.namespace ? `${io.namespace}/` : ""}${io.name ?? "?"}`,
    time
  };
}

// tools/report/main.ts
var SA = "/var/run/secrets/kubernetes.io/serviceaccount";
function request(url, opts) {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve2, reject) => {
    const req = mod.request(url, { method: opts.method, headers: opts.headers, ca: opts.ca, timeout: 15e3 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => text += c);
      res.on("end", () => resolve2({ status: res.statusCode ?? 0, text }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${opts.method} ${url.href}`)));
    req.on("error", reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}
function inClusterIo(env) {
  const base = `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`;
  const token = readFileSync(`${SA}/token`, "utf8").trim();
  const ca = readFileSync(`${SA}/ca.crt`, "utf8");
  return {
    async getJson(path) {
      const res = await request(new URL(path, base), { method: "GET", headers: { authorization: `Bearer ${token}`, accept: "application/json" }, ca });
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      return JSON.parse(res.text);
    },
    async post(url, body) {
      return (await request(new URL(url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).status;
    },
    log: (line) => process.stdout.write(`${line}
`)
  };
}
var list = (s) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);
async function run(env, io, now = /* @__PURE__ */ new Date()) {
  const [hrNs, hrName] = (env.REPORT_HELMRELEASE ?? "ha-jobs/ha-jobs").split("/");
  const cfg = {
    helmRelease: { namespace: hrNs, name: hrName },
    windowSeconds: Number(env.REPORT_WINDOW_SECONDS ?? 300),
    remindSeconds: Number(env.REPORT_REMIND_SECONDS ?? 21600),
    components: list(env.REPORT_COMPONENTS),
    reasons: list(env.REPORT_REASONS)
  };
  const lhNs = env.REPORT_LONGHORN_NAMESPACE ?? "longhorn-system";
  let code = 0;
  const volumes = [];
  try {
    const v = await io.getJson(`/apis/longhorn.io/v1beta2/namespaces/${lhNs}/volumes`);
    volumes.push(...v.items.map(volumeInfo));
  } catch (err) {
    io.log(`error: listing Longhorn volumes: ${err.message}`);
    code = 1;
  }
  const events = [];
  for (const ns of list(env.REPORT_EVENT_NAMESPACES)) {
    try {
      const e = await io.getJson(`/api/v1/namespaces/${ns}/events`);
      events.push(...e.items.map(eventInfo));
    } catch (err) {
      io.log(`error: listing events of ${ns}: ${err.message}`);
      code = 1;
    }
  }
  const reports = decideReports(volumes, events, cfg, now);
  io.log(`report: ${volumes.length} volumes (${volumes.filter((v) => v.robustness !== "healthy").length} not healthy), ${events.length} events, ${reports.length} to report`);
  for (const r of reports) {
    if (env.REPORT_DRY_RUN === "true") {
      io.log(`dry run: ${r.severity} ${r.message}`);
      continue;
    }
    try {
      const status = await io.post(env.REPORT_NOTIFY_URL ?? "http://notification-controller.flux-system.svc.cluster.local./", r);
      io.log(`${status === 202 ? "sent" : `HTTP ${status}`}: ${r.severity} ${r.message}`);
      if (status !== 202) code = 1;
    } catch (err) {
      io.log(`error: posting to notification-controller: ${err.message}`);
      code = 1;
    }
  }
  return code;
}
if (isEntry(import.meta.url)) {
  run(process.env, inClusterIo(process.env)).then(
    (c) => process.exit(c),
    (err) => {
      process.stderr.write(`report job failed: ${err.message}
`);
      process.exit(1);
    }
  );
}
export {
  inClusterIo,
  run
};
