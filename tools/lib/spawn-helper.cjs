// @ts-check
// The child side of tools/lib/spawner.ts: a small node process that starts commands for a large
// one. Linux's fork() copies the caller's page tables and the child's exec() tears them down
// again, both in proportion to the caller's memory, while the caller waits (libuv's uv_spawn forks
// and waits for the exec). This process stays small, so each command it starts costs a few
// milliseconds of its time instead of tens of the big process's.
//
// It also queues them: a request names a pool (e.g. "helm", one per core) and a weight, and this
// process starts the heaviest waiting command the moment one of its pool ends. The parent's main
// thread is busy parsing and checking earlier output for hundreds of milliseconds at a time; a
// queue there left a core idle until it got round to starting the next command (issue 18).
//
// Protocol, over this process's stdin and stdout, one JSON line each way:
//   request:  {id, file, args, env, timeout, out, err, slots?: {pool, size, weight}}: run `file`
//             with `args` and `env`, its stdout and stderr written to the files `out` and `err`,
//             killed after `timeout` ms (counted from its start); with `slots`, at most `size`
//             commands of `pool` run at once (the first request of a pool sets its size);
//   response: {id, code, message}: the exit code, or null when the command did not run or was
//             killed (`message` says why).
// The command writes to files, not to a pipe, so it never waits for the busy parent to read.
// Plain CommonJS with no dependencies beyond slots.cjs, so it starts fast.
"use strict";

const { spawn } = require("node:child_process");
const { closeSync, openSync } = require("node:fs");
const { Slots } = require("./slots.cjs");

/**
 * @typedef {{ id: number; file: string; args: string[]; env: NodeJS.ProcessEnv; timeout: number; out: string; err: string;
 *   slots?: { pool: string; size: number; weight: number } }} Request
 * @typedef {{ code: number | null; message?: string }} Outcome
 */

/** @type {Set<import("node:child_process").ChildProcess>} */
const running = new Set();
/** @type {Map<string, Slots>} */
const pools = new Map();

/** @param {{ id: number } & Outcome} res */
function reply(res) {
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

/**
 * Runs one command to completion.
 * @param {Request} req
 * @returns {Promise<Outcome>}
 */
function run(req) {
  /** @type {number | undefined} */
  let out;
  /** @type {number | undefined} */
  let err;
  try {
    out = openSync(req.out, "w");
    err = openSync(req.err, "w");
  } catch (e) {
    if (out !== undefined) closeSync(out);
    return Promise.resolve({ code: null, message: `cannot write the command's output: ${/** @type {Error} */ (e).message}` });
  }
  const child = spawn(req.file, req.args, { env: req.env, stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  running.add(child);
  return new Promise((resolve) => {
    let done = false;
    let timedOut = false;
    /** @param {Outcome} res */
    const finish = (res) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      resolve(res);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
    }, req.timeout);
    child.on("error", (e) => finish({ code: null, message: e.message }));
    child.on("close", (code, signal) => {
      if (code !== null && !timedOut) finish({ code });
      else finish({ code: null, message: timedOut ? `killed after ${req.timeout} ms (timeout)` : `killed by ${signal}` });
    });
  });
}

/** @param {Request} req */
function submit(req) {
  const s = req.slots;
  let queued;
  if (s) {
    let pool = pools.get(s.pool);
    if (!pool) pools.set(s.pool, (pool = new Slots(s.size)));
    queued = pool.run(s.weight, () => run(req));
  } else {
    queued = run(req);
  }
  queued.then((res) => reply({ id: req.id, ...res }), (e) => reply({ id: req.id, code: null, message: String(e) }));
}

let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line) submit(JSON.parse(line));
  }
});
// The parent has exited (or closed the pipe): nobody reads the results any more.
process.stdin.on("end", () => {
  for (const child of running) child.kill();
  process.exit(0);
});
