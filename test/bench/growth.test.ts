/**
 * The bench's growth profile (tools/bench/growth.ts) lints clean: when a lint rule changes what a
 * valid media app is, the generated apps must follow, or `npm run bench` measures an error path
 * (it did: Ingresses on the redirected http entrypoint after issue 19).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { growthRepo } from "../../tools/bench/growth.ts";
import { lintEnvironment } from "../../tools/lint/run.ts";

describe("bench growth profile", () => {
  it("2 environments of 3 generated media apps lint without an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "growth-"));
    try {
      const root = growthRepo(join(dir, "repo"), 3, 2);
      const report = await lintEnvironment({ root });
      const errors = report.profiles.flatMap((p) => p.findings.filter((f) => f.severity === "error").map((f) => `${p.env}/${p.release}: ${f.message}`));
      expect(errors).toEqual([]);
      const media = report.profiles.filter((p) => p.chart === "media-apps");
      expect(media.map((p) => p.env).sort()).toEqual(["gen-1", "gen-2"]);
      for (const p of media) {
        expect(p.objects!.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name).sort()).toEqual(["media-apps-app001", "media-apps-app002", "media-apps-app003"]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
