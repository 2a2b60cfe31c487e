/** parseManifest: helm's output read as the API server receives it (go-yaml v2, tools/lib/go-yaml.ts). */
import { loadAll } from "js-yaml";
import { describe, expect, it } from "vitest";
import { GO_YAML_V2_SCHEMA } from "../../tools/lib/go-yaml.ts";
import { manifestDocuments, parseManifest } from "../../tools/lib/render.ts";
import { parseYamlStream } from "../../tools/lib/yaml.ts";

describe("parseManifest", () => {
  it("returns the documents of a stream, empty ones dropped, with plain scalars read as YAML 1.1 (go-yaml v2)", () => {
    const text = [
      "---", "# Source: demo/templates/cm.yaml", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a",
      "data:", "  date: 2024-01-01", "  yes: no", "  octal: 0o17", "  mode: 0444", "  big: 1_000", "  nothing: ~", "  multi: |", "    line 1", "    line 2", "---", "---",
      "# Source: demo/templates/empty.yaml", "---", "apiVersion: v1", "kind: Service", "metadata: { name: b }", "spec: { ports: [{ port: 80 }] }", "",
    ].join("\n");
    const objects = parseManifest(text, "helm template demo");
    expect(objects.map((o) => o.kind)).toEqual(["ConfigMap", "Service"]);
    // timestamps stay strings (go-yaml v2 decodes them so into interface{}); yes/no, 0444 and 1_000 are YAML 1.1's
    expect(objects[0].data).toEqual({ date: "2024-01-01", true: false, octal: 15, mode: 0o444, big: 1000, nothing: null, multi: "line 1\nline 2\n" });
    // where the YAML 1.2 reader of the repository's own files differs
    const yaml12 = parseYamlStream(text, "x").map((d) => d.value) as { data?: Record<string, unknown> }[];
    expect(yaml12[0].data).toMatchObject({ yes: "no", mode: 444, big: "1_000" });
  });

  it("rejects a duplicate key with its line and column", () => {
    expect(() => parseManifest("a: 1\nb: 2\na: 3\n", "helm template demo")).toThrow(/^helm template demo:3:\d+: malformed YAML: duplicated mapping key/);
  });

  it("rejects malformed YAML with its position", () => {
    expect(() => parseManifest("a: [1, 2\n", "helm template demo")).toThrow(/^helm template demo:\d+:\d+: malformed YAML: /);
  });

  // parseManifest reads one document at a time (its doc comment says why); the result must be the
  // stream's, whatever the documents hold.
  const streams = [
    "...\n", "a: 1\n...\n", "a: 1\n...\n---\nb: 2\n", "--- |\n  foo\n---\nb: 1\n", "--- |\nfoo\nbar\n", "--- >\n folded\n text\n---\n",
    "---\n", "", "# only a comment\n", "---\n# c\n---\n", "a: |\n  x\n  ---\n  y\n", "a: \"multi\n  line\"\n---\nb: 1\n", "--- a\n--- b\n",
    "---\t\nx: 1\n", "x: ---\n", "- a\n- b\n---\n- c\n", "--- !!str 12\n", "a: &x 1\nb: *x\n---\nc: 2\n", "k: 'it''s\n  ---'\n",
  ];
  it.each(streams)("reads %j as the whole stream reads", (text) => {
    expect(manifestDocuments(text)!.join("")).toBe(text);
    expect(parseManifest(text, "t")).toEqual(loadAll(text, { schema: GO_YAML_V2_SCHEMA }).filter((d) => d !== null && d !== undefined));
  });

  it("reads a stream with directives or other line breaks than LF whole", () => {
    for (const text of ["%YAML 1.2\n---\na: 1\n", "a: 1\r\n---\r\nb: 2\r\n", "a: \"x\u2028---\"\n"]) {
      expect(manifestDocuments(text)).toBeUndefined();
      expect(parseManifest(text, "t")).toEqual(loadAll(text, { schema: GO_YAML_V2_SCHEMA }));
    }
  });

  it("reports an error in a later document at its line in the stream", () => {
    const text = "---\na: 1\n---\nb: 2\n---\nc: [1\n";
    expect(() => parseManifest(text, "helm template demo")).toThrow(/^helm template demo:7:1: malformed YAML: /);
    expect(() => parseManifest("---\na: 1\n---\nb: 1\nb: 2\n", "helm template demo")).toThrow(/^helm template demo:5:1: malformed YAML: duplicated mapping key/);
  });
});
