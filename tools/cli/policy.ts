/**
 * npm run policy -- --env <env> [FILE|-] [--json]
 *
 * The security policy gate. With FILE (or `-` for stdin), checks those manifests (multi-document
 * YAML) against values/<env>/policy.yaml, and scans the file's text for secrets. Without, renders
 * the environment as Flux would and runs the whole policy stage (rendered objects, the
 * environment's values, a secret scan of every git-tracked YAML file).
 *
 * Exit codes: 0 passed (warnings allowed), 1 an error-severity violation, 2 a usage error or an
 * unusable allowlist or input file.
 */
import { readFileSync } from "node:fs";
import { UsageError, parseCli, runMain } from "../lib/cli.ts";
import { renderEnvironment } from "../lib/render.ts";
import { loadPolicy, PolicyFileError } from "../policy/allowlist.ts";
import { checkPolicy, formatReport, policyStage } from "../policy/index.ts";
import { parseManifests } from "../policy/manifests.ts";
import { scanText, scanViolations } from "../policy/secret-scan.ts";
import type { Violation } from "../policy/types.ts";

const USAGE = "usage: npm run policy -- --env <env> [FILE|-] [--json]";


await runMain(async () => {
  const parsed = parseCli({
    options: { env: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  }, USAGE);
  const { values, positionals } = parsed;
  const env = values.env;
  if (!env) throw new UsageError(`--env is required. ${USAGE}`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(env)) throw new UsageError(`--env ${JSON.stringify(env)} is not an environment name. ${USAGE}`);
  if (positionals.length > 1) throw new UsageError(`at most one FILE, got ${positionals.length}. ${USAGE}`);

  let violations: Violation[];
  let objectCount: number;
  try {
    const allowlist = loadPolicy(env);
    if (positionals.length === 1) {
      const source = positionals[0];
      const label = source === "-" ? "(stdin)" : source;
      let text: string;
      try {
        text = readFileSync(source === "-" ? 0 : source, "utf8");
      } catch (err) {
        throw new UsageError(`${label}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
      }
      const objects = parseManifests(text, label);
      objectCount = objects.length;
      violations = [...checkPolicy(objects, allowlist), ...scanViolations(scanText(text, label))];
    } else {
      const releases = await renderEnvironment(env);
      const objects = releases.flatMap((r) => r.objects);
      const owners = new Map(releases.filter((r) => r.upstream).flatMap((r) => r.objects.map((o) => [o, r.helmRelease ?? ""] as const)));
      objectCount = objects.length;
      violations = await policyStage(env, objects, undefined, owners);
    }
  } catch (err) {
    if (err instanceof PolicyFileError) throw new UsageError(err.message, { cause: err });
    throw err;
  }

  if (values.json) console.log(JSON.stringify(violations, null, 2));
  else console.log(formatReport(violations, { env, objects: objectCount }));
  return violations.some((v) => v.severity === "error") ? 1 : 0;
});
