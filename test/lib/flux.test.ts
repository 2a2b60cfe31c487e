import { describe, expect, it } from "vitest";
import { listEnvironments, loadEnvironment, releaseName } from "../../tools/lib/flux.ts";
import { InputError } from "../../tools/lib/yaml.ts";
import { demoRelease, withMiniRepo } from "../helpers/mini-repo.ts";

describe("releaseName (helm-controller naming)", () => {
  it.each([
    { name: "plain", hr: { metadata: { name: "sonarr" } }, want: "sonarr" },
    { name: "releaseName wins", hr: { metadata: { name: "x" }, spec: { releaseName: "y", targetNamespace: "t" } }, want: "y" },
    { name: "targetNamespace prefixes", hr: { metadata: { name: "app" }, spec: { targetNamespace: "media" } }, want: "media-app" },
    {
      name: "over 53 characters is shortened with a sha256 suffix",
      hr: { metadata: { name: "a".repeat(60) } },
      // first 40 chars, a dash, then the first 12 hex digits of sha256("a" * 60)
      want: `${"a".repeat(40)}-11ee391211c6`,
    },
  ])("$name", ({ hr, want }) => {
    expect(releaseName(hr)).toBe(want);
  });
  it("keeps a 53-character name as is", () => {
    expect(releaseName({ metadata: { name: "b".repeat(53) } })).toBe("b".repeat(53));
  });
});

