// The child side of tools/lib/spawner.ts: a small node process that starts commands for a large
// one. Linux's fork() copies the caller's page tables and the child's exec() tears them down
// again, both in proportion to the caller's memory, while the caller waits (libuv's uv_spawn forks
// and waits for the exec). This process stays small, so each command it starts costs a few
// milliseconds of its time instead of tens of the big process's.
//
// Protocol, over this process's stdin and stdout, one JSON line each way:
//   request:  {id, file, args, env, timeout, out, err}: run `file` with `args` and `env`, its
//             stdout and stderr written to the files `out` and `err`, killed after `timeout` ms;
//   response: {id, code, message}: the exit code, or null when the command did not run or was
//             killed (`message` says why).
// The command writes to files, not to a pipe, so it never waits for the busy parent to read.
// Plain CommonJS with no dependencies, so it starts fast.
"use strict";

const { spawn } = require("node:child_process");
const { closeSync, openSync } = require("node:fs");

/** Commands running now, killed if the parent goes away. */
const running = new Set();

function reply(res) {
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

function run(req) {
  let out;
  let err;
  try {
    out = openSync(req.out, "w");
    err = openSync(req.err, "w");
  } catch (e) {
    if (out !== undefined) closeSync(out);
    reply({ id: req.id, code: null, message: `cannot write the command's output: ${e.message}` });
    return;
  }
  let done = false;
  const finish = (res) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    running.delete(child);
    reply({ id: req.id, ...res });
  };
  const child = spawn(req.file, req.args, { env: req.env, stdio: ["ignore", out, err] });
  closeSync(out);
  closeSync(err);
  running.add(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
  }, req.timeout);
  child.on("error", (e) => finish({ code: null, message: e.message }));
  child.on("close", (code, signal) => {
    if (code !== null && !timedOut) finish({ code });
    else finish({ code: null, message: timedOut ? `killed after ${req.timeout} ms (timeout)` : `killed by ${signal}` });
  });
}

let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line) run(JSON.parse(line));
  }
});
// The parent has exited (or closed the pipe): nobody reads the results any more.
process.stdin.on("end", () => {
  for (const child of running) child.kill();
  process.exit(0);
});
