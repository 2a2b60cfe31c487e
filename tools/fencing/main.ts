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
 * - `FENCING_API_URL`, `FENCING_TOKEN_FILE`, `FENCING_CA_FILE`: talk to another API server than
 *   the in-cluster one (debugging from a workstation, tests). Unset in the CronJob.
 *
 * Exit code: 0 when everything planned was done (or dry run), 1 when an API call failed,
 * 2 when the configuration is invalid.
 *
 * This file is bundled by esbuild (see bundle.ts) into one ESM file run by plain `node`.
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { buildSnapshot, executeActions, inClusterConnection, KubeApiError, KubeClient, type KubeConnection } from "./api.ts";
import { DEFAULT_CONFIG, isStorageNode, plan, resolveConfig, type FencingConfig } from "./decide.ts";
import { formatLogLine, type ErrorInfo, type LogRecord } from "./log.ts";

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
}

function seconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0) {
    throw new FencingConfigError(`'${name}' (${JSON.stringify(raw)}) must be a positive whole number of seconds`);
  }
  return Number(raw);
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

  let storageLabel = { ...DEFAULT_CONFIG.storageLabel };
  const labelRaw = env.FENCING_STORAGE_LABEL?.trim();
  if (labelRaw) {
    const eq = labelRaw.indexOf("=");
    if (eq <= 0) throw new FencingConfigError(`'FENCING_STORAGE_LABEL' (${JSON.stringify(labelRaw)}) must be key=value`);
    storageLabel = { key: labelRaw.slice(0, eq), value: labelRaw.slice(eq + 1) };
  }
  const thresholdSeconds = seconds(env, "FENCING_THRESHOLD_SECONDS");
  const recoverySeconds = seconds(env, "FENCING_RECOVERY_SECONDS");
  return {
    config: resolveConfig({
      ...(thresholdSeconds !== undefined ? { thresholdSeconds } : {}),
      ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
      storageLabel,
      dryRun,
    }),
    longhornNamespace: env.FENCING_LONGHORN_NAMESPACE?.trim() || "longhorn-system",
    podNamespaces: (env.FENCING_POD_NAMESPACES ?? "").split(",").map((s) => s.trim()).filter(Boolean),
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

  let snapshot;
  try {
    snapshot = await buildSnapshot(client, {
      config,
      longhornNamespace: settings.longhornNamespace,
      podNamespaces: settings.podNamespaces,
      now: now(),
    });
  } catch (error) {
    return fail("snapshot", error, 1);
  }

  const { actions, holds } = plan(snapshot);
  for (const hold of holds) log({ event: "hold", time: now().toISOString(), hold });

  let applied = 0;
  let failed = 0;
  if (config.dryRun) {
    for (const action of actions) log({ event: "action", time: now().toISOString(), dryRun: true, outcome: "planned", action });
  } else {
    for (const result of await executeActions(client, snapshot, actions)) {
      if (result.outcome === "applied") applied++;
      else failed++;
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

/** True when this module is the program node was started with (also once bundled). */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  run().then((code) => {
    process.exitCode = code;
  });
}
