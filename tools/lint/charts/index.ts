/** Each chart's own lint assertions, by chart name (imported statically, not found by file name). */
import { assertions as clusterplex } from "./clusterplex.ts";
import { assertions as decypharr } from "./decypharr.ts";
import { assertions as haJobs } from "./ha-jobs.ts";
import { assertions as longhornConfig } from "./longhorn-config.ts";
import { assertions as mediaApps } from "./media-apps.ts";
import type { ChartAssertion } from "../types.ts";

export const CHART_ASSERTIONS: Readonly<Record<string, readonly ChartAssertion[]>> = {
  clusterplex,
  decypharr,
  "ha-jobs": haJobs,
  "longhorn-config": longhornConfig,
  "media-apps": mediaApps,
};
