/**
 * `helm template` output kept by content hash in `.cache/render/`, so a run re-renders only the
 * releases whose inputs changed: after an edit of one values file, lint-charts renders one
 * release; the tests, which lint many copies of the repository that differ in one file, render
 * each distinct input once (issue 18).
 *
 * The output of `helm template` is a function of its inputs alone: the chart's files, the values,
 * the arguments (release, namespace, --kube-version, --include-crds) and helm itself (its version
 * decides the built-in API versions and the template functions). The key hashes all of them. The
 * charts must stay deterministic for this to hold: `lookup` renders nothing under `helm template`,
 * and `now`, `rand*`, `uuidv4` and `gen*` would make every render differ; lint rejects those
 * functions in our charts (tools/lint/helm-rules.ts), upstream charts are fixed by their digest.
 *
 * `RENDER_CACHE=off` renders everything anyway; `RENDER_CACHE=upstream` keeps only the upstream
 * charts' renders (npm run bench measures lint against bare helm so, tools/bench/lint.ts).
 * Failed renders are never kept. A corrupt or unreadable entry is a miss, and writes are atomic.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./k8s.ts";

export type RenderKind = "chart" | "upstream";

/** What is kept of one render: the parsed objects, and helm's text when a caller needs it. */
export interface CachedRender {
  objects: K8sObject[];
  manifest?: string;
}

const DIR = join(repoRoot, ".cache", "render");

/** Entries beyond this many are pruned, least recently used first, when a new one is written. */
const MAX_ENTRIES = 4000;

export function renderCacheEnabled(kind: RenderKind, env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = env.RENDER_CACHE ?? "on";
  return mode === "on" || (mode === "upstream" && kind === "upstream");
}

/** The key of a render: sha256 over its inputs, in order. */
export function renderKey(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** sha256 over every file under `dir` (relative path and content, in sorted order): a chart's identity. */
export function directoryDigest(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const names = readdirSync(join(dir, rel)).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) h.update(`${r}\0${st.size}\0`).update(readFileSync(join(dir, r))).update("\0");
    }
  };
  walk("");
  return h.digest("hex");
}

export function readRender(key: string): CachedRender | undefined {
  const file = join(DIR, `${key}.json`);
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as CachedRender;
    if (!Array.isArray(v.objects)) return undefined;
    const now = new Date();
    utimesSync(file, now, now); // recently used: kept by the pruning below
    return v;
  } catch {
    return undefined;
  }
}

export function writeRender(key: string, value: CachedRender): void {
  const file = join(DIR, `${key}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, file);
    prune();
  } catch {
    // a cache that cannot be written (read-only checkout, full disk) only costs speed
    rmSync(tmp, { force: true });
  }
}

/** Keeps the newest MAX_ENTRIES * 3/4 entries once there are more than MAX_ENTRIES. */
function prune(): void {
  const names = readdirSync(DIR).filter((n) => n.endsWith(".json"));
  if (names.length <= MAX_ENTRIES) return;
  const byAge = names.map((n) => ({ n, t: statSync(join(DIR, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, names.length - Math.floor((MAX_ENTRIES * 3) / 4))) rmSync(join(DIR, n), { force: true });
}

/**
 * The render of `key`: from the cache when `kind` is cached and the entry is there, else from
 * `render()`, whose result is kept. `keepManifest` keeps helm's text too (lint checks its layout).
 */
export async function cachedRender(kind: RenderKind, key: string, keepManifest: boolean, render: () => Promise<CachedRender>): Promise<CachedRender> {
  const enabled = renderCacheEnabled(kind);
  const hit = enabled ? readRender(key) : undefined;
  if (hit && (!keepManifest || typeof hit.manifest === "string")) return hit;
  const fresh = await render();
  if (enabled) writeRender(key, keepManifest ? fresh : { objects: fresh.objects });
  return fresh;
}
