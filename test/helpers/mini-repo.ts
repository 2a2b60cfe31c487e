/**
 * A minimal repository layout in a temp dir (one chart, one environment), for tests of the Flux
 * discovery and render rules that must not depend on the real charts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackAll, writeFixture } from "./fixture-repo.ts";

export const MINI_CHART = {
  "charts/demo/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\nkubeVersion: \">=1.29.0-0\"\n",
  "charts/demo/values.yaml": "greeting: hello\nlist: [a, b]\nnested:\n  keep: 1\n  drop: 2\n",
  "charts/demo/templates/cm.yaml":
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  values: {{ toJson .Values | quote }}\n",
  "values/test/cluster.yaml": [
    "name: test", "kubernetesVersion: v1.34.2", "nodes:", "  n1:", "    name: node-1", "    roles: [control-plane, storage]",
    "    ip: 10.0.0.1", '    labels: { node.longhorn.io/primary: "true" }', "    taints: []", "storage:", "  primary: n1", "traefik:", "  entrypoints: [http]",
    "nfs:", "  unraid:", "    server: 10.0.0.9", "    exports:", "      media: /media", "  dfs: {}", "metallb:",
    "  addresses: [10.0.0.100-10.0.0.110]", "network:", "  nodeCIDR: 10.0.0.0/24", "  podCIDR: 10.42.0.0/16", "  serviceCIDR: 10.43.0.0/16", "",
  ].join("\n"),
  "clusters/test/source.yaml":
    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: repo\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: https://example.invalid/repo.git\n  ref:\n    branch: main\n",
  // Every environment reports its Flux failures (tools/lint/alerts.ts).
  "clusters/test/alerts.yaml": [
    "apiVersion: notification.toolkit.fluxcd.io/v1beta3", "kind: Provider", "metadata:", "  name: operator", "  namespace: flux-system",
    "spec:", "  type: generic", "  secretRef:", "    name: flux-alerts", "---",
    "apiVersion: notification.toolkit.fluxcd.io/v1beta3", "kind: Alert", "metadata:", "  name: flux-failures", "  namespace: flux-system",
    "spec:", "  providerRef:", "    name: operator", "  eventSeverity: error", "  eventSources:",
    "    - kind: Kustomization", '      name: "*"', "    - kind: HelmRelease", '      name: "*"', "      namespace: apps", "",
  ].join("\n"),
};

/** A HelmRelease of the demo chart with the given spec additions (YAML lines under `spec:`). */
export function demoRelease(name: string, specLines: string[] = [], chartLines: string[] = []): string {
  return [
    "apiVersion: helm.toolkit.fluxcd.io/v2", "kind: HelmRelease", "metadata:", `  name: ${name}`, "  namespace: apps", "spec:",
    "  interval: 10m", "  chart:", "    spec:", "      chart: ./charts/demo", "      sourceRef:", "        kind: GitRepository",
    "        name: repo", "        namespace: flux-system", ...chartLines.map((l) => `      ${l}`), ...specLines.map((l) => `  ${l}`), "",
  ].join("\n");
}

/** Builds a mini repo with `files` on top of MINI_CHART; runs fn; removes it. */
export async function withMiniRepo<T>(files: Record<string, string>, fn: (root: string) => Promise<T> | T): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), "mini-repo-"));
  try {
    // The cluster schema is read from the root being loaded.
    const all: Record<string, string> = { ...MINI_CHART, ...files };
    for (const [rel, text] of Object.entries(all)) writeFixture(root, rel, text);
    trackAll(root);
    return await fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
