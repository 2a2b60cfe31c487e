/**
 * A throw-away copy of this repository's charts, schemas, values and Flux objects, for tests that
 * need to break something (a bad values file, a missing chart) without touching the checkout.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { inject } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";

const COPIED = ["charts", "schema", "values", "clusters", "tools/templates"];

/**
 * A copy of the repo's data, tracked in its own git repository, that every fixture copies, its
 * `.git` included: a fixture then neither hashes ~190 files nor starts git from its large test
 * worker (a fork there costs 20-40 ms of page-table copying; issue 18's profiles). One per test
 * run (test/setup/fixture-base.ts, removed after the run); a process without it makes its own.
 */
export function makeFixtureBase(): string {
  const dir = mkdtempSync(join(tmpdir(), "fixture-base-"));
  for (const rel of COPIED) {
    const src = join(repoRoot, rel);
    if (existsSync(src)) cpSync(src, join(dir, rel), { recursive: true });
  }
  writeFileSync(join(dir, "package.json"), readFileSync(join(repoRoot, "package.json")));
  // schema/ imports types from packages (schema/flux.ts: @kubernetes-models/flux-cd), which
  // gen-schema's compiler resolves from node_modules; ignored by the fixture's git like the real one's.
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, ".gitignore"), "node_modules\n.cache/\n");
  trackAll(dir);
  return dir;
}

let base: { dir: string; files: Set<string> } | undefined;

function baseRepo(): { dir: string; files: Set<string> } {
  if (base && existsSync(base.dir)) return base;
  let dir = inject("fixtureBase");
  if (!dir || !existsSync(dir)) {
    const own = makeFixtureBase();
    process.once("exit", () => rmSync(own, { recursive: true, force: true }));
    dir = own;
  }
  base = { dir, files: new Set(workingFiles(dir)) };
  return base;
}

/** Files under `root` (relative), as git's working tree has them: not .git, not the node_modules link. */
function workingFiles(root: string, rel = ""): string[] {
  return readdirSync(join(root, rel), { withFileTypes: true }).flatMap((d) => {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) return r === ".git" ? [] : workingFiles(root, r);
    return d.isSymbolicLink() ? [] : [r];
  });
}

/**
 * Copies the repo's data into a temp dir, applies `edit(root)`, tracks it all in git there (as the
 * checkout's files are: the secret scan reads `git ls-files`), runs `fn(root)`, and removes the copy
 * afterwards (also on failure). The copy's index is the base's: it lists every copied path, and an
 * edit that adds a file is tracked with `git add`. What the index records of a file's content does
 * not matter here: nothing reads a fixture's blobs or compares them with the working tree.
 */
export async function withFixtureRepo<T>(edit: (root: string) => void | Promise<void>, fn: (root: string) => Promise<T>): Promise<T> {
  const { dir, files } = baseRepo();
  const root = mkdtempSync(join(tmpdir(), "fixture-repo-"));
  try {
    cpSync(dir, root, { recursive: true, verbatimSymlinks: true });
    await edit(root);
    if (workingFiles(root).some((f) => !files.has(f))) trackAll(root);
    return await fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * This checkout's object store, when it has one: a fixture borrows its objects through git's
 * alternates (gitrepository-layout(5), objects/info/alternates), so `git add` writes objects only
 * for what the fixture changed, not for the ~190 files it copied (0.3 s of mostly system time per
 * fixture otherwise). Borrowed objects are only read; the checkout is never written.
 */
const CHECKOUT_OBJECTS = (() => {
  const objects = join(repoRoot, ".git", "objects");
  return existsSync(join(objects, "info")) ? objects : undefined;
})();

/**
 * Makes `root` a git repository whose files are all tracked, as the real checkout's are: the
 * policy stage scans the git-tracked YAML files (`git ls-files`, which reads the index). Nothing
 * here reads a commit, so none is made (half of the git time of a fixture).
 */
export function trackAll(root: string): void {
  // One process from this (large) test worker, whose fork costs more than git's own work; no
  // template: git init would copy the sample hooks into every fixture.
  const script = 'git init -q --template= && { [ -z "$1" ] || echo "$1" > .git/objects/info/alternates; } && git add -A';
  execFileSync("sh", ["-c", script, "sh", CHECKOUT_OBJECTS ?? ""], { cwd: root, stdio: "ignore" });
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
