/**
 * npm run upgrade-check -- --base <git-ref|auto> [--env E] [--json] [--strict] [--root DIR]
 *
 * Renders every environment at <git-ref> (temporary git worktree) and in the working tree, and
 * reports the changes a Flux Helm upgrade cannot apply (immutable fields), data-holding objects
 * deleted or renamed, and StatefulSets whose pods all roll. `--base auto` is for CI: the merge
 * base with origin/main (or main); without such history it says so and exits 0.
 *
 * Exit codes: 0 nothing at error severity (warnings too with --strict), 1 found, 2 usage error.
 */
import { resolve } from "node:path";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { repoRoot } from "../lib/paths.ts";
import { upgradeCheck } from "../upgrade/check.ts";
import { formatJson, formatText } from "../upgrade/compare.ts";
import { resolveCiBase } from "../upgrade/git.ts";

const USAGE = "Usage: npm run upgrade-check -- --base <git-ref|auto> [--env E] [--json] [--strict] [--root DIR]";

await runMain(async () => {
  const { values } = parseCli({
    options: {
      base: { type: "string" },
      env: { type: "string" },
      json: { type: "boolean", default: false },
      strict: { type: "boolean", default: false },
      root: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  }, USAGE);
  if (!values.base) throw new UsageError(`--base is required. ${USAGE}`);
  const root = values.root ? resolve(values.root) : repoRoot;
  let base = values.base;
  if (base === "auto") {
    const found = await resolveCiBase(root);
    if (!found.ok) {
      console.error(`INFO - upgrade-check skipped: ${found.reason}`);
      return 0;
    }
    console.error(`INFO - upgrade-check against the ${found.description}`);
    base = found.commit;
  }
  const result = await upgradeCheck({ root, base, env: values.env });
  process.stdout.write(`${values.json ? formatJson(result.environments) : formatText(result.environments)}\n`);
  const all = result.environments.flatMap((e) => e.findings);
  const failing = all.some((f) => f.severity === "error" || (values.strict && f.severity === "warning"));
  return failing ? 1 : 0;
});
