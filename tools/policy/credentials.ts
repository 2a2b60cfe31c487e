/**
 * Credential-like keys with literal values: in values files, HelmRelease `spec.values`, container
 * env and ConfigMap data.
 *
 * A key is split into words (`existingSecretPasswordKey` -> existing secret password key,
 * `SONARR__API_KEY` -> sonarr api key). It names a credential when it contains a credential term
 * (password, passwd, passphrase, secret, token, api key, private key, access key, secret key,
 * encryption/signing key, credential(s)) and is not a *reference*: a reference contains `existing`,
 * or its last credential term is followed by a qualifier such as ref, name, key, file or path
 * (`secretName`, `tokenSecretRef`, `passwordKey`, `passwordFile`). Only non-empty strings and
 * numbers count as literal values; templates and substitutions (`${VAR}`, `{{ }}`, SOPS `ENC[...]`)
 * do not.
 */
import { setBounded } from "../lib/content-cache.ts";
import type { PathSegment } from "../lib/yaml.ts";
import { asObj } from "./workloads.ts";

/** Credential terms, as word sequences (each compound once). */
export const CREDENTIAL_TERMS: readonly (readonly string[])[] = [
  ["password"], ["passwd"], ["passphrase"], ["secret"], ["secrets"], ["token"], ["tokens"],
  ["credential"], ["credentials"], ["apikey"], ["privatekey"], ["secretkey"], ["accesskey"],
  ["api", "key"], ["private", "key"], ["secret", "key"], ["access", "key"], ["encryption", "key"],
  ["signing", "key"], ["client", "secret"],
];

/** Words that, after the last credential term, make the key a reference or a setting, not a value. */
export const REFERENCE_QUALIFIERS: ReadonlySet<string> = new Set([
  "ref", "refs", "reference", "name", "names", "key", "keys", "file", "files", "path", "from", "env", "var",
  "url", "uri", "endpoint", "length", "ttl", "expiry", "expiration", "lifetime", "policy", "enabled", "enable",
  "type", "mode", "header", "prefix", "audience", "issuer", "provider", "source", "store", "selector",
]);

/** Splits a key into lower-case words at camelCase, snake_case, kebab-case and dot boundaries. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * Whether a key names a credential (and is not a reference to one). Answers are kept per key: a
 * lint run asks about every key of every values file and rendered object, from a few hundred
 * distinct names (issue 18: splitting each into words was ~120 MB of garbage at 200 apps).
 */
export function isCredentialKey(key: string): boolean {
  let known = credentialKeys.get(key);
  if (known === undefined) {
    known = judgeKey(key);
    setBounded(credentialKeys, key, known, 10_000);
  }
  return known;
}
const credentialKeys = new Map<string, boolean>();

function judgeKey(key: string): boolean {
  const words = keyWords(key);
  if (words.includes("existing")) return false;
  let lastEnd = -1;
  for (let i = 0; i < words.length; i++) {
    for (const term of CREDENTIAL_TERMS) {
      if (term.every((w, j) => words[i + j] === w)) lastEnd = Math.max(lastEnd, i + term.length);
    }
  }
  if (lastEnd < 0) return false;
  return !words.slice(lastEnd).some((w) => REFERENCE_QUALIFIERS.has(w));
}

/** Whether a value is a literal (a non-empty string or a number), rather than empty or a substitution. */
export function isLiteralValue(v: unknown): boolean {
  if (typeof v === "number") return true;
  if (typeof v !== "string") return false;
  const s = v.trim();
  if (!s) return false;
  if (/^\$\{[^}]+\}$/.test(s) || /^\{\{.*\}\}$/s.test(s) || /^ENC\[.*\]$/s.test(s)) return false;
  return true;
}

/** A credential-like key with a literal value. */
export interface CredentialFinding {
  /** Path of the value in the document. */
  path: PathSegment[];
  /** The credential-like key (for env-style `{name, value}` entries, the `name`). */
  key: string;
}

/** `a.b[0].c` form of a path. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((acc, s) => (typeof s === "number" ? `${acc}[${s}]` : acc ? `${acc}.${s}` : String(s)), "");
}

/**
 * Walks a parsed values document and returns every credential-like key holding a literal value,
 * with its key path. Lists of `{name, value}` entries (container env style) are judged by `name`.
 */
export function findCredentialValues(doc: unknown, path: PathSegment[] = []): CredentialFinding[] {
  const out: CredentialFinding[] = [];
  walkCredentials(doc, [...path], out);
  return out;
}

/** findCredentialValues' walk: `path` is the current node's, extended and restored in place. */
function walkCredentials(doc: unknown, path: PathSegment[], out: CredentialFinding[]): void {
  if (Array.isArray(doc)) {
    doc.forEach((item, i) => {
      const o = asObj(item);
      if (o && typeof o.name === "string" && "value" in o && isCredentialKey(o.name) && isLiteralValue(o.value)) {
        out.push({ path: [...path, i, "value"], key: o.name });
      }
      path.push(i);
      walkCredentials(item, path, out);
      path.pop();
    });
    return;
  }
  const o = asObj(doc);
  if (!o) return;
  for (const k in o) {
    const v = o[k];
    if (isCredentialKey(k) && isLiteralValue(v)) out.push({ path: [...path, k], key: k });
    else {
      path.push(k);
      walkCredentials(v, path, out);
      path.pop();
    }
  }
}
