/**
 * Runs a command of tools/cli in this process, through the `main(argv, io)` every command exports
 * (tools/lib/cli.ts defineCli), with its output captured: what `node tools/cli/<name>.ts args`
 * prints and returns, without a node start-up per test (0.5-1 s of CPU each; issue 18).
 *
 * What only a real process shows (the exit code reaching the shell, output into a pipe read late
 * or closed early, the Node.js version check, INIT_CWD) is tested by spawning every command in
 * test/cli/contract.test.ts.
 */
import { Readable } from "node:stream";
import { join } from "node:path";
import type { CliMain } from "../../tools/lib/cli.ts";
import { repoRoot } from "../../tools/lib/paths.ts";

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Environment variables set for the run (and restored afterwards), as `env VAR=x node ...`. */
  env?: Record<string, string>;
  /** Standard input. */
  input?: string;
  /** The directory file arguments resolve against (INIT_CWD; default: the checkout). */
  cwd?: string;
}

/** `script`: the file under tools/cli (`lint-charts.ts`) or the command's name (`lint-charts`). */
export async function runCli(script: string, args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const file = join(repoRoot, "tools", "cli", script.endsWith(".ts") ? script : `${script}.ts`);
  const { main } = (await import(file)) as { main?: CliMain };
  if (typeof main !== "function") throw new Error(`${file} exports no main(argv, io)`);
  let stdout = "";
  let stderr = "";
  const saved = new Map(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
  Object.assign(process.env, opts.env);
  try {
    const exitCode = await main(args, {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
      stdin: Readable.from(opts.input === undefined ? [] : [opts.input]),
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env },
    });
    // without the final newline, as execa gives a spawned command's output
    return { exitCode, stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
