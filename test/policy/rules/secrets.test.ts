import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../tools/lib/render.ts";
import { checkSecrets } from "../../../tools/policy/rules/secrets.ts";

function secret(extra: Record<string, unknown>, annotations?: Record<string, string>): K8sObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "media", ...(annotations ? { annotations } : {}) }, ...extra };
}

const rows: Array<{ title: string; obj: K8sObject; expect: Array<[rule: string, text: string]> }> = [
  { title: "Secret with data from values", obj: secret({ data: { password: "aHVudGVyMg==" } }), expect: [["secret-object", "Secret renders literal data (password)"]] },
  { title: "Secret with stringData", obj: secret({ stringData: { "api-key": "abc" } }), expect: [["secret-object", "literal data (api-key)"]] },
  { title: "empty Secret without a source", obj: secret({}), expect: [["secret-object", "without saying where its data comes from"]] },
  { title: "empty Secret annotated with its external source", obj: secret({}, { "policy.homelab/generated-from": "1password:media/sonarr" }), expect: [] },
  { title: "reflector-filled Secret", obj: secret({ data: {} }, { "reflector.v1.k8s.emberstack.com/reflects": "infra/creds" }), expect: [] },
  {
    title: "annotated but with literal data",
    obj: secret({ data: { token: "eA==" } }, { "policy.homelab/generated-from": "vault" }),
    expect: [["secret-object", "literal data (token) although it is annotated policy.homelab/generated-from"]],
  },
  { title: "service-account token Secret", obj: secret({ type: "kubernetes.io/service-account-token" }), expect: [] },
  { title: "ExternalSecret is not a Secret", obj: { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "x" }, spec: {} }, expect: [] },
  {
    title: "ConfigMap with a literal token",
    obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "media" }, data: { PLEX_TOKEN: "xyz", TOKEN_TTL: "300" } },
    expect: [["credential-value", "data.PLEX_TOKEN: ConfigMap key PLEX_TOKEN holds a literal credential"]],
  },
  {
    title: "HelmRelease with a literal password in spec.values",
    obj: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: { name: "apps", namespace: "flux-system" }, spec: { values: { db: { password: "hunter2", existingSecret: "db" } } } },
    expect: [["credential-value", "spec.values.db.password: values key password"]],
  },
];

describe("checkSecrets", () => {
  it.each(rows)("$title", ({ obj, expect: want }) => {
    const got = checkSecrets(obj);
    expect(got.map((v) => v.rule)).toEqual(want.map(([rule]) => rule));
    want.forEach(([, text], i) => expect(got[i].message).toContain(text));
  });

  it("tells how to fix a rendered Secret", () => {
    expect(checkSecrets(secret({ data: { a: "b" } }))[0].fix).toContain("existingSecret");
  });
});
