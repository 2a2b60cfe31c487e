/**
 * Runs commands to completion from a small helper process (tools/lib/spawn-helper.cjs) instead of
 * from this one. A lint run holds every environment's rendered objects (~250 MB at the bench's 200
 * apps), and each fork() of it copied that many page tables and the child's exec() tore them down
 * again while the main thread waited: ~0.4 s of a 200-app lint's main thread for 20 helm calls
 * (perf: copy_page_range under fork, exit_mmap under execve; issue 18). The helper stays ~40 MB.
 *
 * Output goes through files in the scratch directory (tools/lib/paths.ts scratchRoot), each removed
 * once read, so a command never waits for this busy process to drain a pipe. Commands of a pool
 * (RunOptions.slots) wait in the helper, which starts the next one the moment one ends, however busy
 * this process's main thread is. If the helper cannot start or dies, commands run directly
 * (execFile), their pools kept here, so a failure here costs speed, never a result.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { scratchRoot } from "./paths.ts";
import { Slots } from "./slots.cjs";

export interface RunResult {
  /** The exit code; 1 when the command did not run or was killed (then `stderr` says why). */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Milliseconds before the command is killed, counted from its start. */
  timeout: number;
  /**
   * At most `size` commands of `pool` run at once (the first run of a pool sets its size); waiting
   * ones start heaviest `weight` first, in arrival order among equal weights (slots.cjs).
   */
  slots?: { pool: string; size: number; weight: number };
}

interface Pending {
  resolve: (r: RunResult) => void;
  file: string;
  args: string[];
  opts: RunOptions;
  out: string;
  err: string;
}

const HELPER = join(import.meta.dirname, "spawn-helper.cjs");

export class Spawner {
  #helper: ChildProcess | undefined;
  #broken = false;
  /** Output files are `<prefix><id>.out` and `.err`, each removed once read. */
  readonly #prefix = join(scratchRoot(), `spawner-${process.pid}-${randomBytes(4).toString("hex")}-`);
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #buffered = "";
  /** Pools of the commands run directly (the helper keeps its own). */
  readonly #direct = new Map<string, Slots>();

  /** Runs `file args` to completion; never rejects. */
  run(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
    const helper = this.#broken ? undefined : this.#start();
    if (!helper) return this.#runDirect(file, args, opts);
    const id = this.#next++;
    return new Promise((resolve) => {
      const p: Pending = { resolve, file, args, opts, out: `${this.#prefix}${id}.out`, err: `${this.#prefix}${id}.err` };
      this.#pending.set(id, p);
      this.#hold(true);
      const { env, timeout, slots } = opts;
      (helper.stdin as Writable).write(`${JSON.stringify({ id, file, args, env, timeout, out: p.out, err: p.err, slots })}\n`);
    });
  }

  /**
   * Starts the helper now, so that it is up when the first command comes (a node process takes
   * ~0.1 s to start). Commands start it anyway.
   */
  warm(): void {
    if (!this.#broken) this.#start();
  }

  /**
   * Ends the helper once its commands are done and waits for it to exit, so that what its commands
   * used is counted as this process's children's CPU time (getrusage RUSAGE_CHILDREN: time(1), the
   * bench). The next run() starts a new helper.
   */
  async close(): Promise<void> {
    const h = this.#helper;
    if (!h || this.#pending.size > 0) return;
    this.#helper = undefined;
    this.#hold(true, h);
    await new Promise<void>((resolve) => {
      h.once("exit", () => resolve());
      (h.stdin as Writable).end();
    });
  }

  /** The path prefix of commands' output files (for tests). */
  get outputPrefix(): string {
    return this.#prefix;
  }

  /** The helper's pid while it runs (for tests). */
  get helperPid(): number | undefined {
    return this.#helper?.pid;
  }

  #start(): ChildProcess | undefined {
    if (this.#helper) return this.#helper;
    try {
      const env = { ...process.env };
      delete env.NODE_OPTIONS; // the helper needs no loader or hook of this process
      const helper = spawn(process.execPath, [HELPER], { env, stdio: ["pipe", "pipe", "inherit"] });
      helper.on("error", () => this.#fail(helper));
      helper.on("exit", () => this.#fail(helper));
      (helper.stdout as Readable).setEncoding("utf8");
      (helper.stdout as Readable).on("data", (chunk: string) => this.#read(chunk));
      // a write after the helper died fails here, and #fail has already rerun the commands
      (helper.stdin as Writable).on("error", () => this.#fail(helper));
      this.#helper = helper;
      this.#hold(false);
      return helper;
    } catch {
      this.#broken = true;
      return undefined;
    }
  }

  /** Keeps this process alive while commands run, and lets it exit when none does. */
  #hold(busy: boolean, h = this.#helper): void {
    if (!h) return;
    for (const handle of [h, h.stdin, h.stdout] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (busy) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  #read(chunk: string): void {
    this.#buffered += chunk;
    let nl;
    while ((nl = this.#buffered.indexOf("\n")) >= 0) {
      const line = this.#buffered.slice(0, nl);
      this.#buffered = this.#buffered.slice(nl + 1);
      const res = JSON.parse(line) as { id: number; code: number | null; message?: string };
      const p = this.#pending.get(res.id);
      if (!p) continue;
      this.#pending.delete(res.id);
      const stdout = readOutput(p.out);
      const stderr = readOutput(p.err);
      p.resolve(res.code === null ? { exitCode: 1, stdout, stderr: stderr || (res.message ?? "did not run") } : { exitCode: res.code, stdout, stderr });
    }
    if (this.#pending.size === 0) this.#hold(false);
  }

  /** The helper died: every command it had not answered runs directly, and so do later ones. */
  #fail(helper: ChildProcess): void {
    if (helper !== this.#helper) return; // closed, or already failed
    this.#broken = true;
    this.#helper = undefined;
    const left = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of left) {
      // the helper's command may still be writing: its files go, whatever it writes after
      rmSync(p.out, { force: true });
      rmSync(p.err, { force: true });
      void this.#runDirect(p.file, p.args, p.opts).then(p.resolve);
    }
  }

  #runDirect(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
    const s = opts.slots;
    if (!s) return runDirect(file, args, opts);
    let pool = this.#direct.get(s.pool);
    if (!pool) this.#direct.set(s.pool, (pool = new Slots(s.size)));
    return pool.run(s.weight, () => runDirect(file, args, opts));
  }
}

function readOutput(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  } finally {
    rmSync(file, { force: true });
  }
}

/** execFile from this process: the fallback, with the same result shape. */
export function runDirect(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: opts.env, timeout: opts.timeout, maxBuffer: 1 << 30, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      // a number is the exit code; otherwise it did not run (ENOENT) or was killed (timeout)
      resolve({ exitCode: !err ? 0 : typeof code === "number" ? code : 1, stdout, stderr: stderr || (err && typeof code !== "number" ? err.message : "") });
    });
  });
}

/** This process's spawner, started on first use. */
export const spawner = new Spawner();
