/**
 * Scan of committed YAML for secrets: known key formats and high-entropy tokens.
 *
 * High entropy: candidate tokens are runs of >= 20 base64/base64url characters (hex runs are a
 * subset). A token is reported when its Shannon entropy (bits per character) reaches a threshold
 * that follows the entropy random tokens of that length reach (a 20-character random token cannot
 * exceed log2(20) = 4.3 bits): `min(4.5, 0.85 * log2(n))` for base64, `min(3.2, 0.66 * log2(n))`
 * for hex. These sit near the 1st percentile of random tokens, well above identifiers and paths.
 * To keep identifiers out, a base64 token must mix upper case, lower case and digits, and a hex
 * token digits and letters.
 *
 * Not reported: digests after `sha256:` (and other digest algorithms), hex values of keys named
 * like a hash (digest, checksum, sha, commit, revision; helm's `checksum/config` included), and any line carrying a
 * `policy:allow-secret` comment.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { setBounded } from "../lib/content-cache.ts";
import { violation, type Violation } from "./types.ts";

// node's own execFile: execa costs ~120 ms of module loading at every lint start (issue 18)
const execFileAsync = promisify(execFile);

/** A secret found in a file. */
export interface ScanFinding {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** What was found, e.g. `AWS access key id`, `high-entropy string`. */
  kind: string;
  /** The finding, redacted to its first characters and length. */
  redacted: string;
}

/**
 * Known key formats, each with a global regular expression. Quantifiers are bounded: an
 * unbounded one overflows V8's regexp stack on a multi-megabyte token (a 6 MB value on one line).
 * None may match a line break (scanText relies on it).
 */
