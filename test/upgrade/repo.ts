/** Temporary git repositories for the upgrade tests. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../tools/lib/paths.ts";
import type { K8sObject } from "../../tools/lib/render.ts";
import type { ImmutableField } from "../../tools/upgrade/immutable.ts";
import { parsePath, withPath } from "../../tools/upgrade/values.ts";

/** A throwaway repository: write files, commit, and clean up. */
export interface TempRepo {
  dir: string;
  git(...args: string[]): Promise<string>;
  write(files: Record<string, string>): void;
  /** Writes `files`, commits everything, returns the new commit. */
  commit(message: string, files?: Record<string, string>): Promise<string>;
  remove(): void;
}

/** `git init -b main` in a fresh temp directory, with a local identity. */
export async function tempRepo(prefix = "upgrade-repo-"): Promise<TempRepo> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = async (...args: string[]) => (await execa("git", args, { cwd: dir })).stdout.trim();
  // one process from the (large) test worker, and no hook templates (see test/helpers/fixture-repo.ts)
  await execa("sh", ["-c", "git init -q -b main --template= && git config user.email test@example.invalid && git config user.name test && git config commit.gpgsign false"], { cwd: dir });
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  return {
    dir,
    git,
    write,
    async commit(message, files = {}) {
      write(files);
      // one process from the test worker for the three git commands
      const script = 'git add -A && git commit -q --allow-empty -m "$1" && git rev-parse HEAD';
      return (await execa("sh", ["-c", script, "sh", message], { cwd: dir })).stdout.trim();
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---- A tiny chart repository for the real render: charts/demo, clusters/test, values/test ----

const CHART = `apiVersion: v2
name: demo
version: 0.1.0
`;
const VALUES = `image: busybox:1.36
storage: 1Gi
serviceName: demo
`;
const STS = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}
spec:
  serviceName: {{ .Values.serviceName }}
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: demo
  template:
    metadata:
      labels:
        app.kubernetes.io/name: demo
    spec:
      containers:
        - name: demo
          image: {{ .Values.image }}
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: {{ .Values.storage }}
`;
const SOURCE = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 5m
  url: https://git.example.invalid/charts.git
  ref:
    branch: main
`;
const RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: demo
  namespace: apps
spec:
  interval: 10m
  chart:
    spec:
      chart: ./charts/demo
      sourceRef:
        kind: GitRepository
        name: charts
        namespace: flux-system
      valuesFiles:
        - charts/demo/values.yaml
        - values/test/demo.yaml
`;

/** The fixture's files; the inventory and its schema are the suite's own (staging, renamed test). */
export function fixtureFiles(demoValues: string): Record<string, string> {
  const inventory = readFileSync(join(repoRoot, "values/staging/cluster.yaml"), "utf8").replace(/^name: staging$/m, "name: test");
  return {
    "charts/demo/Chart.yaml": CHART,
    "charts/demo/values.yaml": VALUES,
    "charts/demo/templates/sts.yaml": STS,
    "clusters/test/sources.yaml": SOURCE,
    "clusters/test/demo.yaml": RELEASE,
    "values/test/demo.yaml": demoValues,
    "values/test/cluster.yaml": inventory,
    "schema/generated/cluster.schema.json": readFileSync(join(repoRoot, "schema/generated/cluster.schema.json"), "utf8"),
  };
}


// ---- A chart that renders whatever objects its values list (charts/objects) -------------------

const OBJECTS_CHART = `apiVersion: v2
name: objects
version: 0.1.0
`;
const OBJECTS_TEMPLATE = `{{- range .Values.objects }}
---
{{ toYaml . }}
{{- end }}
`;
const OBJECTS_RELEASE = RELEASE.replaceAll("demo", "objects");

/**
 * A fixture repository whose one HelmRelease (apps/objects) renders exactly `objects` through the
 * real helm: the values file is their JSON (valid YAML), the template `toYaml`s each.
 */
export function objectsFixtureFiles(objects: readonly object[]): Record<string, string> {
  const { "values/test/cluster.yaml": inventory, "schema/generated/cluster.schema.json": schema, "clusters/test/sources.yaml": source } = fixtureFiles("");
  return {
    "charts/objects/Chart.yaml": OBJECTS_CHART,
    "charts/objects/values.yaml": "objects: []\n",
    "charts/objects/templates/objects.yaml": OBJECTS_TEMPLATE,
    "clusters/test/sources.yaml": source,
    "clusters/test/objects.yaml": OBJECTS_RELEASE,
    "values/test/objects.yaml": `${JSON.stringify({ objects }, null, 1)}\n`,
    "values/test/cluster.yaml": inventory,
    "schema/generated/cluster.schema.json": schema,
  };
}

/**
 * The before/after pair of an immutable-field entry's `example`: an object of the entry's kind
 * (version v1 of its group) named `name` in namespace media, with the example's old and new
 * value at its path.
 */
export function exampleObjects(field: ImmutableField, name = "subject"): [K8sObject, K8sObject] {
  const apiVersion = field.group ? `${field.group}/v1` : "v1";
  const base = { apiVersion, kind: field.kind, metadata: { name, namespace: "media" }, ...(field.example.base ?? {}) };
  const at = parsePath(field.example.at ?? field.path);
  return [withPath(base, at, field.example.old) as K8sObject, withPath(base, at, field.example.new) as K8sObject];
}

/** The path an entry's finding names for its example: "everything but" entries name the changed key. */
export function expectedPath(field: ImmutableField): string {
  return field.except ? `${field.path}.${field.example.at!.slice(field.path.length + 1).split(".")[0]}` : field.path;
}
