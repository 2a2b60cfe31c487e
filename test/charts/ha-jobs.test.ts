/**
 * charts/ha-jobs as Flux renders it for each environment: schedules, concurrency, the descheduler
 * policy, RBAC, images and the fencing job's settings; and the failback behaviour of the rendered
 * policy, decided by the descheduler model (tools/scheduling) for rendered media pods against the
 * inventory's nodes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { loadInventory, type Cluster } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { type K8sObject } from "../../tools/lib/render.ts";
import { renderedEnvironment as renderEnvironment } from "../helpers/rendered.ts";
import { deschedulerDecision, deschedulerWouldEvict, type DeschedulerOptions, type Node, type PodSpec } from "../../tools/scheduling/index.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";

const ENVS = ["homelab", "staging"] as const;
const PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution";
const REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution";
const OUT_OF_SERVICE = { key: "node.kubernetes.io/out-of-service", value: "nodeshutdown", effect: "NoExecute" as const };

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function renderChart(env: string, chart: string, root = repoRoot): Promise<K8sObject[]> {
  const releases = await renderEnvironment(env, { chart, root });
  if (releases.length !== 1) {
    throw new Error(
      `expected one ${chart} release in clusters/${env}, found ${releases.length}. ` +
        `Fix: list ${chart}.yaml in clusters/${env}/apps/kustomization.yaml`,
    );
  }
  return releases[0]!.objects;
}

const rendered: Record<string, K8sObject[]> = {};
beforeAll(async () => {
  for (const env of ENVS) rendered[env] = await renderChart(env, "ha-jobs");
});

const find = (env: string, kind: string, name: string, namespace?: string): Obj => {
  const o = rendered[env]!.find((x) => x.kind === kind && x.metadata.name === name && (!namespace || x.metadata.namespace === namespace));
  if (!o) throw new Error(`${kind}/${namespace ?? "*"}/${name} not rendered for ${env}`);
  return o as Obj;
};
const policyOf = (env: string): Obj => parse(find(env, "ConfigMap", "ha-jobs-descheduler-policy").data["policy.yaml"]) as Obj;
const pluginArgs = (policy: Obj, name: string): Obj => policy.profiles[0].pluginConfig.find((c: Obj) => c.name === name)?.args ?? {};
const podSpec = (cronJob: Obj): Obj => cronJob.spec.jobTemplate.spec.template.spec;
const envOf = (container: Obj): Record<string, string> => Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));

describe.each(ENVS)("ha-jobs on %s", (env) => {
  it.each([
    ["ha-jobs-descheduler", "*/5 * * * *"],
    ["ha-jobs-fencing", "*/2 * * * *"],
  ])("%s runs on %s with concurrencyPolicy Forbid, no retries and a deadline below the period", (name, schedule) => {
    const cj = find(env, "CronJob", name);
    expect(cj.spec.schedule).toBe(schedule);
    expect(cj.spec.concurrencyPolicy).toBe("Forbid");
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBe(0);
    const periodSeconds = Number(/^\*\/(\d+) /.exec(schedule)![1]) * 60;
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThan(periodSeconds);
    expect(podSpec(cj).restartPolicy).toBe("Never");
  });

  it("renders a descheduler/v1alpha2 policy that fails media pods back: preferred type, nodeFit, media only, no PVC or local-storage protection", () => {
    const policy = policyOf(env);
    expect(policy).toMatchObject({ apiVersion: "descheduler/v1alpha2", kind: "DeschedulerPolicy" });
    expect(policy.profiles).toHaveLength(1);
    expect(policy.profiles[0].plugins).toEqual({ deschedule: { enabled: ["RemovePodsViolatingNodeAffinity"] } });
    const affinity = pluginArgs(policy, "RemovePodsViolatingNodeAffinity");
    expect(affinity.nodeAffinityType).toEqual([REQUIRED, PREFERRED]);
    expect(affinity.namespaces).toEqual({ include: ["media"] });
    const evictor = pluginArgs(policy, "DefaultEvictor");
    expect(evictor.nodeFit).toBe(true);
    expect(evictor.podProtections.defaultDisabled).toContain("PodsWithLocalStorage");
    expect(evictor.podProtections.extraEnabled ?? []).not.toContain("PodsWithPVC");
    // No legacy flag may bring a protection back (they are ignored next to podProtections, but
    // must not be there to confuse a reader or a future version).
    for (const legacy of ["ignorePvcPods", "evictLocalStoragePods", "evictSystemCriticalPods"]) expect(evictor).not.toHaveProperty(legacy);
  });

  it("mounts the policy ConfigMap where --policy-config-file points", () => {
    const spec = podSpec(find(env, "CronJob", "ha-jobs-descheduler"));
    const c = spec.containers[0];
    const arg = c.args.find((a: string) => a.startsWith("--policy-config-file="));
    const file = arg.slice("--policy-config-file=".length);
    const mount = c.volumeMounts.find((m: Obj) => file.startsWith(`${m.mountPath}/`));
    expect(mount, `a volume mounted above ${file}`).toBeDefined();
    const volume = spec.volumes.find((v: Obj) => v.name === mount.name);
    expect(volume.configMap.name).toBe("ha-jobs-descheduler-policy");
    expect(Object.keys(find(env, "ConfigMap", "ha-jobs-descheduler-policy").data)).toEqual([file.slice(mount.mountPath.length + 1)]);
  });

  it("grants no wildcard, no secrets and no escalation verbs in any Role or ClusterRole", () => {
    const roles = rendered[env]!.filter((o) => o.kind === "Role" || o.kind === "ClusterRole") as Obj[];
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const role of roles) {
      for (const rule of role.rules as Obj[]) {
        const all = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...(rule.verbs ?? []), ...(rule.resourceNames ?? [])];
        expect(all.filter((x: string) => x.includes("*")), `${role.kind}/${role.metadata.name}`).toEqual([]);
        expect((rule.resources as string[]).filter((r) => r === "secrets" || r.startsWith("secrets/")), `${role.kind}/${role.metadata.name}`).toEqual([]);
        expect((rule.verbs as string[]).filter((v) => ["escalate", "bind", "impersonate"].includes(v))).toEqual([]);
        expect(rule.nonResourceURLs).toBeUndefined();
      }
    }
  });

  /** (apiGroup, resource, verb, scope) granted to a ServiceAccount through the rendered bindings. */
  function grants(sa: string): string[] {
    const out: string[] = [];
    for (const b of rendered[env]!.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") as Obj[]) {
      if (!b.subjects.some((s: Obj) => s.kind === "ServiceAccount" && s.name === sa && s.namespace === "ha-jobs")) continue;
      const role = find(env, b.roleRef.kind, b.roleRef.name, b.roleRef.kind === "Role" ? b.metadata.namespace : undefined);
      const scope = b.kind === "ClusterRoleBinding" ? "cluster" : b.metadata.namespace;
      for (const rule of role.rules as Obj[]) {
        for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) out.push(`${g || "core"} ${r} ${v} @${scope}`);
      }
    }
    return out.sort();
  }

  it("binds the fencing ServiceAccount to exactly get/list/patch nodes, list VolumeAttachments, list/delete media pods, get/list Longhorn volumes, list Longhorn pods, create Events in default", () => {
    expect(grants("ha-jobs-fencing")).toEqual(
      [
        "core nodes get @cluster",
        "core nodes list @cluster",
        "core nodes patch @cluster",
        "storage.k8s.io volumeattachments list @cluster",
        "core pods list @media",
        "core pods delete @media",
        "longhorn.io volumes get @longhorn-system",
        "longhorn.io volumes list @longhorn-system",
        // Life signs: the instance-manager pods' IPs; a Warning Event on a Node it does not fence.
        "core pods list @longhorn-system",
        "core events create @default",
      ].sort(),
    );
  });

  it("binds the descheduler ServiceAccount to the minimal upstream v0.36 rules (no secrets Role, no pod delete, no leases)", () => {
    const read = (g: string, r: string) => ["get", "list", "watch"].map((v) => `${g} ${r} ${v} @cluster`);
    expect(grants("ha-jobs-descheduler")).toEqual(
      [
        "events.k8s.io events create @cluster",
        "events.k8s.io events update @cluster",
        ...read("core", "nodes"),
        ...read("core", "namespaces"),
        ...read("core", "pods"),
        "core pods/eviction create @cluster",
        ...read("scheduling.k8s.io", "priorityclasses"),
        ...read("policy", "poddisruptionbudgets"),
        ...read("core", "persistentvolumeclaims"),
      ].sort(),
    );
  });

  it("pins both images to exact versions (no latest): descheduler v0.36.x, official node 24 alpine", () => {
    const image = (name: string) => podSpec(find(env, "CronJob", name)).containers[0].image as string;
    expect(image("ha-jobs-descheduler")).toMatch(/^registry\.k8s\.io\/descheduler\/descheduler:v0\.36\.\d+(@sha256:[a-f0-9]{64})?$/);
    expect(image("ha-jobs-fencing")).toMatch(/^node:24\.\d+\.\d+-alpine3\.\d+(@sha256:[a-f0-9]{64})?$/);
    for (const o of rendered[env]!.filter((x) => x.kind === "CronJob") as Obj[]) {
      for (const c of podSpec(o).containers) expect(c.image).not.toMatch(/:latest($|@)/);
    }
  });

  it("runs both jobs hardened: non-root, read-only root filesystem, no escalation, no capabilities, requests set, own ServiceAccount with its token", () => {
    for (const name of ["ha-jobs-descheduler", "ha-jobs-fencing"]) {
      const spec = podSpec(find(env, "CronJob", name));
      expect(spec.serviceAccountName).toBe(name);
      expect(spec.automountServiceAccountToken).toBe(true);
      expect(find(env, "ServiceAccount", name).automountServiceAccountToken).toBe(false);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
      const c = spec.containers[0];
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(c.securityContext.capabilities.add).toBeUndefined();
      expect(c.resources.requests.cpu).toBeTruthy();
      expect(c.resources.requests.memory).toBeTruthy();
    }
  });

  it("runs node /fencing/fencing.mjs from the ConfigMap holding the generated bundle, byte for byte", () => {
    const spec = podSpec(find(env, "CronJob", "ha-jobs-fencing"));
    const c = spec.containers[0];
    expect(c.command).toEqual(["node", "/fencing/fencing.mjs"]);
    const mount = c.volumeMounts.find((m: Obj) => m.mountPath === "/fencing");
    expect(mount.readOnly).toBe(true);
    const volume = spec.volumes.find((v: Obj) => v.name === mount.name).configMap;
    expect(volume.name).toBe("ha-jobs-fencing-script");
    // the template's `defaultMode: 0444` as the API server receives it (YAML 1.1 octal: r--r--r--),
    // not 444 (0o674, group-writable and executable) as a YAML 1.2 reader takes it
    expect(volume.defaultMode).toBe(0o444);
    const script = find(env, "ConfigMap", "ha-jobs-fencing-script").data["fencing.mjs"];
    expect(script).toBe(readFileSync(join(repoRoot, "charts/ha-jobs/files/fencing.mjs"), "utf8"));
    expect(script.startsWith("/*! fencing-job: GENERATED")).toBe(true);
  });
});

