import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { repoRoot } from "../../tools/lib/paths.ts";
import { fastValue, InputError, loadYamlFile, parseYaml, parseYamlStream } from "../../tools/lib/yaml.ts";

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

describe("the fast path (js-yaml first, positions from the `yaml` package when asked for)", () => {
  /** What the full parser makes of `text` (the reference), or undefined when it reports an error. */
  const reference = (text: string): { value: unknown } | undefined => {
    const doc = parseDocument(text, { uniqueKeys: true });
    return doc.errors.length > 0 ? undefined : { value: doc.toJS({ maxAliasCount: 100 }) };
  };

  // Plain scalars in every form the YAML 1.2 core schema resolves, and the forms where js-yaml and
  // `yaml` disagree (those must take the full parser).
  const scalars = [
    "1", "+12", "-0", "012", "00012", "0o17", "0x1F", "0b11", "1_000", "+0o17", "-0x1F",
    "1.0", "1.50", ".5", "5.", "-.5E-3", "0.1e+2", "1e5", "+.inf", "-.INF", ".NaN", ".nan", "+.nan",
    "true", "True", "TRUE", "false", "yes", "no", "on", "off", "y", "n",
    "null", "Null", "NULL", "", "2001-12-14", "12:30", "a:b", "-", "=", "<<", "http://x/y",
  ];
  const documents = [
    ...scalars.flatMap((s) => [`k: ${s}\n`, `${s || "''"}: v\n`, `- ${s}\n`, `k: [${s || "''"}, x]\n`]),
    "~: a\n", "null: a\n", ": a\n", "k: ~\n", "k: 1e400\n", `k: ${"9".repeat(320)}\n`,
    "k: |\n  a\n  b\n", "k: |-\n  a\n\n", "k: |+\n  a\n\n", "k: >\n  a\n  b\n\n  c\n", "k: >2\n   a\n  b\n",
    'k: "a\\tb\\u00e9\\x41"\n', "k: 'it''s'\n", "k: [a, b, {c: d}]\n", "k: {a: 1, b: [2]}\n", "k:\n- a\n- b: c\n  d: e\n",
    '"1": a\n1: b\n', "k: a # c\n# x\nj: b\n", "---\nk: v\n...\n", "k:\n", "k: ''\n", "__proto__: x\n",
    "a: &x 1\nb: *x\n", "k: !!str 1\n", "%YAML 1.2\n---\nk: v\n", "? [a]\n: b\n", "k:\tv\n", "k: v\r\n",
  ];

  it.each(documents.map((text) => ({ text })))("reads $text as the full parser does, or leaves it to it", ({ text }) => {
    const fast = fastValue(text);
    if (fast) expect(fast.value).toEqual(reference(text)?.value);
    // a text the full parser rejects never takes the fast path: its message comes from there
    if (!reference(text)) expect(fast).toBeUndefined();
  });

  it("leaves the forms where the two parsers differ to the full parser", () => {
    for (const text of ["~: a\n", "null: a\n", ": a\n", "k: 1e400\n", `k: ${"9".repeat(320)}\n`, "a: &x 1\nb: *x\n", "k: !!str 1\n", "? [a]\n: b\n", '"1": a\n1: b\n']) {
      expect(fastValue(text), text).toBeUndefined();
    }
  });

  it("reads every single-document YAML file of the repository as the full parser does", () => {
    const files = ["values", "charts", "clusters"].flatMap((dir) =>
      readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" }).filter((f) => /\.ya?ml$/.test(f) && !f.includes("/templates/")).map((f) => join(dir, f)),
    );
    let fastOnes = 0;
    for (const f of files) {
      const text = readFileSync(join(repoRoot, f), "utf8");
      const fast = fastValue(text);
      if (!fast) continue;
      fastOnes++;
      expect(fast.value, f).toEqual(reference(text)?.value);
    }
    // most of the repository's YAML takes the fast path (else it would not be one)
    expect(fastOnes).toBeGreaterThan(files.length / 2);
  });

  it("finds positions of a document read on the fast path", () => {
    const text = "apps:\n  sonarr:\n    port: 8989\n    image:\n      tag: \"4.0\"\n";
    expect(fastValue(text)).toBeDefined();
    const doc = parseYaml(text, "f.yaml");
    expect(doc.value).toEqual({ apps: { sonarr: { port: 8989, image: { tag: "4.0" } } } });
    expect(doc.position(["apps", "sonarr", "port"])).toEqual({ line: 3, col: 11 });
    expect(doc.keyPosition(["apps", "sonarr", "image", "tag"])).toEqual({ line: 5, col: 7 });
  });
});
