/**
 * The report job (tools/report/): what it posts for Longhorn volumes and the jobs' events, the
 * run against a fake API, and the rendered CronJob's reports reaching an Alert of every
 * environment (same matching as notification-controller).
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../tools/lib/flux.ts";
import { renderEnvironment } from "../../tools/lib/render.ts";
import { decideReports, eventInfo, PREFIX, volumeInfo, type FluxEvent, type ReportConfig } from "../../tools/report/decide.ts";
import { run, type Io } from "../../tools/report/main.ts";

const now = new Date("2026-11-29T12:00:00Z");
const cfg: ReportConfig = { helmRelease: { namespace: "ha-jobs", name: "ha-jobs" }, windowSeconds: 300, remindSeconds: 3600, components: ["sigs.k8s.io/descheduler", "ha-jobs-fencing"], reasons: ["Descheduled"] };
const vol = (name: string, robustness: string, lastDegradedAt?: string) => volumeInfo({ metadata: { name }, status: { robustness, state: "attached", lastDegradedAt, kubernetesStatus: { namespace: "media", pvcName: `${name}-pvc` } } });

describe("decideReports", () => {
  it("a faulted volume: an error every run, naming the PVC and the restore drill", () => {
    const r = decideReports([vol("pvc-1", "faulted"), vol("pvc-2", "healthy")], [], cfg, now);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ severity: "error", reason: "VolumeFaulted", involvedObject: { kind: "HelmRelease", namespace: "ha-jobs", name: "ha-jobs" } });
    expect(r[0].message).toMatch(/^\[ha-jobs\] Longhorn volume pvc-1 \(PVC media\/pvc-1-pvc\) is faulted/);
    expect(r[0].message).toContain("docs/restore-drill.md");
  });

  it("a volume degraded within the window: info once; then only on the reminder period", () => {
    expect(decideReports([vol("v", "degraded", "2026-11-29T11:58:00Z")], [], cfg, now).map((x) => x.reason)).toEqual(["VolumeDegraded"]);
    expect(decideReports([vol("v", "degraded", "2026-11-29T11:40:00Z")], [], cfg, now)).toEqual([]);
    // degraded 1h02m ago: within the first 300 s after the 1 h reminder mark
    expect(decideReports([vol("v", "degraded", "2026-11-29T10:58:00Z")], [], cfg, now).map((x) => x.severity)).toEqual(["info"]);
  });

  it("forwards the descheduler's and the fencing job's new events, not older ones or others'", () => {
    const ev = (component: string, reason: string, time: string, type = "Normal") =>
      eventInfo({ metadata: { namespace: "media" }, reason, message: "m", type, reportingComponent: component, involvedObject: { kind: "Pod", namespace: "media", name: "p" }, eventTime: time });
    const r = decideReports(
      [],
      [
        ev("sigs.k8s.io/descheduler", "Descheduled", "2026-11-29T11:58:00Z"),
        ev("ha-jobs-fencing", "Fenced", "2026-11-29T11:59:00Z", "Warning"),
        ev("ha-jobs-fencing", "Fenced", "2026-11-29T11:00:00Z", "Warning"),
        ev("kubelet", "Pulled", "2026-11-29T11:59:00Z"),
        ev("other", "Descheduled", "2026-11-29T11:59:30Z"),
      ],
      cfg,
      now,
    );
    expect(r.map((x) => [x.severity, x.reason])).toEqual([["info", "Descheduled"], ["error", "Fenced"], ["info", "Descheduled"]]);
  });

  it("reads an event's latest time from lastTimestamp, eventTime or series", () => {
    expect(eventInfo({ metadata: {}, lastTimestamp: null, eventTime: "2026-01-01T00:00:00Z", series: { lastObservedTime: "2026-01-02T00:00:00Z" } }).time).toBe("2026-01-02T00:00:00Z");
    expect(eventInfo({ metadata: {}, source: { component: "x" }, lastTimestamp: "2026-01-03T00:00:00Z" }).component).toBe("x");
  });
});

describe("run", () => {
  const fake = (volumes: unknown[], fail = false) => {
    const posted: FluxEvent[] = [];
    const lines: string[] = [];
    const io: Io = {
      async getJson(path) {
        if (fail) throw new Error("HTTP 403");
        return path.includes("/volumes") ? { items: volumes } : { items: [] };
      },
      async post(_url, body) {
        posted.push(body);
        return 202;
      },
      log: (l) => lines.push(l),
    };
    return { io, posted, lines };
  };
  const env = { REPORT_HELMRELEASE: "ha-jobs/ha-jobs", REPORT_EVENT_NAMESPACES: "media,default", REPORT_COMPONENTS: "ha-jobs-fencing" };

  it("posts what decideReports returns and exits 0", async () => {
    const f = fake([{ metadata: { name: "v" }, status: { robustness: "faulted" } }]);
    expect(await run(env, f.io, now)).toBe(0);
    expect(f.posted.map((p) => p.reason)).toEqual(["VolumeFaulted"]);
  });

  it("dry run posts nothing; an API error exits 1 with the reason", async () => {
    const d = fake([{ metadata: { name: "v" }, status: { robustness: "faulted" } }]);
    expect(await run({ ...env, REPORT_DRY_RUN: "true" }, d.io, now)).toBe(0);
    expect(d.posted).toEqual([]);
    const e = fake([], true);
    expect(await run(env, e.io, now)).toBe(1);
    expect(e.lines.join("\n")).toContain("HTTP 403");
  });
});

describe.each(["homelab", "staging"])("%s: the rendered report job's events reach an Alert", (env) => {
  it("an info Alert covers the release the job reports about, and its inclusionList admits the reports", async () => {
    const rs = await renderEnvironment(env, { chart: "ha-jobs" });
    const cron = rs.flatMap((r) => r.objects).find((o) => o.kind === "CronJob" && o.metadata.name.endsWith("-report")) as { spec: { jobTemplate: { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } } } } | undefined;
    expect(cron).toBeDefined();
    const envs = Object.fromEntries(cron!.spec.jobTemplate.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    const [ns, name] = envs.REPORT_HELMRELEASE.split("/");
    const alerts = loadEnvironment(env).objects.filter((o) => o.obj.kind === "Alert").map((o) => o.obj as unknown as { metadata: { namespace: string }; spec: { eventSeverity?: string; inclusionList?: string[]; eventSources: { kind: string; name: string; namespace?: string }[] } });
    const matching = alerts.filter(
      (a) => (a.spec.eventSeverity ?? "info") === "info" && a.spec.eventSources.some((s) => s.kind === "HelmRelease" && (s.namespace ?? a.metadata.namespace) === ns && (s.name === "*" || s.name === name)),
    );
    expect(matching.length).toBeGreaterThan(0);
    const message = `${PREFIX} Longhorn volume v is degraded`;
    expect(matching.some((a) => !a.spec.inclusionList || a.spec.inclusionList.some((re) => new RegExp(re).test(message)))).toBe(true);
  });
});

describe("the events contract of the jobs (tools/report/events.ts)", () => {
  it("an Event built for a fence is valid core/v1 and is forwarded by the report job as an error", async () => {
    const { jobEvent } = await import("../../tools/report/events.ts");
    const { validateObject } = await import("../../tools/lib/k8s-validate.ts");
    const e = jobEvent({ reason: "Fenced", message: "k3s-w1 NotReady for 130s: cordoned and tainted out-of-service", type: "Warning", object: { kind: "Node", name: "k3s-w1" }, instance: "ha-jobs-fencing-29000000-abcde", now });
    expect(await validateObject(e as never)).toEqual([]);
    expect((e.metadata as { namespace: string }).namespace).toBe("default");
    const r = decideReports([], [eventInfo(e as never)], cfg, now);
    expect(r.map((x) => [x.severity, x.reason])).toEqual([["error", "Fenced"]]);
    expect(r[0].message).toContain("Node/k3s-w1");
  });
});
