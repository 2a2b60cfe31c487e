import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { validateObject } from "../../tools/lib/k8s-validate.ts";
import type { K8sObject } from "../../tools/lib/render.ts";

const meta = { name: "x", namespace: "media" };

describe("validateObject (offline schemas)", () => {
  it.each([
    {
      name: "a StatefulSet with a string port",
      obj: { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta, spec: { selector: {}, serviceName: "x", template: { spec: { containers: [{ name: "a", image: "b", ports: [{ containerPort: "80" }] }] } } } },
      want: ["spec.template.spec.containers.0.ports.0.containerPort: must be integer"],
    },
    {
      name: "a Service without ports type",
      obj: { apiVersion: "v1", kind: "Service", metadata: meta, spec: { ports: [{ port: "eighty" }] } },
      want: ["spec.ports.0.port: must be integer"],
    },
    {
      name: "a HelmRelease without an interval (Flux CRD schema)",
      obj: { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", metadata: meta, spec: { chart: { spec: { chart: "x", sourceRef: { kind: "GitRepository", name: "r" } } } } },
      want: [expect.stringMatching(/interval/)],
    },
    {
      name: "a MetalLB pool without addresses (our typed CRD)",
      obj: { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name: "p", namespace: "metallb-system" }, spec: {} },
      want: [expect.stringMatching(/^spec: must have required property 'addresses'/)],
    },
    {
      name: "a Longhorn Setting with an unknown field",
      obj: { apiVersion: "longhorn.io/v1beta2", kind: "Setting", metadata: { name: "taint-toleration", namespace: "longhorn-system" }, value: "x", valu: "y" },
      want: [expect.stringMatching(/must NOT have additional properties/)],
    },
  ])("reports $name", async ({ obj, want }) => {
    expect(await validateObject(obj as K8sObject)).toEqual(want);
  });

  it("checks the parsed object itself, as the model's copy of it would be checked, and leaves it as it was", async () => {
    const freeze = <T>(o: T): T => {
      if (o && typeof o === "object") for (const v of Object.values(o)) freeze(v);
      return Object.freeze(o);
    };
    for (const port of [80, "eighty", -1]) {
      const obj = freeze({ apiVersion: "v1", kind: "Service", metadata: meta, spec: { ports: [{ port, name: "http" }] } });
      const before = JSON.stringify(obj);
      let modelErrors: string[] = [];
      try {
        new Service(obj as never).validate();
      } catch (err) {
        modelErrors = (err as { errors: { instancePath: string; message: string }[] }).errors.map((e) => `${e.instancePath.slice(1).replaceAll("/", ".")}: ${e.message}`);
      }
      expect(await validateObject(obj as K8sObject)).toEqual(modelErrors);
      expect(JSON.stringify(obj)).toBe(before);
    }
  });

  it.each([
    { name: "a misspelt mountPropagation", patch: (c: Record<string, unknown>) => ((c.volumeMounts as Record<string, unknown>[])[0].mountPropogation = "Bidirectional"), want: "spec.template.spec.containers.0.volumeMounts.0.mountPropogation" },
    { name: "a field on the wrong level", patch: (c: Record<string, unknown>) => (c.tolerations = []), want: "spec.template.spec.containers.0.tolerations" },
  ])("reports an unknown field: $name", async ({ patch, want }) => {
    const container: Record<string, unknown> = { name: "a", image: "b", volumeMounts: [{ name: "v", mountPath: "/m" }] };
    patch(container);
    const obj = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta, spec: { serviceName: "x", selector: {}, template: { spec: { containers: [container] } } } } as unknown as K8sObject;
    expect(await validateObject(obj)).toEqual([
      `${want}: unknown field: apps/v1 StatefulSet has no such field, so the API server would drop it (or reject the object under strict field validation). Fix: correct its name in the chart template`,
    ]);
  });

  it("passes valid objects", async () => {
    const ok: K8sObject = { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { a: "b" } } as K8sObject;
    expect(await validateObject(ok)).toEqual([]);
  });

  it("treats a kind without a schema as an error, not a skip", async () => {
    const obj = { apiVersion: "example.com/v1", kind: "Widget", metadata: meta } as K8sObject;
    expect(await validateObject(obj)).toEqual([expect.stringMatching(/^no schema for example\.com\/v1 Widget, so it cannot be validated offline\. Fix:/)]);
  });
});
