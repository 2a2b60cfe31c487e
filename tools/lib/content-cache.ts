/**
 * JSON values kept on disk under a content hash of everything that produced them: a value is
 * only ever read back for the same inputs, so there is nothing to invalidate. Used for helm's
 * renders (tools/lib/render-cache.ts) and the generated schemas (tools/gen/schemas.ts).
 * A corrupt or unreadable entry is a miss, writes are atomic (a temporary sibling renamed into
 * place), and a directory past `maxEntries` is pruned to three quarters, least recently used
 * first. A cache that cannot be written (read-only checkout, full disk) only costs speed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** sha256 over `parts`, in order. */
export function contentKey(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/**
 * The state of one file, for a value kept while the file is the same, unchanged one: device,
 * inode, size, and mtime and ctime in ns (a rewrite, a replacement or a chmod changes it).
 */
export function fileState(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * `compute()`'s value for `key`, kept in `memo` while the file at `path` is the same, unchanged
 * one (fileState); a `compute()` that throws is not kept. Throws as statSync does when `path`
 * is missing.
 */
export function memoByFile<T>(memo: Map<string, { sig: string; value: T }>, path: string, key: string, compute: () => T): T {
  const sig = fileState(path);
  const hit = memo.get(key);
  if (hit?.sig === sig) return hit.value;
  const value = compute();
  memo.set(key, { sig, value });
  return value;
}

/** Keeps `value` under `key` in `map`, and drops the oldest entry once there are more than `max`. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/** sha256 over every file under `dir` whose relative path `include` accepts (path and content, sorted). */
export function directoryDigest(dir: string, include: (rel: string) => boolean = () => true): string {
  const h = createHash("sha256");
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile() && include(r)) h.update(`${r}\0${st.size}\0`).update(readFileSync(join(dir, r))).update("\0");
    }
  };
  walk("");
  return h.digest("hex");
}

export class ContentCache<T> {
  readonly dir: string;
  readonly maxEntries: number;

  constructor(dir: string, maxEntries: number) {
    this.dir = dir;
    this.maxEntries = maxEntries;
  }

  get(key: string): T | undefined {
    const file = join(this.dir, `${key}.json`);
    try {
      const value = JSON.parse(readFileSync(file, "utf8")) as T;
      const now = new Date();
      utimesSync(file, now, now); // recently used: kept by prune()
      return value;
    } catch {
      return undefined;
    }
  }

  set(key: string, value: T): void {
    const file = join(this.dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(value));
      renameSync(tmp, file);
      this.prune();
    } catch {
      rmSync(tmp, { force: true });
    }
  }

  private prune(): void {
    const names = readdirSync(this.dir).filter((n) => n.endsWith(".json"));
    if (names.length <= this.maxEntries) return;
    const byAge = names.map((n) => ({ n, t: statSync(join(this.dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
    for (const { n } of byAge.slice(0, names.length - Math.floor((this.maxEntries * 3) / 4))) rmSync(join(this.dir, n), { force: true });
  }
}
