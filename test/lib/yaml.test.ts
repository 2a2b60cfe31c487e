import { describe, expect, it } from "vitest";
import { InputError, loadYamlFile, parseYaml, parseYamlStream } from "../../tools/lib/yaml.ts";

describe("parseYaml", () => {
  it.each([
    { name: "duplicate key", text: "a: 1\nb:\n  c: 1\n  c: 2\n", want: /^f\.yaml:4:3: duplicate key "c": .*Fix: remove one c: line, or merge their values/ },
    { name: "unclosed flow sequence", text: "a: [1, 2\n", want: /^f\.yaml:\d+:\d+: YAML syntax: a \[list\] or \{map\} opened above is not closed\. Fix: / },
    { name: "bad indentation", text: "a:\n  b: 1\n c: 2\n", want: /^f\.yaml:3:\d+: YAML syntax: indentation: .*Fix: indent it/ },
    { name: "tab indentation", text: "a:\n\tb: 1\n", want: /^f\.yaml:2:1: YAML syntax: a tab is used for indentation.*Fix: remove the tab/ },
    // The parser reports an unclosed quote at the end of the file; the mistake is where it opened.
    { name: "an unclosed quote", text: 'a: 1\nb: "hello\nc: 3\nd: 4\n', want: /^f\.yaml:2:4: YAML syntax: the quote " opened here is never closed\. Fix: add the closing "/ },
    { name: "a missing space after the colon", text: "a:1\nb: 2\n", want: /^f\.yaml:1:1: YAML syntax: this line is not `key: value`.*Fix: write `key: value`/ },
    { name: "a second document", text: "a: 1\n---\nb: 2\n", want: /^f\.yaml:2:1: YAML syntax: a second YAML document starts here.*Fix: remove the `---` line/ },
    { name: "non-UTF-8 bytes", text: Buffer.from([0x61, 0x3a, 0x20, 0x31, 0x0a, 0x62, 0x3a, 0x20, 0xe9, 0x0a]).toString("utf8"), want: /^f\.yaml:2:4: is not UTF-8 text.*Fix: save the file as UTF-8/ },
    { name: "an oversized file", text: `a: "${"x".repeat(1024 * 1024)}"\n`, want: /^f\.yaml: is 1\.0 MiB, more than the 1 MiB .*Fix:/ },
    {
      name: "an alias bomb",
      text: `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${"*a, ".repeat(9)}*a]\nc: &c [${"*b, ".repeat(9)}*b]\nd: [${"*c, ".repeat(9)}*c]\n`,
      want: /^f\.yaml: expands its aliases \(\*name\) more than 100 times: an alias bomb.*Fix:/,
    },
    { name: "a dangling alias", text: "a: *nope\n", want: /^f\.yaml: alias \*nope refers to no anchor &nope/ },
  ])("rejects $name with file:line:col", ({ text, want }) => {
    expect(() => parseYaml(text, "f.yaml")).toThrow(InputError);
    expect(() => parseYaml(text, "f.yaml")).toThrow(want);
  });

  it("reports every syntax error of the file at once, without the parser's hints for programmers", () => {
    let message = "";
    try {
      parseYaml("a:\n\tb: 1\nc:\n  d: 1\n  d: 2\n", "f.yaml");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toEqual([expect.stringMatching(/^f\.yaml:2:1: YAML syntax: a tab/), expect.stringMatching(/^f\.yaml:5:3: duplicate key "d"/)]);
    expect(() => parseYamlStream("a: 1\n---\nb: [\n", "s.yaml")).not.toThrow(/please use|parseAllDocuments/);
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
