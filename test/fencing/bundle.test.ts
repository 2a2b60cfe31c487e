import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_BANNER, bundleFencing } from "../../tools/fencing/bundle.ts";
import { drifted, generateAll } from "../../tools/gen/index.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";
import { FakeApi, rawCluster } from "./fake-api.ts";

const run = promisify(execFile);

describe("bundleFencing", () => {
  let code: string;
  let dir: string;
  beforeAll(async () => {
    code = await bundleFencing();
    dir = mkdtempSync(join(tmpdir(), "fencing-bundle-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is deterministic and starts with the generated-file banner", async () => {
    expect(await bundleFencing()).toBe(code);
    expect(code.startsWith(`${BUNDLE_BANNER}\n`)).toBe(true);
  });

  it("is one self-contained ESM file: only node: built-ins are imported", () => {
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((s) => s!.startsWith("node:"))).toBe(true);
    expect(code).not.toMatch(/\brequire\(/);
    // Source paths are relative to the repository, whatever the working directory.
    expect(code).toContain("// tools/fencing/decide.ts");
    expect(code).not.toContain(process.cwd());
  });

  it("runs under plain node (no tsx) against an API server, probing w1 with real TCP connects", async () => {
    // Nothing listens on w1's loopback address: its kernel refuses, a life sign, so no fence.
    const api = await new FakeApi({ nodes: rawCluster({ w1: { ready: ["Unknown", 3600] } }) }).start();
    try {
      const file = join(dir, "fencing-job.mjs");
      const tokenFile = join(dir, "token");
      writeFileSync(file, code);
      writeFileSync(tokenFile, `${api.token}\n`);
      const { stdout } = await run(process.execPath, [file], {
        env: { PATH: process.env.PATH ?? "", FENCING_API_URL: api.url, FENCING_TOKEN_FILE: tokenFile, FENCING_DRY_RUN: "true", FENCING_NODE_NAME: "w2", FENCING_KUBELET_PORT: "1", FENCING_DEFAULT_NODE_PORT: "2" },
      });
      const logs = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.map((l) => [l.event, l.node, l.code])).toEqual([
        ["probe", "w1", undefined],
        ["hold", "w1", "life-signs"],
        ["summary", undefined, undefined],
      ]);
      expect(logs[0]).toMatchObject({ origin: "w2", results: { refused: 2 } });
      expect(api.writes()).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it("exits 2 on an invalid setting", async () => {
    const file = join(dir, "fencing-job.mjs");
    writeFileSync(file, code);
    const error = await run(process.execPath, [file], { env: { FENCING_DRY_RUN: "maybe" } }).then(() => undefined, (e: { code: number; stdout: string }) => e);
    expect(error?.code).toBe(2);
    expect(JSON.parse(error!.stdout)).toMatchObject({ event: "error", stage: "config" });
  });
});

// The chart's ConfigMap ships charts/ha-jobs/files/fencing.mjs; gen-schema generates it and
// `gen-schema --check` fails when it differs from the bundle of the current tools/fencing/.
describe("charts/ha-jobs/files/fencing.mjs (generated, drift-checked)", () => {
  const BUNDLE = "charts/ha-jobs/files/fencing.mjs";

  it("is one of gen-schema's files, and the committed file is the bundle of the current source", async () => {
    const code = await bundleFencing();
    expect((await generateAll(repoRoot)).get(BUNDLE)).toBe(code);
    expect(readFileSync(join(repoRoot, BUNDLE), "utf8"), "Fix: run `npm run gen-schema` and commit the result").toBe(code);
  });

  it("GIVEN a hand edit of the bundle WHEN gen-schema --check compares THEN exactly that file of the chart is reported", async () => {
    const reported = await withFixtureRepo(
      (root) => writeFixture(root, BUNDLE, readFileSync(join(repoRoot, BUNDLE), "utf8").replace("thresholdSeconds: 120", "thresholdSeconds: 30")),
      async (root) => drifted(await generateAll(root), root),
    );
    // Only this chart's files: other charts' generated files are not this test's business.
    expect(reported.filter((f) => f.startsWith("charts/ha-jobs/"))).toEqual([BUNDLE]);
  }, 60_000);
});