export const KEY_FORMATS: ReadonlyArray<{ kind: string; re: RegExp }> = [
  { kind: "AWS access key id", re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { kind: "GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: "private key (PEM)", re: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: "Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,255}/g },
  { kind: "JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,4096}/g },
  { kind: "Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
];

/** Marker that suppresses findings on its line. */
export const ALLOW_MARKER = "policy:allow-secret";

/** [A-Za-z0-9+/_-], by character code. */
const isTokenChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 95 || c === 45;

/**
 * Runs of base64/hex-like characters of 20 or more (plus up to two `=`), found by a loop rather
 * than a regular expression: `/[...]{20,}/g` overflows the stack on a multi-megabyte run.
 */
function* candidates(line: string): Generator<{ index: number; text: string }> {
  let i = 0;
  while (i < line.length) {
    if (!isTokenChar(line.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < line.length && isTokenChar(line.charCodeAt(i))) i++;
    let end = i;
    while (end < line.length && end - i < 2 && line[end] === "=") end++;
    if (i - start >= 20) yield { index: start, text: line.slice(start, end) };
    i = end;
  }
}
const DIGEST_PREFIX = /(?:sha1|sha224|sha256|sha384|sha512|md5):$/i;
/** The YAML key right before a value on the same line. */
const KEY_BEFORE_VALUE = /([\w./-]+)["']?\s*:\s*["']?$/;
/** Keys whose hex values are hashes, e.g. `digest`, `commit`, helm's `checksum/config`. */
const HASH_KEY = /digest|checksum|sha\d*|hash|commit|revision|fingerprint/i;

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whether a token looks like a random secret (see the module comment for the thresholds). */
export function isHighEntropyToken(token: string): boolean {
  const t = token.replace(/=+$/, "");
  if (t.length < 20) return false;
  const bits = Math.log2(t.length);
  if (/^[0-9a-fA-F]+$/.test(t)) {
    return /[0-9]/.test(t) && /[a-fA-F]/.test(t) && shannonEntropy(t) >= Math.min(3.2, 0.66 * bits);
  }
  return /[0-9]/.test(t) && /[A-Z]/.test(t) && /[a-z]/.test(t) && shannonEntropy(t) >= Math.min(4.5, 0.85 * bits);
}

function redact(s: string): string {
  return `${s.slice(0, 4)}... (${s.length} chars)`;
}

/** Scans text (one file) for known key formats and high-entropy tokens. */
export function scanText(text: string, file: string): ScanFinding[] {
  const out: ScanFinding[] = [];
  // Only the formats found somewhere in the text are looked for line by line: none can match
  // across a line break (no anchors, no class that takes one), so a format absent from the text
  // is absent from every line. A matchAll per line and format cloned its RegExp: ~70 MB of a
  // 200-app lint's allocations (issue 18).
  const formats = KEY_FORMATS.filter(({ re }) => {
    re.lastIndex = 0;
    const found = re.test(text);
    re.lastIndex = 0;
    return found;
  });
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.includes(ALLOW_MARKER)) return;
    const taken: Array<[number, number]> = [];
    for (const { kind, re } of formats) {
      for (const m of line.matchAll(re)) {
        taken.push([m.index, m.index + m[0].length]);
        out.push({ file, line: i + 1, col: m.index + 1, kind, redacted: redact(m[0]) });
      }
    }
    for (const m of candidates(line)) {
      const start = m.index;
      const end = start + m.text.length;
      if (taken.some(([a, b]) => start < b && a < end)) continue;
      // Only the text just before matters (a key, a digest prefix); bounded for long lines.
      const before = line.slice(Math.max(0, start - 256), start);
      if (DIGEST_PREFIX.test(before)) continue;
      if (/^[0-9a-fA-F]+$/.test(m.text) && HASH_KEY.test(KEY_BEFORE_VALUE.exec(before)?.[1] ?? "")) continue;
      // The first 4 KiB decide whether a token looks random; a 6 MB one costs no more.
      if (isHighEntropyToken(m.text.slice(0, 4096))) out.push({ file, line: i + 1, col: start + 1, kind: "high-entropy string", redacted: redact(m.text) });
    }
  });
  return out;
}

/**
 * What `git ls-files` listed, per content of the repository's index and config: the list depends
 * on nothing else when `root` holds the `.git` directory and no GIT_DIR or GIT_INDEX_FILE redirects
 * git (a split index names its shared part by hash, in the index). The tests lint hundreds of
 * copies of one repository with the same index; a process started from a large test worker costs
 * 20-40 ms in fork alone (issue 18). Bounded, oldest out.
 */
const listed = new Map<string, string[]>();

function indexKey(root: string): string | undefined {
  if (process.env.GIT_DIR !== undefined || process.env.GIT_INDEX_FILE !== undefined) return undefined;
  try {
    return createHash("sha256").update(readFileSync(join(root, ".git", "config"))).update("\0").update(readFileSync(join(root, ".git", "index"))).digest("hex");
  } catch {
    return undefined; // a worktree's .git file, a subdirectory, a repository without an index yet
  }
}

/** The git-tracked `*.yaml`/`*.yml` files under `root`, relative to it. */
export async function trackedYamlFiles(root: string): Promise<string[]> {
  const key = indexKey(root);
  const known = key === undefined ? undefined : listed.get(key);
  if (known) return [...known];
  let files: string[];
  try {
    const { stdout } = await execFileAsync("git", ["ls-files", "-z", "--", "*.yaml", "*.yml"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 30 });
    files = stdout.split("\0").filter(Boolean);
  } catch (err) {
    const detail = ((err as Error).message ?? String(err)).split("\n")[0];
    throw new Error(`secret scan: cannot list the git-tracked YAML files of ${root}: ${detail}. Fix: run it inside a git checkout`, { cause: err });
  }
  if (key !== undefined) setBounded(listed, key, files, 100);
  return [...files];
}

/**
 * Findings per file and content (the file's path relative to the repository and its text): the
 * same text is scanned once per process, in this checkout or in a copy of it (the tests lint
 * hundreds of copies that differ in one file). Bounded, oldest out.
 */
const scanned = new Map<string, ScanFinding[]>();

/** Scans every git-tracked YAML file of the repository at `root` (working-tree contents). */
export async function scanRepo(root: string): Promise<ScanFinding[]> {
  const out: ScanFinding[] = [];
  for (const file of await trackedYamlFiles(root)) {
    let text: string;
    try {
      text = readFileSync(join(root, file), "utf8");
    } catch {
      continue; // tracked but deleted in the working tree: nothing to commit from it
    }
    const key = `${file}\0${text}`;
    let findings = scanned.get(key);
    if (!findings) {
      findings = scanText(text, file);
      setBounded(scanned, key, findings, 2000);
    }
    out.push(...findings);
  }
  return out;
}

/** Turns scan findings into `secret-scan` violations. */
export function scanViolations(findings: readonly ScanFinding[]): Violation[] {
  return findings.map((f) =>
    violation("secret-scan", f.file, `${f.kind} ${f.redacted}`, { location: { file: f.file, line: f.line, col: f.col } }),
  );
}
