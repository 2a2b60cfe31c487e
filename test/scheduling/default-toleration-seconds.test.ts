/**
 * Port of plugin/pkg/admission/defaulttolerationseconds/admission_test.go
 * (TestForgivenessAdmission): the tolerations after admission.
 */
import { describe, expect, it } from "vitest";
import { applyDefaultTolerationSeconds } from "../../tools/scheduling/index.ts";
import type { Toleration } from "../../tools/scheduling/types.ts";

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";
const defNotReady: Toleration = { key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
const defUnreachable: Toleration = { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };

describe("TestForgivenessAdmission", () => {
  const foo: Toleration = { key: "foo", operator: "Equal", value: "bar", effect: "NoSchedule", tolerationSeconds: 700 };
  const notReady700: Toleration = { key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: 700 };
  const unreachable700: Toleration = { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 700 };
  const unreachableNoEffect: Toleration = { key: UNREACHABLE, operator: "Exists", tolerationSeconds: 700 };
  const wildcard: Toleration = { operator: "Exists", tolerationSeconds: 700 };
  const rows: Array<{ description: string; requested: Toleration[]; expected: Toleration[] }> = [
    { description: "pod has no tolerations, expect add tolerations for not-ready and unreachable", requested: [], expected: [defNotReady, defUnreachable] },
    { description: "pod has tolerations, but none is for not-ready or unreachable", requested: [foo], expected: [foo, defNotReady, defUnreachable] },
    { description: "pod specified a toleration for not-ready:NoExecute, expect add unreachable", requested: [notReady700], expected: [notReady700, defUnreachable] },
    { description: "pod specified a toleration for unreachable:NoExecute, expect add not-ready", requested: [unreachable700], expected: [unreachable700, defNotReady] },
    { description: "pod specified tolerations for both, expect no change", requested: [notReady700, unreachable700], expected: [notReady700, unreachable700] },
    { description: "pod specified toleration for taint unreachable (empty effect), expect add not-ready", requested: [unreachableNoEffect], expected: [unreachableNoEffect, defNotReady] },
    { description: "pod has wildcard toleration for all kind of taints, expect no change", requested: [wildcard], expected: [wildcard] },
    // Model rows: the check looks at key and effect only.
    {
      description: "a NoSchedule toleration for not-ready does not count",
      requested: [{ key: NOT_READY, operator: "Exists", effect: "NoSchedule" }],
      expected: [{ key: NOT_READY, operator: "Exists", effect: "NoSchedule" }, defNotReady, defUnreachable],
    },
    {
      description: "an Equal toleration for unreachable counts whatever its value",
      requested: [{ key: UNREACHABLE, operator: "Equal", value: "x", effect: "NoExecute" }],
      expected: [{ key: UNREACHABLE, operator: "Equal", value: "x", effect: "NoExecute" }, defNotReady],
    },
  ];
  it.each(rows)("$description", ({ requested, expected }) => {
    const before = structuredClone(requested);
    expect(applyDefaultTolerationSeconds(requested)).toEqual(expected);
    expect(requested).toEqual(before);
  });

  it("uses configured default seconds", () => {
    expect(applyDefaultTolerationSeconds(null, { notReadySeconds: 60, unreachableSeconds: 90 })).toEqual([
      { ...defNotReady, tolerationSeconds: 60 },
      { ...defUnreachable, tolerationSeconds: 90 },
    ]);
  });
});
