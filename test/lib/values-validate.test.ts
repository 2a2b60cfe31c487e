import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { coalesce, mergeMaps } from "../../tools/lib/merge.ts";
import { compileSchema, validateLayers, type ValuesLayer } from "../../tools/lib/values-validate.ts";
import { parseYaml } from "../../tools/lib/yaml.ts";

const temp = mkdtempSync(join(tmpdir(), "schema-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const schemaPath = join(temp, "s.json");
writeFileSync(
  schemaPath,
  JSON.stringify({
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: false,
    properties: {
      port: { type: "integer", minimum: 1 },
      mode: { enum: ["local", "both"] },
      soft: { const: false, description: "true prevents replica scheduling on 2 nodes." },
      image: { type: "object", additionalProperties: false, required: ["repository"], properties: { repository: { type: "string" }, tag: { type: "string" } } },
    },
  }),
);

function layer(file: string, text: string, base: string[] = []): ValuesLayer {
  const doc = parseYaml(text, file);
  let value = doc.value as Record<string, unknown>;
  for (const k of base) value = value[k] as Record<string, unknown>;
  return { doc, base, mount: [], value };
}

function check(layers: ValuesLayer[]) {
  const defaults = layers.slice(0, -1).reduce((a, l) => mergeMaps(a, l.value as Record<string, unknown>), {});
  const values = coalesce(defaults, layers[layers.length - 1].value as Record<string, unknown>);
  return validateLayers(values, layers, schemaPath).map((e) => e.message);
}

describe("validateLayers: errors at the line the operator must edit", () => {
  const chart = () => layer("charts/x/values.yaml", "port: 8080\nmode: both\nsoft: false\nimage:\n  repository: r\n  tag: t\n");

  it.each([
    {
      name: "unknown key, with a suggestion",
      top: "imgae:\n  tag: x\n",
      want: ['values/env/x.yaml:1:1: imgae: unknown key "imgae" (did you mean "image"?). Fix: rename it to image'],
    },
    { name: "wrong type", top: "port: eighty\n", want: ["values/env/x.yaml:1:7: port: must be integer (got \"eighty\")"] },
    { name: "enum", top: "mode: remote\n", want: ['values/env/x.yaml:1:7: mode: must be one of "local", "both" (got "remote")'] },
    {
      name: "const with the schema's reason",
      top: "\nsoft: true\n",
      want: ["values/env/x.yaml:2:7: soft: must be false (got true). Why: true prevents replica scheduling on 2 nodes."],
    },
    { name: "nested unknown key", top: "image:\n  tga: x\n", want: ['values/env/x.yaml:2:3: image.tga: unknown key "tga" (did you mean "tag"?). Fix: rename it to tag'] },
    { name: "unknown key without a near one", top: "zzzzzz: 1\n", want: ['values/env/x.yaml:1:1: zzzzzz: unknown key "zzzzzz". Fix: remove it (allowed: port, mode, soft, image)'] },
    { name: "required key deleted by null", top: "image:\n  repository: null\n", want: ["values/env/x.yaml:2:3: image.repository: is required but missing. Fix: set image.repository"] },
  ])("$name", ({ top, want }) => {
    expect(check([chart(), layer("values/env/x.yaml", top)])).toEqual(want);
  });

  it("a misspelt required key is reported once, as unknown with its rename, not also as missing", () => {
    const only = layer("values/env/x.yaml", "image:\n  repositry: r\n");
    expect(validateLayers(only.value, [only], schemaPath).map((e) => e.message)).toEqual([
      'values/env/x.yaml:2:3: image.repositry: unknown key "repositry" (did you mean "repository"?). Fix: rename it to repository',
    ]);
  });

  it("a nullable object reports its real error, without \"must be null\" before it", () => {
    const nullable = join(temp, "n.json");
    writeFileSync(nullable, JSON.stringify({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { ingress: { anyOf: [{ type: "object", additionalProperties: false, properties: { host: { type: "string" } } }, { type: "null" }] } },
    }));
    const l = layer("values/env/x.yaml", "ingress:\n  host: 5\n");
    expect(validateLayers(l.value, [l], nullable).map((e) => e.message)).toEqual(["values/env/x.yaml:2:9: ingress.host: must be string (got 5)"]);
  });

  it("attributes an error to the top-most layer that sets the key", () => {
    const hr = layer("clusters/env/x.yaml", "spec:\n  values:\n    port: -1\n", ["spec", "values"]);
    expect(check([chart(), layer("values/env/x.yaml", "port: 0\n"), hr])).toEqual(["clusters/env/x.yaml:3:11: port: must be >= 1 (got -1)"]);
  });

  it("passes valid values", () => {
    expect(check([chart(), layer("values/env/x.yaml", "port: 9\n")])).toEqual([]);
  });
});

describe("compileSchema keeps a schema file's validator while the file is unchanged", () => {
  it("validates against the new content once the file is rewritten", () => {
    const file = join(temp, "changing.json");
    const schema = (max: number) => JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { n: { type: "integer", maximum: max } } });
    writeFileSync(file, schema(5));
    expect(compileSchema(file)({ n: 7 })).toBe(false);
    expect(compileSchema(file)({ n: 7 })).toBe(false);
    // same size, new content: the file's state (mtime, ctime) changes, so it is read again
    writeFileSync(file, schema(9));
    expect(compileSchema(file)({ n: 7 })).toBe(true);
  });
});
