/**
 * The checks `helm lint --strict` makes beyond `helm template`, done by lint-charts itself so a
 * release costs one helm process: each rule against a crafted bad input, and the real charts clean.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listCharts } from "../../tools/gen/schemas.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import type { K8sObject } from "../../tools/lib/render.ts";
import { chartRules, indentedDocuments, objectRules, unrepeatableCalls } from "../../tools/lint/helm-rules.ts";

const CHART = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";

function chart(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), "helm-rules-"));
  try {
    for (const [rel, text] of Object.entries({ "Chart.yaml": CHART, "templates/cm.yaml": "kind: ConfigMap\n", ...files })) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return chartRules(dir, "charts/demo").map((f) => `${f.location?.file}: ${f.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const obj = (apiVersion: string, kind: string, name: string, spec?: object): K8sObject => ({ apiVersion, kind, metadata: { name }, ...(spec ? { spec } : {}) });

describe("helm lint's chart rules", () => {
  it("passes every chart of this repository", () => {
    for (const c of listCharts(repoRoot)) expect(chartRules(join(repoRoot, "charts", c), `charts/${c}`)).toEqual([]);
  });

  it.each([
    { name: "an unknown Chart.yaml key", files: { "Chart.yaml": `${CHART}maintainer: me\n` }, want: /^charts\/demo\/Chart\.yaml: helm lint: Chart\.yaml: unknown key "maintainer"/ },
    { name: "a version that is not SemVer 2", files: { "Chart.yaml": "apiVersion: v2\nname: demo\nversion: v1.0\n" }, want: /version "v1\.0" is not a valid SemVer 2 version/ },
    { name: "a numeric appVersion", files: { "Chart.yaml": `${CHART}appVersion: 1.10\n` }, want: /appVersion should be of type string but it's of type number/ },
    { name: "a bad apiVersion", files: { "Chart.yaml": "apiVersion: v3\nname: demo\nversion: 0.1.0\n" }, want: /apiVersion "v3" is not valid/ },
    { name: "a maintainer without a name", files: { "Chart.yaml": `${CHART}maintainers:\n  - email: a@b.c\n` }, want: /each maintainer requires a name/ },
    { name: "an invalid source URL", files: { "Chart.yaml": `${CHART}sources: [not a url]\n` }, want: /invalid source URL "not a url"/ },
    { name: "a template with a bad extension", files: { "templates/cm.yml.bak": "x\n" }, want: /^charts\/demo\/templates\/cm\.yml\.bak: helm lint: file extension "\.bak" not valid/ },
    { name: "a non-CRD in crds/", files: { "crds/x.yaml": "apiVersion: v1\nkind: ConfigMap\n" }, want: /^charts\/demo\/crds\/x\.yaml: helm lint: crds\/ may hold only/ },
  ] as { name: string; files: Record<string, string>; want: RegExp }[])("reports $name", ({ files, want }) => {
    expect(chart(files)).toContainEqual(expect.stringMatching(want));
  });

  it("passes a minimal valid chart", () => {
    expect(chart({})).toEqual([]);
  });

  it.each([
    ["lookup", '{{- $s := lookup "v1" "Secret" .Release.Namespace "x" }}', /returns nothing under helm template/],
    ["now", "  stamp: {{ now | date \"2006\" }}", /renders differently every time/],
    ["randAlphaNum", "  pw: {{ randAlphaNum 16 | b64enc }}", /renders differently every time/],
    ["genSelfSignedCert", '{{- $c := genSelfSignedCert "x" nil nil 365 }}', /a Secret for keys and certificates/],
  ])("reports %s at its line and column, with the fix", (fn, line, why) => {
    const findings = chart({ "templates/x.yaml": `kind: ConfigMap\ndata:\n${line}\n` });
    const col = line.indexOf(fn) + 1;
    expect(findings).toEqual([expect.stringMatching(new RegExp(`^charts/demo/templates/x\\.yaml: template function ${fn}: `))]);
    expect(findings[0]).toMatch(why);
    expect(findings[0]).toMatch(/Fix: take the value from values/);
    const t = "{{ }}\n".repeat(2) + line; // positions are 1-based, counted from the file's start
    expect(unrepeatableCalls(t)).toEqual([expect.objectContaining({ line: 3, col })]);
  });

  it("leaves values, variables, strings, comments and NOTES.txt with those names alone", () => {
    expect(chart({
      "templates/x.yaml": 'a: {{ .Values.now }}\nb: {{ $now := 1 }}{{ $now }}\nc: {{ include "lookup" . }}\n{{/* now and lookup */}}\nd: {{ .Values.lookup.uuidv4 }}\n',
      "templates/NOTES.txt": "{{ now }}\n",
    })).toEqual([]);
  });
});

describe("helm lint's rules on rendered objects", () => {
  it.each([
    { o: obj("v1", "Service", "9lives"), want: /object name "9lives" .* DNS-1035 label/ },
    { o: obj("v1", "ConfigMap", "Upper_Case"), want: /object name "Upper_Case" .* DNS-1123 subdomain/ },
    { o: obj("v1", "Namespace", "a.b"), want: /DNS-1123 label/ },
    { o: obj("rbac.authorization.k8s.io/v1", "Role", "a/b"), want: /may not contain '\/'/ },
    { o: obj("apps/v1", "Deployment", "x", { selector: {} }), want: /a Deployment must contain spec\.selector\.matchLabels or matchExpressions/ },
    { o: obj("policy/v1beta1", "PodDisruptionBudget", "x"), want: /policy\/v1beta1 PodDisruptionBudget was removed in Kubernetes v1\.25; this environment runs v1\.34\.2.*Fix: use policy\/v1/ },
    { o: obj("storage.k8s.io/v1beta1", "StorageClass", "x"), want: /removed in Kubernetes v1\.22/ },
  ])("reports $o.apiVersion $o.kind $o.metadata.name", ({ o, want }) => {
    expect(objectRules([o], "v1.34.2").map((f) => f.message)).toContainEqual(expect.stringMatching(want));
  });

  it("says deprecated, not removed, for an older cluster", () => {
    expect(objectRules([obj("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "x")], "v1.30.0").map((f) => f.message)).toEqual([
      expect.stringMatching(/is deprecated and removed in Kubernetes v1\.32/),
    ]);
  });

  it("passes valid names, selectors and current APIs", () => {
    const ok = [
      obj("v1", "Service", "media-apps-sonarr"),
      obj("apps/v1", "Deployment", "media-apps-sonarr", { selector: { matchLabels: { a: "b" } } }),
      obj("rbac.authorization.k8s.io/v1", "ClusterRole", "system:ha-jobs"),
      obj("storage.k8s.io/v1", "StorageClass", "longhorn-config-static"),
    ];
    expect(objectRules(ok, "v1.26.0")).toEqual([]);
  });
});

describe("helm lint's top-level indent rule on helm template output", () => {
  it("names the template whose document starts indented", () => {
    const manifest = "---\n# Source: demo/templates/ok.yaml\nkind: ConfigMap\n---\n# Source: demo/templates/bad.yaml\n  kind: ConfigMap\n";
    expect(indentedDocuments(manifest)).toEqual(["demo/templates/bad.yaml"]);
  });
});