describe("fencing settings per environment", () => {
  it.each([
    // homelab: two storage nodes, live. staging: one storage node, dry run (README "Staging").
    ["homelab", "false"],
    ["staging", "true"],
  ])("%s passes the values to the job's environment (dry run %s)", (env, dryRun) => {
    const c = podSpec(find(env, "CronJob", "ha-jobs-fencing")).containers[0];
    expect(envOf(c)).toEqual({
      FENCING_THRESHOLD_SECONDS: "120",
      FENCING_DRY_RUN: dryRun,
      FENCING_STORAGE_LABEL: "node.longhorn.io/storage=enabled",
      FENCING_LONGHORN_NAMESPACE: "longhorn-system",
      FENCING_POD_NAMESPACES: "media",
      FENCING_MODE: "availability",
      FENCING_PROBE_WINDOW_SECONDS: "30",
      FENCING_PROBE_INTERVAL_SECONDS: "5",
      FENCING_PROBE_TIMEOUT_MS: "2000",
      FENCING_KUBELET_PORT: "10250",
      FENCING_INSTANCE_MANAGER_PORT: "8500",
      FENCING_NODE_PORTS: "",
    });
    // The probes' origin is the node the pod runs on (downward API), and that is a storage node.
    expect(c.env.find((e: Obj) => e.name === "FENCING_NODE_NAME")).toEqual({ name: "FENCING_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
    const affinity = podSpec(find(env, "CronJob", "ha-jobs-fencing")).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    expect(affinity.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: "node.longhorn.io/storage", operator: "In", values: ["enabled"] }] }]);
  });
});

