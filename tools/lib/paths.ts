import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

/** Root of this repository (two levels above tools/lib). */
export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
