import { describe, expect, it } from "vitest";
import { OUT_OF_SERVICE_TAINT } from "../../tools/fencing/decide.ts";
import { formatLogLine, type LogRecord } from "../../tools/fencing/log.ts";

const T = "2026-03-01T12:00:00.000Z";

describe("formatLogLine", () => {
  it.each<{ name: string; record: LogRecord; line: string }>([
    {
      name: "planned action (dry run), fields flattened after time/level/event",
      record: { event: "action", time: T, dryRun: true, outcome: "planned", action: { type: "cordon", node: "w1", reason: "down" } },
      line: `{"time":"${T}","level":"info","event":"action","action":"cordon","node":"w1","reason":"down","dryRun":true,"outcome":"planned"}`,
    },
    {
      name: "applied taint keeps the taint object",
      record: { event: "action", time: T, dryRun: false, outcome: "applied", action: { type: "taint", node: "w1", taint: { ...OUT_OF_SERVICE_TAINT }, reason: "down" } },
      line: `{"time":"${T}","level":"info","event":"action","action":"taint","node":"w1","taint":{"key":"node.kubernetes.io/out-of-service","value":"nodeshutdown","effect":"NoExecute"},"reason":"down","dryRun":false,"outcome":"applied"}`,
    },
    {
      name: "failed action is an error line with the error",
      record: {
        event: "action", time: T, dryRun: false, outcome: "failed",
        action: { type: "deletePod", node: "w1", namespace: "media", pod: "p", volumes: ["v"], attachedTo: ["w2"], reason: "stale" },
        error: { message: "DELETE x failed: HTTP 403", verb: "DELETE", path: "x", status: 403 },
      },
      line: `{"time":"${T}","level":"error","event":"action","action":"deletePod","node":"w1","namespace":"media","pod":"p","volumes":["v"],"attachedTo":["w2"],"reason":"stale","dryRun":false,"outcome":"failed","error":{"message":"DELETE x failed: HTTP 403","verb":"DELETE","path":"x","status":403}}`,
    },
    {
      name: "hold: a decision to do nothing",
      record: { event: "hold", time: T, hold: { node: "w1", code: "no-failover-target", reason: "both down" } },
      line: `{"time":"${T}","level":"info","event":"hold","action":"none","node":"w1","code":"no-failover-target","reason":"both down"}`,
    },
    {
      name: "summary",
      record: { event: "summary", time: T, dryRun: false, storageNodes: 2, planned: 2, applied: 1, failed: 1, holds: 0 },
      line: `{"time":"${T}","level":"info","event":"summary","dryRun":false,"storageNodes":2,"planned":2,"applied":1,"failed":1,"holds":0}`,
    },
    {
      name: "error",
      record: { event: "error", time: T, stage: "config", error: { message: "bad", cause: "ENOENT" } },
      line: `{"time":"${T}","level":"error","event":"error","stage":"config","error":{"message":"bad","cause":"ENOENT"}}`,
    },
  ])("$name", ({ record, line }) => {
    expect(formatLogLine(record)).toBe(line);
  });

  it("escapes newlines in reasons: one record is always one line", () => {
    const line = formatLogLine({ event: "hold", time: T, hold: { node: "w1", code: "ready-condition-missing", reason: "a\nb" } });
    expect(line.split("\n")).toHaveLength(1);
    expect(JSON.parse(line).reason).toBe("a\nb");
  });
});
