/**
 * The shared helpers of every chart: tools/templates/shared.tpl, one definition per helper, with
 * `CHARTNAME` standing for the chart's name. Each chart's generated `templates/_shared.tpl` holds
 * only the helpers its own templates include, directly or through another shared helper, so a
 * reader of a chart sees no dead code and a chart never depends on a helper it does not call.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One `{{/* doc *\/}}` + `{{- define "CHARTNAME.<name>" -}}` block of shared.tpl. */
export interface SharedHelper {
  /** The helper's name without the chart prefix, e.g. `labels`, `placement.storage`. */
  name: string;
  /** The block's text (doc comment and define), `CHARTNAME` not yet replaced. */
  text: string;
  /** Shared helpers this one includes. */
  uses: string[];
}

const DEFINE = /\{\{-?\s*define\s+"CHARTNAME\.([^"]+)"/g;
const INCLUDE_SHARED = /\{\{-?\s*(?:include|template)\s+"CHARTNAME\.([^"]+)"/g;

/** Splits shared.tpl into its header comment and its helpers, in file order. */
export function parseShared(text: string): { header: string; helpers: SharedHelper[] } {
  // Every helper starts with its doc comment at the start of a line: `{{/*`.
  const starts = [...text.matchAll(/^\{\{\/\*/gm)].map((m) => m.index);
  if (starts.length === 0) throw new Error("tools/templates/shared.tpl: no helper found (each starts with a `{{/*` doc comment at the start of a line)");
  const header = text.slice(0, starts[0]);
  const helpers: SharedHelper[] = [];
  for (let i = 0; i < starts.length; i++) {
    const block = text.slice(starts[i], starts[i + 1] ?? text.length);
    const defines = [...block.matchAll(DEFINE)].map((m) => m[1]);
    if (defines.length !== 1) {
      const line = text.slice(0, starts[i]).split("\n").length;
      throw new Error(`tools/templates/shared.tpl:${line}:1: a doc comment must be followed by exactly one define "CHARTNAME.<name>" (found ${defines.length}). Fix: one helper per doc comment.`);
    }
    const uses = [...new Set([...block.matchAll(INCLUDE_SHARED)].map((m) => m[1]).filter((n) => n !== defines[0]))];
    helpers.push({ name: defines[0], text: block, uses });
  }
  const known = new Set(helpers.map((h) => h.name));
  for (const h of helpers) {
    const missing = h.uses.filter((u) => !known.has(u));
    if (missing.length) throw new Error(`tools/templates/shared.tpl: helper ${h.name} includes ${missing.join(", ")}, which shared.tpl does not define. Fix: define it or remove the include.`);
  }
  return { header, helpers };
}

/** Shared helper names a chart's own templates include (`include "<chart>.<name>"`), every file but _shared.tpl. */
export function includedBy(chartDir: string, chart: string, helpers: readonly SharedHelper[]): Set<string> {
  const dir = join(chartDir, "templates");
  const names = new Set(helpers.map((h) => h.name));
  const escaped = chart.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?:include|template)\\s+"${escaped}\\.([^"]+)"`, "g");
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).sort()) {
    if (file === "_shared.tpl") continue;
    for (const m of readFileSync(join(dir, file), "utf8").matchAll(re)) if (names.has(m[1])) out.add(m[1]);
  }
  return out;
}

/** The closure of `roots` over the helpers' own includes. */
export function withDependencies(roots: Iterable<string>, helpers: readonly SharedHelper[]): Set<string> {
  const byName = new Map(helpers.map((h) => [h.name, h]));
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const u of byName.get(n)?.uses ?? []) visit(u);
  };
  for (const r of roots) visit(r);
  return out;
}

/** The `_shared.tpl` of one chart: the header and the helpers it uses, in shared.tpl's order. */
export function sharedFor(chart: string, chartDir: string, sharedText: string): string {
  const { header, helpers } = parseShared(sharedText);
  const used = withDependencies(includedBy(chartDir, chart, helpers), helpers);
  const blocks = helpers.filter((h) => used.has(h.name)).map((h) => h.text.replace(/\n+$/, "\n"));
  return (header + blocks.join("\n")).replaceAll("CHARTNAME", chart);
}
