import { fileURLToPath } from "node:url";
/**
 * Two projects over the same test files:
 *   - unit: in-process tests of pure code; `npm run unit` is the inner loop (a few seconds);
 *   - integration: tests that run helm, git, a CLI or build a fixture repository.
 * A file is an integration test when its text uses one of INTEGRATION's APIs, so a new test file
 * lands in the right project without a list to maintain. `npm test` runs both.
 *
 * Speed on a 2-core machine (issue 18): vitest's default is availableParallelism() - 1 workers,
 * i.e. one file at a time on 2 cores; one worker per core. A third worker on 2 cores once broke
 * even (86.3 s against 86.6 s) while tests waited on git in every fixture; since fixtures copy a
 * tracked base it costs CPU (each worker fills the same caches, and more heap makes each fork
 * dearer): whole suite, warm, 2 workers 44.8-45.1 s, 3 workers 47.9-48.0 s; render cache cold,
 * 2 workers 71.5-80.9 s, 3 workers 76.1-85.6 s (measured in turn). The environments of this
 * checkout are rendered once per run (test/setup/render-once.ts) and handed to the tests that only
 * read them (test/helpers/rendered.ts); fixtures copy one tracked copy of the repository made once
 * per run (test/setup/fixture-base.ts) instead of starting git for each. Test files share their worker's modules (`isolate: false`):
 * a fresh module graph per file cost ~55 s of CPU in module loading and type stripping per run,
 * and no test relies on module state of another file (no module mocks; env changes are restored).
 */
import { readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";
import { scratchRoot } from "./tools/lib/paths.ts";

const INTEGRATION = /runCli|valuesAsHelmReadsThem|renderEnvironment|lintEnvironment|renderProfile|renderedEnvironment|resolveHelm|upgradeCheck|withWorktree|tempRepo|withFixtureRepo|withMiniRepo|execa|execFile|spawn|child_process|tools\/cli\//;

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

// Upstream charts (Traefik, Longhorn, MetalLB) come from the offline Helm repository next to the
// checkout, read in place (tools/lib/charts.ts): for the workers (test.env) and for globalSetup
// (test/setup/render-once.ts), which runs in this process.
const MIRROR = process.env.CHART_MIRROR ?? fileURLToPath(new URL("../shared/upstream/charts", import.meta.url));
process.env.CHART_MIRROR = MIRROR;

// Temporary files on tmpfs where the machine has one: a run creates and deletes ~250 copies of
// the repository (fixtures, chart copies for helm; ~50,000 files), and on ext4 the inode
// allocation under that churn was ~5 % of the run's CPU (perf, issue 18). An explicit TMPDIR wins.
process.env.TMPDIR = scratchRoot();

export default defineConfig({
  test: {
    // generous: on a shared 2-core machine a CLI spawn test can wait a minute for a core (no test asserts a time)
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { CHART_MIRROR: MIRROR, TMPDIR: process.env.TMPDIR },
    maxWorkers: availableParallelism(),
    isolate: false,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      { extends: true, test: { name: "integration", include: integration, globalSetup: ["test/setup/render-once.ts", "test/setup/fixture-base.ts"] } },
    ],
  },
});
