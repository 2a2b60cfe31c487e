/**
 * tools/lint/yaml11.ts: values files as Flux reads them (YAML 1.1, sigs.k8s.io/yaml over go-yaml
 * v2). helm reads a `-f` values file with the same library (chartutil.ReadValues), so the real
 * helm is the reference the port is checked against.
 */
import { describe, expect, it } from "vitest";
import { goYamlV2Key, goYamlV2Plain } from "../../tools/lib/go-yaml.ts";
import { yaml11Divergences } from "../../tools/lint/yaml11.ts";
import { runCli } from "../helpers/cli.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { valuesAsHelmReadsThem } from "../helpers/helm-values.ts";

/** Plain scalars where YAML 1.1 readers and YAML 1.2 ones may part, and look-alikes where they do not. */
const PLAIN = [
  "yes", "Yes", "YES", "y", "Y", "no", "No", "NO", "n", "N", "on", "On", "ON", "off", "Off", "OFF", "true", "False", "null", "~",
  "yES", "yes please", "y2k", "Norway", "onward",
  "0", "-0", "12", "+12", "-12", "0755", "-0755", "+0755", "08", "0o17", "0O17", "0x1F", "0X1F", "-0x1F", "+0x1F", "0b101", "-0b101", "0x", "0b2",
  "1_000", "1__0", "_1", "1_000.5", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551615", "18446744073709551616",
  "1e3", "1e6", "1E-7", "1.5", "+.5", ".5", "-.5", "1.", "0.1", "123456.7", "1234567.8", ".5_0", ".5__0", "._5", ".5_", ".5e1_0", ".5e_1",
  "2024-01-01", "2024-1-2", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "10:30", "1:20:30", "0:30",
  "abc", "0.0.0.0", "1.2.3", "v1.0", "+", "0xZZ",
];

describe("goYamlV2Plain against helm's own reading of a values file", () => {
  it("resolves every value and key as helm 4 (sigs.k8s.io/yaml, go-yaml v2) does", async () => {
    // each scalar as a value, and as the only key of its own map (keys that resolve alike would clash)
    const keyed = PLAIN.filter((s) => !["null", "~"].includes(s) && goYamlV2Key(goYamlV2Plain(s)) !== undefined);
    const [json] = await valuesAsHelmReadsThem([["v:", ...PLAIN.map((s) => `  - ${s}`), "k:", ...keyed.map((s) => `  - ${s}: 0`), ""].join("\n")]);
    const got = JSON.parse(json) as { v: unknown[]; k: Record<string, number>[] };
    PLAIN.forEach((s, i) => {
      const r = goYamlV2Plain(s);
      // numbers reach the chart as float64 (sigs.k8s.io/yaml decodes through encoding/json)
      expect(got.v[i], s).toEqual(r.tag === "int" ? Number(r.value) : r.value);
    });
    keyed.forEach((s, i) => expect(Object.keys(got.k[i]), s).toEqual([goYamlV2Key(goYamlV2Plain(s))]));
  });
});

