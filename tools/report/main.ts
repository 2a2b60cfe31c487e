/**
 * The ha-jobs report job (charts/ha-jobs, CronJob `<release>-report`): reads the Longhorn volumes
 * and the Events of the configured namespaces with the pod's service account, decides what is new
 * (decide.ts) and posts it to notification-controller. node:https/node:http only, bundled by
 * tools/report/bundle.ts into charts/ha-jobs/files/report.mjs.
 *
 * Environment: REPORT_NOTIFY_URL (notification-controller's event endpoint),
 * REPORT_HELMRELEASE (namespace/name), REPORT_WINDOW_SECONDS, REPORT_REMIND_SECONDS,
 * REPORT_LONGHORN_NAMESPACE, REPORT_EVENT_NAMESPACES, REPORT_COMPONENTS, REPORT_REASONS (comma
 * lists), REPORT_DRY_RUN.
 */
import { readFileSync } from "node:fs";
import { isEntry } from "../lib/entry.ts";
import * as http from "node:http";
import * as https from "node:https";
import { decideReports, eventInfo, volumeInfo, type FluxEvent, type ReportConfig } from "./decide.ts";

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface Io {
  getJson(path: string): Promise<unknown>;
  post(url: string, body: FluxEvent): Promise<number>;
  log(line: string): void;
}

function request(url: URL, opts: { method: string; headers: Record<string, string>; ca?: string; body?: string }): Promise<{ status: number; text: string }> {
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: opts.method, headers: opts.headers, ca: opts.ca, timeout: 15_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${opts.method} ${url.href}`)));
    req.on("error", reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** In-cluster I/O: the API server with the pod's token and CA, the notification URL plain. */
export function inClusterIo(env: NodeJS.ProcessEnv): Io {
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
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);

/** One run. Returns the exit code: 1 when a list or a post failed. */
export async function run(env: NodeJS.ProcessEnv, io: Io, now = new Date()): Promise<number> {
  const [hrNs, hrName] = (env.REPORT_HELMRELEASE ?? "ha-jobs/ha-jobs").split("/");
  const cfg: ReportConfig = {
    helmRelease: { namespace: hrNs, name: hrName },
    windowSeconds: Number(env.REPORT_WINDOW_SECONDS ?? 300),
    remindSeconds: Number(env.REPORT_REMIND_SECONDS ?? 21600),
    components: list(env.REPORT_COMPONENTS),
    reasons: list(env.REPORT_REASONS),
  };
  const lhNs = env.REPORT_LONGHORN_NAMESPACE ?? "longhorn-system";
  let code = 0;
  const volumes = [];
  try {
    const v = (await io.getJson(`/apis/longhorn.io/v1beta2/namespaces/${lhNs}/volumes`)) as { items: Parameters<typeof volumeInfo>[0][] };
    volumes.push(...v.items.map(volumeInfo));
  } catch (err) {
    io.log(`error: listing Longhorn volumes: ${(err as Error).message}`);
    code = 1;
  }
  const events = [];
  for (const ns of list(env.REPORT_EVENT_NAMESPACES)) {
    try {
      const e = (await io.getJson(`/api/v1/namespaces/${ns}/events`)) as { items: Parameters<typeof eventInfo>[0][] };
      events.push(...e.items.map(eventInfo));
    } catch (err) {
      io.log(`error: listing events of ${ns}: ${(err as Error).message}`);
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
      io.log(`error: posting to notification-controller: ${(err as Error).message}`);
      code = 1;
    }
  }
  return code;
}

if (isEntry(import.meta.url)) {
  run(process.env, inClusterIo(process.env)).then(
    (c) => process.exit(c),
    (err: unknown) => {
      process.stderr.write(`report job failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
