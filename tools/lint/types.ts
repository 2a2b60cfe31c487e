/**
 * What a lint stage sees and reports. Chart-specific assertions live in
 * tools/lint/charts/<chart>.ts and export `assertions: ChartAssertion[]`.
 */
import type { Cluster } from "../../schema/cluster.ts";
import type { Profile, UpstreamRelease } from "../lib/flux.ts";
import type { K8sObject } from "../lib/render.ts";
import type { PathSegment } from "../lib/yaml.ts";

/** A source position in a values or manifest file. */
export interface Location {
  file: string;
  line: number;
  col: number;
}

/** One problem found by lint. */
export interface Finding {
  severity: "error" | "warning";
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
  /** The environment's upstream releases (Longhorn, Traefik, MetalLB), for cross-release rules. */
  upstream: UpstreamRelease[];
  /** Where a values key path was set (the last layer that sets it), for messages. */
  locate(path: readonly PathSegment[]): Location;
}

/** A chart-specific check. Returns findings; an empty list means it passed. */
export type ChartAssertion = (ctx: LintContext) => Finding[];

/** `Kind/namespace/name` of an object, for messages. */
export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** `file:line:col: ` prefix of a finding, or empty. */
export function formatLocation(l?: Location): string {
  return l ? `${l.file}:${l.line}:${l.col}: ` : "";
}
