/**
 * Applies renovate.json's custom regex managers to the repository the way Renovate does
 * (docs.renovatebot.com/modules/manager/regex: every `matchStrings` entry is applied to the whole
 * file with the default `matchStringsStrategy: "any"`; `managerFilePatterns` entries written as
 * `/.../` are regular expressions on the repo-relative path), and compares what they find with
 * every image and chart version of the repository, found independently by parsing the YAML:
 * - images: every mapping with a string `repository` and `tag` in charts/<c>/values.yaml and
 *   values/<env>/*.yaml;
 * - the appVersion of each charts/<c>/Chart.yaml, unless a `# renovate: ignore` comment says it
 *   has no single upstream version;
 * - each HelmRelease under clusters/ whose chart comes from a HelmRepository.
 * Each must be found exactly once; anything else a manager finds is reported too.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";

export interface Dep {
  file: string;
  depName: string;
  currentValue: string;
}

export interface RenovateConfig {
  customManagers?: Array<{ customType: string; managerFilePatterns?: string[]; matchStrings: string[] }>;
}

/** Repo-relative paths of the files Renovate would consider (YAML under charts/, values/, clusters/). */
export function repoFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name)) out.push(relative(root, p));
    }
  };
  for (const top of ["charts", "values", "clusters"]) walk(join(root, top));
  return out.sort();
}

function patternToRegExp(p: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(p);
  if (m) return new RegExp(m[1], m[2]);
  // A glob: only the forms this repository uses would be needed; refuse the rest loudly.
  throw new Error(`managerFilePatterns entry ${p} is not a /regex/: the audit only understands regex patterns`);
}

/** What the custom managers extract: one Dep per match. */
export function extract(config: RenovateConfig, files: ReadonlyMap<string, string>): Dep[] {
  const out: Dep[] = [];
  for (const m of config.customManagers ?? []) {
    if (m.customType !== "regex") continue;
    const patterns = (m.managerFilePatterns ?? []).map(patternToRegExp);
    for (const [file, text] of files) {
      if (!patterns.some((re) => re.test(file))) continue;
      for (const ms of m.matchStrings) {
        for (const hit of text.matchAll(new RegExp(ms, "g"))) {
          const g = hit.groups ?? {};
          out.push({ file, depName: g.depName ?? "", currentValue: g.currentValue ?? "" });
        }
      }
    }
  }
  return out;
}

type Y = Record<string, unknown>;

/** Every image and chart version, from the YAML itself. */
export function expected(files: ReadonlyMap<string, string>): Dep[] {
  const out: Dep[] = [];
  for (const [file, text] of files) {
    if (!/^(charts\/[^/]+\/(values|Chart)\.yaml|values\/[^/]+\/[^/]+\.yaml|clusters\/.+\.ya?ml)$/.test(file)) continue;
    const docs = parseAllDocuments(text).map((d) => d.toJSON() as unknown);
    if (/^charts\/[^/]+\/values\.yaml$/.test(file) || /^values\/[^/]+\/[^/]+\.yaml$/.test(file)) {
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === "object") {
          const o = v as Y;
          if (typeof o.repository === "string" && (typeof o.tag === "string" || typeof o.tag === "number")) out.push({ file, depName: o.repository, currentValue: String(o.tag) });
          Object.values(o).forEach(walk);
        }
      };
      docs.forEach(walk);
    } else if (/^charts\/[^/]+\/Chart\.yaml$/.test(file)) {
      const c = docs[0] as Y;
      if (!/# renovate: ignore/.test(text) && c?.appVersion !== undefined) {
        const dep = /depName=(\S+)/.exec(text)?.[1] ?? `(no depName comment above appVersion in ${file})`;
        out.push({ file, depName: dep, currentValue: String(c.appVersion) });
      }
    } else if (file.startsWith("clusters/")) {
      for (const d of docs as Y[]) {
        const spec = ((d?.spec as Y)?.chart as Y)?.spec as Y | undefined;
        if (d?.kind === "HelmRelease" && spec && (spec.sourceRef as Y)?.kind === "HelmRepository") out.push({ file, depName: String(spec.chart), currentValue: String(spec.version) });
      }
    }
  }
  return out;
}

const key = (d: Dep) => `${d.file}: ${d.depName} ${d.currentValue}`;

/** Missing (expected, found 0 times), duplicated (found more often than it stands), unexpected (found, not expected). */
export function audit(config: RenovateConfig, files: ReadonlyMap<string, string>): { missing: string[]; duplicated: string[]; unexpected: string[]; found: number } {
  const found = extract(config, files);
  const want = expected(files);
  const count = new Map<string, number>();
  for (const d of found) count.set(key(d), (count.get(key(d)) ?? 0) + 1);
  const wantKeys = new Set(want.map(key));
  // The same image may stand twice in one file (two jobs of ha-jobs run node): each reference is
  // expected once, so a key is duplicated when the managers find it more often than it stands.
  const wantCount = new Map<string, number>();
  for (const d of want) wantCount.set(key(d), (wantCount.get(key(d)) ?? 0) + 1);
  return {
    missing: [...wantKeys].filter((k) => (count.get(k) ?? 0) < (wantCount.get(k) ?? 0)),
    duplicated: [...count].filter(([k, n]) => n > (wantCount.get(k) ?? 0) && wantKeys.has(k)).map(([k, n]) => `${k} (${n} times)`),
    unexpected: [...count.keys()].filter((k) => !wantKeys.has(k)),
    found: found.length,
  };
}

/** The repository's files as a map, for audit(). */
export function loadFiles(root: string): Map<string, string> {
  return new Map(repoFiles(root).map((f) => [f, readFileSync(join(root, f), "utf8")]));
}

/**
 * Options of the config that the schema does not define. Renovate's published schema leaves its
 * objects open (no additionalProperties: false), so this closes them with the schema's own
 * property lists: the top level, and each custom manager (its `allOf` item properties).
 */
export function unknownOptions(config: Record<string, unknown>, schema: Record<string, unknown>): string[] {
  const props = (o: unknown): Set<string> => new Set(Object.keys(((o as { properties?: object })?.properties ?? {}) as object));
  const top = props(schema);
  const defs = schema.definitions as Record<string, { items?: { allOf?: unknown[] } }>;
  const managerProps = new Set((defs.customManagers?.items?.allOf ?? []).flatMap((x) => [...props(x)]));
  const out = Object.keys(config).filter((k) => k !== "$schema" && !top.has(k));
  ((config.customManagers ?? []) as Array<Record<string, unknown>>).forEach((m, i) => {
    for (const k of Object.keys(m)) if (!managerProps.has(k)) out.push(`customManagers[${i}].${k}`);
  });
  return out;
}
