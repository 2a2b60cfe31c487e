import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes every file of `files` atomically: each goes to a temporary sibling first, and only when
 * all temporaries are written are they renamed into place. A failure leaves no half-written
 * output (and no temporaries).
 */
export function writeFilesAtomic(files: ReadonlyMap<string, string>): void {
  const staged: [string, string][] = [];
  try {
    for (const [path, content] of files) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, content);
      staged.push([tmp, path]);
    }
  } catch (err) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw err;
  }
  for (const [tmp, path] of staged) renameSync(tmp, path);
}
