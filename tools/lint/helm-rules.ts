/**
 * What `helm lint --strict` checks that `helm template` and the rest of lint-charts do not, done
 * here so each release costs one helm process (`helm template`), not two (issue 18).
 *
 * helm lint (Helm 4, pkg/chart/v2/lint/rules/{chartfile,template,crds,deprecations}.go) renders
 * with LintMode (a failing `required` is only logged) and release name "test-release", so its
 * rendering is weaker than our `helm template` with the profile's real release; what it adds:
 *   - Chart.yaml: unknown keys (strict parse), apiVersion v1/v2, name, version SemVer 2, appVersion a
 *     string, maintainers (name, email, url), source and icon URLs, dependencies/type only in v2
 *     (chartfile.go);
 *   - template file extensions .yaml/.yml/.tpl/.txt (template.go validateAllowedExtension);
 *   - a rendered document that starts indented (validateTopIndentLevel);
 *   - object names per kind (validateMetadataName, k8s.io/apimachinery/pkg/api/validation);
 *   - Deployment/ReplicaSet/DaemonSet/StatefulSet with matchLabels or matchExpressions
 *     (validateMatchSelector);
 *   - deprecated APIs for the target Kubernetes version (deprecations.go, client-go's
 *     APILifecycleDeprecated); here the table of removed APIs of
 *     https://kubernetes.io/docs/reference/using-api/deprecation-guide/;
 *   - crds/ holds only apiextensions.k8s.io CustomResourceDefinitions (crds.go).
 * Values schema validation, YAML validity and Go-template errors are caught by `helm template`
 * and tools/lib/values-validate.ts; a `List` kind has no schema and fails k8s-validate.
 * "icon is recommended" is INFO in helm, so --strict does not fail on it and neither do we.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { parse } from "yaml";
import type { K8sObject } from "../lib/render.ts";
import { objectRef, type Finding } from "./types.ts";

/** chart.Metadata's fields (helm pkg/chart/v2/metadata.go): anything else fails helm's strict parse. */
const CHART_KEYS = new Set([
  "name", "home", "sources", "version", "description", "keywords", "maintainers", "icon", "apiVersion", "condition", "tags",
  "appVersion", "deprecated", "annotations", "kubeVersion", "dependencies", "type",
]);

// Masterminds/semver StrictNewVersion: SemVer 2.0.0 without a leading "v".
const SEMVER2 = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol !== "" && u.host !== "";
  } catch {
    return false;
  }
}

const chartCache = new Map<string, Finding[]>();

/**
 * Chart-level rules (Chart.yaml, template extensions, crds/): values-independent, so once per chart
 * directory and process. `display` is the chart's path for messages (charts/<name>).
 */
