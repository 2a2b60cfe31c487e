import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { runDirect, Spawner } from "../../tools/lib/spawner.ts";

const env = { PATH: "/usr/bin:/bin" };
const sh = (script: string) => ["-c", script];
const spawners: Spawner[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of spawners.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const fresh = () => {
  const s = new Spawner();
  spawners.push(s);
  return s;
};

describe("Spawner (commands started by a small helper process)", () => {
  it("returns the exit code and both outputs, as execFile from this process would", async () => {
    const s = fresh();
    const script = sh('printf "out ünïcode\\n"; printf "err\\n" >&2; exit 3');
    const viaHelper = await s.run("/bin/sh", script, { env, timeout: 10_000 });
    expect(viaHelper).toEqual({ exitCode: 3, stdout: "out ünïcode\n", stderr: "err\n" });
    expect(viaHelper).toEqual(await runDirect("/bin/sh", script, { env, timeout: 10_000 }));
  });

  it("starts the command from the helper, not from this process", async () => {
    const s = fresh();
    const res = await s.run("/bin/sh", sh("echo $PPID"), { env, timeout: 10_000 });
    expect(s.helperPid).toBeTypeOf("number");
    expect(Number(res.stdout.trim())).toBe(s.helperPid);
    expect(Number(res.stdout.trim())).not.toBe(process.pid);
  });

  it("keeps each caller's output apart when many run at once, large outputs included", async () => {
    const s = fresh();
    // 3 MB each: far more than a pipe holds, written while this process is busy elsewhere
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s.run("/bin/sh", sh(`head -c 3000000 /dev/zero | tr '\\0' '${i}'; echo " done ${i}" >&2`), { env, timeout: 30_000 })),
    );
    results.forEach((r, i) => {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toHaveLength(3_000_000);
      expect(r.stdout).toBe(String(i).repeat(3_000_000));
      expect(r.stderr).toBe(` done ${i}\n`);
    });
  });

  it("reports a command that does not exist, and one killed at its timeout, as exit code 1 with the reason", async () => {
    const s = fresh();
    const missing = await s.run("/nonexistent/helm", ["version"], { env, timeout: 10_000 });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT/);
    const slow = await s.run("/bin/sh", sh("sleep 5"), { env, timeout: 200 });
    expect(slow.exitCode).toBe(1);
    expect(slow.stderr).toMatch(/timeout/);
  });

  it("passes the environment given, not this process's", async () => {
    const s = fresh();
    const res = await s.run("/bin/sh", sh('echo "$ONLY_HERE/$HOME"'), { env: { ...env, ONLY_HERE: "yes" }, timeout: 10_000 });
    expect(res.stdout).toBe("yes/\n");
  });

  it("runs the commands it had not answered directly when the helper dies, and later ones too", async () => {
    const s = fresh();
    const first = await s.run("/bin/sh", sh("echo first"), { env, timeout: 10_000 });
    expect(first.stdout).toBe("first\n");
    const pid = s.helperPid!;
    const inFlight = s.run("/bin/sh", sh("sleep 0.3; echo second"), { env, timeout: 10_000 });
    process.kill(pid, "SIGKILL");
    expect(await inFlight).toEqual({ exitCode: 0, stdout: "second\n", stderr: "" });
    expect(await s.run("/bin/sh", sh("echo $PPID"), { env, timeout: 10_000 })).toEqual({ exitCode: 0, stdout: `${process.pid}\n`, stderr: "" });
  });

  it("queues a pool's commands in the helper: at most `size` at once, the heaviest waiting one next", async () => {
    const s = fresh();
    const dir = tempDir("spawner-pool-");
    const pool = (weight: number) => ({ env, timeout: 10_000, slots: { pool: "p", size: 1, weight } });
    // the first takes the one slot; the others arrive while it runs and wait, served by weight
    const first = s.run("/bin/sh", sh(`echo first >> ${dir}/order; sleep 0.3`), pool(0));
    const rest = [["small", 1], ["big", 100], ["mid", 10], ["big2", 100]].map(([name, w]) =>
      s.run("/bin/sh", sh(`echo ${name} >> ${dir}/order; echo start >> ${dir}/events; sleep 0.05; echo end >> ${dir}/events`), pool(Number(w))));
    await Promise.all([first, ...rest]);
    expect(readFileSync(join(dir, "order"), "utf8").trim().split("\n")).toEqual(["first", "big", "big2", "mid", "small"]);
    // one at a time: every start is followed by its end before the next start
    expect(readFileSync(join(dir, "events"), "utf8").trim().split("\n")).toEqual(Array(4).fill(["start", "end"]).flat());
  });

  it("starts a pool's next command while this process's main thread is blocked", async () => {
    const s = fresh();
    s.warm();
    const dir = tempDir("spawner-busy-");
    const pool = { env, timeout: 10_000, slots: { pool: "busy", size: 1, weight: 0 } };
    const a = s.run("/bin/sh", sh("sleep 0.1"), pool);
    const b = s.run("/bin/sh", sh(`date +%s%N > ${dir}/b`), pool);
    // this thread does nothing for 1.5 s: no event of this process runs meanwhile
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    const unblocked = BigInt(Date.now()) * 1_000_000n;
    await Promise.all([a, b]);
    expect(BigInt(readFileSync(join(dir, "b"), "utf8").trim())).toBeLessThan(unblocked);
  });

  it("keeps a pool's limit for commands run directly once the helper is gone", async () => {
    const s = fresh();
    await s.run("/bin/sh", sh("true"), { env, timeout: 10_000 });
    process.kill(s.helperPid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
    const dir = tempDir("spawner-direct-");
    const results = await Promise.all(Array.from({ length: 4 }, () =>
      s.run("/bin/sh", sh(`echo $PPID >> ${dir}/parents; echo start >> ${dir}/events; sleep 0.05; echo end >> ${dir}/events`), { env, timeout: 10_000, slots: { pool: "d", size: 1, weight: 0 } })));
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    expect(new Set(readFileSync(join(dir, "parents"), "utf8").trim().split("\n"))).toEqual(new Set([String(process.pid)]));
    expect(readFileSync(join(dir, "events"), "utf8").trim().split("\n")).toEqual(Array(4).fill(["start", "end"]).flat());
  });

  it("leaves no output file behind", async () => {
    const s = fresh();
    await s.run("/bin/sh", sh("echo x; echo y >&2"), { env, timeout: 10_000 });
    await s.run("/nonexistent/helm", [], { env, timeout: 10_000 });
    const dir = dirname(s.outputPrefix);
    expect(readdirSync(dir).filter((n) => join(dir, n).startsWith(s.outputPrefix))).toEqual([]);
  });

  it("does not keep a process alive once its commands are done, and counts their CPU as its children's", async () => {
    // a node process that runs one command through the spawner, then ends on its own
    const script = `
      import { readFileSync } from "node:fs";
      import { spawner } from ${JSON.stringify(join(repoRoot, "tools/lib/spawner.ts"))};
      const r = await spawner.run("/bin/sh", ["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo spun"], { env: { PATH: "/usr/bin:/bin" }, timeout: 60000 });
      await spawner.close();
      // proc(5) fields 16 and 17: CPU of the waited-for children, in clock ticks
      const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
      process.stdout.write(r.stdout + (Number(f[13]) + Number(f[14])) + "\\n");
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 60_000 });
    const [spun, ticks] = stdout.trim().split("\n");
    expect(spun).toBe("spun");
    // the shell's loop takes a few hundred ms; ticks are 10 ms
    expect(Number(ticks)).toBeGreaterThan(5);
  });
});
