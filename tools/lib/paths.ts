import { accessSync, constants, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of this repository (two levels above tools/lib). */
export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/**
 * Where short-lived scratch files go (chart copies for helm, helm's output): $TMPDIR when it is
 * set, else /dev/shm where it is a writable directory (tmpfs: no journal, no disk), else the
 * system's temporary directory. A lint run creates and deletes a chart copy per release; on ext4
 * that was ~6 ms of the main thread each (issue 18).
 */
export function scratchRoot(): string {
  if (process.env.TMPDIR) return tmpdir();
  try {
    accessSync("/dev/shm", constants.W_OK | constants.X_OK);
    if (statSync("/dev/shm").isDirectory()) return "/dev/shm";
  } catch {
    // no tmpfs here
  }
  return tmpdir();
}
