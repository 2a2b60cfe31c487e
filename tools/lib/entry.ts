/**
 * Whether a module is the program node was started with: the CLIs (tools/lib/cli.ts runCli) and
 * the ha-jobs jobs (tools/fencing/main.ts, tools/report/main.ts, bundled into one file each and
 * started from a ConfigMap mount, where the file is a symlink). Node-only imports, so the job
 * bundles stay small.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Whether the module at `url` (its `import.meta.url`) is the process's entry point, symlinks resolved. */
export function isEntry(url: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const self = fileURLToPath(url);
  try {
    return realpathSync(entry) === realpathSync(self);
  } catch {
    return resolve(entry) === self;
  }
}
