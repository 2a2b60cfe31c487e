/**
 * renovate.json: valid against Renovate's published schema (vendored, pinned by hash), and its
 * custom managers find every image and chart version of the repository exactly once.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { audit, extract, loadFiles, unknownOptions, type RenovateConfig } from "../../tools/renovate/audit.ts";
import { parseAllDocuments } from "yaml";

const SCHEMA = join(repoRoot, "schema/vendor/renovate-schema.json");
const config = JSON.parse(readFileSync(join(repoRoot, "renovate.json"), "utf8")) as RenovateConfig & Record<string, unknown>;
const files = loadFiles(repoRoot);

const schemaJson = () => JSON.parse(readFileSync(SCHEMA, "utf8")) as Record<string, unknown>;

function validator() {
  const schema = schemaJson();
  const ajv = new Ajv({ strict: false, allErrors: true });
  return ajv.compile(schema);
}

describe("renovate.json against Renovate's published schema", () => {
  const validate = validator();

  it("is the vendored file recorded in schema/vendor/README.md", () => {
    const text = readFileSync(SCHEMA);
    const readme = readFileSync(join(repoRoot, "schema/vendor/README.md"), "utf8");
    expect(readme).toContain(createHash("sha256").update(text).digest("hex"));
    const version = (JSON.parse(text.toString()) as { "x-renovate-version": string })["x-renovate-version"];
    expect(readme).toContain(`renovate@${version}`);
  });

  it("validates", () => {
    expect(validate(config), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it.each([
    ["enabledManagers as a string", { ...config, enabledManagers: "custom.regex" }],
    ["matchStrings as a string", { ...config, customManagers: [{ customType: "regex", managerFilePatterns: ["/x/"], matchStrings: "x" }] }],
    ["an unknown customType", { ...config, customManagers: [{ customType: "jsonata", managerFilePatterns: ["/x/"], matchStrings: ["x"] }] }],
  ])("rejects %s", (_name, bad) => {
    expect(validate(bad)).toBe(false);
  });

  // The published schema leaves objects open (Renovate warns about unknown options at run time),
  // so a misspelt option passes it; the option names are checked against the schema's own lists.
  it("uses only options the schema defines, at the top level and in each custom manager", () => {
    expect(unknownOptions(config, schemaJson())).toEqual([]);
    expect(unknownOptions({ ...config, enabeldManagers: [] }, schemaJson())).toEqual(["enabeldManagers"]);
    expect(unknownOptions({ ...config, customManagers: [{ ...config.customManagers![0], fileMatch: ["x"] }] }, schemaJson())).toEqual(["customManagers[0].fileMatch"]);
  });
});

describe("custom managers on the repository", () => {
  it("find every image and chart version exactly once, and nothing else", () => {
    const r = audit(config, files);
    expect(r).toEqual({ missing: [], duplicated: [], unexpected: [], found: r.found });
    expect(r.found).toBeGreaterThanOrEqual(15);
  });

  it("find the images of each kind of place: chart values, Chart.yaml, HelmReleases", () => {
    const deps = extract(config, files).map((d) => `${d.file}: ${d.depName} ${d.currentValue}`);
    expect(deps).toContain("charts/media-apps/values.yaml: lscr.io/linuxserver/sonarr 4.0.16.2944-ls302");
    expect(deps).toContain("charts/clusterplex/values.yaml: lscr.io/linuxserver/plex 1.42.2.10156-f737b826c-ls287");
    expect(deps).toContain("charts/clusterplex/Chart.yaml: ghcr.io/pabloromeo/clusterplex_orchestrator 1.4.15");
    expect(deps.some((d) => /^clusters\/homelab\/infrastructure\/traefik\.yaml: traefik /.test(d))).toBe(true);
  });

  it("the helm packageRules name exactly the URLs of the environments' HelmRepositories", () => {
    const rules = (config.packageRules as Array<{ matchDatasources?: string[]; matchPackageNames?: string[]; registryUrls?: string[] }>).filter((r) => r.matchDatasources?.includes("helm"));
    for (const [file, text] of files) {
      if (!file.startsWith("clusters/")) continue;
      for (const d of parseAllDocuments(text).map((x) => x.toJSON() as { kind?: string; metadata?: { name: string }; spec?: { url: string } })) {
        if (d?.kind !== "HelmRepository") continue;
        const rule = rules.find((r) => r.matchPackageNames?.includes(d.metadata!.name));
        expect(rule?.registryUrls, `${file}: HelmRepository ${d.metadata!.name}`).toEqual([d.spec!.url]);
      }
    }
  });

  it.each([
    {
      name: "an image whose tag line the regex does not expect (a missed image)",
      edit: (t: string) => t.replace("tag: 4.0.16.2944-ls302", "tag:   4.0.16.2944-ls302"),
      file: "charts/media-apps/values.yaml",
      want: { missing: ["charts/media-apps/values.yaml: lscr.io/linuxserver/sonarr 4.0.16.2944-ls302"] },
    },
    {
      name: "a second manager matching the same line (a duplicate)",
      config: (c: RenovateConfig) => ({ ...c, customManagers: [...c.customManagers!, c.customManagers![0]] }),
      want: { duplicated: expect.arrayContaining([expect.stringContaining("lscr.io/linuxserver/sonarr 4.0.16.2944-ls302 (2 times)")]) },
    },
  ])("reports $name", ({ edit, file, config: cfg, want }) => {
    const f = new Map(files);
    if (edit && file) f.set(file, edit(f.get(file)!));
    expect(audit(cfg ? cfg(config) : config, f)).toMatchObject(want);
  });
});
