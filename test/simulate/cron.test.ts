/**
 * The CronJob schedule parser (robfig/cron ParseStandard semantics): next run and the worst-case
 * wait the scenarios use.
 */
import { describe, expect, it } from "vitest";
import { CronError, maxGapSeconds, nextRun, parseCron } from "../../tools/simulate/cron.ts";

const at = (iso: string) => new Date(iso);

describe("nextRun", () => {
  it.each([
    ["*/5 * * * *", "2026-03-01T10:02:30Z", "2026-03-01T10:05:00Z"],
    ["*/5 * * * *", "2026-03-01T10:05:00Z", "2026-03-01T10:10:00Z"],
    ["*/2 * * * *", "2026-03-01T10:59:10Z", "2026-03-01T11:00:00Z"],
    ["0 3 * * *", "2026-03-01T03:00:00Z", "2026-03-02T03:00:00Z"],
    ["30 4 1 * *", "2026-01-31T05:00:00Z", "2026-02-01T04:30:00Z"],
    ["0 0 * * sun", "2026-03-02T00:00:00Z", "2026-03-08T00:00:00Z"], // 2026-03-08 is a Sunday
    ["0 0 * * 7", "2026-03-02T00:00:00Z", "2026-03-08T00:00:00Z"],
    ["0 0 29 feb *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"],
    // both day fields restricted: either matches (the 13th, or a Friday)
    ["0 0 13 * 5", "2026-03-01T00:00:00Z", "2026-03-06T00:00:00Z"],
    ["@hourly", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"],
    ["5-10/5 1 * * *", "2026-03-01T01:05:00Z", "2026-03-01T01:10:00Z"],
  ])("%s after %s is %s", (schedule, after, expected) => {
    expect(nextRun(parseCron(schedule), at(after))?.toISOString()).toBe(at(expected).toISOString());
  });
});

describe("maxGapSeconds (worst-case wait for the next run)", () => {
  it.each([
    ["*/5 * * * *", 300],
    ["*/2 * * * *", 120],
    // minutes 0,7,...,56: the longest gap is 7 minutes (the wrap :56 -> :00 is only 4)
    ["*/7 * * * *", 420],
    ["0 * * * *", 3600],
    ["0 3 * * *", 86_400],
    ["0,30 * * * *", 1800],
  ])("%s -> %ss", (schedule, seconds) => {
    expect(maxGapSeconds(parseCron(schedule))).toBe(seconds);
  });
});

describe("parseCron errors name the schedule and the field", () => {
  it.each([
    ["*/5 * * *", /expected 5 fields/],
    ["61 * * * *", /minute value 61 is outside 0-59/],
    ["* * * * mon-", /not a number/],
    ["*/0 * * * *", /bad step/],
    ["TZ=UTC */5 * * * *", /use spec.timeZone/],
    ["@every 5m", /unknown macro/],
  ])("%s", (schedule, message) => {
    expect(() => parseCron(schedule)).toThrow(CronError);
    expect(() => parseCron(schedule)).toThrow(message);
  });
});
