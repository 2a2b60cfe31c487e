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
 * Failed renders are never kept; entries are kept as tools/lib/content-cache.ts keeps them (4,000 at
 * most, least recently used out).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ContentCache, contentKey } from "./content-cache.ts";
import { repoRoot } from "./paths.ts";
import type { K8sObject } from "./k8s.ts";

export type RenderKind = "chart" | "upstream";

/** What is kept of one render: the parsed objects, and helm's text when a caller needs it. */
export interface CachedRender {
  objects: K8sObject[];
  manifest?: string;
}

const cache = new ContentCache<CachedRender>(join(repoRoot, ".cache", "render"), 4000);

/**
 * The objects are kept parsed, so the code that parses helm's output is part of every key: the
 * manifest reader (render.ts parseManifest and the go-yaml v2 schema of go-yaml.ts).
 */
let reader: string | undefined;
function readerKey(): string {
  reader ??= contentKey(["render.ts", "go-yaml.ts"].map((f) => readFileSync(join(import.meta.dirname, f), "utf8")));
  return reader;
}

export function renderCacheEnabled(kind: RenderKind, env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = env.RENDER_CACHE ?? "on";
  return mode === "on" || (mode === "upstream" && kind === "upstream");
}

/**
 * The render whose inputs `key()` hashes: from the cache when `kind` is cached and the entry is
 * there, else from `render()`, whose result is kept. The key is computed only when `kind` is
 * cached (a chart's digest reads every file of the chart). `keepManifest` keeps helm's text too
 * (lint checks its layout).
 */
export async function cachedRender(kind: RenderKind, key: () => string, keepManifest: boolean, render: () => Promise<CachedRender>): Promise<CachedRender> {
  if (!renderCacheEnabled(kind)) return render();
  const k = contentKey([key(), readerKey()]);
  const hit = cache.get(k);
  if (hit && Array.isArray(hit.objects) && (!keepManifest || typeof hit.manifest === "string")) return hit;
  const fresh = await render();
  cache.set(k, keepManifest ? fresh : { objects: fresh.objects });
  return fresh;
}
