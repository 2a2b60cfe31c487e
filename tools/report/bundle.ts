/**
 * The report job's bundle, charts/ha-jobs/files/report.mjs (tools/lib/bundle-job.ts, as the
 * fencing job's: one deterministic ESM file, written and drift-checked by `npm run gen-schema`).
 */
import { bundleBanner, bundleJob } from "../lib/bundle-job.ts";

export const BUNDLE_BANNER = bundleBanner("report");

export function bundleReport(): Promise<string> {
  return bundleJob("report");
}
