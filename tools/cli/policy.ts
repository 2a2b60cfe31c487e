/**
 * npm run policy -- --env <env> [FILE|-] [--json] [--root DIR]
 *
 * The security policy gate. With FILE (or `-` for stdin), checks those manifests (multi-document
 * YAML) against values/<env>/policy.yaml, and scans the file's text for secrets. Without, renders
 * the environment as Flux would and runs the whole policy stage (rendered objects, the
 * environment's values, a secret scan of every git-tracked YAML file).
 * Exit codes: tools/lib/cli.ts (1: an error-severity violation, or an invalid allowlist/FILE).
 */
import { useChartMirror } from "../lib/charts.ts";
import { defineCli, InputFindingError, readArgument, runCli, UsageError } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import { renderEnvironment } from "../lib/render.ts";
import { fromViolation } from "../lint/run.ts";
import { loadPolicy, PolicyFileError } from "../policy/allowlist.ts";
import { checkPolicy, formatReport, formatSummary, policyStage } from "../policy/index.ts";
import { ManifestError, parseManifests } from "../policy/manifests.ts";
import { scanText, scanViolations } from "../policy/secret-scan.ts";
import type { Violation } from "../policy/types.ts";
import { requireEnv } from "./names.ts";

export const main = defineCli({
  tool: "policy",
  usage: "npm run policy -- --env <env> [FILE|-] [--json] [--root DIR] [--chart-mirror DIR]",
  description: `The security policy gate. With FILE (or - for stdin): those manifests against
values/<env>/policy.yaml, and a secret scan of the file. Without: the environment rendered as Flux
would, its values and every git-tracked YAML file.`,
  options: { env: { type: "string" }, json: { type: "boolean" }, root: { type: "string" }, "chart-mirror": { type: "string" } },
  positionals: true,
}, async (ctx) => {
  // Upstream charts from a Helm repository directory (tools/lib/charts.ts); else CHART_MIRROR.
  useChartMirror(ctx.values["chart-mirror"] === undefined ? undefined : ctx.path(ctx.values["chart-mirror"]));
  const { values, positionals, json, out, emit, path, usage } = ctx;
  const env = values.env;
  if (!env) throw new UsageError(`--env is required. usage: ${usage}`);
  const root = values.root ? path(values.root) : repoRoot;
  requireEnv(env, root);
  if (positionals.length > 1) throw new UsageError(`at most one FILE, got ${positionals.length}. usage: ${usage}`);

  let violations: Violation[];
  let objectCount: number;
  try {
    const allowlist = loadPolicy(env, root);
    if (positionals.length === 1) {
      const { text, label } = await readArgument(ctx, "", positionals[0], path(positionals[0]));
      const objects = parseManifests(text, label);
      objectCount = objects.length;
      violations = [...checkPolicy(objects, allowlist), ...scanViolations(scanText(text, label))];
    } else {
      const releases = await renderEnvironment(env, { root });
      const objects = releases.flatMap((r) => r.objects);
      // Objects of upstream releases may break the rules policy.yaml upstreamReleases accepts for them.
      const owners = new Map(releases.filter((r) => r.upstream).flatMap((r) => r.objects.map((o) => [o, r.helmRelease ?? ""] as const)));
      objectCount = objects.length;
      violations = await policyStage(env, objects, root, owners);
    }
  } catch (err) {
    // An invalid allowlist or manifest file is a finding about that input (exit 1).
    if (err instanceof PolicyFileError || err instanceof ManifestError) throw new InputFindingError(err.message, { cause: err });
    throw err;
  }
  const ok = !violations.some((v) => v.severity === "error");
  if (json) emit({ ok, summary: formatSummary(violations, { env, objects: objectCount }).replace(/^\w+ - /, ""), findings: violations.map(fromViolation), data: { violations } });
  else out(formatReport(violations, { env, objects: objectCount }));
  return ok ? 0 : 1;
});

await runCli(main, import.meta.url);
