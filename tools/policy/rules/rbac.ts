/**
 * RBAC rules over Role, ClusterRole, RoleBinding and ClusterRoleBinding: rbac-wildcard,
 * rbac-secrets, rbac-escalation, rbac-cluster-scope.
 */
import type { K8sObject } from "../../lib/render.ts";
import type { Policy } from "../../../schema/policy.ts";
import { clusterRoleAllowance } from "../allowlist.ts";
import { violation, type Violation } from "../types.ts";
import { asObj, asObjList, objectId } from "../workloads.ts";

/** Verbs that let a subject grant itself more rights. */
export const ESCALATION_VERBS: readonly string[] = ["escalate", "bind", "impersonate"];

/** Built-in ClusterRoles that no binding of ours may grant. */
export const PRIVILEGED_BUILTIN_ROLES: readonly string[] = ["cluster-admin", "admin", "edit"];

/** Rule fields where `*` is forbidden. */
const WILDCARD_FIELDS = ["verbs", "resources", "apiGroups", "nonResourceURLs"] as const;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function checkRules(obj: K8sObject, id: string): Violation[] {
  const out: Violation[] = [];
  asObjList(obj.rules).forEach((rule, i) => {
    for (const field of WILDCARD_FIELDS) {
      const wild = strings(rule[field]).filter((x) => x.includes("*"));
      if (wild.length) out.push(violation("rbac-wildcard", id, `rules[${i}].${field} contains ${wild.map((w) => JSON.stringify(w)).join(", ")}`));
    }
    const groups = strings(rule.apiGroups);
    const coreGroup = groups.length === 0 || groups.includes("") || groups.includes("*");
    const secretRes = strings(rule.resources).filter((r) => r === "secrets" || r.startsWith("secrets/"));
    if (coreGroup && secretRes.length) {
      out.push(violation("rbac-secrets", id, `rules[${i}] grants ${strings(rule.verbs).join(", ") || "(no verbs)"} on ${secretRes.join(", ")}`));
    }
    const esc = strings(rule.verbs).filter((v) => ESCALATION_VERBS.includes(v));
    if (esc.length) out.push(violation("rbac-escalation", id, `rules[${i}].verbs contains ${esc.join(", ")}`));
  });
  return out;
}

/** Checks one RBAC object; returns [] for other kinds. */
export function checkRbac(obj: K8sObject, policy: Policy): Violation[] {
  const id = objectId(obj);
  const name = obj.metadata.name;
  switch (obj.kind) {
    case "Role":
      return checkRules(obj, id);
    case "ClusterRole": {
      const out = checkRules(obj, id);
      if (!clusterRoleAllowance(policy, name)) {
        out.push(violation("rbac-cluster-scope", id, `ClusterRole "${name}" grants cluster-wide access and is not in the allowlist's clusterRoles`));
      }
      return out;
    }
    case "RoleBinding":
    case "ClusterRoleBinding": {
      const out: Violation[] = [];
      const ref = asObj(obj.roleRef) ?? {};
      const refName = typeof ref.name === "string" ? ref.name : "";
      if (ref.kind === "ClusterRole" && PRIVILEGED_BUILTIN_ROLES.includes(refName)) {
        out.push(violation("rbac-escalation", id, `binds the built-in ClusterRole ${refName}`, {
          fix: "bind a Role (or allowlisted ClusterRole) listing only the permissions the component needs",
        }));
      } else if (obj.kind === "ClusterRoleBinding" && !clusterRoleAllowance(policy, refName)) {
        out.push(violation("rbac-cluster-scope", id, `ClusterRoleBinding grants ${ref.kind ?? "role"} "${refName}" cluster-wide, and it is not in the allowlist's clusterRoles`));
      }
      return out;
    }
    default:
      return [];
  }
}
