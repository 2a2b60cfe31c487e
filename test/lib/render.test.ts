import { describe, expect, it } from "vitest";
import { renderEnvironment } from "../../tools/lib/render.ts";
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