// ---- failback behaviour of the rendered policy ------------------------------------------------

/** The inventory's nodes as the scheduling model sees them (named by inventory id). */
function inventoryNodes(inv: Cluster, overrides: Record<string, Partial<Node>> = {}): Node[] {
  return Object.entries(inv.nodes).map(([id, n]) => ({
    name: id,
    labels: { ...(n.labels ?? {}) },
    taints: (n.taints ?? []).map((t) => ({ ...t })) as Node["taints"],
    ready: true,
    ...overrides[id],
  }));
}

/** A running pod of a rendered workload: its template spec bound to `nodeName`, with volumeClaimTemplates as PVC volumes. */
function runningPod(workload: Obj, nodeName: string): PodSpec {
  const spec = structuredClone(workload.spec.template.spec) as Obj;
  for (const t of workload.spec.volumeClaimTemplates ?? []) {
    spec.volumes = [...(spec.volumes ?? []), { name: t.metadata.name, persistentVolumeClaim: { claimName: `${t.metadata.name}-${workload.metadata.name}-0` } }];
  }
  return { ...spec, nodeName } as PodSpec;
}

/** DeschedulerOptions from the rendered policy of the homelab release. */
function renderedOptions(): DeschedulerOptions {
  const policy = policyOf("homelab");
  const evictor = pluginArgs(policy, "DefaultEvictor");
  return {
    nodeAffinityType: pluginArgs(policy, "RemovePodsViolatingNodeAffinity").nodeAffinityType,
    nodeFit: evictor.nodeFit,
    podProtections: evictor.podProtections,
  };
}

