/**
 * npm run bench [-- --runs N] [--sizes 25,50,100,200] [--update]
 *
 * How fast lint-charts is against what it cannot avoid, measured side by side in one run (issue 18):
 *   - the floor: `helm template` of exactly the releases lint renders, with the same chart copies
 *     and values files, in parallel on every core, nothing else. The floor's commands are recorded
 *     from a real lint run through a recording helm wrapper, so whatever lint renders (our charts,
 *     upstream charts from the mirror) is in the floor, in the same number of helm processes;
 *   - `node tools/cli/lint-charts.ts` as a whole process: wall, CPU (its own and its helm
 *     children's) and its peak RSS, with the ratios to the floor and the targets. Our charts are
 *     rendered by helm in these runs, as in the floor (RENDER_CACHE=upstream); a repeated run with
 *     every render cached is printed beside them;
 *   - lint in-process after start-up (lintEnvironment, warm) against the floor;
 *   - Kubernetes/CRD validation of rendered objects, objects per second on one core;
 *   - growth: a generated copy of the repository with 4 environments of N media apps each, linted
 *     as a whole process at each size, time per app (linear growth keeps it flat); at the largest
 *     size also its own helm floor, and the edit loop: one app changed, the other renders cached.
 * Medians of N runs. The numbers are compared with tools/bench/baseline.json: a metric more than
 * 20 % worse than its baseline is flagged REGRESSION and the exit code is 1; `--update` writes the
 * new numbers as the baseline (commit it with the change that moved them).
 * A script with numbers, never a timed test. On a shared machine compare ratios, not seconds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { parseCli, runMain } from "../lib/cli.ts";
import { validateObject } from "../lib/k8s-validate.ts";
import { resolveHelm, type Helm } from "../lib/helm.ts";
import { repoRoot, scratchRoot } from "../lib/paths.ts";
import { spawner } from "../lib/spawner.ts";
import { mapLimit, type K8sObject } from "../lib/render.ts";
import { lintEnvironment } from "../lint/run.ts";
import { growthRepo } from "./growth.ts";

const USAGE = "usage: npm run bench [-- --runs N] [--sizes 25,50,100,200] [--update]";
const BASELINE = join(repoRoot, "tools", "bench", "baseline.json");
const TOLERANCE = 0.2;

/** Targets of issue 18. */
const TARGETS = {
  wallRatio: 1.5, // lint wall <= 1.5 x floor wall + FIXED_START_S
  fixedStartS: 0.5,
  cpuRatio: 2, // lint CPU <= 2 x floor CPU
  peakMb: 150,
  inProcessRatio: 1.2,
  objectsPerSecPerCore: 5000,
  growth200S: 5,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- CPU of child processes (Linux: /proc/self/stat cutime + cstime of waited-for children) ----
const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function childCpuS(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields 16 and 17 of proc(5) (cutime, cstime); f[0] is field 3
  return (Number(f[13]) + Number(f[14])) / clockTicks;
}
const selfCpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Sample {
  wallS: number;
  cpuS: number;
  peakMb?: number;
}

// ---- recording lint's helm commands -------------------------------------------------------------
const RECORDER = `#!/usr/bin/env bash
# bench: records each helm template call of a lint run (its chart copy and values files kept) and runs it
if [ "$1" = "template" ]; then
  dir=$(mktemp -d "$BENCH_REC/call-XXXXXX")
  args=()
  for a in "$@"; do
    if [[ "$a" == "$BENCH_TMP"/* && -e "$a" ]]; then cp -r "$a" "$dir/"; args+=("$dir/$(basename "$a")"); else args+=("$a"); fi
  done
  printf '%s\\0' "\${args[@]}" > "$dir/argv"
fi
exec "$BENCH_HELM" "$@"
`;

/** The `helm template` argv of every release a lint run of `root` renders. */
async function recordFloor(helm: Helm, root: string, work: string): Promise<string[][]> {
  const rec = join(work, "recorded");
  mkdirSync(rec, { recursive: true });
  const bin = join(work, "helm-recorder");
  writeFileSync(bin, RECORDER);
  chmodSync(bin, 0o755);
  const saved = { ...process.env };
  // Every release, upstream included: nothing from the render cache (tools/lib/render-cache.ts).
  Object.assign(process.env, { BENCH_REC: rec, BENCH_TMP: scratchRoot(), BENCH_HELM: helm.bin, RENDER_CACHE: "off" });
  try {
    await lintEnvironment({ root, helm: { ...helm, bin } });
  } finally {
    await spawner.close();
    for (const k of ["BENCH_REC", "BENCH_TMP", "BENCH_HELM", "RENDER_CACHE"]) if (saved[k] === undefined) delete process.env[k];
  }
  return readdirSync(rec).sort().map((d) => readFileSync(join(rec, d, "argv"), "utf8").split("\0").filter(Boolean));
}

/** The floor: every recorded helm template, in parallel on every core. */
async function floorRun(helm: Helm, calls: string[][]): Promise<Sample> {
  const c0 = childCpuS();
  const t0 = performance.now();
  await mapLimit(calls, availableParallelism(), async (argv) => {
    const r = await execa(helm.bin, argv, { reject: false, stdout: "ignore" });
    if (r.exitCode !== 0) throw new Error(`floor: helm ${argv.join(" ")} failed: ${r.stderr}`);
  });
  return { wallS: (performance.now() - t0) / 1000, cpuS: childCpuS() - c0 };
}

// ---- lint-charts as a whole process -------------------------------------------------------------
/**
 * node's flags in package.json's lint-charts script, so the bench runs lint as `npm run lint-charts`
 * does:
 *   - `--max-semi-space-size=1` (MiB): a small young generation keeps the peak RSS of this
 *     short-lived, allocation-heavy process about 30-40 MB lower at no measurable cost in wall time
 *     (V8's default semi-space is 16 MiB on 64-bit; measured with this bench);
 *   - `--max-opt=2 --invocation-count-for-maglev=4000`: no TurboFan, and Maglev only for functions
 *     called thousands of times. A lint run is a few seconds of code that mostly runs a few hundred
 *     times; perf showed V8's compiler threads using ~2 s of CPU in a 200-app run (TurboFan ~1 s,
 *     Maglev ~1 s, the largest being ajv's generated validators), more than the optimised code gave
 *     back. Measured in turn with perf stat, 6 runs each: 200 apps 10.81 -> 9.62 s of CPU and 6.17
 *     -> 5.60 s wall; homelab and staging 4.64 -> 4.23 s of CPU, 2.89 -> 2.77 s wall.
 */
const LINT_NODE_FLAGS: string[] = (() => {
  const script = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["lint-charts"] ?? "";
  const m = /\bnode\s+(.*?)\s*tools\/cli\/lint-charts\.ts/.exec(script);
  return m ? m[1].split(/\s+/).filter((a) => a.startsWith("--")) : [];
})();
/**
 * How lint is measured against the floor: `upstream` renders every release of our charts with
 * helm, as the floor does, and takes only the upstream charts' renders from the cache (their
 * inputs change only with a version bump); `on` is a repeated run, every render cached.
 */
type CacheMode = "upstream" | "on";

async function lintProcess(args: string[], work: string, cache: CacheMode = "upstream"): Promise<Sample & { ok: boolean; out: string }> {
  const rssFile = join(work, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  // a preloaded module that writes the process's peak RSS (KiB) when it exits
  const hook = `data:text/javascript,process.on("exit",()=>process.getBuiltinModule("node:fs").writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)))`;
  const c0 = childCpuS();
  const t0 = performance.now();
  const r = await execa(process.execPath, [...LINT_NODE_FLAGS, "--import", hook, join(repoRoot, "tools", "cli", "lint-charts.ts"), ...args], {
    reject: false,
    cwd: repoRoot,
    // as the npm script runs it
    env: { NODE_COMPILE_CACHE: join(repoRoot, ".cache", "node-compile"), RENDER_CACHE: cache },
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = childCpuS() - c0;
  const peakMb = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : undefined;
  rmSync(rssFile, { force: true });
  return { wallS, cpuS, peakMb, ok: r.exitCode === 0, out: `${r.stdout}\n${r.stderr}` };
}

// ---- baseline -----------------------------------------------------------------------------------
/** Metric name → value, and whether higher is better. */
type Metrics = Record<string, { value: number; higherIsBetter?: boolean; unit: string }>;

function compare(now: Metrics, base: Metrics | undefined): string[] {
  if (!base) return [];
  const out: string[] = [];
  for (const [k, m] of Object.entries(now)) {
    const b = base[k];
    if (!b || !Number.isFinite(b.value) || b.value === 0) continue;
    const worse = m.higherIsBetter ? (b.value - m.value) / b.value : (m.value - b.value) / b.value;
    if (worse > TOLERANCE) out.push(`${k}: ${fmt(m.value)} ${m.unit} vs baseline ${fmt(b.value)} ${m.unit} (${(worse * 100).toFixed(0)} % worse)`);
  }
  return out;
}
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

await runMain(async () => {
  const { values } = parseCli({
    options: { runs: { type: "string", default: "5" }, sizes: { type: "string", default: "25,50,100,200" }, update: { type: "boolean", default: false } },
    strict: true,
  }, USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs}). ${USAGE}`);
  const sizes = values.sizes.split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must be positive integers separated by commas (got ${values.sizes}). ${USAGE}`);
  const helm = await resolveHelm();
  const cores = availableParallelism();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`INFO - helm ${helm.version}, node ${process.version}, ${cores} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${load}, ${runs} runs (medians)`);
  const work = mkdtempSync(join(tmpdir(), "bench-"));
  try {
    // warm-up: extracts helm, fills .cache (validators, closed schemas), and records the floor
    const calls = await recordFloor(helm, repoRoot, work);
    await lintProcess([], work);
    const floor: Sample[] = [];
    const lint: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      // interleaved, so a change of machine load hits both
      floor.push(await floorRun(helm, calls));
      const l = await lintProcess([], work);
      if (!l.ok) throw new Error(`lint-charts failed, so its timing means nothing:\n${l.out}`);
      lint.push(l);
    }
    const fW = median(floor.map((s) => s.wallS));
    const fC = median(floor.map((s) => s.cpuS));
    const lW = median(lint.map((s) => s.wallS));
    const lC = median(lint.map((s) => s.cpuS));
    const lM = median(lint.map((s) => s.peakMb ?? Number.NaN));
    // a repeated run: every render from the cache (what an operator sees linting again)
    await lintProcess([], work, "on");
    const warm: Sample[] = [];
    for (let i = 0; i < runs; i++) warm.push(await lintProcess([], work, "on"));

    // in-process, after start-up
    const inProc: number[] = [];
    const floorIn: number[] = [];
    let objects: K8sObject[] = [];
    for (let i = 0; i < runs; i++) {
      floorIn.push((await floorRun(helm, calls)).wallS);
      process.env.RENDER_CACHE = "upstream";
      const t0 = performance.now();
      const report = await lintEnvironment({ helm });
      inProc.push((performance.now() - t0) / 1000);
      // its helm processes' CPU is counted when the helper exits: not in the next floor run
      await spawner.close();
      delete process.env.RENDER_CACHE;
      objects = report.profiles.flatMap((p) => p.objects ?? []);
    }
    const iW = median(inProc);
    const iF = median(floorIn);

    // validation throughput, one core
    for (const o of objects) await validateObject(o);
    let n = 0;
    const c0 = selfCpuS();
    while (selfCpuS() - c0 < 1) {
      for (const o of objects) await validateObject(o);
      n += objects.length;
    }
    const perCore = n / (selfCpuS() - c0);

    // growth
    const growth: { apps: number; wallS: number; cpuS: number; peakMb?: number }[] = [];
    let growthFloor: { apps: number; releases: number; wallS: number; cpuS: number } | undefined;
    let growthEdit: { apps: number; wallS: number; cpuS: number } | undefined;
    // the generated profiles are large: at most 3 runs each
    const growthRuns = Math.max(1, Math.min(runs, 3));
    for (const apps of sizes) {
      const root = growthRepo(join(work, `growth-${apps}`), apps);
      const samples: Sample[] = [];
      for (let i = 0; i < growthRuns; i++) {
        const r = await lintProcess(["--root", root], work);
        if (!r.ok) throw new Error(`lint-charts failed on the generated profile of ${apps} apps:\n${r.out.split("\n").filter((l) => /ERROR/.test(l)).slice(0, 10).join("\n")}`);
        samples.push(r);
      }
      growth.push({ apps, wallS: median(samples.map((s) => s.wallS)), cpuS: median(samples.map((s) => s.cpuS)), peakMb: median(samples.map((s) => s.peakMb ?? Number.NaN)) });
      // The largest profile's own helm floor, so its target can be read against what helm alone needs.
      if (apps === Math.max(...sizes)) {
        const gCalls = await recordFloor(helm, root, join(work, `growth-floor-${apps}`));
        const gFloor: Sample[] = [];
        for (let i = 0; i < growthRuns; i++) gFloor.push(await floorRun(helm, gCalls));
        growthFloor = { apps, releases: gCalls.length, wallS: median(gFloor.map((x) => x.wallS)), cpuS: median(gFloor.map((x) => x.cpuS)) };
        // The edit loop: renders cached, then one app's port changed in one environment, so the
        // release holding that environment's apps renders again and the rest come from the cache.
        await lintProcess(["--root", root], work, "on");
        const file = join(root, "values", "gen-1", "media-apps.yaml");
        const original = readFileSync(file, "utf8");
        if (!original.includes("port: 10001")) throw new Error(`bench: ${file} has no "port: 10001" to edit`);
        const edits: Sample[] = [];
        for (let i = 0; i < growthRuns; i++) {
          writeFileSync(file, original.replace("port: 10001", `port: ${20001 + i}`));
          const r = await lintProcess(["--root", root], work, "on");
          if (!r.ok) throw new Error(`lint-charts failed on the edited growth profile:\n${r.out.split("\n").filter((l) => /ERROR/.test(l)).slice(0, 10).join("\n")}`);
          edits.push(r);
        }
        growthEdit = { apps, wallS: median(edits.map((x) => x.wallS)), cpuS: median(edits.map((x) => x.cpuS)) };
      }
      rmSync(root, { recursive: true, force: true });
    }

    const rows: string[][] = [["what", "value", "target", ""]];
    const row = (what: string, value: string, target = "", ok?: boolean) => rows.push([what, value, target, ok === undefined ? "" : ok ? "ok" : "MISSED"]);
    row(`floor: helm template x ${calls.length} releases, ${cores} in parallel`, `${fmt(fW)} s wall, ${fmt(fC)} s CPU`);
    row("lint-charts (whole process, every environment)", `${fmt(lW)} s wall, ${fmt(lC)} s CPU, ${fmt(lM)} MB peak`);
    row("  wall vs floor", `${fmt(lW / fW)}x (${fmt(lW)} s vs ${fmt(TARGETS.wallRatio * fW + TARGETS.fixedStartS)} s allowed)`, `<= ${TARGETS.wallRatio}x + ${TARGETS.fixedStartS} s`, lW <= TARGETS.wallRatio * fW + TARGETS.fixedStartS);
    row("  CPU vs floor", `${fmt(lC / fC)}x`, `<= ${TARGETS.cpuRatio}x`, lC <= TARGETS.cpuRatio * fC);
    row("  peak RSS", `${fmt(lM)} MB`, `<= ${TARGETS.peakMb} MB`, lM <= TARGETS.peakMb);
    row("lint-charts repeated (every render from .cache/render)", `${fmt(median(warm.map((x) => x.wallS)))} s wall, ${fmt(median(warm.map((x) => x.cpuS)))} s CPU (${fmt(median(warm.map((x) => x.wallS)) / fW)}x the floor)`);
    row("lint in-process after start-up vs floor", `${fmt(iW / iF)}x (${fmt(iW)} s vs ${fmt(iF)} s)`, `<= ${TARGETS.inProcessRatio}x`, iW <= TARGETS.inProcessRatio * iF);
    row(`k8s/CRD validation (${objects.length} objects)`, `${fmt(perCore)} objects/s per core`, `>= ${TARGETS.objectsPerSecPerCore}`, perCore >= TARGETS.objectsPerSecPerCore);
    for (const g of growth) {
      row(`growth: 4 envs x ${g.apps} apps`, `${fmt(g.wallS)} s wall, ${fmt(g.cpuS)} s CPU, ${fmt(g.peakMb ?? Number.NaN)} MB, ${fmt((g.wallS * 1000) / (4 * g.apps))} ms/app`, g.apps === 200 ? `< ${TARGETS.growth200S} s` : "", g.apps === 200 ? g.wallS < TARGETS.growth200S : undefined);
    }
    if (growthFloor) {
      const g = growth.find((x) => x.apps === growthFloor!.apps)!;
      row(`  floor of ${growthFloor.apps} apps: helm template x ${growthFloor.releases} releases`, `${fmt(growthFloor.wallS)} s wall, ${fmt(growthFloor.cpuS)} s CPU (lint ${fmt(g.wallS / growthFloor.wallS)}x)`);
    }
    if (growthEdit) {
      row(`  ${growthEdit.apps} apps, one app edited, other renders cached`, `${fmt(growthEdit.wallS)} s wall, ${fmt(growthEdit.cpuS)} s CPU`, `< ${TARGETS.growth200S} s`, growthEdit.wallS < TARGETS.growth200S);
    }
    if (growth.length > 1) {
      const first = growth[0];
      const last = growth[growth.length - 1];
      const lin = last.wallS / last.apps / (first.wallS / first.apps);
      row(`growth: ms/app at ${last.apps} / at ${first.apps}`, `${fmt(lin)}`, "<= 1 (linear or better)", lin <= 1.1);
    }
    const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(width[i])).join("  ").trimEnd());

    const metrics: Metrics = {
      lintWallVsFloor: { value: lW / fW, unit: "x" },
      lintCpuVsFloor: { value: lC / fC, unit: "x" },
      lintPeakMb: { value: lM, unit: "MB" },
      inProcessVsFloor: { value: iW / iF, unit: "x" },
      objectsPerSecPerCore: { value: perCore, unit: "objects/s", higherIsBetter: true },
      ...Object.fromEntries(growth.map((g) => [`growthMsPerApp${g.apps}`, { value: (g.wallS * 1000) / (4 * g.apps), unit: "ms/app" }])),
      lintRepeatedVsFloor: { value: median(warm.map((x) => x.wallS)) / fW, unit: "x" },
      ...(growthEdit ? { [`growthEdit${growthEdit.apps}S`]: { value: growthEdit.wallS, unit: "s" } } : {}),
    };
    const base = existsSync(BASELINE) ? (JSON.parse(readFileSync(BASELINE, "utf8")) as { metrics: Metrics }).metrics : undefined;
    const regressions = compare(metrics, base);
    for (const r of regressions) console.log(`REGRESSION - ${r}`);
    if (values.update) {
      const tmp = `${BASELINE}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ note: "npm run bench -- --update; ratios are measured against the helm floor in the same run", machine: { cores, cpu: cpus()[0]?.model, load, helm: helm.version, node: process.version }, metrics }, null, 2)}\n`);
      renameSync(tmp, BASELINE);
      console.log(`INFO - wrote ${BASELINE}`);
    } else if (!base) {
      console.log("INFO - no baseline yet: npm run bench -- --update writes tools/bench/baseline.json");
    }
    return regressions.length > 0 && !values.update ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
