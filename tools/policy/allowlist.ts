/**
 * Loading and validating an environment's allowlist (`values/<env>/policy.yaml`, typed by
 * schema/policy.ts), and answering "what may this workload / container do?".
 */
import { join } from "node:path";
import { InputError, loadYamlFile, type PathSegment, type SourceDoc } from "../lib/yaml.ts";
import { repoRoot } from "../lib/paths.ts";
import type {
  ClusterRoleAllowance,
  HostNamespace,
  HostPathAllowance,
  MountPropagation,
  Policy,
  UnpinnedImageAllowance,
  WorkloadAllowance,
} from "../../schema/policy.ts";
import { asObj, normaliseCapability } from "./workloads.ts";
import { normaliseHostPath } from "./hostpath.ts";

/**
 * The allowlist file was missing or malformed; `problems` are `file:line:col: key: message. Fix: ...`
 * lines, and the message is those lines (one per problem, each naming the file).
 */
export class PolicyFileError extends Error {
  readonly file: string;
  readonly problems: string[];
  constructor(file: string, problems: string[], options?: { cause?: unknown }) {
    super(problems.join("\n"), options);
    this.file = file;
    this.problems = problems;
    Object.defineProperty(this, "name", { value: "PolicyFileError", enumerable: false });
  }
}

/** Path of an environment's allowlist. */
export function policyPath(env: string, root = repoRoot): string {
  return join(root, "values", env, "policy.yaml");
}

// ---- structural validation, as data ----------------------------------------------------------

type FieldSpec =
  | { type: "string"; minLength?: number; pattern?: RegExp; patternText?: string }
  | { type: "boolean" }
  | { type: "stringList"; pattern?: RegExp; patternText?: string }
  | { type: "enum"; values: readonly string[] }
  | { type: "enumList"; values: readonly string[] }
  | { type: "objectList"; of: ObjectSpec };

interface ObjectSpec {
  fields: Record<string, FieldSpec>;
  required?: string[];
  /** Extra check of the whole object; returns problems as [path suffix, message]. */
  check?: (o: Record<string, unknown>) => Array<[PathSegment[], string]>;
}

const GLOB = { pattern: /^[a-z0-9*?]([-a-z0-9.*?]*[a-z0-9*?])?$/, patternText: "a lower-case name or glob (* and ?)" };
const NAME = { pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, patternText: "a Kubernetes object name" };
const PROPAGATIONS: readonly MountPropagation[] = ["None", "HostToContainer", "Bidirectional"];
const HOST_NAMESPACES: readonly HostNamespace[] = ["network", "pid", "ipc"];

const needsSelector = (o: Record<string, unknown>): Array<[PathSegment[], string]> =>
  o.names === undefined && o.pattern === undefined ? [[[], "needs `names` or `pattern` to say what it applies to"]] : [];

const HOST_PATH_SPEC: ObjectSpec = {
  fields: {
    path: { type: "string", pattern: /^\//, patternText: "an absolute path" },
    propagation: { type: "enum", values: PROPAGATIONS },
    readOnly: { type: "boolean" },
  },
  required: ["path"],
};

const UNPINNED_SPEC: ObjectSpec = {
  fields: { image: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 10 } },
  required: ["image", "reason"],
};

const WORKLOAD_SPEC: ObjectSpec = {
  fields: {
    names: { type: "stringList", ...NAME },
    pattern: { type: "string", ...GLOB },
    containers: { type: "stringList", ...NAME },
    reason: { type: "string", minLength: 10 },
    privileged: { type: "boolean" },
    hostNamespaces: { type: "enumList", values: HOST_NAMESPACES },
    capabilities: {
      type: "stringList",
      pattern: /^(?!(CAP_)?ALL$)(CAP_)?[A-Z][A-Z_]*$/,
      patternText: "an upper-case capability name other than ALL",
    },
    hostPaths: { type: "objectList", of: HOST_PATH_SPEC },
    runAsRoot: { type: "boolean" },
    writableRootFilesystem: { type: "boolean" },
    unpinnedImages: { type: "objectList", of: UNPINNED_SPEC },
  },
  required: ["reason"],
  check: needsSelector,
};

