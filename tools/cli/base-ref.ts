/** The `--base <git-ref>` of diff and upgrade-check: a ref naming no commit is bad usage (exit 2). */
import { UsageError } from "../lib/cli.ts";
import { GitError, resolveCommit } from "../upgrade/git.ts";

export async function requireRef(root: string, ref: string): Promise<string> {
  try {
    return await resolveCommit(root, ref);
  } catch (err) {
    if (err instanceof GitError && err.message.includes("does not name a commit")) throw new UsageError(`--base ${err.message}`, { cause: err });
    throw err;
  }
}
