/**
 * The fencing job's log: one JSON object per line on stdout, one line per decision, so that
 * `kubectl logs` piped to `jq` (or Loki's json parser) can filter on `event`, `node` or `outcome`.
 * Formatting is pure; writing the line is the caller's business.
 */
import type { Action, Hold, LifeSignReport } from "./decide.ts";

/** What became of an action: computed only (dry run), executed, or failed. */
export type Outcome = "planned" | "applied" | "failed";

export type LogRecord =
  | { event: "action"; time: string; dryRun: boolean; outcome: Outcome; action: Action; error?: ErrorInfo }
  | { event: "hold"; time: string; hold: Hold }
  | { event: "probe"; time: string; report: LifeSignReport }
  | {
      event: "summary";
      time: string;
      dryRun: boolean;
      storageNodes: number;
      planned: number;
      applied: number;
      failed: number;
      holds: number;
    }
  | { event: "error"; time: string; stage: string; error: ErrorInfo };

/** The loggable part of an error (HTTP details when the API returned them). */
export interface ErrorInfo {
  message: string;
  status?: number;
  verb?: string;
  path?: string;
  /** Message of the underlying error (`cause`), when there is one. */
  cause?: string;
}

/**
 * Formats one record as a single line of JSON (no newline). Keys come in a fixed order
 * (`time`, `level`, `event`, then the details) so lines read well and diff stably; action
 * fields are flattened to the top level.
 */
export function formatLogLine(record: LogRecord): string {
  const level = record.event === "error" || (record.event === "action" && record.outcome === "failed") ? "error" : "info";
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
        ...(record.error ? { error: record.error } : {}),
      });
    }
    case "hold":
      return JSON.stringify({
        ...head,
        action: "none",
        node: record.hold.node,
        code: record.hold.code,
        reason: record.hold.reason,
        ...(record.hold.lifeSigns ? { lifeSigns: record.hold.lifeSigns } : {}),
      });
    case "probe": {
      const r = record.report;
      const results: Record<string, number> = {};
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
