/**
 * The security policy gate: checks rendered objects against an environment's allowlist, the
 * environment's values for literal credentials, and the repository's YAML for secrets.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { K8sObject } from "../lib/render.ts";
import { repoRoot } from "../lib/paths.ts";
import { displayPath, parseYaml, parseYamlStream, type PathSegment, type SourceDoc } from "../lib/yaml.ts";
import type { Policy } from "../../schema/policy.ts";
import { loadPolicy } from "./allowlist.ts";
import { findCredentialValues, formatKeyPath } from "./credentials.ts";
import { checkPersistentVolume, checkWorkload } from "./rules/pod.ts";
import { checkRbac } from "./rules/rbac.ts";
import { checkSecrets } from "./rules/secrets.ts";
import { scanRepo, scanViolations } from "./secret-scan.ts";
import { violation, type Violation } from "./types.ts";
import { asObj } from "./workloads.ts";

export type { Violation, RuleId, Severity } from "./types.ts";
export { RULES } from "./types.ts";

/** Checks every object against every rule; the allowlist grants the exceptions. */
export function checkPolicy(objects: readonly K8sObject[], allowlist: Policy): Violation[] {
  return objects.flatMap((obj) => [...checkWorkload(obj, allowlist), ...checkPersistentVolume(obj), ...checkRbac(obj, allowlist), ...checkSecrets(obj)]);
}

/**
 * `credential-value` violations for a parsed YAML document, with file:line:col; `start` selects
 * the part holding values (e.g. `["spec", "values"]` of a HelmRelease, `[]` for a values file).
 */
export function checkValuesDocument(doc: SourceDoc, start: PathSegment[] = []): Violation[] {
  let node: unknown = doc.value;
  for (const seg of start) node = asObj(node)?.[seg as string];
  return findCredentialValues(node, [...start]).map((f) => {
    const { line, col } = doc.keyPosition(f.path);
    return violation("credential-value", doc.file, `${formatKeyPath(f.path)}: key ${f.key} holds a literal credential`, {
      location: { file: doc.file, line, col },
      fix: `use an existingSecret reference instead: keep ${f.key} in a Secret created outside Git and reference it by name`,
    });
  });
}

function yamlFilesIn(dir: string, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Literal credentials in an environment's values: every `values/<env>/*.yaml`, every chart's
 * `values.yaml`, and `spec.values` of the HelmReleases under `clusters/<env>/`.
 */
export function checkEnvironmentValues(env: string, root = repoRoot): Violation[] {
  const out: Violation[] = [];
  const valueFiles = [
    ...yamlFilesIn(join(root, "values", env), false),
    ...yamlFilesIn(join(root, "charts"), true).filter((f) => /[/\\]charts[/\\][^/\\]+[/\\]values\.ya?ml$/.test(f)),
  ];
  for (const file of valueFiles) {
    out.push(...checkValuesDocument(parseYaml(readFileSync(file, "utf8"), displayPath(file, root))));
  }
  for (const file of yamlFilesIn(join(root, "clusters", env), true)) {
    for (const doc of parseYamlStream(readFileSync(file, "utf8"), displayPath(file, root))) {
      if (asObj(doc.value)?.kind === "HelmRelease") out.push(...checkValuesDocument(doc, ["spec", "values"]));
    }
  }
  return out;
}

/**
 * The lint pipeline's policy stage: the rendered objects of `env` against its allowlist
 * (`values/<env>/policy.yaml` under `root`), the environment's values for literal credentials,
 * and a secret scan of every git-tracked YAML file under `root` (unless `secretScan: false`:
 * lint-charts scans the repository once per run and reports it once, not in every environment).
 */
export async function policyStage(
  env: string,
  objects: K8sObject[],
  root: string = repoRoot,
  owners?: ReadonlyMap<K8sObject, string>,
  opts: { secretScan?: boolean } = {},
): Promise<Violation[]> {
  const allowlist = loadPolicy(env, root);
  const scan = opts.secretScan === false ? [] : scanViolations(await scanRepo(root));
  return [...checkOwned(objects, allowlist, owners), ...checkEnvironmentValues(env, root), ...scan];
}

/**
 * checkPolicy, where objects rendered by an upstream release (`owners`: object → `namespace/name`
 * of its HelmRelease) may break the rules the allowlist's `upstreamReleases` entry accepts for it.
 */
export function checkOwned(objects: readonly K8sObject[], allowlist: Policy, owners?: ReadonlyMap<K8sObject, string>): Violation[] {
  if (!owners) return checkPolicy(objects, allowlist);
  return objects.flatMap((o) => {
    const release = owners.get(o);
    const accepted = new Set<string>(release ? (allowlist.upstreamReleases ?? []).filter((e) => e.release === release).flatMap((e) => e.accept) : []);
    return checkPolicy([o], allowlist).filter((v) => !accepted.has(v.rule));
  });
}

/** One report line: `ERROR - StatefulSet/media/sonarr container sonarr: privileged: ... Fix: ...`. */
export function formatViolation(v: Violation): string {
  const where = v.location ? `${v.location.file}:${v.location.line}:${v.location.col}` : v.object;
  const container = v.container !== undefined ? ` ${v.containerKind ?? "container"} ${v.container}` : "";
  return `${v.severity === "error" ? "ERROR" : "WARNING"} - ${where}${container}: ${v.rule}: ${v.message.replace(/\.$/, "")}. Fix: ${v.fix}`;
}

/** The summary line ending a report. */
export function formatSummary(violations: readonly Violation[], what: { env: string; objects: number }): string {
  const errors = violations.filter((v) => v.severity === "error").length;
  const warnings = violations.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const verdict = errors ? "FAILED" : "passed";
  return `${errors ? "ERROR" : "INFO"} - policy ${verdict} for ${what.env}: ${plural(what.objects, "object")} checked, ${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** The whole report: one line per violation, errors first, then the summary. */
export function formatReport(violations: readonly Violation[], what: { env: string; objects: number }): string {
  const sorted = [...violations].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  return [...sorted.map(formatViolation), formatSummary(violations, what)].join("\n");
}
