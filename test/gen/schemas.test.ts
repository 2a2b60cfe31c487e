import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseShared, withDependencies } from "../../tools/gen/shared.ts";
import { describe, expect, it } from "vitest";
import { drifted, generateAll } from "../../tools/gen/index.ts";
import { DRAFT_07, listCharts, schemaTargets } from "../../tools/gen/schemas.ts";
import { repoRoot } from "../../tools/lib/paths.ts";

type Schema = Record<string, unknown>;

/** Every object schema in a schema tree. */
function objectSchemas(node: unknown, out: Schema[] = []): Schema[] {
  if (Array.isArray(node)) node.forEach((n) => objectSchemas(n, out));
  else if (node && typeof node === "object") {
    const s = node as Schema;
    if (s.properties) out.push(s);
    Object.values(s).forEach((v) => objectSchemas(v, out));
  }
  return out;
}

/** Key paths of properties without a description (directly or on the definition they refer to). */
function undocumented(root: Schema): string[] {
  const defs = (root.definitions ?? {}) as Record<string, Schema>;
  const missing: string[] = [];
  const refName = (s: Schema) => String(s.$ref ?? "").replace("#/definitions/", "");
  const visit = (node: Schema | undefined, path: string, seen: Set<string>) => {
    if (!node) return;
    if (node.$ref) {
      const n = refName(node);
      if (seen.has(n)) return;
      visit(defs[n], path, new Set([...seen, n]));
      return;
    }
    for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
      if (!v.description && !(v.$ref && defs[refName(v)]?.description)) missing.push(`${path}${k}`);
      visit(v, `${path}${k}.`, seen);
    }
    if (node.additionalProperties && typeof node.additionalProperties === "object") visit(node.additionalProperties as Schema, `${path}<name>.`, seen);
    if (node.items) visit(node.items as Schema, `${path}[].`, seen);
    for (const a of (node.anyOf ?? []) as Schema[]) visit(a, path, seen);
  };
  visit(root, "", new Set());
  return missing;
}

describe("generated schemas", async () => {
  const files = await generateAll(repoRoot);

  it("are committed and up to date (gen-schema --check)", () => {
    expect(drifted(files, repoRoot)).toEqual([]);
  });

  it.each(schemaTargets(repoRoot).map((t) => ({ ...t })))("$out: draft-07, closed objects, no checkout paths", (t) => {
    const text = files.get(t.out)!;
    const schema = JSON.parse(text) as Schema;
    expect(schema.$schema).toBe(DRAFT_07);
    expect(Object.keys(schema)[0]).toBe("$schema");
    expect(text).not.toContain(repoRoot);
    expect(text).not.toContain("import(");
    // Typed upstream values accept every key the upstream chart accepts (lint checks those keys
    // against the chart's own schema or values.yaml, tools/lint/upstream): open by design.
    const upstream = t.out.startsWith("schema/generated/upstream-");
    for (const o of objectSchemas(schema)) {
      if ((o === schema && t.chart) || upstream) continue;
      expect(o.additionalProperties, JSON.stringify(Object.keys(o.properties as object))).toBe(false);
    }
    if (t.chart) {
      // Helm injects `global` into every chart's values (helm#10392).
      expect((schema.properties as Schema).global).toMatchObject({ type: "object" });
      expect(schema.additionalProperties).toBe(false);
    }
  });

  it.each(schemaTargets(repoRoot).map((t) => ({ ...t })))("$out: every property has a description (JSDoc on every field)", (t) => {
    // @kubernetes-models/flux-cd declares helm-controller's Duration fields (interval, timeout,
    // retryInterval) as bare strings without the CRD's text; every other field must be documented.
    const duration = /(^|\.)(interval|timeout|retryInterval)$/;
    const missing = undocumented(JSON.parse(files.get(t.out)!) as Schema).filter((p) => !(t.out.includes("/helmrelease") && duration.test(p)));
    expect(missing).toEqual([]);
  });

  it("gives every chart exactly the shared helpers its templates use, with its own prefix", () => {
    const { helpers } = parseShared(readFileSync(join(repoRoot, "tools/templates/shared.tpl"), "utf8"));
    for (const chart of listCharts(repoRoot)) {
      const tpl = files.get(`charts/${chart}/templates/_shared.tpl`)!;
      expect(tpl).not.toContain("CHARTNAME");
      const shipped = [...tpl.matchAll(/define "([^"]+)"/g)].map((m) => m[1]);
      // Every helper any template of the chart includes (its own or a shipped one) is defined once;
      // nothing else is shipped.
      const text = readdirSync(join(repoRoot, "charts", chart, "templates")).map((f) => (f === "_shared.tpl" ? tpl : readFileSync(join(repoRoot, "charts", chart, "templates", f), "utf8"))).join("\n");
      const included = new Set([...text.matchAll(new RegExp(`include "${chart}\\.([^"]+)"`, "g"))].map((m) => m[1]));
      const shared = helpers.map((h) => h.name);
      expect(shipped.map((n) => n.slice(chart.length + 1)).sort(), chart).toEqual([...included].filter((n) => shared.includes(n)).sort());
      expect(new Set(shipped).size, `${chart}: no helper defined twice`).toBe(shipped.length);
    }
    // The storage placement, the linuxserver blocks and the Ingress go only where they are used.
    const longhorn = files.get("charts/longhorn-config/templates/_shared.tpl")!;
    for (const h of ["placement.storage", "linuxserver.env", "ingress", "image"]) expect(longhorn).not.toContain(`define "longhorn-config.${h}"`);
    expect(files.get("charts/clusterplex/templates/_shared.tpl")).not.toContain('define "clusterplex.ingress"');
    expect(files.get("charts/decypharr/templates/_shared.tpl")).toContain('define "decypharr.ingress"');
  });

  it("ships a helper that only another shared helper includes, and rejects a helper that includes an undefined one", () => {
    const tpl = [
      "{{- /* header */ -}}",
      "{{/* a */}}",
      '{{- define "CHARTNAME.a" -}}{{ include "CHARTNAME.b" . }}{{- end }}',
      "{{/* b */}}",
      '{{- define "CHARTNAME.b" -}}b{{- end }}',
      "{{/* c */}}",
      '{{- define "CHARTNAME.c" -}}c{{- end }}',
      "",
    ].join("\n");
    const { helpers } = parseShared(tpl);
    expect([...withDependencies(["a"], helpers)].sort()).toEqual(["a", "b"]);
    expect(() => parseShared(tpl.replace('"CHARTNAME.b" .', '"CHARTNAME.zz" .'))).toThrow(/helper a includes zz, which shared.tpl does not define/);
  });
});
