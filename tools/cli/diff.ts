/**
 * npm run diff -- --base <git-ref> [--env E] [--root DIR]
 *
 * The render diff between <git-ref> (temporary git worktree) and the working tree, per release:
 * unified diffs of each changed object's YAML, added and removed objects shown whole.
 * Exit codes: 0 (whether or not anything changed), 2 usage error.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { runMain } from "../lib/cli.ts";
import { listEnvironments } from "../lib/flux.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment } from "../lib/render.ts";
import { diffReleases, formatDiff } from "../upgrade/diff.ts";
import { withWorktree } from "../upgrade/git.ts";

const USAGE = "Usage: npm run diff -- --base <git-ref> [--env E] [--root DIR]";

await runMain(async () => {
  let values;
  try {
    ({ values } = parseArgs({
      options: { base: { type: "string" }, env: { type: "string" }, root: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw Object.assign(new Error(`${(err as Error).message}. ${USAGE}`), { exitCode: 2 });
  }
  if (!values.base) throw Object.assign(new Error(`--base is required. ${USAGE}`), { exitCode: 2 });
  const root = values.root ? resolve(values.root) : repoRoot;
  const base = values.base;
  const text = await withWorktree(root, base, async (baseRoot) => {
    const before = new Set(listEnvironments(baseRoot));
    const after = new Set(listEnvironments(root));
    const envs = values.env ? [values.env] : [...new Set([...before, ...after])].sort();
    const parts: string[] = [];
    for (const env of envs) {
      if (!before.has(env) && !after.has(env)) {
        throw Object.assign(new Error(`environment ${JSON.stringify(env)} exists neither at ${base} nor in the working tree`), { exitCode: 2 });
      }
      const [old, now] = await Promise.all([
        before.has(env) ? renderEnvironment(env, { root: baseRoot }) : [],
        after.has(env) ? renderEnvironment(env, { root }) : [],
      ]);
      parts.push(`##### environment ${env}`, formatDiff(diffReleases(old, now)));
    }
    return parts.join("\n");
  });
  process.stdout.write(`${text}\n`);
  return 0;
});
