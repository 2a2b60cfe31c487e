/**
 * The README's promises, executed: the two first-screen commands exist, and the "Adding an app"
 * snippet really is the whole change needed to add an app.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { repoRoot } from "../../tools/lib/paths.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { withFixtureRepo } from "../helpers/fixture-repo.ts";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");

describe("README", () => {
  it("starts with the set-up + main job command and the test command, which .ci/run runs", () => {
    const firstScreen = readme.split("\n").slice(0, 25).join("\n");
    expect(firstScreen).toContain("bin/npm ci && bin/npm run lint-charts");
    expect(firstScreen).toContain("bin/npm test");
    const ci = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    expect(ci).toContain("bin/npm ci && bin/npm run lint-charts\n");
    expect(ci).toContain("bin/npm test\n");
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const cmd of readme.matchAll(/npm run ([a-z-]+)/g)) expect(Object.keys(scripts), cmd[0]).toContain(cmd[1]);
  });

  it("adds an app with the one values entry it shows", async () => {
    const snippet = /## Adding an app[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1];
    const entry = parse(snippet) as { apps: Record<string, unknown> };
    const [name] = Object.keys(entry.apps);
    const report = await withFixtureRepo(
      (root) => {
        const file = join(root, "values/homelab/media-apps.yaml");
        const doc = parseDocument(readFileSync(file, "utf8"));
        doc.setIn(["apps", name], doc.createNode(entry.apps[name]));
        writeFileSync(file, doc.toString());
      },
      (root) => lintEnvironment({ env: "homelab", chart: "media-apps", root }),
    );
    const profile = report.profiles.find((p) => p.kind === "chart")!;
    expect(profile.findings.filter((f) => f.severity === "error")).toEqual([]);
    const deploy = profile.objects!.find((o) => o.kind === "Deployment" && o.metadata.name === `media-apps-${name}`);
    expect(deploy, `media-apps-${name} is rendered`).toBeDefined();
    expect(profile.objects!.some((o) => o.kind === "Ingress" && o.metadata.name === `media-apps-${name}`)).toBe(true);
    const policy = report.profiles.find((p) => p.release === "(policy)")!;
    expect(policy.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});

