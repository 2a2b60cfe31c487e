/**
 * Seed rules hold on what is rendered, not only on values: a template edit that breaks one fails
 * lint as surely as a values change. Each row edits a chart's template in a copy of the
 * repository (values untouched) and expects lint to fail naming the rule.
 */
import { describe, expect, it } from "vitest";
import { lintEnvironment } from "../../tools/lint/run.ts";
import { formatFinding } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";

async function lintLines(edit: (root: string) => void, chart: string): Promise<{ ok: boolean; lines: string[] }> {
  return withFixtureRepo(edit, async (root) => {
    const report = await lintEnvironment({ env: "homelab", chart, root });
    return { ok: report.ok, lines: report.profiles.flatMap((p) => p.findings.filter((f) => f.severity === "error").map(formatFinding)) };
  });
}

describe("seed rules on rendered objects (template edits)", () => {
  it.each([
    {
      name: "dropping the 30 s NoExecute tolerations",
      chart: "decypharr",
      edit: (root: string) => editFixture(root, "charts/decypharr/templates/_shared.tpl", "    tolerationSeconds: {{ $seconds | int }}\n  - key: node.kubernetes.io/not-ready", "    tolerationSeconds: 300\n  - key: node.kubernetes.io/not-ready"),
      want: /StatefulSet\/media\/decypharr-\w+ runs on the storage nodes but tolerates node\.kubernetes\.io\/unreachable for 300 s, not the configured 30 s.*Fix:/,
    },
    {
      name: "pointing the preference at the backup node",
      chart: "decypharr",
      edit: (root: string) => editFixture(root, "charts/decypharr/templates/_shared.tpl", '            - key: node.longhorn.io/primary\n              operator: In\n              values: ["true"]', '            - key: node.longhorn.io/primary\n              operator: In\n              values: ["false"]'),
      want: /preferred node affinity favours w2 .*not storage\.primary w1.*Fix: prefer node\.longhorn\.io\/primary In \["true"\]/,
    },
    {
      name: "turning the transcode claim ReadWriteOnce",
      chart: "clusterplex",
      edit: (root: string) => editFixture(root, "charts/clusterplex/templates/pvc.yaml", '{{ .Values.transcode.accessMode | default "ReadWriteMany" | quote }}', '"ReadWriteOnce"'),
      want: /PersistentVolumeClaim\/media\/clusterplex-transcode is ReadWriteOnce but \d+ pods mount it.*Fix: make the claim ReadWriteMany/,
    },
    {
      name: "giving PMS two replicas",
      chart: "clusterplex",
      edit: (root: string) => editFixture(root, "charts/clusterplex/templates/deploy.yaml", "  replicas: 1\n  strategy:\n    type: Recreate", "  replicas: 2\n  strategy:\n    type: Recreate"),
      want: /PersistentVolumeClaim\/media\/clusterplex-[\w-]+ is ReadWriteOnce but 2 pods mount it \(Deployment\/media\/clusterplex-pms x2\)/,
    },
    {
      name: "adding a Samba sidecar (no hostPath)",
      chart: "clusterplex",
      edit: (root: string) => editFixture(root, "charts/clusterplex/templates/deploy.yaml", "      containers:\n", "      containers:\n        - name: samba\n          image: dperson/samba:latest\n"),
      want: /samba|smb/i,
    },
  ])("$name fails lint", async ({ chart, edit, want }) => {
    const { ok, lines } = await lintLines(edit, chart);
    expect(ok, lines.join("\n")).toBe(false);
    expect(lines.some((l) => want.test(l)), lines.join("\n")).toBe(true);
  });
});
