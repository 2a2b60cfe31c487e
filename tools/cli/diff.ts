/**
 * npm run diff -- --base <git-ref> [--env E] [--json] [--root DIR]
 *
 * The render diff between <git-ref> (temporary git worktree) and the working tree, per release:
 * unified diffs of each changed object's YAML, added and removed objects shown whole.
 * Exit codes: tools/lib/cli.ts (0 whether or not anything changed; 2 a ref or environment that
 * names nothing).
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, runCli, unknownName, UsageError } from "../lib/cli.ts";
import { listEnvironments } from "../lib/flux.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment } from "../lib/render.ts";
import { diffReleases, formatDiff } from "../upgrade/diff.ts";
import { withWorktree } from "../upgrade/git.ts";
import { requireRef } from "./base-ref.ts";

export const main = defineCli({
  tool: "diff",
  usage: "npm run diff -- --base <git-ref> [--env E] [--json] [--root DIR] [--chart-mirror DIR]",
  description: `The render diff between <git-ref> and the working tree, per release: unified diffs of each
changed object, added and removed objects shown whole.`,
  options: { base: { type: "string" }, env: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, emit, path, usage }) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  if (!values.base) throw new UsageError(`--base is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  const base = values.base;
  await requireRef(root, base);
  const result = await withWorktree(root, base, async (baseRoot, commit) => {
    const before = new Set(listEnvironments(baseRoot));
    const after = new Set(listEnvironments(root));
    const all = [...new Set([...before, ...after])].sort();
    if (values.env && !all.includes(values.env)) throw unknownName("env", `an environment at ${base} or in the working tree`, values.env, all);
    const envs = values.env ? [values.env] : all;
    const parts: string[] = [];
    const data: { env: string; releases: ReturnType<typeof diffReleases> }[] = [];
    for (const env of envs) {
      const [old, now] = await Promise.all([
        before.has(env) ? renderEnvironment(env, { root: baseRoot }) : [],
        after.has(env) ? renderEnvironment(env, { root }) : [],
      ]);
      const diffs = diffReleases(old, now);
      data.push({ env, releases: diffs });
      const side = (has: boolean, what: string) => (has ? what : `${what} (absent)`);
      parts.push(
        `##### environment ${env}: ${side(before.has(env), `${base} (${commit.slice(0, 12)})`)} -> ${side(after.has(env), "working tree")}`,
        formatDiff(diffs),
      );
    }
    return { text: parts.join("\n"), data, commit };
  });
  if (json) emit({ ok: true, summary: `diff against ${base} (${result.commit.slice(0, 12)}): ${result.data.length} environments`, findings: [], data: result.data });
  else out(result.text);
  return 0;
});

await runCli(main, import.meta.url);