const CLUSTER_ROLE_SPEC: ObjectSpec = {
  fields: {
    names: { type: "stringList", pattern: /^[a-z0-9:]([-a-z0-9.:]*[a-z0-9])?$/, patternText: "a ClusterRole name" },
    pattern: { type: "string", ...GLOB },
    reason: { type: "string", minLength: 10 },
  },
  required: ["reason"],
  check: needsSelector,
};

/** Rules an upstreamReleases entry may accept (schema/policy.ts UpstreamAllowance). */
const ACCEPTABLE = [
  "privileged", "host-namespaces", "capabilities", "hostpath", "run-as-non-root", "privilege-escalation",
  "read-only-root-fs", "resource-requests", "rbac-wildcard", "rbac-secrets", "rbac-escalation", "rbac-cluster-scope", "secret-object",
] as const;

const UPSTREAM_SPEC: ObjectSpec = {
  fields: {
    release: { type: "string", pattern: /^[a-z0-9-]+\/[a-z0-9-]+$/, patternText: "namespace/name of a HelmRelease" },
    reason: { type: "string", minLength: 10 },
    accept: { type: "enumList", values: ACCEPTABLE },
  },
  required: ["release", "reason", "accept"],
};

const POLICY_SPEC: ObjectSpec = {
  fields: {
    workloads: { type: "objectList", of: WORKLOAD_SPEC },
    clusterRoles: { type: "objectList", of: CLUSTER_ROLE_SPEC },
    upstreamReleases: { type: "objectList", of: UPSTREAM_SPEC },
  },
};

function fmtPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((acc, s) => (typeof s === "number" ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "") || "(root)";
}

function validateObject(value: unknown, spec: ObjectSpec, path: PathSegment[], out: Array<[PathSegment[], string]>): void {
  const o = asObj(value);
  if (!o) {
    out.push([path, `must be a mapping (got ${JSON.stringify(value)})`]);
    return;
  }
  for (const key of Object.keys(o)) {
    if (!(key in spec.fields)) {
      out.push([[...path, key], `unknown key; allowed: ${Object.keys(spec.fields).join(", ")}`]);
    }
  }
  for (const key of spec.required ?? []) {
    if (o[key] === undefined || o[key] === null) out.push([[...path, key], "is required"]);
  }
  for (const [key, field] of Object.entries(spec.fields)) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    const at = [...path, key];
    const got = `(got ${JSON.stringify(v)})`;
    switch (field.type) {
      case "string":
        if (typeof v !== "string") out.push([at, `must be a string ${got}`]);
        else if (field.minLength !== undefined && v.trim().length < field.minLength) {
          out.push([at, `must be at least ${field.minLength} characters ${got}`]);
        } else if (field.pattern && !field.pattern.test(v)) out.push([at, `must be ${field.patternText} ${got}`]);
        break;
      case "boolean":
        if (typeof v !== "boolean") out.push([at, `must be true or false ${got}`]);
        break;
      case "enum":
        if (typeof v !== "string" || !field.values.includes(v)) out.push([at, `must be one of ${field.values.join(", ")} ${got}`]);
        break;
      case "stringList":
      case "enumList":
        if (!Array.isArray(v)) {
          out.push([at, `must be a list ${got}`]);
          break;
        }
        v.forEach((item, i) => {
          const ok =
            typeof item === "string" &&
            (field.type === "enumList" ? field.values.includes(item) : !field.pattern || field.pattern.test(item));
          if (!ok) {
            const want = field.type === "enumList" ? `one of ${field.values.join(", ")}` : (field.patternText ?? "a string");
            out.push([[...at, i], `must be ${want} (got ${JSON.stringify(item)})`]);
          }
        });
        break;
      case "objectList":
        if (!Array.isArray(v)) {
          out.push([at, `must be a list ${got}`]);
          break;
        }
        v.forEach((item, i) => validateObject(item, field.of, [...at, i], out));
        break;
    }
  }
  if (spec.check) for (const [suffix, msg] of spec.check(o)) out.push([[...path, ...suffix], msg]);
}

