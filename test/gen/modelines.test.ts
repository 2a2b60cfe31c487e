/**
 * Editor completion: every values file, inventory and Flux object file starts with a
 * `# yaml-language-server: $schema=<relative path>` line that resolves to the right schema.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../../tools/lib/paths.ts";

const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** The schema a file must name, by what it holds. */
function expectedSchema(file: string): string | undefined {
  const rel = relative(repoRoot, file);
  if (/^values\/[^/]+\/cluster\.yaml$/.test(rel)) return "schema/generated/cluster.schema.json";
  if (/^values\/[^/]+\/policy\.yaml$/.test(rel)) return "schema/generated/policy.schema.json";
  const chart = /^values\/[^/]+\/([^/]+)\.yaml$/.exec(rel)?.[1];
  if (chart) return `charts/${chart}/values.schema.json`;
  if (/^charts\/[^/]+\/values\.yaml$/.test(rel)) return `${dirname(rel)}/values.schema.json`;
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as { kind?: string; spec?: { chart?: { spec?: { chart?: string } } } } | null);
  const first = docs.find((d) => d?.kind);
  if (first?.kind === "HelmRelease") {
    const name = first.spec!.chart!.spec!.chart!.replace(/^\.\/charts\//, "");
    return `schema/generated/helmrelease-${name}.schema.json`;
  }
  if (first?.kind === "HelmRepository") return "schema/generated/helmrepository.schema.json";
  if (first?.kind === "GitRepository") return "schema/generated/gitrepository.schema.json";
  if (first?.kind === "IPAddressPool") return "schema/generated/crd-metallb-ipaddresspool.schema.json";
  if (first?.kind === "L2Advertisement") return "schema/generated/crd-metallb-l2advertisement.schema.json";
  return undefined;
}

const files = [...yamlFiles(join(repoRoot, "values")), ...yamlFiles(join(repoRoot, "clusters")), ...yamlFiles(join(repoRoot, "charts")).filter((f) => f.endsWith("/values.yaml") && !f.includes("/templates/"))];

describe("yaml-language-server modelines", () => {
  const rows = files.map((f) => ({ file: relative(repoRoot, f), want: expectedSchema(f) })).filter((r) => r.want);

  it("covers every values file, inventory and HelmRelease", () => {
    expect(rows.filter((r) => r.file.startsWith("values/")).length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r) => r.want!.includes("helmrelease-")).length).toBeGreaterThanOrEqual(10);
  });

  it.each(rows)("$file names $want", ({ file, want }) => {
    const first = readFileSync(join(repoRoot, file), "utf8").split("\n")[0];
    const m = MODELINE.exec(first);
    expect(m, `${file} must start with # yaml-language-server: $schema=...`).not.toBeNull();
    const target = resolve(dirname(join(repoRoot, file)), m![1]);
    expect(relative(repoRoot, target)).toBe(want);
    expect(existsSync(target), `${m![1]} does not exist`).toBe(true);
  });
});
