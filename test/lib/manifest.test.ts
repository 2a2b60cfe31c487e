/** parseManifest: helm's output read with js-yaml as the rest of the repository reads YAML (1.2 core schema). */
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../tools/lib/render.ts";
import { parseYamlStream } from "../../tools/lib/yaml.ts";

describe("parseManifest", () => {
  it("returns the documents of a stream, empty ones dropped, as the yaml package reads them", () => {
    const text = [
      "---", "# Source: demo/templates/cm.yaml", "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: a",
      "data:", "  date: 2024-01-01", "  yes: no", "  octal: 0o17", "  n: ~", "  multi: |", "    line 1", "    line 2", "---", "---",
      "# Source: demo/templates/empty.yaml", "---", "apiVersion: v1", "kind: Service", "metadata: { name: b }", "spec: { ports: [{ port: 80 }] }", "",
    ].join("\n");
    const objects = parseManifest(text, "helm template demo");
    expect(objects.map((o) => o.kind)).toEqual(["ConfigMap", "Service"]);
    // no YAML 1.1 timestamps or booleans: the same values the yaml package gives
    expect(objects[0].data).toEqual({ date: "2024-01-01", yes: "no", octal: 15, n: null, multi: "line 1\nline 2\n" });
    expect(objects).toEqual(parseYamlStream(text, "x").map((d) => d.value));
  });

  it("rejects a duplicate key with its line and column", () => {
    expect(() => parseManifest("a: 1\nb: 2\na: 3\n", "helm template demo")).toThrow(/^helm template demo:3:\d+: malformed YAML: duplicated mapping key/);
  });

  it("rejects malformed YAML with its position", () => {
    expect(() => parseManifest("a: [1, 2\n", "helm template demo")).toThrow(/^helm template demo:\d+:\d+: malformed YAML: /);
  });
});
