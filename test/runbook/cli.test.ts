import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const cli = (script: string, args: string[]) => runCli(script, args);

describe("npm run runbook", () => {
  it.each(["homelab", "staging"])("%s: exit 0, Markdown on stdout", async (env) => {
    const res = await cli("runbook.ts", ["--env", env]);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe("");
    expect(res.stdout.startsWith(`# Node setup runbook: ${env}\n`)).toBe(true);
    expect(res.stdout).toContain("## 2. k3s server flags");
    expect(res.stdout).toContain("## 13. Where this differs from the seed runbook");
  });

  it("--json prints the sections as data", async () => {
    const res = await cli("runbook.ts", ["--env", "homelab", "--json"]);
    expect(res.exitCode).toBe(0);
    const data = (JSON.parse(res.stdout) as { tool: string; data: { env: string; sections: { id: string }[] } }).data;
    expect(data.env).toBe("homelab");
    expect(data.sections.map((s) => s.id)).toEqual(["nodes", "k3s", "packages", "labels", "taints", "longhorn", "gpu", "dfs", "verify", "after-install", "backups", "drain", "seed"]);
  });

  it.each([
    [[], "ERROR - --env is required. usage: npm run runbook"],
    [["--env", "prod"], 'ERROR - --env "prod" is not an environment (a directory under clusters/); known: homelab, staging.'],
    [["--env", "../x"], 'ERROR - --env "../x" is not an environment'],
  ])("usage error %j -> exit 2", async (args, want) => {
    const res = await cli("runbook.ts", args);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(want);
  });
});
