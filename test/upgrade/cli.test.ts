import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { fixtureFiles, tempRepo, type TempRepo } from "./repo.ts";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const tsx = join(repoRoot, "node_modules/.bin/tsx");
const run = (cli: string, args: string[]) => execa(tsx, [join(repoRoot, "tools/cli", cli), ...args], { reject: false, cwd: repoRoot });

describe("upgrade-check and diff CLIs", () => {
  it.each([
    ["upgrade-check.ts", []],
    ["upgrade-check.ts", ["--base"]],
    ["upgrade-check.ts", ["--base", "main", "--what"]],
    ["diff.ts", []],
  ])("%s %j is a usage error (exit 2)", async (cli, args) => {
    const res = await run(cli, args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/^ERROR - .*Usage: npm run/m);
  });

  it("exits 1 on an immutable change, prints JSON, and the diff shows the change", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    repo.write({ "values/test/demo.yaml": "storage: 3Gi\n" });
    const res = await run("upgrade-check.ts", ["--base", "main", "--root", repo.dir, "--json"]);
    expect(res.exitCode).toBe(1);
    const json = JSON.parse(res.stdout);
    expect(json.summary.error).toBe(1);
    expect(json.environments[0].findings[0]).toMatchObject({ path: "spec.volumeClaimTemplates", severity: "error" });

    const diff = await run("diff.ts", ["--base", "main", "--root", repo.dir]);
    expect(diff.exitCode).toBe(0);
    expect(diff.stdout).toContain("-            storage: 1Gi\n+            storage: 3Gi");
  });

  it("--base auto skips with a reason when there is no earlier revision", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("only", fixtureFiles("storage: 1Gi\n"));
    const res = await run("upgrade-check.ts", ["--base", "auto", "--root", repo.dir]);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toContain("INFO - upgrade-check skipped: HEAD is the first commit on main");
  });
});
