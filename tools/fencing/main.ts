/**
 * Entry point of the fencing CronJob: configuration from the environment, snapshot, decision,
 * execution (unless dry run), one JSON log line per decision and a summary line.
 *
 * Environment:
 * - `FENCING_THRESHOLD_SECONDS` (default 120): NotReady time before a storage node is fenced.
 * - `FENCING_RECOVERY_SECONDS` (default: the threshold): Ready time before it is unfenced.
 * - `FENCING_DRY_RUN` (`true`/`false`, default `false`): log the actions, execute none.
 * - `FENCING_STORAGE_LABEL` (default `node.longhorn.io/storage=enabled`): `key=value` of storage nodes.
 * - `FENCING_LONGHORN_NAMESPACE` (default `longhorn-system`): where the Longhorn volumes live.
 * - `FENCING_POD_NAMESPACES` (default: all): comma-separated namespaces whose pods are examined.
 * - `FENCING_MODE` (`availability` | `safety`, default `availability`): see decide.ts FENCING_MODES.
 * - `FENCING_NODE_NAME`: the node this pod runs on (downward API `spec.nodeName`), the origin of
 *   the life-sign probes. Unset: no probe has a known origin and nothing is fenced.
 * - `FENCING_PROBE_WINDOW_SECONDS` (30), `FENCING_PROBE_INTERVAL_SECONDS` (5),
 *   `FENCING_PROBE_TIMEOUT_MS` (2000), `FENCING_KUBELET_PORT` (10250),
 *   `FENCING_INSTANCE_MANAGER_PORT` (8500), `FENCING_NODE_PORTS` (`node=port,...`, from the
 *   inventory's `lifeSignPort`), `FENCING_DEFAULT_NODE_PORT` (22): the life-sign probes.
 * - `FENCING_API_URL`, `FENCING_TOKEN_FILE`, `FENCING_CA_FILE`: talk to another API server than
 *   the in-cluster one (debugging from a workstation, tests). Unset in the CronJob.
 *
 * Exit code: 0 when everything planned was done (or dry run), 1 when an API call failed,
 * 2 when the configuration is invalid.
 *
 * This file is bundled by esbuild (see bundle.ts) into one ESM file run by plain `node`.
 */
import { readFileSync } from "node:fs";
import { isEntry } from "../lib/entry.ts";
import { buildSnapshot, executeActions, inClusterConnection, KubeApiError, KubeClient, type KubeConnection } from "./api.ts";
import {
  DEFAULT_CONFIG,
  DEFAULT_LIFE_SIGNS,
  FENCING_MODES,
  isStorageNode,
  plan,
  probeTargets,
  resolveConfig,
  type Action,
  type FencingConfig,
  type FencingMode,
  type LabelSelector,
  type LifeSignConfig,
  type Snapshot,
} from "./decide.ts";
import { probeNodes, type Connect } from "./probe.ts";
import { formatLogLine, type ErrorInfo, type LogRecord } from "./log.ts";

/** The reporting component of the job's Events (the report job forwards them). */
const FENCING_COMPONENT = "ha-jobs-fencing";

/** The Event reason of each applied action. */
const ACTION_REASONS: Record<Action["type"], string> = {
  cordon: "FencingCordoned",
  uncordon: "FencingUncordoned",
  taint: "Fenced",
  untaint: "Unfenced",
  deletePod: "FencingDeletedStalePod",
};

/** The environment could not be turned into a configuration. */
export class FencingConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "FencingConfigError", enumerable: false });
  }
}

export interface JobSettings {
  config: FencingConfig;
  longhornNamespace: string;
  /** Empty = all namespaces. */
  podNamespaces: string[];
  /** The node this job runs on (FENCING_NODE_NAME); undefined when unset. */
  nodeName?: string;
}