describe("loadEnvironment: profiles as Flux renders them", () => {
  it("lists environments from clusters/", async () => {
    await withMiniRepo({ "clusters/test/hr.yaml": demoRelease("demo"), "clusters/other/x.yaml": "" }, (root) => {
      expect(listEnvironments(root)).toEqual(["other", "test"]);
    });
  });

  it("uses the chart's values.yaml when valuesFiles is not set", async () => {
    await withMiniRepo({ "clusters/test/hr.yaml": demoRelease("demo") }, (root) => {
      const [p] = loadEnvironment("test", root).profiles;
      expect(p).toMatchObject({ release: "demo", namespace: "apps", chart: "demo" });
      expect(p.values).toEqual({ greeting: "hello", list: ["a", "b"], nested: { keep: 1, drop: 2 } });
    });
  });

  it("ignores the chart's values.yaml when valuesFiles does not list it", async () => {
    const files = {
      "values/test/demo.yaml": "greeting: hi\n",
      "clusters/test/hr.yaml": demoRelease("demo", [], ["valuesFiles:", "  - values/test/demo.yaml"]),
    };
    await withMiniRepo(files, (root) => {
      const [p] = loadEnvironment("test", root).profiles;
      expect(p.values).toEqual({ greeting: "hi" });
    });
  });

  it("merges valuesFiles in order, then valuesFrom, then spec.values; lists replace; null deletes", async () => {
    const files = {
      "values/test/demo.yaml": "greeting: from-file\nlist: [x]\nnested:\n  keep: 10\n",
      "clusters/test/cm.yaml": [
        "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: demo-values", "  namespace: apps", "data:",
        "  values.yaml: |", "    greeting: from-configmap", "    extra: 1", "  host: media.example", "",
      ].join("\n"),
      "clusters/test/hr.yaml": demoRelease(
        "demo",
        [
          "valuesFrom:", "  - kind: ConfigMap", "    name: demo-values", "  - kind: ConfigMap", "    name: demo-values",
          "    valuesKey: host", "    targetPath: ingress.host", "values:", "  extra: 2", "  nested:", "    drop: null",
        ],
        ["valuesFiles:", "  - charts/demo/values.yaml", "  - values/test/demo.yaml"],
      ),
    };
    await withMiniRepo(files, (root) => {
      const [p] = loadEnvironment("test", root).profiles;
      expect(p.defaults).toEqual({ greeting: "from-file", list: ["x"], nested: { keep: 10, drop: 2 } });
      expect(p.user).toEqual({ greeting: "from-configmap", extra: 2, ingress: { host: "media.example" }, nested: { drop: null } });
      expect(p.values).toEqual({ greeting: "from-configmap", list: ["x"], nested: { keep: 10 }, extra: 2, ingress: { host: "media.example" } });
    });
  });

  it("reads valuesFrom Secrets in the repo (data is base64, stringData is plain), and skips optional missing ones", async () => {
    const secret = [
      "apiVersion: v1", "kind: Secret", "metadata:", "  name: demo-secret", "  namespace: apps", "data:",
      `  values.yaml: ${Buffer.from("greeting: from-secret\n").toString("base64")}`, "stringData:", "  extra.yaml: |", "    extra: plain", "",
    ].join("\n");
    const files = {
      "clusters/test/secret.yaml": secret,
      "clusters/test/hr.yaml": demoRelease("demo", [
        "valuesFrom:", "  - kind: Secret", "    name: demo-secret", "  - kind: Secret", "    name: demo-secret", "    valuesKey: extra.yaml",
        "  - kind: ConfigMap", "    name: not-in-git", "    optional: true",
      ]),
    };
    await withMiniRepo(files, (root) => {
      const [p] = loadEnvironment("test", root).profiles;
      expect(p.user).toEqual({ greeting: "from-secret", extra: "plain" });
      expect(p.values.greeting).toBe("from-secret");
    });
  });

  it("applies kustomization patches targeting HelmReleases (remediation defaults in one place)", async () => {
    const files = {
      "clusters/test/hr.yaml": demoRelease("demo"),
      "clusters/test/kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources: [source.yaml, hr.yaml]", "patches:",
        "  - target:", "      kind: HelmRelease", "    patch: |", "      apiVersion: helm.toolkit.fluxcd.io/v2", "      kind: HelmRelease",
        "      metadata:", "        name: all", "      spec:", "        install:", "          remediation:", "            retries: 3", "",
      ].join("\n"),
    };
    await withMiniRepo(files, (root) => {
      const env = loadEnvironment("test", root);
      const [p] = env.profiles;
      expect((p.hr.spec as { install: unknown }).install).toEqual({ remediation: { retries: 3 } });
      expect(env.objects.map((o) => o.obj.kind).sort()).toEqual(["GitRepository", "HelmRelease"]);
    });
  });

  it.each([
    {
      name: "a HelmRelease pointing at a missing chart",
      files: { "clusters/test/hr.yaml": demoRelease("demo").replace("./charts/demo", "./charts/nope") },
      want: /clusters\/test\/hr\.yaml:10:\d+: HelmRelease apps\/demo: chart \.\/charts\/nope is not a chart of this repository.*Fix:/,
    },
    {
      name: "a missing values file",
      files: { "clusters/test/hr.yaml": demoRelease("demo", [], ["valuesFiles:", "  - values/test/missing.yaml"]) },
      want: /clusters\/test\/hr\.yaml:16:\d+: HelmRelease apps\/demo: values file values\/test\/missing\.yaml does not exist\. Fix:/,
    },
    {
      name: "a values file that climbs out of the repository with ..",
      files: { "clusters/test/hr.yaml": demoRelease("demo", [], ["valuesFiles:", "  - ../shared/values.yaml"]) },
      want: /clusters\/test\/hr\.yaml:16:\d+: HelmRelease apps\/demo: values file "\.\.\/shared\/values\.yaml" is outside the repository.*Fix: keep the file in this repository/,
    },
    {
      name: "a values file with an absolute path",
      files: { "clusters/test/hr.yaml": demoRelease("demo", [], ["valuesFiles:", "  - /etc/hostname"]) },
      want: /values file "\/etc\/hostname" is outside the repository/,
    },
    {
      name: "an undefined sourceRef",
      files: { "clusters/test/hr.yaml": demoRelease("demo").replace("name: repo", "name: nope") },
      want: /sourceRef GitRepository\/flux-system\/nope is not defined in clusters\/test\/\. Fix:/,
    },
    {
      name: "a missing valuesFrom ConfigMap",
      files: { "clusters/test/hr.yaml": demoRelease("demo", ["valuesFrom:", "  - kind: ConfigMap", "    name: gone"]) },
      want: /valuesFrom ConfigMap\/apps\/gone is not in clusters\/test\/\. Fix:/,
    },
    {
      name: "malformed YAML",
      files: { "clusters/test/hr.yaml": "apiVersion: v1\nkind: [unclosed\n" },
      want: /clusters\/test\/hr\.yaml:\d+:\d+: YAML syntax: /,
    },
    {
      name: "duplicate keys",
      files: { "clusters/test/hr.yaml": demoRelease("demo").replace("  interval: 10m\n", "  interval: 10m\n  interval: 5m\n") },
      want: /clusters\/test\/hr\.yaml:8:3: duplicate key "[^"]+".*Fix: remove one/,
    },
  ])("rejects $name with file:line:col and a fix", async ({ files, want }) => {
    await withMiniRepo(files, (root) => {
      let err: unknown;
      try {
        loadEnvironment("test", root);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(String((err as Error).message)).toMatch(want);
    });
  });

  it("reports an unknown environment with the known ones", async () => {
    await withMiniRepo({ "clusters/test/hr.yaml": demoRelease("demo") }, (root) => {
      expect(() => loadEnvironment("prod", root)).toThrow(/environment "prod" does not exist\. Fix: use one of test/);
    });
  });
});
