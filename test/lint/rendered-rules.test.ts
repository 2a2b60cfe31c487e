/**
 * Seed rules hold on what is rendered, not only on values: a template edit that breaks one fails
 * lint as surely as a values change. Each row edits a chart's template in a copy of the
 * repository (values untouched) and expects lint to fail naming the rule.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/lib/paths.ts";
import { validateLayers } from "../../tools/lib/values-validate.ts";
import { parseYaml } from "../../tools/lib/yaml.ts";
import { checkIngressHostsUnique } from "../../tools/lint/rendered.ts";
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
  }, 240_000);
});

describe("Ingress hosts and app names", () => {
  const ingress = (name: string, host: string) => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name, namespace: "media" }, spec: { rules: [{ host }] } });

  it("a host served by two Ingresses of the environment (any charts) is an error", () => {
    const found = checkIngressHostsUnique([{ objects: [ingress("decypharr", "decypharr.home.example")] }, { objects: [ingress("media-apps-radarr", "Decypharr.home.example"), ingress("media-apps-sonarr", "sonarr.home.example")] }]);
    expect(found.map(formatFinding)).toEqual([
      expect.stringMatching(/^ERROR - Ingress\/media\/media-apps-radarr serves host Decypharr\.home\.example, which Ingress\/media\/decypharr serves too.*Fix: give one app another ingress\.host/),
    ]);
    expect(checkIngressHostsUnique([{ objects: [ingress("a", "a.home.example"), ingress("b", "b.home.example")] }])).toEqual([]);
  });

  const overlay = join(repoRoot, "schema/generated/values-media-apps.overlay.schema.json");
  const check = (text: string) => {
    const doc = parseYaml(text, "values/homelab/media-apps.yaml");
    return validateLayers(doc.value, [{ doc, base: [], mount: [], value: doc.value }], overlay).map((e) => e.message);
  };

  it.each([
    { name: "an uppercase host", text: "apps:\n  sonarr:\n    ingress:\n      host: Sonarr.home.example\n", want: /media-apps\.yaml:4:13: apps\.sonarr\.ingress\.host: "Sonarr\.home\.example" is not a lowercase DNS name\. Fix: .*"sonarr\.home\.example"/ },
    { name: "a host with an underscore", text: "apps:\n  sonarr:\n    ingress:\n      host: my_sonarr.home\n", want: /is not a lowercase DNS name/ },
    { name: "an app name that is not a DNS label", text: "apps:\n  Sonarr_4K:\n    port: 8989\n", want: /apps\.Sonarr_4K: name "Sonarr_4K" is not a DNS label.*Fix: rename it, e\.g\. "sonarr-4k"/ },
  ])("$name is rejected by the schema (editor and lint alike)", ({ text, want }) => {
    const messages = check(text);
    expect(messages.some((m) => want.test(m)), messages.join("\n")).toBe(true);
  });

  it("a lowercase host and a DNS-label app name pass", () => {
    expect(check("apps:\n  sonarr-4k:\n    ingress:\n      host: sonarr-4k.home.example\n")).toEqual([]);
  });
});
