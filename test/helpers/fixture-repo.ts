/**
 * A throw-away copy of this repository's charts, schemas, values and Flux objects, for tests that
 * need to break something (a bad values file, a missing chart) without touching the checkout.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdirSync } from "node:fs";
import { repoRoot } from "../../tools/lib/paths.ts";

const COPIED = ["charts", "schema", "values", "clusters", "tools/templates"];

/**
 * Copies the repo's data into a temp dir, applies `edit(root)`, commits it all to a fresh git
 * repository there, runs `fn(root)`, and removes the copy afterwards (also on failure).
 */
export async function withFixtureRepo<T>(edit: (root: string) => void | Promise<void>, fn: (root: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), "fixture-repo-"));
  try {
    for (const dir of COPIED) {
      const src = join(repoRoot, dir);
      if (existsSync(src)) cpSync(src, join(root, dir), { recursive: true });
    }
    writeFileSync(join(root, "package.json"), readFileSync(join(repoRoot, "package.json")));
    // schema/ imports types from packages (schema/flux.ts: @kubernetes-models/flux-cd), which
    // gen-schema's compiler resolves from node_modules; ignored by the fixture's git like the real one's.
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
    writeFileSync(join(root, ".gitignore"), "node_modules\n.cache/\n");
    await edit(root);
    commitAll(root);
    return await fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Makes `root` a git checkout with everything committed, as the real one is (the policy stage scans the git-tracked YAML files). */
export function commitAll(root: string): void {
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=fixture", "-c", "user.email=fixture@localhost", ...args], { cwd: root, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
}

/** Writes `text` to `root/rel`, creating directories. */
export function writeFixture(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** Replaces `from` with `to` in `root/rel`; fails the test if `from` is not there. */
export function editFixture(root: string, rel: string, from: string | RegExp, to: string): void {
  const path = join(root, rel);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`editFixture: ${String(from)} not found in ${rel}`);
  writeFileSync(path, next);
}