/** Validates a parsed allowlist document; returns the problems as `file:line:col: key: message. Fix: ...`. */
export function validatePolicyDoc(doc: SourceDoc): string[] {
  const problems: Array<[PathSegment[], string]> = [];
  validateObject(doc.value ?? {}, POLICY_SPEC, [], problems);
  return problems.map(([path, msg]) => {
    const { line, col } = doc.keyPosition(path);
    return `${doc.file}:${line}:${col}: policy allowlist ${fmtPath(path)}: ${msg}. Fix: correct it as schema/policy.ts types the allowlist`;
  });
}

/**
 * Loads and validates `values/<env>/policy.yaml`. Throws PolicyFileError naming the file when it
 * is missing, is not YAML, or does not match the Policy type.
 */
export function loadPolicy(env: string, root = repoRoot): Policy {
  const file = policyPath(env, root);
  let doc: SourceDoc;
  try {
    doc = loadYamlFile(file, `the policy allowlist of environment "${env}"`, root);
  } catch (err) {
    if (err instanceof InputError) {
      const hint =
        err.line === 0 ? `. Fix: create it (see schema/policy.ts), even if empty: \`workloads: []\``
        : /Fix:/.test(err.message) ? ""
        : ". Fix: correct the YAML there (schema/policy.ts types the allowlist)";
      throw new PolicyFileError(err.file, [`${err.message}${hint}`], { cause: err });
    }
    throw err;
  }
  const problems = validatePolicyDoc(doc);
  if (problems.length) throw new PolicyFileError(doc.file, problems);
  return (doc.value ?? {}) as Policy;
}

// ---- matching ---------------------------------------------------------------------------------

/** Compiles a name glob (`*`, `?`) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Whether an allowance with `names`/`pattern` applies to `name`. */
export function selects(sel: { names?: string[]; pattern?: string }, name: string): boolean {
  return (sel.names ?? []).includes(name) || (sel.pattern !== undefined && globToRegExp(sel.pattern).test(name));
}

/** What the allowlist grants one container (or the pod, when no container is given). */
export interface Grants {
  privileged: boolean;
  hostNamespaces: Set<HostNamespace>;
  capabilities: Set<string>;
  /** With `path` normalised. */
  hostPaths: HostPathAllowance[];
  runAsRoot: boolean;
  writableRootFilesystem: boolean;
  unpinnedImages: UnpinnedImageAllowance[];
}

/**
 * The union of the grants of every workload allowance matching `workload`; when `container` is
 * given, allowances restricted to other containers are left out.
 */
export function grantsFor(policy: Policy, workload: string, container?: string): Grants {
  const g: Grants = {
    privileged: false,
    hostNamespaces: new Set(),
    capabilities: new Set(),
    hostPaths: [],
    runAsRoot: false,
    writableRootFilesystem: false,
    unpinnedImages: [],
  };
  for (const a of policy.workloads ?? ([] as WorkloadAllowance[])) {
    if (!selects(a, workload)) continue;
    if (container !== undefined && a.containers && !a.containers.includes(container)) continue;
    g.privileged ||= a.privileged === true;
    g.runAsRoot ||= a.runAsRoot === true;
    g.writableRootFilesystem ||= a.writableRootFilesystem === true;
    for (const ns of a.hostNamespaces ?? []) g.hostNamespaces.add(ns);
    for (const c of a.capabilities ?? []) g.capabilities.add(normaliseCapability(c));
    for (const hp of a.hostPaths ?? []) g.hostPaths.push({ ...hp, path: normaliseHostPath(hp.path) });
    g.unpinnedImages.push(...(a.unpinnedImages ?? []));
  }
  return g;
}

/** The clusterRoles allowance naming this ClusterRole, if any. */
export function clusterRoleAllowance(policy: Policy, name: string): ClusterRoleAllowance | undefined {
  return (policy.clusterRoles ?? []).find((a) => selects(a, name));
}
