/**
 * upgrade-check: renders every environment at a base revision (from a temporary git worktree)
 * and in the working tree, and compares them (tools/upgrade/compare.ts).
 *
 * Rendering needs only helm and the charts/, clusters/ and values/ files of each root, so the
 * base worktree needs no node_modules: the working tree's code renders both roots.
 */
import { listEnvironments } from "../lib/flux.ts";
import { renderEnvironment, type RenderedRelease, type RenderOptions } from "../lib/render.ts";
import { acknowledgeBreakingCharts } from "./acknowledge.ts";
import { compareReleases, type CompareOptions, type EnvFindings } from "./compare.ts";
import { withWorktree } from "./git.ts";

/** The render function (injectable for tests); defaults to renderEnvironment. */
export type RenderFn = (env: string, opts: RenderOptions) => Promise<RenderedRelease[]>;

export interface UpgradeCheckOptions {
  /** Repository root (the working tree compared against the base). */
  root: string;
  /** Git ref of the base revision. */
  base: string;
  /** Only this environment (directory under clusters/). */
  env?: string;
  render?: RenderFn;
  compare?: CompareOptions;
}

export interface UpgradeCheckResult {
  /** The commit the base ref resolved to. */
  baseCommit: string;
  environments: EnvFindings[];
}

/**
 * Renders each environment at both revisions and compares them. An environment present on one
 * side only is reported as skipped (nothing to compare). Throws when `env` exists on neither side.
 */
export async function upgradeCheck(opts: UpgradeCheckOptions): Promise<UpgradeCheckResult> {
  const render = opts.render ?? renderEnvironment;
  return withWorktree(opts.root, opts.base, async (baseRoot, baseCommit) => {
    const before = new Set(listEnvironments(baseRoot));
    const after = new Set(listEnvironments(opts.root));
    let envs = [...new Set([...before, ...after])].sort();
    if (opts.env) {
      if (!envs.includes(opts.env)) {
        throw Object.assign(
          new Error(`environment ${JSON.stringify(opts.env)} exists neither at ${opts.base} nor in the working tree. Fix: use one of ${envs.join(", ") || "(none)"}`),
          { exitCode: 2 },
        );
      }
      envs = [opts.env];
    }
    const environments: EnvFindings[] = [];
    for (const env of envs) {
      if (!before.has(env)) {
        environments.push({ env, skipped: `new environment (not at ${opts.base}): nothing to compare`, findings: [] });
        continue;
      }
      if (!after.has(env)) {
        environments.push({ env, skipped: `environment removed since ${opts.base}: Flux stops managing it, nothing is upgraded`, findings: [] });
        continue;
      }
      const [old, now] = await Promise.all([
        render(env, { root: baseRoot }).catch((err: Error) => {
          throw new Error(`rendering ${env} at ${opts.base} (${baseCommit.slice(0, 12)}) failed: ${err.message}`, { cause: err });
        }),
        render(env, { root: opts.root }),
      ]);
      environments.push({ env, findings: acknowledgeBreakingCharts(compareReleases(old, now, opts.compare), now, baseRoot, opts.root) });
    }
    return { baseCommit, environments };
  });
}