export function chartRules(chartDir: string, display: string): Finding[] {
  const cached = chartCache.get(chartDir);
  if (cached) return cached;
  const out: Finding[] = [];
  const file = `${display}/Chart.yaml`;
  const err = (message: string, where = file) => out.push({ severity: "error", location: { file: where, line: 0, col: 0 }, message: `helm lint: ${message}` });
  let meta: Record<string, unknown> = {};
  try {
    meta = (parse(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) ?? {}) as Record<string, unknown>;
  } catch (e) {
    err(`unable to parse Chart.yaml: ${(e as Error).message.split("\n")[0]}. Fix: correct the YAML`);
  }
  for (const key of Object.keys(meta)) {
    if (!CHART_KEYS.has(key)) err(`Chart.yaml: unknown key ${JSON.stringify(key)}; helm's strict parse of chart metadata rejects it. Fix: remove it (allowed: ${[...CHART_KEYS].join(", ")})`);
  }
  const str = (k: string) => (typeof meta[k] === "string" ? (meta[k] as string) : "");
  if (!str("name")) err("Chart.yaml: name is required. Fix: set name to the chart's directory name");
  else if (str("name").includes("/")) err(`Chart.yaml: chart name ${JSON.stringify(str("name"))} is invalid. Fix: use a name without "/"`);
  if (str("apiVersion") !== "v1" && str("apiVersion") !== "v2") err(`Chart.yaml: apiVersion ${JSON.stringify(meta.apiVersion ?? "")} is not valid. Fix: set apiVersion: v2`);
  if (meta.version !== undefined && typeof meta.version !== "string") err(`Chart.yaml: version should be of type string but it's of type ${typeof meta.version}. Fix: quote it`);
  else if (!str("version")) err("Chart.yaml: version is required. Fix: set version (SemVer 2, e.g. 0.1.0)");
  else if (!SEMVER2.test(str("version"))) err(`Chart.yaml: version ${JSON.stringify(str("version"))} is not a valid SemVer 2 version. Fix: use MAJOR.MINOR.PATCH, e.g. 0.1.0`);
  if (meta.appVersion !== undefined && typeof meta.appVersion !== "string") err(`Chart.yaml: appVersion should be of type string but it's of type ${typeof meta.appVersion}. Fix: quote it`);
  for (const m of (Array.isArray(meta.maintainers) ? meta.maintainers : []) as ({ name?: string; email?: string; url?: string } | null)[]) {
    if (!m) err("Chart.yaml: a maintainer entry is empty. Fix: remove it");
    else if (!m.name) err("Chart.yaml: each maintainer requires a name. Fix: add name");
    else if (m.email && !EMAIL.test(m.email)) err(`Chart.yaml: invalid email ${JSON.stringify(m.email)} for maintainer ${JSON.stringify(m.name)}`);
    else if (m.url && !isUrl(m.url)) err(`Chart.yaml: invalid url ${JSON.stringify(m.url)} for maintainer ${JSON.stringify(m.name)}`);
  }
  for (const s of (Array.isArray(meta.sources) ? meta.sources : []) as unknown[]) {
    if (typeof s !== "string" || !isUrl(s)) err(`Chart.yaml: invalid source URL ${JSON.stringify(s)}. Fix: use an absolute URL`);
  }
  if (str("icon") && !isUrl(str("icon"))) err(`Chart.yaml: invalid icon URL ${JSON.stringify(str("icon"))}. Fix: use an absolute URL`);
  if (str("apiVersion") === "v1" && Array.isArray(meta.dependencies) && meta.dependencies.length > 0) err("Chart.yaml: dependencies are not valid with apiVersion v1. Fix: set apiVersion: v2");
  if (str("apiVersion") === "v1" && meta.type) err("Chart.yaml: chart type is not valid with apiVersion v1. Fix: set apiVersion: v2");

  const templates = join(chartDir, "templates");
  for (const f of existsSync(templates) ? walk(templates) : []) {
    const ext = extname(f);
    if (![".yaml", ".yml", ".tpl", ".txt"].includes(ext)) {
      err(`file extension ${JSON.stringify(ext)} not valid (helm renders only .yaml/.yml/.tpl/.txt templates). Fix: rename it`, `${display}/${relative(chartDir, f)}`);
    } else if (ext !== ".txt") {
      for (const u of unrepeatableCalls(readFileSync(f, "utf8"))) out.push({ severity: "error", location: { file: `${display}/${relative(chartDir, f)}`, line: u.line, col: u.col }, message: u.message });
    }
  }
  const crds = join(chartDir, "crds");
  for (const f of existsSync(crds) ? walk(crds) : []) {
    for (const doc of readFileSync(f, "utf8").split(/^---\s*$/m)) {
      let o: { apiVersion?: string; kind?: string } | null;
      try {
        o = parse(doc) as typeof o;
      } catch (e) {
        err(`unable to parse YAML: ${(e as Error).message.split("\n")[0]}`, `${display}/${relative(chartDir, f)}`);
        continue;
      }
      if (!o) continue;
      if (!String(o.apiVersion ?? "").startsWith("apiextensions.k8s.io") || o.kind !== "CustomResourceDefinition") {
        err(`crds/ may hold only apiextensions.k8s.io CustomResourceDefinitions (got ${o.apiVersion} ${o.kind}). Fix: move it to templates/`, `${display}/${relative(chartDir, f)}`);
      }
    }
  }
  chartCache.set(chartDir, out);
  return out;
}

/**
 * Template functions whose result is not a function of the chart and its values. `lookup` asks
 * the cluster during helm-controller's install and upgrade but returns an empty map under
 * `helm template` (Helm docs, "Using the lookup function"), so what lint checks would not be what
 * Flux applies; the others (Sprig's date, random and crypto functions) render differently every
 * time, so every upgrade rewrites the object and no render can be checked once and trusted, the
 * premise of tools/lib/render-cache.ts.
 */
