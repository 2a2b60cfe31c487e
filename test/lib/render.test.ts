import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderEnvironment, valuesText } from "../../tools/lib/render.ts";
import { valuesAsHelmReadsThem } from "../helpers/helm-values.ts";
import { demoRelease, withMiniRepo } from "../helpers/mini-repo.ts";

const CLUSTER_SCOPED = {
  "charts/demo/templates/sc.yaml": "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: {{ .Release.Name }}-sc\nprovisioner: example.com/x\n",
};

describe("renderEnvironment", () => {
  it("renders with the merged values, the release name and the target namespace Flux would use", async () => {
    const files = {
      ...CLUSTER_SCOPED,
      "values/test/demo.yaml": "greeting: from-file\n",
      "clusters/test/hr.yaml": demoRelease("demo", ["targetNamespace: media", "values:", "  nested:", "    drop: null"], ["valuesFiles:", "  - charts/demo/values.yaml", "  - values/test/demo.yaml"]),
    };
    await withMiniRepo(files, async (root) => {
      const [r] = await renderEnvironment("test", { root });
      expect(r).toMatchObject({ env: "test", release: "media-demo", namespace: "media", chart: "demo", source: "clusters/test/hr.yaml" });
      const cm = r.objects.find((o) => o.kind === "ConfigMap")!;
      expect(cm.metadata).toMatchObject({ name: "media-demo", namespace: "media" });
      expect(JSON.parse((cm.data as { values: string }).values)).toEqual({ greeting: "from-file", list: ["a", "b"], nested: { keep: 1 } });
      const sc = r.objects.find((o) => o.kind === "StorageClass")!;
      expect(sc.metadata.namespace).toBeUndefined();
    });
  });

  it("fails with helm's own message, naming the HelmRelease file and the chart path", async () => {
    const files = {
      "charts/demo/templates/fail.yaml": '{{ fail "greeting must not be hello" }}\n',
      "clusters/test/hr.yaml": demoRelease("demo"),
    };
    await withMiniRepo(files, async (root) => {
      await expect(renderEnvironment("test", { root })).rejects.toThrow(/^clusters\/test\/hr\.yaml: helm v4\.\d+\.\d+ template demo failed: .*charts\/demo\/templates\/fail\.yaml.*greeting must not be hello/s);
    });
  });

  it("renders only the requested chart", async () => {
    await withMiniRepo({ "clusters/test/hr.yaml": demoRelease("demo") }, async (root) => {
      expect(await renderEnvironment("test", { root, chart: "other" })).toEqual([]);
      expect((await renderEnvironment("test", { root, chart: "demo" })).map((r) => r.release)).toEqual(["demo"]);
    });
  });
});

describe("valuesText (the values files helm reads)", () => {
  // Values that YAML and JSON could spell differently: strings that look like numbers, booleans
  // or octal, null, large integers, nested lists, unicode, multi-line text, empty collections.
  const values = {
    tag: "1.10", yes: "yes", on: "on", mode: "0755", none: null, big: 10000000000, float: 0.5, neg: -3,
    list: [{ a: 1 }, [], "x"], nested: { empty: {}, text: "line 1\nline 2\n", quote: "it's \"q\"", unicode: "Ünïcødé ✓" },
  };

  it("is JSON, from which helm reads exactly these values", async () => {
    const text = valuesText(values);
    expect(JSON.parse(text)).toEqual(values);
    const [asJson, asYaml] = (await valuesAsHelmReadsThem([text, stringify(values)])).map((j) => JSON.parse(j) as unknown);
    expect(asJson).toEqual(values);
    // Why not YAML: helm reads values as YAML 1.1 (sigs.k8s.io/yaml), in which the unquoted keys
    // and values `yes` and `on` the yaml package writes (YAML 1.2 strings) are booleans.
    expect(asYaml).toMatchObject({ true: true });
  });

  it("is YAML when a number JSON cannot hold is in it (.inf, .nan)", () => {
    expect(valuesText({ a: Number.POSITIVE_INFINITY, b: { c: Number.NaN } })).toBe("a: .inf\nb:\n  c: .nan\n");
  });
});