describe("yaml11Divergences", () => {
  const messages = (text: string) => yaml11Divergences(text, "values/homelab/x.yaml").map((e) => e.message);

  it("reports a value and a key that Flux reads otherwise, at their line and column, with the fix", () => {
    const text = "apps:\n  sonarr:\n    env:\n      COUNTRY: NO\n      UMASK: 0022\non: 1\n";
    expect(messages(text)).toEqual([
      `values/homelab/x.yaml:4:16: apps.sonarr.env.COUNTRY: the value NO is the string "NO" to this lint and the schemas but the boolean false to Flux, which reads valuesFiles as YAML 1.1 (source-controller mergeFileValues, sigs.k8s.io/yaml). Fix: quote it ("NO") if you mean the text, or write false if you mean that`,
      `values/homelab/x.yaml:5:14: apps.sonarr.env.UMASK: the value 0022 is the number 22 to this lint and the schemas but the number 18 to Flux, which reads valuesFiles as YAML 1.1 (source-controller mergeFileValues, sigs.k8s.io/yaml). Fix: quote it ("0022") if you mean the text, or write 18 if you mean that`,
      `values/homelab/x.yaml:6:1: on: the key on is the key "on" to this lint and the schemas but the key "true" to Flux, which reads valuesFiles as YAML 1.1 (source-controller mergeFileValues, sigs.k8s.io/yaml). Fix: quote it ("on") if you mean the text, or write true if you mean that`,
    ]);
  });

  it.each([
    ["quoted", `a: "NO"\nb: 'yes'\nc: "0755"\n`],
    ["in a comment", "# yes, no, on, off, 0755\na: 1 # no\n"],
    ["in a block scalar", "a: |\n  yes\n  0755\nb: >\n  on\n"],
    ["the same to both", "a: true\nb: 12\nc: 0x1F\nd: 0o17\ne: 1.5\nf: 2024-01-01\ng: 10:30\nh: ~\ni: yes please\nj: 08\n"],
    ["in a list of the same", "a: [1, 2, true, null]\n"],
  ])("accepts a file with them %s", (_name, text) => {
    expect(messages(text)).toEqual([]);
  });

  it("reports a merge key, which Flux expands and this lint keeps as a key", () => {
    expect(messages("base: &b {x: 1}\nuse:\n  <<: *b\n")).toEqual([expect.stringMatching(/^values\/homelab\/x\.yaml:3:3: use\.<<: the key << is the key "<<" to this lint .* but a merge key \(<<\) to Flux/)]);
  });
});

describe("yaml11Divergences on clusters/ files", () => {
  it("reads every document of a stream, and says the cluster gets the file so", () => {
    const text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  mode: 0644\n";
    expect(yaml11Divergences(text, "clusters/homelab/x.yaml", "clusters").map((e) => e.message)).toEqual([
      `clusters/homelab/x.yaml:11:9: data.mode: the value 0644 is the number 644 to this lint and the schemas but the number 420 to the cluster, which gets clusters/ as YAML 1.1 (kustomize-controller decodes its build with fluxcd/pkg/ssa ReadObjects, sigs.k8s.io/yaml). Fix: quote it ("0644") if you mean the text, or write 420 if you mean that`,
    ]);
  });
});

describe("lint-charts reads valuesFiles and clusters/ as Flux does", () => {
  it("fails an environment whose HelmRelease has an inline value YAML 1.1 reads otherwise", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "clusters/homelab/apps/media-apps.yaml", /^  interval: 10m\n/m, "  interval: 10m\n  values:\n    media:\n      path: off\n"),
      async (root) => {
        const res = await runCli("lint-charts", ["--root", root, "--env", "homelab", "--chart", "media-apps"]);
        expect(res.exitCode).toBe(1);
        expect(res.stdout).toMatch(/^FAIL homelab \(environment\) /m);
        expect(res.stdout).toContain(`ERROR - clusters/homelab/apps/media-apps.yaml:11:13: spec.values.media.path: the value off is the string "off" to this lint and the schemas but the boolean false to the cluster, which gets clusters/ as YAML 1.1`);
      },
    );
  });

  it("fails a release whose values file holds a value YAML 1.1 reads otherwise, and does not render it", async () => {
    await withFixtureRepo(
      // a string the schema accepts: only the YAML 1.1 reading tells it apart
      (root) => editFixture(root, "values/homelab/media-apps.yaml", /^  sonarr:\n/m, "  sonarr:\n    env:\n      COUNTRY: NO\n"),
      async (root) => {
        const res = await runCli("lint-charts", ["--root", root, "--env", "homelab", "--chart", "media-apps"]);
        expect(res.exitCode).toBe(1);
        expect(res.stdout).toMatch(/^FAIL homelab\/media-apps /m);
        expect(res.stdout.split("\n").filter((l) => l.includes("ERROR - "))).toEqual([
          expect.stringContaining(`ERROR - values/homelab/media-apps.yaml:9:16: apps.sonarr.env.COUNTRY: the value NO is the string "NO" to this lint and the schemas but the boolean false to Flux`),
          expect.stringMatching(/^ERROR - lint-charts: /),
        ]);
      },
    );
  });
});