const UNREPEATABLE = /(?<![.$\w])(lookup|now|randAlphaNum|randAlpha|randNumeric|randAscii|randBytes|randInt|uuidv4|genCA|genCAWithKey|genPrivateKey|genSelfSignedCert|genSelfSignedCertWithKey|genSignedCert|genSignedCertWithKey)\b/;

/** Calls of UNREPEATABLE functions in a template's actions (comments and string literals skipped), with line:col. */
export function unrepeatableCalls(text: string): { line: number; col: number; message: string }[] {
  const out: { line: number; col: number; message: string }[] = [];
  for (const m of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const body = m[1].trim();
    if (body.startsWith("/*")) continue;
    const code = m[1].replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, (q) => " ".repeat(q.length));
    const call = UNREPEATABLE.exec(code);
    if (!call) continue;
    const at = m.index + 2 + (m[0][2] === "-" ? 1 : 0) + call.index;
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const col = at - before.lastIndexOf("\n");
    const why = call[1] === "lookup"
      ? "lookup queries the cluster when helm-controller installs or upgrades but returns nothing under helm template, so lint would check other objects than Flux applies"
      : `${call[1]} renders differently every time, so every upgrade rewrites the object and no render of the chart can be checked once and trusted`;
    out.push({ line, col, message: `template function ${call[1]}: ${why}. Fix: take the value from values (a Secret for keys and certificates)` });
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** k8s.io/apimachinery/pkg/util/validation: the name rule helm lint applies to `kind`. */
function nameProblem(kind: string, name: string): string | undefined {
  const k = kind.toLowerCase();
  if (k === "certificatesigningrequest") return undefined;
  if (["role", "clusterrole", "rolebinding", "clusterrolebinding"].includes(k)) {
    return name === "." || name === ".." || /[/%]/.test(name) ? "may not be '.' or '..' and may not contain '/' or '%'" : undefined;
  }
  if (k === "service") {
    return name.length > 63 || !DNS1035_LABEL.test(name) ? "must be a DNS-1035 label: at most 63 characters, lower case alphanumerics or '-', starting with a letter" : undefined;
  }
  if (k === "namespace") {
    return name.length > 63 || !DNS1123_LABEL.test(name) ? "must be a DNS-1123 label: at most 63 characters, lower case alphanumerics or '-'" : undefined;
  }
  return name.length > 253 || !DNS1123_SUBDOMAIN.test(name) ? "must be a DNS-1123 subdomain: at most 253 characters, lower case alphanumerics, '-' or '.'" : undefined;
}

/**
 * API versions the API server no longer serves, from the Kubernetes deprecation guide
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/): group/version → the minor
 * release that removed it (and, where only some kinds went then, which).
 */
const REMOVED: { gv: string; minor: number; kinds?: string[]; use: string }[] = [
  { gv: "extensions/v1beta1", minor: 16, kinds: ["DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"], use: "apps/v1 (networking.k8s.io/v1 for NetworkPolicy)" },
  { gv: "apps/v1beta1", minor: 16, use: "apps/v1" },
  { gv: "apps/v1beta2", minor: 16, use: "apps/v1" },
  { gv: "extensions/v1beta1", minor: 22, use: "networking.k8s.io/v1" },
  { gv: "networking.k8s.io/v1beta1", minor: 22, use: "networking.k8s.io/v1" },
  { gv: "admissionregistration.k8s.io/v1beta1", minor: 22, use: "admissionregistration.k8s.io/v1" },
  { gv: "apiextensions.k8s.io/v1beta1", minor: 22, use: "apiextensions.k8s.io/v1" },
  { gv: "apiregistration.k8s.io/v1beta1", minor: 22, use: "apiregistration.k8s.io/v1" },
  { gv: "authentication.k8s.io/v1beta1", minor: 22, use: "authentication.k8s.io/v1" },
  { gv: "authorization.k8s.io/v1beta1", minor: 22, use: "authorization.k8s.io/v1" },
  { gv: "certificates.k8s.io/v1beta1", minor: 22, use: "certificates.k8s.io/v1" },
  { gv: "coordination.k8s.io/v1beta1", minor: 22, use: "coordination.k8s.io/v1" },
  { gv: "rbac.authorization.k8s.io/v1beta1", minor: 22, use: "rbac.authorization.k8s.io/v1" },
  { gv: "scheduling.k8s.io/v1beta1", minor: 22, use: "scheduling.k8s.io/v1" },
  { gv: "storage.k8s.io/v1beta1", minor: 22, kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], use: "storage.k8s.io/v1" },
  { gv: "batch/v1beta1", minor: 25, use: "batch/v1" },
  { gv: "discovery.k8s.io/v1beta1", minor: 25, use: "discovery.k8s.io/v1" },
  { gv: "events.k8s.io/v1beta1", minor: 25, use: "events.k8s.io/v1" },
  { gv: "autoscaling/v2beta1", minor: 25, use: "autoscaling/v2" },
  { gv: "policy/v1beta1", minor: 25, use: "policy/v1" },
  { gv: "node.k8s.io/v1beta1", minor: 25, use: "node.k8s.io/v1" },
  { gv: "flowcontrol.apiserver.k8s.io/v1beta1", minor: 26, use: "flowcontrol.apiserver.k8s.io/v1" },
  { gv: "autoscaling/v2beta2", minor: 26, use: "autoscaling/v2" },
  { gv: "storage.k8s.io/v1beta1", minor: 27, kinds: ["CSIStorageCapacity"], use: "storage.k8s.io/v1" },
  { gv: "flowcontrol.apiserver.k8s.io/v1beta2", minor: 29, use: "flowcontrol.apiserver.k8s.io/v1" },
  { gv: "flowcontrol.apiserver.k8s.io/v1beta3", minor: 32, use: "flowcontrol.apiserver.k8s.io/v1" },
];

