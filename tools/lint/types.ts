/**
 * What a lint stage sees and reports. Chart-specific assertions live in
 * tools/lint/charts/<chart>.ts and export `assertions: ChartAssertion[]`.
 */
import type { Cluster } from "../../schema/cluster.ts";
import type { Environment, Profile, UpstreamRelease } from "../lib/flux.ts";
import { objectRef, type K8sObject } from "../lib/k8s.ts";
import { InputError, InputErrors, type PathSegment } from "../lib/yaml.ts";

/** A source position in a values or manifest file (line and col 1-based; 0 = the file as a whole). */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** The one severity scale of every command: error fails (exit 1), warning and info do not. */
export type Severity = "error" | "warning" | "info";

/**
 * One problem found by any command (lint, policy, preflight, upgrade-check, simulate): the `--json`
 * envelope's findings (tools/lib/cli.ts) are of this type.
 */
export interface Finding {
  severity: Severity;
  /** Where it was found: a values file position when known. */
  location?: Location;
  /** The object it concerns, as `Kind/namespace/name`. */
  object?: string;
  /** What is wrong and how to fix it, in one line. */
  message: string;
  /** Stable id of the rule, for rules shared by every chart (`common/<name>`). */
  rule?: string;
}

/** Everything an assertion needs about one rendered profile. */
export interface LintContext {
  env: string;
  profile: Profile;
  /** The merged values helm rendered with. */
  values: Record<string, unknown>;
  /** The rendered objects. */
  objects: K8sObject[];
  inventory: Cluster;
  /** The environment as lint loaded it (Flux objects, every profile), for cross-release rules: never re-read from disk. */
  environment: Environment;
  /** The environment's upstream releases (Longhorn, Traefik, MetalLB): `environment.upstream`. */
  upstream: UpstreamRelease[];
  /** Where a values key path was set (the last layer that sets it), for messages. */
  locate(path: readonly PathSegment[]): Location;
}

/** A chart-specific check. Returns findings; an empty list means it passed. */
export type ChartAssertion = (ctx: LintContext) => Finding[];

/** `Kind/namespace/name` of an object, for messages (tools/lib/k8s.ts). */
export { objectRef };

/** `file:line:col: ` prefix of a finding (`file: ` when there is no line: never `:0:0:`), or empty. */
export function formatLocation(l?: Location): string {
  if (!l) return "";
  return l.line > 0 ? `${l.file}:${l.line}:${l.col}: ` : `${l.file}: `;
}

/** `ERROR`, `WARNING` or `INFO`: the text form of a severity. */
export function severityTag(s: Severity): string {
  return s === "error" ? "ERROR" : s === "warning" ? "WARNING" : "INFO";
}

/**
 * One finding as a text line: location, then the object unless the message already names it
 * (each object printed once), then the message.
 */
export function formatFinding(f: Finding): string {
  const object = f.object && !f.message.includes(f.object) ? `${f.object}: ` : "";
  return `${severityTag(f.severity)} - ${formatLocation(f.location)}${object}${f.message}`;
}

/** An error as findings: InputErrors gives one per error. */
export function errorFindings(err: unknown): Finding[] {
  return err instanceof InputErrors ? err.errors.map(errorFinding) : [errorFinding(err)];
}

/** An error as a finding: an InputError keeps its file and position (line 0: the whole file). */
export function errorFinding(err: unknown): Finding {
  if (err instanceof InputError) return { severity: "error", location: { file: err.file, line: err.line, col: err.col }, message: err.detail };
  return { severity: "error", message: err instanceof Error ? err.message : String(err) };
}
