import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { drifted, generateAll } from "../../tools/gen/index.ts";
import { DRAFT_07, listCharts, schemaTargets } from "../../tools/gen/schemas.ts";
import { TABLE_END, TABLE_START, valuesRows, withValuesTable } from "../../tools/gen/values-table.ts";
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
    for (const o of objectSchemas(schema)) {
      if (o === schema && t.chart) continue;
      expect(o.additionalProperties, JSON.stringify(Object.keys(o.properties as object))).toBe(false);
    }
    if (t.chart) {
      // Helm injects `global` into every chart's values (helm#10392).
      expect((schema.properties as Schema).global).toMatchObject({ type: "object" });
      expect(schema.additionalProperties).toBe(false);
    }
  });

  it.each(schemaTargets(repoRoot).map((t) => ({ ...t })))("$out: every property has a description (JSDoc on every field)", (t) => {
    expect(undocumented(JSON.parse(files.get(t.out)!) as Schema)).toEqual([]);
  });

  it("gives every chart the shared helpers with its own prefix", () => {
    for (const chart of listCharts(repoRoot)) {
      const tpl = files.get(`charts/${chart}/templates/_shared.tpl`)!;
      expect(tpl).toContain(`define "${chart}.placement.storage"`);
      expect(tpl).not.toContain("CHARTNAME");
    }
  });
});

describe("values table", () => {
  const schema = {
    type: "object",
    required: ["image"],
    properties: {
      image: { $ref: "#/definitions/Image", description: "The image." },
      apps: { type: "object", additionalProperties: { $ref: "#/definitions/App" } },
      global: { type: "object" },
    },
    definitions: {
      Image: { type: "object", required: ["tag"], properties: { tag: { type: "string", default: "1.0", description: "Tag | pinned" } } },
      App: { type: "object", properties: { port: { type: "integer", minimum: 1, maximum: 65535 } } },
    },
  };

  it("lists nested keys with type, default and description, resolving refs and maps", () => {
    expect(valuesRows(schema)).toEqual([
      { key: "image", type: "object", default: "", description: "The image." },
      { key: "image.tag", type: "string", default: '`"1.0"`', description: "Tag \\| pinned" },
      { key: "apps", type: "map (optional)", default: "", description: "" },
      { key: "apps.<name>", type: "object", default: "", description: "" },
      { key: "apps.<name>.port", type: "integer (optional)", default: "", description: "Range: 1–65535." },
    ]);
  });

  it("replaces only the text between the markers", () => {
    const readme = `# x\n\nintro\n\n${TABLE_START}\nold\n${TABLE_END}\n\nfooter\n`;
    const next = withValuesTable(readme, schema);
    expect(next.startsWith("# x\n\nintro\n\n")).toBe(true);
    expect(next.endsWith(`${TABLE_END}\n\nfooter\n`)).toBe(true);
    expect(next).toContain("| `image.tag` | string |");
    expect(next).not.toContain("\nold\n");
  });

  it("appends a Values section when the markers are missing", () => {
    expect(withValuesTable("# x\n", schema)).toMatch(/^# x\n\n## Values\n\n<!-- values-table:start/);
  });

  it("is in each chart README", () => {
    for (const chart of listCharts(repoRoot)) {
      const readme = readFileSync(join(repoRoot, "charts", chart, "README.md"), "utf8");
      expect(readme).toContain(TABLE_START);
    }
  });
});
