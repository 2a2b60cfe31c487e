/**
 * The one runner every command of this repository uses (`npm run <script>`).
 *
 * A command is `main(argv, io) -> Promise<exit code>`, built with `defineCli`; importing its module
 * does no work. The entry (`runCli(main, import.meta)` at the bottom of each tools/cli/*.ts) runs it
 * only when the module is the process's entry point, sets `process.exitCode` and returns, so Node
 * drains stdout into a slow pipe before exiting (`process.exit` right after a large write drops
 * whatever the pipe has not taken yet: nodejs.org/api/process.html#processexitcode, "a note on
 * process I/O"). Tests call `main` in-process with their own `io`.
 *
 * Exit codes, the same for every command (kubeconform's table: 0 valid, 1 invalid, other = could
 * not run):
 *   0  clean (warnings allowed)
 *   1  findings: the checked input has errors
 *   2  bad usage, or a name that names nothing real (environment, chart, scenario, pod, git ref)
 *   3  the tool or its environment failed (helm missing, a cache unusable, a crash)
 *
 * `--json` prints one envelope for every command: `{ tool, ok, summary, findings, data? }` with
 * findings of the one `Finding` type (tools/lint/types.ts).
 */
export { errorFinding };
import { isAbsolute, resolve } from "node:path";
import { parseArgs, type ParseArgsOptionDescriptor } from "node:util";
import { errorFinding, errorFindings, type Finding } from "../lint/types.ts";
import { editDistance } from "./distance.ts";
import { isEntry } from "./entry.ts";
import { spawner } from "./spawner.ts";
import { InputError, InputErrors } from "./yaml.ts";

export const EXIT = { ok: 0, findings: 1, usage: 2, tool: 3 } as const;

/** The exit-code table, as `--help` and README print it. */
export const EXIT_CODES_TEXT = [
  "Exit codes:",
  "  0  clean (warnings allowed)",
  "  1  findings: the checked input has errors",
  "  2  bad usage, or a name that names nothing real (environment, chart, scenario, pod, git ref)",
  "  3  the tool or its environment failed (helm missing, cache unusable)",
].join("\n");

export interface Output {
  write(chunk: string): unknown;
}

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Standard input, for `-` file arguments. */
  stdin?: NodeJS.ReadableStream;
  /** The directory file arguments resolve against: where the user ran `npm run` (INIT_CWD). */
  cwd: string;
  env: Record<string, string | undefined>;
}

export type CliMain = (argv: readonly string[], io?: CliIo) => Promise<number>;

/** The `--json` output of every command. */
export interface Envelope {
  tool: string;
  ok: boolean;
  /** One line, as the text output's last line says it. */
  summary: string;
  findings: Finding[];
  /** The command's result as data (a runbook, explanations, a placement report), when it has one. */
  data?: unknown;
}

/** An error the user fixes by changing the command line (a bad option, an unknown name); exit 2. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.usage;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "UsageError", enumerable: false });
  }
}

/** The checked input has an error that stops the command (an invalid file); exit 1. */
export class InputFindingError extends Error {
  readonly exitCode: number = EXIT.findings;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "InputFindingError", enumerable: false });
  }
}

/** The tool or its environment cannot run (helm missing, cache unusable); exit 3. */
export class ToolError extends Error {
  readonly exitCode: number = EXIT.tool;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "ToolError", enumerable: false });
  }
}

/** The exit code an error thrown out of a command stands for. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof InputError) return EXIT.findings;
  const code = (err as { exitCode?: unknown } | undefined)?.exitCode;
  if (code === EXIT.usage || code === EXIT.findings || code === EXIT.tool) return code;
  return EXIT.tool;
}

// ---------------------------------------------------------------------------------------------
// Names: unknown ones list the valid ones and suggest the nearest (edit distance: tools/lib/distance.ts).

/**
 * The candidate a user most likely meant: one that ends or starts with the name as a whole
 * dash-separated part (`bazarr` -> `media-apps-bazarr`), else the nearest by edit distance when
 * it is close (at most a third of the name's length).
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  const n = name.toLowerCase();
  const parts = candidates.filter((c) => {
    const l = c.toLowerCase();
    return l.endsWith(`-${n}`) || l.startsWith(`${n}-`) || l.includes(`-${n}-`);
  });
  if (parts.length > 0) return [...parts].sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(n, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(n.length / 3)) ? best : undefined;
}

/** A UsageError for `--<option> <name>` naming nothing: lists the valid names and the nearest. */
export function unknownName(option: string, what: string, name: string, known: readonly string[]): UsageError {
  const guess = nearest(name, known);
  return new UsageError(
    `--${option} ${JSON.stringify(name)} is not ${what}; known: ${known.join(", ") || "(none)"}.${guess ? ` Did you mean ${guess}? Fix: --${option} ${guess}` : ""}`,
  );
}

/** Throws unknownName unless `name` is one of `known`. */
export function requireName(option: string, what: string, name: string, known: readonly string[]): void {
  if (!known.includes(name)) throw unknownName(option, what, name, known);
}

// ---------------------------------------------------------------------------------------------
// Defining and running commands.

