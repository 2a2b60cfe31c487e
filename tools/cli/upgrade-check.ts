/**
 * npm run upgrade-check -- --base <git-ref|auto> [--env E] [--json] [--strict] [--root DIR]
 *
 * Renders every environment at <git-ref> (temporary git worktree) and in the working tree, and
 * reports the changes a Flux Helm upgrade cannot apply (immutable fields), data-holding objects
 * deleted or renamed, and StatefulSets whose pods all roll. `--base auto` is for CI: the merge
 * base with origin/main (or main); without such history it says so and exits 0.
 * Exit codes: tools/lib/cli.ts (1: an error finding, with --strict also a warning).
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import type { Finding } from "../lint/types.ts";
import { upgradeCheck } from "../upgrade/check.ts";
import { formatText, summarize, type EnvFindings } from "../upgrade/compare.ts";
import { resolveCiBase } from "../upgrade/git.ts";
import { requireRef } from "./base-ref.ts";

function findings(envs: readonly EnvFindings[], strict: boolean): Finding[] {
  return envs.flatMap((e) => e.findings.map((f): Finding => ({
    severity: strict && f.severity === "warning" ? "error" : f.severity,
    object: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.name}`,
    rule: `upgrade/${f.kind}`,
    message: `${e.env}: ${f.message}${f.fixes.length ? ` Fix: ${f.fixes.map((x) => x.title).join("; or ")}` : ""}`,
  })));
}

export const main = defineCli({
  tool: "upgrade-check",
  usage: "npm run upgrade-check -- --base <git-ref|auto> [--env E] [--json] [--strict] [--root DIR] [--chart-mirror DIR]",
  description: `Renders every environment at <git-ref> and in the working tree and reports what a Flux Helm
upgrade cannot apply (immutable fields), data holders deleted or renamed, and pod rolls.
--base auto: CI's merge base with origin/main (or main). --strict: warnings fail too.`,
  options: { base: { type: "string" }, env: { type: "string" }, json: { type: "boolean" }, strict: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
}, async ({ values, json, out, err, emit, path, usage }) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(values["chart-mirror"] === undefined ? undefined : path(values["chart-mirror"]));
  if (!values.base) throw new UsageError(`--base is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  let base = values.base;
  if (base === "auto") {
    const found = await resolveCiBase(root);
    if (!found.ok) {
      err(`INFO - upgrade-check skipped: ${found.reason}`);
      if (json) emit({ ok: true, summary: `upgrade-check skipped: ${found.reason}`, findings: [] });
      return 0;
    }
    err(`INFO - upgrade-check against the ${found.description}`);
    base = found.commit;
  } else {
    await requireRef(root, base);
  }
  const result = await upgradeCheck({ root, base, env: values.env });
  const all = findings(result.environments, values.strict === true);
  const ok = !all.some((f) => f.severity === "error");
  const s = summarize(result.environments.flatMap((e) => e.findings));
  if (json) emit({ ok, summary: `upgrade-check: ${s.error} errors, ${s.warning} warnings, ${s.info} info in ${result.environments.length} environments`, findings: all, data: { baseCommit: result.baseCommit, environments: result.environments } });
  else out(formatText(result.environments));
  return ok ? 0 : 1;
});

await runCli(main, import.meta.url);