function seconds(env: NodeJS.ProcessEnv, name: string, unit = "seconds", max = Infinity): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0 || Number(raw) > max) {
    throw new FencingConfigError(`'${name}' (${JSON.stringify(raw)}) must be a positive whole number ${unit === "port" ? "(a TCP port)" : `of ${unit}`}${max < Infinity ? ` up to ${max}` : ""}`);
  }
  return Number(raw);
}

/** `node=port,node=port` (FENCING_NODE_PORTS). */
function nodePorts(env: NodeJS.ProcessEnv): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of (env.FENCING_NODE_PORTS ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new FencingConfigError(`'FENCING_NODE_PORTS' entry ${JSON.stringify(item)} must be node=port with a port from 1 to 65535, e.g. k3s-w1=22`);
    }
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function lifeSignsFromEnv(env: NodeJS.ProcessEnv): LifeSignConfig {
  const d = DEFAULT_LIFE_SIGNS;
  return {
    windowSeconds: seconds(env, "FENCING_PROBE_WINDOW_SECONDS") ?? d.windowSeconds,
    intervalSeconds: seconds(env, "FENCING_PROBE_INTERVAL_SECONDS") ?? d.intervalSeconds,
    timeoutMs: seconds(env, "FENCING_PROBE_TIMEOUT_MS", "milliseconds") ?? d.timeoutMs,
    kubeletPort: seconds(env, "FENCING_KUBELET_PORT", "port", 65535) ?? d.kubeletPort,
    instanceManagerPort: seconds(env, "FENCING_INSTANCE_MANAGER_PORT", "port", 65535) ?? d.instanceManagerPort,
    nodePorts: nodePorts(env),
    defaultNodePort: seconds(env, "FENCING_DEFAULT_NODE_PORT", "port", 65535) ?? d.defaultNodePort,
  };
}

/** `key=value` (the value may contain `=`) of FENCING_STORAGE_LABEL and values `fencing.storageLabel`. */
export function parseStorageLabel(raw: string): LabelSelector {
  const eq = raw.indexOf("=");
  if (eq <= 0) throw new FencingConfigError(`'FENCING_STORAGE_LABEL' (${JSON.stringify(raw)}) must be key=value`);
  return { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
}

/** Reads the job's settings from the environment; throws {@link FencingConfigError} naming the variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): JobSettings {
  const dryRunRaw = (env.FENCING_DRY_RUN ?? "").trim().toLowerCase();
  let dryRun: boolean;
  if (dryRunRaw === "" ) dryRun = DEFAULT_CONFIG.dryRun;
  else if (dryRunRaw === "true" || dryRunRaw === "1") dryRun = true;
  else if (dryRunRaw === "false" || dryRunRaw === "0") dryRun = false;
  // A typo must not turn a dry run into a live one.
  else throw new FencingConfigError(`'FENCING_DRY_RUN' (${JSON.stringify(env.FENCING_DRY_RUN)}) must be true or false`);

  const labelRaw = env.FENCING_STORAGE_LABEL?.trim();
  const storageLabel = labelRaw ? parseStorageLabel(labelRaw) : { ...DEFAULT_CONFIG.storageLabel };
  const thresholdSeconds = seconds(env, "FENCING_THRESHOLD_SECONDS");
  const recoverySeconds = seconds(env, "FENCING_RECOVERY_SECONDS");
  const modeRaw = (env.FENCING_MODE ?? "").trim();
  if (modeRaw !== "" && !(FENCING_MODES as readonly string[]).includes(modeRaw)) {
    throw new FencingConfigError(`'FENCING_MODE' (${JSON.stringify(env.FENCING_MODE)}) must be one of ${FENCING_MODES.join(", ")}`);
  }
  const nodeName = env.FENCING_NODE_NAME?.trim() || undefined;
  return {
    config: resolveConfig({
      ...(thresholdSeconds !== undefined ? { thresholdSeconds } : {}),
      ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
      storageLabel,
      dryRun,
      mode: (modeRaw || DEFAULT_CONFIG.mode) as FencingMode,
      lifeSigns: lifeSignsFromEnv(env),
    }),
    longhornNamespace: env.FENCING_LONGHORN_NAMESPACE?.trim() || "longhorn-system",
    podNamespaces: (env.FENCING_POD_NAMESPACES ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    ...(nodeName ? { nodeName } : {}),
  };
}

/** The API connection: FENCING_API_URL when set, else in-cluster. */
export function connectionFromEnv(env: NodeJS.ProcessEnv): KubeConnection {
  const url = env.FENCING_API_URL?.trim();
  if (!url) return inClusterConnection(env);
  const read = (name: string) => {
    const file = env[name]?.trim();
    if (!file) return undefined;
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new FencingConfigError(`cannot read '${name}' (${file})`, { cause: error });
    }
  };
  const token = read("FENCING_TOKEN_FILE")?.trim();
  const ca = read("FENCING_CA_FILE");
  return { baseUrl: url, ...(token ? { token } : {}), ...(ca ? { ca } : {}) };
}