type Options = Record<string, ParseArgsOptionDescriptor>;
type Values<O extends Options> = {
  [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string;
};

export interface CliSpec<O extends Options> {
  /** The npm script name, e.g. `lint-charts`. */
  tool: string;
  /** `npm run <tool> -- ...` synopsis. */
  usage: string;
  /** What it does, for --help (a few lines). */
  description: string;
  /** The options, as node:util parseArgs takes them (`--help` is added). */
  options: O;
  /** Whether positional arguments are allowed. */
  positionals?: boolean;
}

export interface CliContext<O extends Options> {
  values: Values<O>;
  positionals: string[];
  io: CliIo;
  /** Whether --json was given (commands without a --json option: false). */
  json: boolean;
  /** Writes text to stdout (a newline is added unless present). */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Prints the --json envelope. */
  emit(envelope: Omit<Envelope, "tool">): void;
  /** A file argument resolved against the directory the user ran the command from. */
  path(p: string): string;
  /** The usage line, for messages. */
  usage: string;
}

/** The help text of a command. */
export function helpText<O extends Options>(spec: CliSpec<O>): string {
  const opts = Object.entries(spec.options).map(([k, o]) => `  --${k}${o.type === "string" ? " <value>" : ""}`);
  return [
    `usage: ${spec.usage}`,
    "",
    spec.description.trim(),
    "",
    "Options:",
    ...opts,
    "  --help            this text",
    "",
    EXIT_CODES_TEXT,
    "",
  ].join("\n");
}

function withNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}

/**
 * Builds a command's `main(argv, io)`: `--help` prints the help and returns 0; a parse error or a
 * UsageError prints one `ERROR -` line with the usage and returns 2; other errors print one
 * `ERROR -` line (a stack trace only with DEBUG set) and return their exit code (exitCodeOf).
 * With `--json`, an error also prints the envelope on stdout.
 */
export function defineCli<const O extends Options>(spec: CliSpec<O>, body: (ctx: CliContext<O>) => Promise<number>): CliMain {
  return async (argv, io = processIo()) => {
    const wantsJson = argv.includes("--json") && "json" in spec.options;
    const emit = (envelope: Omit<Envelope, "tool">) => io.stdout.write(`${JSON.stringify({ tool: spec.tool, ...envelope }, null, 2)}\n`);
    try {
      if (argv.includes("--help") || argv.includes("-h")) {
        io.stdout.write(helpText(spec));
        return EXIT.ok;
      }
      let parsed: { values: Record<string, unknown>; positionals: string[] };
      try {
        parsed = parseArgs({ args: [...argv], options: spec.options, strict: true, allowPositionals: spec.positionals ?? false });
      } catch (err) {
        throw new UsageError(`${(err as Error).message}. usage: ${spec.usage} (--help for more)`, { cause: err });
      }
      return await body({
        values: parsed.values as Values<O>,
        positionals: parsed.positionals,
        io,
        json: parsed.values.json === true,
        out: (text) => io.stdout.write(withNewline(text)),
        err: (text) => io.stderr.write(withNewline(text)),
        emit,
        path: (p) => (p === "-" || isAbsolute(p) ? p : resolve(io.cwd, p)),
        usage: spec.usage,
      });
    } catch (err) {
      const code = exitCodeOf(err);
      const message = (err as Error)?.message ?? String(err);
      const lines = err instanceof InputErrors ? err.errors.map((e) => e.message) : [message];
      for (const line of lines) io.stderr.write(`ERROR - ${line}\n`);
      if (io.env.DEBUG && err instanceof Error && code === EXIT.tool) io.stderr.write(`${err.stack}\n`);
      if (wantsJson) emit({ ok: false, summary: lines.length > 1 ? `${lines.length} errors` : message, findings: errorFindings(err) });
      return code;
    }
  };
}

/** The real process's io: file arguments resolve against INIT_CWD (where `npm run` was typed). */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.env.INIT_CWD || process.cwd(),
    env: process.env,
  };
}

/**
 * The thin entry: when the module at `url` is the entry point, runs `main` with the process's
 * argv and io and sets process.exitCode (never process.exit: stdout drains first). A reader that
 * closes the pipe early (`| head`) ends the output quietly.
 */
export async function runCli(main: CliMain, url: string): Promise<void> {
  if (!isEntry(url)) return;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") {
      process.exitCode ??= EXIT.ok;
      process.stdout.destroy();
      return;
    }
    throw err;
  });
  process.exitCode = await main(process.argv.slice(2), processIo());
  // the helper that started helm exits before this process, so time(1) counts helm's CPU
  await spawner.close();
}

/**
 * Older form, kept for commands not yet converted: runs `body` and sets process.exitCode from
 * its result or error (UsageError 2, InputError 1, other 3). Never calls process.exit.
 */
export async function runMain(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
    await spawner.close();
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${err.message}\n\n${EXIT_CODES_TEXT}\n`);
      process.exitCode = EXIT.ok;
      return;
    }
    process.stderr.write(`ERROR - ${(err as Error).message}\n`);
    if (process.env.DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

/** `--help` given to a command of the older form: runMain prints the usage and exits 0. */
class HelpRequested extends Error {}

/**
 * `parseArgs` with its errors turned into a UsageError that ends with `usage` (older form);
 * `--help` makes runMain print `usage` and the exit codes.
 */
export function parseCli<T extends Parameters<typeof parseArgs>[0] & object>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) throw new HelpRequested(usage);
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. ${usage}`, { cause: err });
  }
}

/** Reads a file argument (`-`: stdin) as UTF-8; an unreadable one is a UsageError naming it. */
export async function readArgument(ctx: { io: CliIo }, option: string, given: string, resolved: string): Promise<{ text: string; label: string }> {
  const label = given === "-" ? "(stdin)" : given;
  if (given === "-") {
    const chunks: Buffer[] = [];
    for await (const c of ctx.io.stdin ?? process.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
    return { text: Buffer.concat(chunks).toString("utf8"), label };
  }
  const { readFileSync } = await import("node:fs");
  try {
    return { text: readFileSync(resolved, "utf8"), label };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String(code ?? err);
    throw new UsageError(`${option}${label}: cannot read: ${why}`, { cause: err });
  }
}
