import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Upstream charts (Traefik, Longhorn, MetalLB) come from the offline Helm repository next to
    // the checkout, read in place (tools/lib/charts.ts); tests that need no mirror unset it.
    env: { CHART_MIRROR: fileURLToPath(new URL("../shared/upstream/charts", import.meta.url)) },
  },
});
