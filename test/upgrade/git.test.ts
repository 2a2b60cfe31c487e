import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitError, resolveCiBase, resolveCommit, withWorktree } from "../../tools/upgrade/git.ts";
import { tempRepo, type TempRepo } from "./repo.ts";

const repos: TempRepo[] = [];
const track = (r: TempRepo) => (repos.push(r), r);
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

describe("withWorktree", () => {
  it("checks out the ref, leaves the working tree alone, and removes the worktree", async () => {
    const repo = track(await tempRepo());
    const first = await repo.commit("first", { "values/a.yaml": "size: 1Gi\n" });
    await repo.commit("second", { "values/a.yaml": "size: 2Gi\n" });
    repo.write({ "values/a.yaml": "size: 3Gi\n" }); // uncommitted

    let seen = "";
    const result = await withWorktree(repo.dir, "HEAD~1", async (dir, commit) => {
      seen = dir;
      expect(commit).toBe(first);
      expect(readFileSync(join(dir, "values/a.yaml"), "utf8")).toBe("size: 1Gi\n");
      return "done";
    });
    expect(result).toBe("done");
    expect(existsSync(seen)).toBe(false);
    expect(readFileSync(join(repo.dir, "values/a.yaml"), "utf8")).toBe("size: 3Gi\n");
    expect(await repo.git("worktree", "list")).not.toContain(seen);
    expect(await repo.git("branch", "--list")).toBe("* main");
    expect(existsSync(dirname(seen))).toBe(false); // the mkdtemp parent too
  });

  it("removes the worktree when the callback throws", async () => {
    const repo = track(await tempRepo());
    await repo.commit("first", { "a.txt": "a\n" });
    let seen = "";
    await expect(
      withWorktree(repo.dir, "main", async (dir) => {
        seen = dir;
        throw new Error("render failed");
      }),
    ).rejects.toThrow("render failed");
    expect(seen).not.toBe("");
    expect(existsSync(dirname(seen))).toBe(false);
    expect((await repo.git("worktree", "list")).split("\n")).toHaveLength(1);
  });

  it("says which ref does not exist", async () => {
    const repo = track(await tempRepo());
    await repo.commit("first", { "a.txt": "a\n" });
    await expect(withWorktree(repo.dir, "no-such-branch", async () => 1)).rejects.toThrow(/'no-such-branch' does not name a commit/);
    await expect(resolveCommit(repo.dir, "no-such-branch")).rejects.toBeInstanceOf(GitError);
  });

  it("refuses a directory that is not a git work tree", async () => {
    const repo = track(await tempRepo());
    await repo.git("init", "-q", "--bare", "bare.git");
    await expect(resolveCommit(join(repo.dir, "bare.git"), "HEAD")).rejects.toThrow(/is not a git work tree/);
  });
});

describe("resolveCiBase", () => {
  it("uses the merge base of a feature branch with main", async () => {
    const repo = track(await tempRepo());
    const fork = await repo.commit("base", { "a.txt": "a\n" });
    await repo.git("checkout", "-q", "-b", "feature");
    await repo.commit("feature work", { "a.txt": "b\n" });
    await repo.git("checkout", "-q", "main");
    await repo.commit("main moves on", { "b.txt": "c\n" });
    await repo.git("checkout", "-q", "feature");
    const base = await resolveCiBase(repo.dir);
    expect(base).toEqual({ ok: true, commit: fork, description: expect.stringContaining("merge base of HEAD with main") });
  });

  it("prefers origin/main when it exists", async () => {
    const upstream = track(await tempRepo());
    const shared = await upstream.commit("base", { "a.txt": "a\n" });
    const clone = track(await tempRepo("upgrade-clone-"));
    await clone.git("remote", "add", "origin", upstream.dir);
    await clone.git("fetch", "-q", "origin");
    await clone.git("checkout", "-q", "-b", "work", "origin/main");
    await clone.commit("change", { "a.txt": "z\n" });
    expect(await resolveCiBase(clone.dir)).toMatchObject({ ok: true, commit: shared, description: expect.stringContaining("origin/main") });
  });

  it("compares with the parent when HEAD is on main", async () => {
    const repo = track(await tempRepo());
    const first = await repo.commit("first", { "a.txt": "a\n" });
    await repo.commit("second", { "a.txt": "b\n" });
    expect(await resolveCiBase(repo.dir)).toMatchObject({ ok: true, commit: first, description: expect.stringContaining("parent") });
  });

  it.each([
    ["a single commit", async (r: TempRepo) => void (await r.commit("only", { "a.txt": "a\n" })), /first commit on main/],
    ["no commit at all", async () => undefined, /no commit history/],
    [
      "a branch without main",
      async (r: TempRepo) => {
        await r.git("checkout", "-q", "-b", "other");
        await r.commit("only", { "a.txt": "a\n" });
      },
      /none of origin\/main, main exists/,
    ],
  ])("says why there is nothing to compare: %s", async (_name, setup, reason) => {
    const repo = track(await tempRepo());
    await setup(repo);
    const base = await resolveCiBase(repo.dir);
    expect(base.ok).toBe(false);
    expect(base.ok ? "" : base.reason).toMatch(reason);
  });
});