function errorInfo(error: unknown): ErrorInfo {
  const info: ErrorInfo = { message: error instanceof Error ? error.message : String(error) };
  if (error instanceof KubeApiError) {
    info.verb = error.verb;
    info.path = error.path;
    if (error.status !== undefined) info.status = error.status;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && !info.message.includes(cause.message)) info.cause = cause.message;
  return info;
}

export interface RunOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Overrides the connection from the environment. */
  connection?: KubeConnection;
  /** Receives each log line (without newline). @default a write to stdout */
  write?: (line: string) => void;
  /** @default () => new Date() */
  now?: () => Date;
  /** The life-sign probes' TCP connect (tests). @default tcpConnect (probe.ts) */
  connect?: Connect;
  /** Waits between probe rounds (tests). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** One run of the job. Resolves to the process exit code; never rejects. */
export async function run(opts: RunOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const log = (record: LogRecord) => write(formatLogLine(record));
  const fail = (stage: string, error: unknown, code: number) => {
    log({ event: "error", time: now().toISOString(), stage, error: errorInfo(error) });
    return code;
  };

  let settings: JobSettings;
  let client: KubeClient;
  try {
    settings = settingsFromEnv(env);
    client = new KubeClient(opts.connection ?? connectionFromEnv(env));
  } catch (error) {
    return fail("config", error, 2);
  }
  const { config } = settings;

  let snapshot: Snapshot;
  try {
    snapshot = await buildSnapshot(client, {
      config,
      longhornNamespace: settings.longhornNamespace,
      podNamespaces: settings.podNamespaces,
      now: now(),
      ...(settings.nodeName ? { origin: settings.nodeName } : {}),
    });
  } catch (error) {
    return fail("snapshot", error, 1);
  }

  // Life signs of the nodes whose fence (or unfence) depends on them, from this pod's node.
  const targets = probeTargets(snapshot);
  if (targets.length > 0 && snapshot.origin) {
    const reports = await probeNodes(targets, {
      config: config.lifeSigns,
      origin: snapshot.origin,
      ...(opts.connect ? { connect: opts.connect } : {}),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      now,
    });
    snapshot = { ...snapshot, lifeSigns: reports };
    for (const report of reports) log({ event: "probe", time: now().toISOString(), report });
  }

  const { actions, holds } = plan(snapshot);
  for (const hold of holds) log({ event: "hold", time: now().toISOString(), hold });
  // A NotReady node that shows life signs gets a Warning Event on its Node object, so
  // `kubectl describe node` and event-based alerts see why it was not fenced.
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
      // What the job did, as a Warning Event on the Node: the ha-jobs report job forwards Events of
      // this reporting component to the operator (tools/report/events.ts, docs/decisions.md
      // "Backups, alerts and maintenance").
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
        ...(result.error ? { error: errorInfo(result.error) } : {}),
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
    holds: holds.length,
  });
  return failed > 0 ? 1 : 0;
}

if (isEntry(import.meta.url)) {
  run().then((code) => {
    process.exitCode = code;
  });
}
