/**
 * npm run diff -- --base <git-ref> [--env E] [--root DIR]
 *
 * The render diff between <git-ref> (temporary git worktree) and the working tree, per release:
 * unified diffs of each changed object's YAML, added and removed objects shown whole.
 * Exit codes: 0 (whether or not anything changed), 2 usage error.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { listEnvironments } from "../lib/flux.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment } from "../lib/render.ts";
import { diffReleases, formatDiff } from "../upgrade/diff.ts";
import { withWorktree } from "../upgrade/git.ts";

const USAGE = "Usage: npm run diff -- --base <git-ref> [--env E] [--root DIR]";

await runMain(async () => {
  const { values } = parseCli({
    options: { base: { type: "string" }, env: { type: "string" }, root: { type: "string" } },
    strict: true,
    allowPositionals: false,
  }, USAGE);
  if (!values.base) throw new UsageError(`--base is required. ${USAGE}`);
  const root = values.root ? resolve(values.root) : repoRoot;
  const base = values.base;
  const text = await withWorktree(root, base, async (baseRoot, commit) => {
    const before = new Set(listEnvironments(baseRoot));
    const after = new Set(listEnvironments(root));
    const envs = values.env ? [values.env] : [...new Set([...before, ...after])].sort();
    const parts: string[] = [];
    for (const env of envs) {
      if (!before.has(env) && !after.has(env)) {
        throw new UsageError(`environment ${JSON.stringify(env)} exists neither at ${base} nor in the working tree`);
      }
      const [old, now] = await Promise.all([
        before.has(env) ? renderEnvironment(env, { root: baseRoot }) : [],
        after.has(env) ? renderEnvironment(env, { root }) : [],
      ]);
      const side = (has: boolean, what: string) => (has ? what : `${what} (absent)`);
      parts.push(
        `##### environment ${env}: ${side(before.has(env), `${base} (${commit.slice(0, 12)})`)} -> ${side(after.has(env), "working tree")}`,
        formatDiff(diffReleases(old, now)),
      );
    }
    return parts.join("\n");
  });
  process.stdout.write(`${text}\n`);
  return 0;
});
