/**
 * A breaking chart change, acknowledged the way chart repositories do it
 * (prometheus-community REVIEW_GUIDELINES: "a breaking change bumps the major and gets an
 * Upgrading note"): when a chart of this repository raises its breaking version (the major, or the
 * minor while the major is 0, as semver's caret ranges treat 0.x) between the base and the working
 * tree, and its README's "## Upgrading" section names the new version, the immutable-field errors
 * of that chart's releases become warnings. They are still printed with their fixes: the note is
 * where the operator reads the one-time step; this only stops CI from failing a change that says
 * what to do before Flux upgrades.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { parse } from "yaml";
import type { RenderedRelease } from "../lib/render.ts";
import type { Finding } from "./compare.ts";

/** The chart's version in `<root>/charts/<chart>/Chart.yaml`, or undefined (upstream chart, no file). */
function chartVersion(root: string, chart: string): string | undefined {
  const file = join(root, "charts", chart, "Chart.yaml");
  if (!existsSync(file)) return undefined;
  const v = (parse(readFileSync(file, "utf8")) as { version?: unknown } | null)?.version;
  return typeof v === "string" && semver.valid(v) ? v : undefined;
}

/** Whether `next` is a breaking release after `prev`: a new major, or a new minor of 0.x. */
export function isBreakingBump(prev: string, next: string): boolean {
  if (!semver.gt(next, prev)) return false;
  if (semver.major(next) > semver.major(prev)) return true;
  return semver.major(prev) === 0 && semver.minor(next) > semver.minor(prev);
}

/** The "## Upgrading" section of the chart README, if it names `version`. */
function upgradingNote(root: string, chart: string, version: string): boolean {
  const file = join(root, "charts", chart, "README.md");
  if (!existsSync(file)) return false;
  const text = readFileSync(file, "utf8");
  const at = text.search(/^## Upgrading\s*$/m);
  if (at < 0) return false;
  const rest = text.slice(at).split(/\n## /)[0];
  return rest.includes(version);
}

/**
 * Downgrades the immutable-field errors of releases whose chart made an acknowledged breaking
 * bump (see the module comment); returns the findings, changed in place.
 */
export function acknowledgeBreakingCharts(findings: Finding[], after: readonly RenderedRelease[], baseRoot: string, root: string): Finding[] {
  const acknowledged = new Map<string, string>();
  for (const r of after) {
    const prev = chartVersion(baseRoot, r.chart);
    const next = chartVersion(root, r.chart);
    if (!prev || !next || !isBreakingBump(prev, next) || !upgradingNote(root, r.chart, next)) continue;
    acknowledged.set(`${r.namespace}/${r.release}`, `chart ${r.chart} ${prev} -> ${next} is a breaking release with an Upgrading note (charts/${r.chart}/README.md): do its step before Flux upgrades`);
  }
  for (const f of findings) {
    const why = f.object.release ? acknowledged.get(f.object.release) : undefined;
    if (f.kind !== "immutable-field" || f.severity !== "error" || !why) continue;
    f.severity = "warning";
    f.message = `${f.message} Acknowledged: ${why}.`;
  }
  return findings;
}
