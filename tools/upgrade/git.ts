/**
 * Git helpers for comparing the working tree with another revision: a temporary worktree of a
 * ref (always removed afterwards) and the merge base CI should compare against.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

export class GitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "GitError", enumerable: false });
  }
}

/** Runs git in `cwd`; returns trimmed stdout or throws a GitError with git's first stderr line. */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execa("git", args, { cwd, timeout: 120_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string; code?: string };
    if (e.code === "ENOENT") throw new GitError("git is not installed (or not on PATH)", { cause: err });
    const detail = (e.stderr || e.shortMessage || String(err)).split("\n").find((l) => l.trim()) ?? "";
    throw new GitError(`git ${args.join(" ")} failed in ${cwd}: ${detail.trim()}`, { cause: err });
  }
}

/** The commit `ref` names in the repository at `root`, or a GitError saying why not. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    return await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch (err) {
    const inside = await git(root, ["rev-parse", "--is-inside-work-tree"]).catch(() => "false");
    if (inside !== "true") throw new GitError(`${root} is not a git work tree`, { cause: err });
    throw new GitError(`'${ref}' does not name a commit in ${root}. Fix: pass a branch, tag or commit that exists (git fetch it first in a shallow clone).`, {
      cause: err,
    });
  }
}

/**
 * Checks out `ref` into a temporary worktree under os.tmpdir(), runs `fn` with its path and
 * removes the worktree afterwards, whether `fn` succeeds or throws. The worktree is detached, so
 * no branch is created or moved.
 */
export async function withWorktree<T>(root: string, ref: string, fn: (dir: string, commit: string) => Promise<T>): Promise<T> {
  const commit = await resolveCommit(root, ref);
  const parent = await mkdtemp(join(tmpdir(), "upgrade-check-"));
  const dir = join(parent, "tree");
  let added = false;
  try {
    await git(root, ["worktree", "add", "--detach", "--quiet", dir, commit]);
    added = true;
    return await fn(dir, commit);
  } finally {
    if (added) await git(root, ["worktree", "remove", "--force", dir]).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
    // Forget a worktree whose directory is gone (e.g. remove failed half way).
    await git(root, ["worktree", "prune"]).catch(() => undefined);
  }
}

/** What to compare against in CI, or why there is nothing to compare. */
export type BaseResolution =
  | { ok: true; commit: string; description: string }
  | { ok: false; reason: string };

/**
 * Finds the revision CI should compare the working tree with: the merge base of HEAD with the
 * first of `candidates` that exists (default `origin/main`, then `main`). When HEAD is itself on
 * the base branch (merge base == HEAD), compares with HEAD's first parent, i.e. the change that
 * was just made. Never throws for missing history: it says why instead (clean clone without
 * history, shallow clone, no such branch).
 */
export async function resolveCiBase(root: string, candidates: readonly string[] = ["origin/main", "main"]): Promise<BaseResolution> {
  let head: string;
  try {
    head = await git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  } catch {
    return { ok: false, reason: `no commit history in ${root} (not a git repository, or no commit yet)` };
  }
  const shallow = (await git(root, ["rev-parse", "--is-shallow-repository"]).catch(() => "false")) === "true";
  for (const candidate of candidates) {
    const tip = await git(root, ["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]).catch(() => undefined);
    if (!tip) continue;
    const base = await git(root, ["merge-base", head, tip]).catch(() => undefined);
    if (!base) {
      return {
        ok: false,
        reason: `HEAD and ${candidate} share no history${shallow ? " (shallow clone: fetch more history, e.g. git fetch --unshallow)" : ""}`,
      };
    }
    if (base !== head) return { ok: true, commit: base, description: `merge base of HEAD with ${candidate} (${base.slice(0, 12)})` };
    const parent = await git(root, ["rev-parse", "--verify", "--quiet", "HEAD^1^{commit}"]).catch(() => undefined);
    if (parent) return { ok: true, commit: parent, description: `HEAD is on ${candidate}: comparing with its parent (${parent.slice(0, 12)})` };
    return { ok: false, reason: `HEAD is the first commit on ${candidate}${shallow ? " of a shallow clone" : ""}: no earlier revision to compare with` };
  }
  return {
    ok: false,
    reason: `none of ${candidates.join(", ")} exists${shallow ? " (shallow clone)" : ""}: no base revision to compare with`,
  };
}