describe("failback with the rendered policy (homelab inventory, tools/scheduling model)", () => {
  let media: Obj[];
  let inv: Cluster;
  beforeAll(async () => {
    inv = loadInventory("homelab");
    const apps = await renderChart("homelab", "media-apps");
    const decypharr = await renderChart("homelab", "decypharr");
    media = [...apps, ...decypharr].filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet") as Obj[];
  });
  const workload = (name: string) => {
    const w = media.find((o) => o.metadata.name === name);
    if (!w) throw new Error(`${name} not rendered`);
    return w;
  };

  it("the pods under test are the hard cases: PVC and hostPath volumes (local storage to the descheduler)", () => {
    for (const name of ["media-apps-sonarr", "decypharr-streaming"]) {
      const vols = runningPod(workload(name), "w2").volumes ?? [];
      expect(vols.some((v) => v.persistentVolumeClaim), name).toBe(true);
      expect(vols.some((v) => v.hostPath), name).toBe(true);
    }
  });

  const W1_CORDONED = { w1: { unschedulable: true, taints: [...[{ key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" as const }], { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" as const }] } };
  const W1_FENCED_READY = {
    w1: { unschedulable: true, taints: [{ key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" as const }, OUT_OF_SERVICE, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" as const }] },
  };

  it.each([
    // GIVEN a media pod on w2 (after a failover) WHEN the descheduler runs with the rendered policy
    ["w1 is back, Ready and schedulable: fail back", "media-apps-sonarr", {}, true],
    ["w1 is back: decypharr-streaming (hostPath /mnt + PVC) fails back too", "decypharr-streaming", {}, true],
    ["w1 is back: a pod with only a PVC fails back", "media-apps-prowlarr", {}, true],
    ["w1 cordoned for maintenance: nothing bounces (nodeFit)", "media-apps-sonarr", W1_CORDONED, false],
    ["w1 cordoned: decypharr-streaming stays too", "decypharr-streaming", W1_CORDONED, false],
    ["w1 Ready again but still fenced (out-of-service taint): wait for the unfence", "media-apps-sonarr", W1_FENCED_READY, false],
    ["w1 still NotReady: the descheduler does not consider it", "media-apps-sonarr", { w1: { ready: false } }, false],
  ])("%s", (_title, name, overrides, evict) => {
    const nodes = inventoryNodes(inv, overrides as Record<string, Partial<Node>>);
    const decision = deschedulerDecision(runningPod(workload(name), "w2"), nodes, renderedOptions());
    expect(decision.evict, decision.reasons.join("; ")).toBe(evict);
    if (evict) expect(decision.evictedBy).toBe(PREFERRED);
  });

  it("a pod already on w1 is never evicted", () => {
    expect(deschedulerWouldEvict(runningPod(workload("media-apps-sonarr"), "w1"), inventoryNodes(inv), renderedOptions())).toBe(false);
  });

  it("with w1 cordoned, nodeFit false WOULD evict the w2 pods every run: the reason nodeFit is const true", () => {
    const nodes = inventoryNodes(inv, W1_CORDONED);
    const pod = runningPod(workload("media-apps-sonarr"), "w2");
    const rendered = renderedOptions();
    expect(rendered.nodeFit).toBe(true);
    expect(deschedulerWouldEvict(pod, nodes, rendered)).toBe(false);
    expect(deschedulerWouldEvict(pod, nodes, { ...rendered, nodeFit: false })).toBe(true);
  });

  it.each([
    // The upstream chart's default DefaultEvictor args would stop failback (README "Pod protections").
    ["the upstream chart 0.36.0 default (extraEnabled PodsWithPVC)", { defaultDisabled: ["PodsWithLocalStorage"], extraEnabled: ["PodsWithPVC"] }],
    ["the v0.36 defaults (PodsWithLocalStorage on)", undefined],
  ])("with %s no media pod would fail back", (_title, podProtections) => {
    const nodes = inventoryNodes(inv);
    const opts: DeschedulerOptions = { ...renderedOptions(), podProtections };
    for (const name of ["media-apps-sonarr", "decypharr-streaming"]) {
      expect(deschedulerWouldEvict(runningPod(workload(name), "w2"), nodes, opts), name).toBe(false);
    }
  });
});

describe("ha-jobs render-time checks", () => {
  it("fails with the fix when the fencing bundle is missing", async () => {
    await expect(
      withFixtureRepo(
        (root) => writeFixture(root, "charts/ha-jobs/files/fencing.mjs", ""),
        (root) => renderChart("homelab", "ha-jobs", root),
      ),
    ).rejects.toThrow(/charts\/ha-jobs\/files\/fencing\.mjs is missing or empty.*Fix: run `npm run gen-schema`/);
  });

  it("renders without the bundle when fencing is disabled", async () => {
    const objects = await withFixtureRepo(
      (root) => {
        writeFixture(root, "charts/ha-jobs/files/fencing.mjs", "");
        editFixture(root, "values/homelab/ha-jobs.yaml", "fencing:\n", "fencing:\n  enabled: false\n");
      },
      (root) => renderChart("homelab", "ha-jobs", root),
    );
    expect(objects.filter((o) => o.metadata.labels?.["app.kubernetes.io/component"] === "fencing")).toEqual([]);
    expect(objects.some((o) => o.kind === "CronJob" && o.metadata.name === "ha-jobs-descheduler")).toBe(true);
  });

  it("rejects nodeFit false in the schema, naming the key", async () => {
    await expect(
      withFixtureRepo(
        (root) => editFixture(root, "values/homelab/ha-jobs.yaml", "descheduler:\n", "descheduler:\n  nodeFit: false\n"),
        (root) => renderChart("homelab", "ha-jobs", root),
      ),
    ).rejects.toThrow(/nodeFit/);
  });

  it("puts one pods Role and RoleBinding in each fencing.podNamespaces entry", async () => {
    const objects = await withFixtureRepo(
      (root) => editFixture(root, "values/homelab/ha-jobs.yaml", "podNamespaces: [media]", "podNamespaces: [media, downloads]"),
      (root) => renderChart("homelab", "ha-jobs", root),
    );
    const where = (kind: string) => objects.filter((o) => o.kind === kind && o.metadata.name === "ha-jobs-fencing-pods").map((o) => o.metadata.namespace);
    expect(where("Role")).toEqual(["media", "downloads"]);
    expect(where("RoleBinding")).toEqual(["media", "downloads"]);
    const cj = objects.find((o) => o.kind === "CronJob" && o.metadata.name === "ha-jobs-fencing") as Obj;
    expect(envOf(podSpec(cj).containers[0]).FENCING_POD_NAMESPACES).toBe("media,downloads");
  });
});

describe("environment wiring", () => {
  it.each(ENVS)("%s: the HelmRelease ha-jobs installs in ha-jobs after longhorn-config", (env) => {
    const p = loadEnvironment(env).profiles.find((x) => x.chart === "ha-jobs");
    expect(p, `clusters/${env}/apps/kustomization.yaml lists ha-jobs.yaml`).toBeDefined();
    expect({ release: p!.release, namespace: p!.namespace }).toEqual({ release: "ha-jobs", namespace: "ha-jobs" });
    expect((p!.hr.spec as Obj).dependsOn).toContainEqual({ name: "longhorn-config", namespace: "longhorn-system" });
  });
});
