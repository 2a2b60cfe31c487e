import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listCharts } from "../../tools/gen/schemas.ts";
import { TABLE_END, TABLE_START, valuesRows, withValuesTable } from "../../tools/gen/values-table.ts";
import { repoRoot } from "../../tools/lib/paths.ts";

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
