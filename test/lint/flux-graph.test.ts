/**
 * Rules on the graph of Flux objects (tools/lint/flux-graph.ts): each row is a crafted mistake in
 * a copy of the repository that fails when its rule is removed; the committed environments pass.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { checkFluxGraph } from "../../tools/lint/flux-graph.ts";
import { formatFinding } from "../../tools/lint/types.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";

const APPS = "clusters/homelab/apps";

async function graphLines(edit: (root: string) => void): Promise<string[]> {
  return withFixtureRepo(edit, async (root) => checkFluxGraph(loadEnvironment("homelab", root)).map(formatFinding));
}

describe("Flux object graph", () => {
  it.each(["homelab", "staging"])("%s passes", (env) => {
    expect(checkFluxGraph(loadEnvironment(env))).toEqual([]);
  });

  it.each([
    {
      name: "the same HelmRelease twice",
      edit: (root: string) => {
        writeFixture(root, `${APPS}/decypharr-copy.yaml`, readFileSync(join(root, APPS, "decypharr.yaml"), "utf8"));
        editFixture(root, `${APPS}/kustomization.yaml`, "  - decypharr.yaml\n", "  - decypharr.yaml\n  - decypharr-copy.yaml\n");
      },
      want: /^ERROR - clusters\/homelab\/apps\/decypharr-copy\.yaml:\d+:\d+: HelmRelease\/media\/decypharr is defined twice \(first at clusters\/homelab\/apps\/decypharr\.yaml:\d+\).*Fix: keep one/,
    },
    {
      name: "two HelmReleases with one release name and namespace",
      edit: (root: string) => editFixture(root, `${APPS}/media-apps.yaml`, "spec:\n  interval: 10m\n", "spec:\n  releaseName: decypharr\n  interval: 10m\n"),
      want: /^ERROR - clusters\/homelab\/apps\/media-apps\.yaml:\d+:\d+: HelmRelease\/media\/media-apps: Helm release decypharr in namespace media is also managed by HelmRelease\/media\/decypharr.*Fix: give one of them another spec\.releaseName/,
    },
    {
      name: "a dependsOn cycle",
      edit: (root: string) => editFixture(root, `${APPS}/decypharr.yaml`, "  dependsOn:\n", "  dependsOn:\n    - name: media-apps\n"),
      want: /^ERROR - clusters\/homelab\/apps\/\w[\w-]*\.yaml:\d+:\d+: HelmRelease\/media\/[\w-]+: dependsOn forms a cycle: media\/(decypharr|media-apps) -> media\/(decypharr|media-apps) -> media\/(decypharr|media-apps).*Fix: remove the dependsOn/,
    },
    {
      name: "a targetNamespace that nothing creates",
      edit: (root: string) => editFixture(root, `${APPS}/decypharr.yaml`, "spec:\n  interval: 10m\n", "spec:\n  targetNamespace: downloads\n  interval: 10m\n"),
      want: /^ERROR - clusters\/homelab\/apps\/decypharr\.yaml:8:\d+: HelmRelease\/media\/decypharr: installs into namespace downloads, which no Namespace object of clusters\/homelab\/ creates.*Fix: add a Namespace downloads/,
    },
    {
      name: "a Secret committed in plain text",
      edit: (root: string) => {
        writeFixture(root, `${APPS}/secret.yaml`, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: media\nstringData:\n  password: hunter2\n");
        editFixture(root, `${APPS}/kustomization.yaml`, "  - ha-jobs.yaml\n", "  - ha-jobs.yaml\n  - secret.yaml\n");
      },
      want: /^ERROR - clusters\/homelab\/apps\/secret\.yaml:\d+:\d+: Secret\/media\/creds is committed in plain text.*Fix: encrypt it with SOPS.*or create the Secret out of band/,
    },
  ])("rejects $name", async ({ edit, want }) => {
    const lines = await graphLines(edit);
    expect(lines.some((l) => want.test(l)), lines.join("\n")).toBe(true);
  });

  it("a SOPS-encrypted Secret passes", async () => {
    const lines = await graphLines((root) => {
      writeFixture(
        root,
        `${APPS}/secret.yaml`,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: media\nstringData:\n  password: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\nsops:\n  age:\n    - recipient: age1xyz\n      enc: x\n  lastmodified: \"2026-01-01T00:00:00Z\"\n  mac: ENC[AES256_GCM,data:m,iv:i,tag:t,type:str]\n  version: 3.9.0\n",
      );
      editFixture(root, `${APPS}/kustomization.yaml`, "  - ha-jobs.yaml\n", "  - ha-jobs.yaml\n  - secret.yaml\n");
    });
    expect(lines).toEqual([]);
  });
});