/** Rules on the rendered objects of one release (`kubeVersion` like v1.34.2). */
export function objectRules(objects: K8sObject[], kubeVersion: string): Finding[] {
  const out: Finding[] = [];
  const minor = Number(/^v?1\.(\d+)/.exec(kubeVersion)?.[1] ?? "0");
  for (const o of objects) {
    const f = (message: string, severity: Finding["severity"] = "error") => out.push({ severity, object: objectRef(o), message: `helm lint: ${message}` });
    const name = o.metadata?.name;
    if (typeof name === "string") {
      const problem = nameProblem(o.kind, name);
      if (problem) f(`object name ${JSON.stringify(name)} does not conform to Kubernetes naming requirements: metadata.name ${problem}. Fix: shorten or rename it in the chart template`);
    }
    if (["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"].includes(o.kind)) {
      const sel = (o.spec as { selector?: { matchLabels?: unknown; matchExpressions?: unknown } } | undefined)?.selector;
      if (!sel?.matchLabels && !sel?.matchExpressions) f(`a ${o.kind} must contain spec.selector.matchLabels or matchExpressions. Fix: select the pod template's app.kubernetes.io/name and instance labels`);
    }
    const gone = REMOVED.find((r) => r.gv === o.apiVersion && (!r.kinds || r.kinds.includes(o.kind)));
    if (gone) {
      f(
        minor >= gone.minor
          ? `${o.apiVersion} ${o.kind} was removed in Kubernetes v1.${gone.minor}; this environment runs ${kubeVersion}, whose API server rejects it. Fix: use ${gone.use}`
          : `${o.apiVersion} ${o.kind} is deprecated and removed in Kubernetes v1.${gone.minor}. Fix: use ${gone.use}`,
      );
    }
  }
  return out;
}

/**
 * helm lint's validateTopIndentLevel on `helm template` output: a rendered document whose first
 * line is indented "may cause parsing problems". Returns the `# Source:` template of each.
 */
export function indentedDocuments(manifest: string): string[] {
  const out: string[] = [];
  for (const doc of manifest.split(/^---\s*$/m)) {
    const source = /^# Source: (.+)$/m.exec(doc)?.[1];
    const first = doc.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"));
    if (first && /^[ \t]/.test(first)) out.push(source ?? "(unknown template)");
  }
  return out;
}
