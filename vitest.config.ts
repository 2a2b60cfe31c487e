/**
 * Two projects over the same test files:
 *   - unit: in-process tests of pure code; `npm run unit` is the inner loop (a few seconds);
 *   - integration: tests that run helm, git, a CLI or build a fixture repository.
 * A file is an integration test when its text uses one of INTEGRATION's APIs, so a new test file
 * lands in the right project without a list to maintain. `npm test` runs both.
 *
 * Speed on a 2-core machine (issue 18): vitest's default is availableParallelism() - 1 workers,
 * i.e. one file at a time on 2 cores, while most integration time is spent waiting for helm and
 * git child processes; two workers per core keep both cores busy. The environments of this
 * checkout are rendered once per run (test/setup/render-once.ts) and handed to the tests that only
 * read them (test/helpers/rendered.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";

const INTEGRATION = /renderEnvironment|lintEnvironment|renderProfile|renderedEnvironment|resolveHelm|withFixtureRepo|withMiniRepo|execa|execFile|spawn|child_process|tools\/cli\//;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? testFiles(p) : d.name.endsWith(".test.ts") ? [p] : [];
  });
}

const root = import.meta.dirname;
const all = testFiles(join(root, "test")).map((f) => relative(root, f)).sort();
const integration = all.filter((f) => INTEGRATION.test(readFileSync(join(root, f), "utf8")));
const unit = all.filter((f) => !integration.includes(f));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: Math.max(2, 2 * availableParallelism()),
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      { extends: true, test: { name: "integration", include: integration, globalSetup: ["test/setup/render-once.ts"] } },
    ],
  },
});
