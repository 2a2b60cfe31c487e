/**
 * The fencing job's bundle, charts/ha-jobs/files/fencing.mjs (tools/lib/bundle-job.ts: one
 * deterministic ESM file plain `node` runs, written and drift-checked by `npm run gen-schema`).
 */
import { bundleBanner, bundleJob } from "../lib/bundle-job.ts";

export const BUNDLE_BANNER = bundleBanner("fencing");

export function bundleFencing(): Promise<string> {
  return bundleJob("fencing");
}
