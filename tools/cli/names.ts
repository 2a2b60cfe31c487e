/**
 * The names a command line may use (environments, charts), checked before any work: an unknown
 * one is a UsageError (exit 2) listing the valid names and suggesting the nearest.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { requireName } from "../lib/cli.ts";
import { listEnvironments, loadEnvironment } from "../lib/flux.ts";
import { repoRoot } from "../lib/paths.ts";

/** Throws unless `env` is a directory under clusters/ of `root`. */
export function requireEnv(env: string, root = repoRoot): void {
  requireName("env", "an environment (a directory under clusters/)", env, listEnvironments(root));
}

/**
 * Throws unless `chart` is a chart of this repository (charts/<name>) or the chart of an upstream
 * HelmRelease of one of `envs`.
 */
export function requireChart(chart: string, envs: readonly string[], root = repoRoot): void {
  const dir = join(root, "charts");
  const ours = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : [];
  if (ours.includes(chart)) return;
  const upstream = new Set<string>();
  for (const env of envs) {
    try {
      for (const u of loadEnvironment(env, root).upstream) upstream.add(u.chart);
    } catch {
      // A broken environment is lint's to report; its upstream charts are just not offered here.
    }
  }
  requireName("chart", "a chart of this repository or an upstream release", chart, [...ours.sort(), ...[...upstream].sort()]);
}
