import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../tools/lib/render.ts";
import { checkRbac } from "../../../tools/policy/rules/rbac.ts";
import { RULES } from "../../../tools/policy/types.ts";
import { TEST_POLICY } from "../fixtures.ts";

function role(kind: "Role" | "ClusterRole", name: string, rules: Array<Record<string, unknown>>): K8sObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: kind === "Role" ? { name, namespace: "media" } : { name }, rules };
}

function binding(kind: "RoleBinding" | "ClusterRoleBinding", name: string, refKind: string, refName: string): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: kind === "RoleBinding" ? { name, namespace: "media" } : { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: refKind, name: refName },
    subjects: [{ kind: "ServiceAccount", name, namespace: "media" }],
  };
}

const READ_PODS = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };

const rows: Array<{ title: string; obj: K8sObject; expect: Array<[rule: string, text: string]> }> = [
  { title: "a minimal Role passes", obj: role("Role", "reader", [READ_PODS]), expect: [] },
  { title: "wildcard verbs", obj: role("Role", "r", [{ ...READ_PODS, verbs: ["*"] }]), expect: [["rbac-wildcard", 'rules[0].verbs contains "*"']] },
  { title: "wildcard resources", obj: role("Role", "r", [READ_PODS, { ...READ_PODS, resources: ["*"] }]), expect: [["rbac-wildcard", 'rules[1].resources contains "*"']] },
  { title: "wildcard subresource", obj: role("Role", "r", [{ ...READ_PODS, resources: ["pods/*"] }]), expect: [["rbac-wildcard", 'rules[0].resources contains "pods/*"']] },
  { title: "wildcard apiGroups", obj: role("Role", "r", [{ ...READ_PODS, apiGroups: ["*"] }]), expect: [["rbac-wildcard", 'rules[0].apiGroups contains "*"']] },
  { title: "read secrets", obj: role("Role", "r", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]), expect: [["rbac-secrets", "rules[0] grants get on secrets"]] },
  { title: "secrets in another API group are not core Secrets", obj: role("Role", "r", [{ apiGroups: ["example.io"], resources: ["secrets"], verbs: ["get"] }]), expect: [] },
  { title: "escalate and bind", obj: role("Role", "r", [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate", "bind", "get"] }]), expect: [["rbac-escalation", "rules[0].verbs contains escalate, bind"]] },
  { title: "impersonate", obj: role("Role", "r", [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }]), expect: [["rbac-escalation", "contains impersonate"]] },
  { title: "allowlisted ClusterRole", obj: role("ClusterRole", "ha-jobs-descheduler", [READ_PODS]), expect: [] },
  { title: "ClusterRole not allowlisted", obj: role("ClusterRole", "media-reader", [READ_PODS]), expect: [["rbac-cluster-scope", 'ClusterRole "media-reader" grants cluster-wide access']] },
  {
    title: "allowlisted ClusterRole still has its rules checked",
    obj: role("ClusterRole", "descheduler", [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }]),
    expect: [["rbac-secrets", "rules[0] grants list on secrets"]],
  },
  { title: "ClusterRoleBinding of an allowlisted ClusterRole", obj: binding("ClusterRoleBinding", "b", "ClusterRole", "ha-jobs-descheduler"), expect: [] },
  { title: "ClusterRoleBinding of another ClusterRole", obj: binding("ClusterRoleBinding", "b", "ClusterRole", "view"), expect: [["rbac-cluster-scope", 'ClusterRoleBinding grants ClusterRole "view" cluster-wide']] },
  { title: "binding cluster-admin", obj: binding("ClusterRoleBinding", "b", "ClusterRole", "cluster-admin"), expect: [["rbac-escalation", "binds the built-in ClusterRole cluster-admin"]] },
  { title: "RoleBinding of edit", obj: binding("RoleBinding", "b", "ClusterRole", "edit"), expect: [["rbac-escalation", "binds the built-in ClusterRole edit"]] },
  { title: "RoleBinding of a Role", obj: binding("RoleBinding", "b", "Role", "reader"), expect: [] },
  { title: "ClusterRoleBinding without a roleRef", obj: { ...binding("ClusterRoleBinding", "b", "ClusterRole", "x"), roleRef: undefined }, expect: [["rbac-cluster-scope", 'ClusterRoleBinding grants role ""']] },
  {
    title: "wildcard nonResourceURLs",
    obj: role("ClusterRole", "ha-jobs-descheduler", [{ nonResourceURLs: ["/metrics/*"], verbs: ["get"] }]),
    expect: [["rbac-wildcard", 'rules[0].nonResourceURLs contains "/metrics/*"']],
  },
  { title: "secrets with no apiGroups (core)", obj: role("Role", "r", [{ resources: ["secrets"], verbs: ["watch"] }]), expect: [["rbac-secrets", "rules[0] grants watch on secrets"]] },
];

describe("checkRbac", () => {
  it.each(rows)("$title", ({ obj, expect: want }) => {
    const got = checkRbac(obj, TEST_POLICY);
    expect(got.map((v) => v.rule)).toEqual(want.map(([rule]) => rule));
    want.forEach(([, text], i) => expect(got[i].message).toContain(text));
    const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : "";
    for (const v of got) {
      expect(v.object).toBe(`${obj.kind}/${ns}${obj.metadata.name}`);
      expect(v.container).toBeUndefined();
      // a binding of a built-in role gets its own fix; every other finding the rule's
      expect(v.fix).toBe(obj.kind.endsWith("Binding") && v.rule === "rbac-escalation"
        ? "bind a Role (or allowlisted ClusterRole) listing only the permissions the component needs"
        : RULES[v.rule].fix);
    }
  });

  it("ignores other kinds", () => {
    expect(checkRbac({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, rules: [{ verbs: ["*"] }] }, TEST_POLICY)).toEqual([]);
  });
});
