import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

/** Root of this repository (two levels above tools/lib). */
export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** The hand-written charts of this suite, in dependency order. */
export const CHARTS = ["longhorn-config", "decypharr", "media-apps", "clusterplex", "ha-jobs"] as const;
export type ChartName = (typeof CHARTS)[number];
