import { describe, expect, it } from "vitest";
import { InputError, loadYamlFile, parseYaml, parseYamlStream } from "../../tools/lib/yaml.ts";

describe("parseYaml", () => {
  it.each([
    { name: "duplicate key", text: "a: 1\nb:\n  c: 1\n  c: 2\n", want: /^f\.yaml:4:3: Map keys must be unique.*Fix: remove or merge the duplicate key/ },
    { name: "unclosed flow sequence", text: "a: [1, 2\n", want: /^f\.yaml:\d+:\d+: malformed YAML: / },
    { name: "bad indentation", text: "a:\n  b: 1\n c: 2\n", want: /^f\.yaml:3:\d+: malformed YAML: / },
    { name: "tab indentation", text: "a:\n\tb: 1\n", want: /^f\.yaml:2:\d+: malformed YAML: / },
  ])("rejects $name with file:line:col", ({ text, want }) => {
    expect(() => parseYaml(text, "f.yaml")).toThrow(InputError);
    expect(() => parseYaml(text, "f.yaml")).toThrow(want);
  });

  it("returns positions of values and keys by path", () => {
    const doc = parseYaml("top:\n  list:\n    - name: x\n      port: 80\n", "f.yaml");
    expect(doc.value).toEqual({ top: { list: [{ name: "x", port: 80 }] } });
    expect(doc.position(["top", "list", 0, "port"])).toEqual({ line: 4, col: 13 });
    expect(doc.keyPosition(["top", "list", 0, "port"])).toEqual({ line: 4, col: 7 });
    // A path that does not exist resolves to its deepest existing ancestor.
    expect(doc.position(["top", "list", 0, "missing"])).toEqual({ line: 3, col: 7 });
  });
});

describe("parseYamlStream", () => {
  it("drops empty documents and keeps the others in order", () => {
    const docs = parseYamlStream("---\na: 1\n---\n---\nb: 2\n", "s.yaml");
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });
  it("returns nothing for an empty file", () => {
    expect(parseYamlStream("", "e.yaml")).toEqual([]);
  });
});

describe("loadYamlFile", () => {
  it("reports a missing file by name", () => {
    expect(() => loadYamlFile("/nonexistent/x.yaml", "values file")).toThrow(/\/nonexistent\/x\.yaml: values file does not exist/);
  });
});
