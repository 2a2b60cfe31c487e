import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_BANNER, bundleFencing } from "../../tools/fencing/bundle.ts";
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

  it("runs under plain node (no tsx) against an API server", async () => {
    const api = await new FakeApi({ nodes: rawCluster({ w1: { ready: ["Unknown", 3600] } }) }).start();
    try {
      const file = join(dir, "fencing-job.mjs");
      const tokenFile = join(dir, "token");
      writeFileSync(file, code);
      writeFileSync(tokenFile, `${api.token}\n`);
      const { stdout } = await run(process.execPath, [file], {
        env: { PATH: process.env.PATH ?? "", FENCING_API_URL: api.url, FENCING_TOKEN_FILE: tokenFile, FENCING_DRY_RUN: "true" },
      });
      const logs = stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.map((l) => [l.event, l.action, l.node, l.outcome])).toEqual([
        ["action", "cordon", "w1", "planned"],
        ["action", "taint", "w1", "planned"],
        ["summary", undefined, undefined, undefined],
      ]);
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
