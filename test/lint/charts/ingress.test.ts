import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../tools/lib/k8s.ts";
import { checkIngressBackends } from "../../../tools/lint/charts/ingress.ts";
import type { LintContext } from "../../../tools/lint/types.ts";

const ns = "media";
const ingress = (service: string): K8sObject => ({
  apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: service, namespace: ns },
  spec: { rules: [{ host: `${service}.example`, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { name: "http" } } } }] } }] },
});
const service = (name: string, selector: Record<string, string>): K8sObject => ({
  apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
});
const deployment = (name: string, labels: Record<string, string>, namespace = ns): K8sObject => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, ports: [{ name: "http", containerPort: 8080 }] }] } } },
});
const check = (objects: K8sObject[]) => checkIngressBackends({ objects } as unknown as LintContext).map((f) => f.message);

describe("checkIngressBackends: the pod templates a Service selects", () => {
  it("matches a selector by every key and value, in the Service's namespace only", () => {
    const app = { "app.kubernetes.io/name": "media-apps", "app.kubernetes.io/component": "sonarr" };
    expect(check([ingress("sonarr"), service("sonarr", app), deployment("sonarr", app)])).toEqual([]);
    // the first pair matches another app's template, the second does not
    const other = { "app.kubernetes.io/name": "media-apps", "app.kubernetes.io/component": "radarr" };
    expect(check([ingress("sonarr"), service("sonarr", app), deployment("radarr", other)])).toEqual([
      expect.stringMatching(/^Service\/media\/sonarr selects no pod template of this release/),
    ]);
    // the same labels in another namespace do not count
    expect(check([ingress("sonarr"), service("sonarr", app), deployment("sonarr", app, "other")])).toEqual([expect.stringMatching(/selects no pod template/)]);
    // an empty selector selects nothing
    expect(check([ingress("sonarr"), service("sonarr", {}), deployment("sonarr", app)])).toEqual([expect.stringMatching(/selects no pod template/)]);
  });

  it("checks the targetPort against every template the Service selects", () => {
    const app = { "app.kubernetes.io/name": "media-apps" };
    const noPort = deployment("b", app);
    ((noPort.spec as { template: { spec: { containers: { ports: unknown[] }[] } } }).template.spec.containers[0]).ports = [{ name: "web", containerPort: 8080 }];
    expect(check([ingress("s"), service("s", app), deployment("a", app), noPort])).toEqual([
      expect.stringMatching(/^Service\/media\/s targetPort http matches no container port of Deployment\/media\/b \(it has web:8080\)/),
    ]);
  });
});
