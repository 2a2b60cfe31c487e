import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { fixtureFiles, tempRepo, type TempRepo } from "./repo.ts";
import { runCli } from "../helpers/cli.ts";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const run = (cli: string, args: string[]) => runCli(cli, args);

describe("upgrade-check and diff CLIs", () => {
  it.each([
    ["upgrade-check.ts", []],
    ["upgrade-check.ts", ["--base"]],
    ["upgrade-check.ts", ["--base", "main", "--what"]],
    ["diff.ts", []],
  ])("%s %j is a usage error (exit 2)", async (cli, args) => {
    const res = await run(cli, args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/^ERROR - .*usage: npm run/m);
  });

  it("exits 1 on an immutable change, prints JSON, and the diff shows the change", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    repo.write({ "values/test/demo.yaml": "storage: 3Gi\n" });
    const res = await run("upgrade-check.ts", ["--base", "main", "--root", repo.dir, "--json"]);
    expect(res.exitCode).toBe(1);
    const envelope = JSON.parse(res.stdout);
    expect(envelope).toMatchObject({ tool: "upgrade-check", ok: false });
    expect(envelope.findings.filter((f: { severity: string }) => f.severity === "error")).toHaveLength(1);
    const json = envelope.data;
    expect(json.environments[0].findings[0]).toMatchObject({ path: "spec.volumeClaimTemplates", severity: "error" });

    const diff = await run("diff.ts", ["--base", "main", "--root", repo.dir]);
    expect(diff.exitCode).toBe(0);
    expect(diff.stdout).toContain("-            storage: 1Gi\n+            storage: 3Gi");
    const commit = await repo.git("rev-parse", "main");
    expect(diff.stdout.split("\n").slice(0, 4)).toEqual([
      `##### environment test: main (${commit.slice(0, 12)}) -> working tree`,
      "=== test: apps/demo (1 changed, 0 added, 0 removed)",
      "--- a/StatefulSet apps/demo",
      "+++ b/StatefulSet apps/demo",
    ]);
  });

  it("exits 0 on warnings only (a StatefulSet roll), 1 with --strict; the text report names the roll", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    repo.write({ "values/test/demo.yaml": "storage: 1Gi\nimage: busybox:1.37\n" });
    const res = await run("upgrade-check.ts", ["--base", "main", "--root", repo.dir]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("WARN - [test] StatefulSet apps/demo: spec.template changes");
    expect(res.stdout).toContain('spec.template.spec.containers[0].image: "busybox:1.36" -> "busybox:1.37"');
    expect(res.stdout.trim().split("\n").at(-1)).toBe("0 error(s), 1 warning(s), 0 info in 1 environment(s)");
    const strict = await run("upgrade-check.ts", ["--base", "main", "--root", repo.dir, "--strict"]);
    expect(strict.exitCode).toBe(1);
  });

  it("--base auto compares a feature branch with its merge base (what .ci/run does) and exits 1 on an immutable change", async () => {
    const repo = await tempRepo();
    repos.push(repo);
    const fork = await repo.commit("base", fixtureFiles("storage: 1Gi\n"));
    await repo.git("checkout", "-q", "-b", "feature");
    await repo.commit("grow the claim template", { "values/test/demo.yaml": "storage: 2Gi\n" });
    await repo.git("checkout", "-q", "main");
    await repo.commit("main moves on", { "README.md": "x\n" });
    await repo.git("checkout", "-q", "feature");
    const res = await run("upgrade-check.ts", ["--base", "auto", "--root", repo.dir]);
    expect(res.stderr).toContain(`INFO - upgrade-check against the merge base of HEAD with main (${fork.slice(0, 12)})`);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain("ERROR - [test] StatefulSet apps/demo: spec.volumeClaimTemplates cannot be changed in place");
    expect(res.stdout).toContain("    path: spec.volumeClaimTemplates");
    expect(res.stdout).toContain("      spec.volumeClaimTemplates[0].spec.resources.requests.storage: \"1Gi\" -> \"2Gi\"");
    expect(res.stdout).toMatch(/fix 1: Rename the StatefulSet[\s\S]*migrate data[\s\S]*cost: /);
    expect(res.stdout).toMatch(/fix 3: Helm \/ Flux force[\s\S]*--force-replace[\s\S]*cost: /);
  });

  it("--base auto skips with a reason on a clone without history (shallow, depth 1)", async () => {
    const upstream = await tempRepo();
    repos.push(upstream);
    await upstream.commit("first", fixtureFiles("storage: 1Gi\n"));
    await upstream.commit("second", { "values/test/demo.yaml": "storage: 2Gi\n" });
    const clone = await tempRepo("upgrade-shallow-");
    repos.push(clone);
    const dir = join(clone.dir, "clone");
    await execa("git", ["clone", "-q", "--depth", "1", `file://${upstream.dir}`, dir]);
    const res = await run("upgrade-check.ts", ["--base", "auto", "--root", dir]);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toContain("INFO - upgrade-check skipped: HEAD is the first commit on origin/main of a shallow clone");
    expect(res.stdout).toBe("");
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
