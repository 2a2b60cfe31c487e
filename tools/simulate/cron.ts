/**
 * The standard 5-field cron syntax of a CronJob `spec.schedule`, as the CronJob controller parses
 * it (github.com/robfig/cron/v3 ParseStandard, used by pkg/controller/cronjob/utils.go):
 * minute hour day-of-month month day-of-week; `*`, `a-b`, `a-b/n`, `* /n`, lists, month and weekday
 * names, `7` = Sunday, the `@hourly`/`@daily`/`@midnight`/`@weekly`/`@monthly`/`@yearly`/`@annually`
 * macros, and robfig's day rule: when both day-of-month and day-of-week are restricted, a day
 * matches if EITHER matches. A `CRON_TZ=`/`TZ=` prefix is rejected (the API server rejects it too;
 * use `spec.timeZone`). Times are computed in UTC; a CronJob's `spec.timeZone` only shifts the
 * runs, except around DST changes, which are not modelled.
 */

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  source: string;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Day-of-month / day-of-week were written as `*` (or `?`): then only the other one restricts. */
  domStar: boolean;
  dowStar: boolean;
}

export class CronError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "CronError", enumerable: false });
  }
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesOffset?: number;
}
const FIELDS: FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, namesOffset: 1 },
  { name: "day-of-week", min: 0, max: 7, names: DOW_NAMES, namesOffset: 0 },
];

function parseValue(text: string, f: FieldSpec, schedule: string): number {
  const lower = text.toLowerCase();
  const named = f.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (f.namesOffset ?? 0);
  if (!/^\d+$/.test(text)) throw new CronError(`schedule ${JSON.stringify(schedule)}: ${f.name} value ${JSON.stringify(text)} is not a number${f.names ? " or name" : ""}`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`schedule ${JSON.stringify(schedule)}: ${f.name} value ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function parseField(text: string, f: FieldSpec, schedule: string): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    const [rangeText, stepText, extra] = part.split("/");
    if (extra !== undefined || rangeText === "") throw new CronError(`schedule ${JSON.stringify(schedule)}: bad ${f.name} field ${JSON.stringify(text)}`);
    let lo: number;
    let hi: number;
    if (rangeText === "*" || rangeText === "?") {
      lo = f.min;
      hi = f.max === 7 ? 6 : f.max;
      // robfig getRange: `*` sets the star bit, a step > 1 clears it again.
      if (stepText === undefined || stepText === "1") star = true;
    } else {
      const [a, b, more] = rangeText.split("-");
      if (more !== undefined) throw new CronError(`schedule ${JSON.stringify(schedule)}: bad range ${JSON.stringify(rangeText)} in ${f.name}`);
      lo = parseValue(a, f, schedule);
      hi = b === undefined ? (stepText === undefined ? lo : f.max) : parseValue(b, f, schedule);
    }
    if (lo > hi) throw new CronError(`schedule ${JSON.stringify(schedule)}: ${f.name} range ${lo}-${hi} is backwards`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0 || !/^\d+$/.test(stepText ?? "1")) throw new CronError(`schedule ${JSON.stringify(schedule)}: bad step ${JSON.stringify(stepText)} in ${f.name}`);
    for (let v = lo; v <= hi; v += step) values.add(f.max === 7 && v === 7 ? 0 : v);
  }
  return { values, star };
}

/** Parses a CronJob schedule. Throws CronError naming the schedule and the bad field. */
export function parseCron(schedule: string): CronSchedule {
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) throw new CronError(`schedule ${JSON.stringify(schedule)}: TZ in the schedule is not allowed by the CronJob API; use spec.timeZone`);
  const expanded = trimmed.startsWith("@") ? MACROS[trimmed.toLowerCase()] : trimmed;
  if (expanded === undefined) throw new CronError(`schedule ${JSON.stringify(schedule)}: unknown macro (known: ${Object.keys(MACROS).join(", ")}; @every is not supported by CronJobs)`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`schedule ${JSON.stringify(schedule)}: expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [mi, h, dom, mo, dow] = parts.map((p, i) => parseField(p, FIELDS[i], schedule));
  return {
    source: schedule,
    minutes: mi.values,
    hours: h.values,
    daysOfMonth: dom.values,
    months: mo.values,
    daysOfWeek: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const domOk = s.daysOfMonth.has(d.getUTCDate());
  const dowOk = s.daysOfWeek.has(d.getUTCDay());
  if (s.domStar || s.dowStar) return domOk && dowOk;
  return domOk || dowOk;
}

/** The first run strictly after `after` (UTC), or null when none falls within 5 years (e.g. Feb 30). */
export function nextRun(s: CronSchedule, after: Date): Date | null {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return null;
}

/**
 * The longest gap between two consecutive runs, in seconds: the worst-case wait from an event to
 * the next run. Scans the runs over `horizonDays` (default 4 years, so leap days and every
 * weekday/month combination are seen) from a fixed start, so the result is deterministic.
 */
export function maxGapSeconds(s: CronSchedule, horizonDays = 4 * 366): number {
  return gapsSeconds(s, horizonDays).max;
}

/**
 * The shortest and the longest time between two consecutive runs. The shortest bounds a run's
 * deadline (a run still going when the next is due delays it under concurrencyPolicy Forbid);
 * the longest is the worst-case wait from any instant to the next run.
 */
export function gapsSeconds(s: CronSchedule, horizonDays = 4 * 366): { min: number; max: number } {
  const start = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
  const end = start.getTime() + horizonDays * 86_400_000;
  let prev = nextRun(s, new Date(start.getTime() - 60_000));
  if (prev === null) throw new CronError(`schedule ${JSON.stringify(s.source)} never runs`);
  let max = 0;
  let min = Infinity;
  // A schedule that runs often has a small gap everywhere: stop once a full period repeats
  // (every minute pattern repeats daily when only minute/hour are restricted).
  const dailyOnly = s.domStar && s.dowStar && s.months.size === 12;
  const stopAt = dailyOnly ? start.getTime() + 2 * 86_400_000 : end;
  for (;;) {
    const next = nextRun(s, prev);
    if (next === null) break;
    const gap = (next.getTime() - prev.getTime()) / 1000;
    max = Math.max(max, gap);
    min = Math.min(min, gap);
    if (next.getTime() > stopAt) break;
    prev = next;
  }
  return { min: Number.isFinite(min) ? min : max, max };
}
