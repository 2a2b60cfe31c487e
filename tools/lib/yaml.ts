/**
 * YAML loading that keeps source positions, so every error can point at `file:line:col`.
 *
 * Uses the `yaml` package's Document API: duplicate keys, syntax errors and unresolvable aliases
 * are reported with the position of the offending node. A loaded document can answer "where is
 * key path a.b.c defined?" for validation messages.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { CORE_SCHEMA, load as loadJs } from "js-yaml";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node, type YAMLError } from "yaml";
import { setBounded } from "./content-cache.ts";
import { repoRoot } from "./paths.ts";

/** An error about an input file, with its position. `toString()` is the one-line report. */
export class InputError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly detail: string;
  constructor(file: string, line: number, col: number, detail: string, options?: { cause?: unknown }) {
    super(`${file}${line ? `:${line}:${col}` : ""}: ${detail}`, options);
    this.file = file;
    this.line = line;
    this.col = col;
    this.detail = detail;
    Object.defineProperty(this, "name", { value: "InputError", enumerable: false });
  }
}

/**
 * Every error of one input at once (an inventory with three mistakes reports three lines).
 * `exitCode` 1: findings about the input (tools/lib/cli.ts).
 */
export class InputErrors extends Error {
  readonly exitCode = 1;
  readonly errors: readonly InputError[];
  constructor(errors: readonly InputError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
    Object.defineProperty(this, "name", { value: "InputErrors", enumerable: false });
  }
}

/** Throws the errors: none -> nothing, one -> that InputError, several -> InputErrors. */
export function throwAll(errors: readonly InputError[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new InputErrors(errors);
}

export type PathSegment = string | number;

/** A parsed YAML document that remembers where each node came from. */
export interface SourceDoc {
  /** File path relative to the repo root (or as given), for messages. */
  file: string;
  /** Plain JS value of the document. */
  value: unknown;
  /** 1-based line and column of the node at `path` (or of its nearest existing ancestor). */
  position(path: readonly PathSegment[]): { line: number; col: number };
  /** Position of the *key* at `path` (the last segment), falling back to position(path). */
  keyPosition(path: readonly PathSegment[]): { line: number; col: number };
}

/** Path of `file` relative to the repo root, for messages. */
export function displayPath(file: string, root = repoRoot): string {
  const rel = relative(root, file);
  return rel.startsWith("..") ? file : rel;
}

function toSourceDoc(doc: Document.Parsed, lc: LineCounter, file: string): SourceDoc {
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: 1, col: 1 };
    const { line, col } = lc.linePos(offset);
    return { line, col };
  };
  const walk = (path: readonly PathSegment[], wantKey: boolean) => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    let last: unknown = node;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) == seg);
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
      } else break;
      if (node === undefined || node === null) {
        last = keyNode ?? last;
        break;
      }
      last = node;
    }
    const target = (wantKey && keyNode) || last;
    return at((target as Node | undefined)?.range?.[0]);
  };
  return {
    file,
    value: toValue(doc, file),
    position: (path) => walk(path, false),
    keyPosition: (path) => walk(path, true),
  };
}

/**
 * The largest YAML input accepted. Kubernetes objects are limited to about 1 MiB (etcd's request
 * limit, kubernetes.io/docs/concepts/configuration/configmap: "cannot exceed 1 MiB"), and Helm
 * keeps each release, values included, in one Secret: a values file or manifest past this size
 * cannot reach the cluster, and parsing it only costs time and memory.
 */
export const MAX_YAML_BYTES = 1024 * 1024;

/** Alias expansions allowed per document (the `yaml` package's own default is 100). */
const MAX_ALIAS_COUNT = 100;

const position = (text: string, offset: number) => {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, col: offset - before.lastIndexOf("\n") };
};

/** Checks that apply to the text as a whole: UTF-8 and size. */
function textErrors(text: string, file: string): InputError[] {
  const bad = text.indexOf("\uFFFD");
  if (bad >= 0) {
    const { line, col } = position(text, bad);
    return [new InputError(file, line, col, "is not UTF-8 text (an invalid byte here; helm refuses such files). Fix: save the file as UTF-8 in your editor, or retype the character")];
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_YAML_BYTES) {
    return [new InputError(file, 0, 0, `is ${(bytes / 1024 / 1024).toFixed(1)} MiB, more than the ${MAX_YAML_BYTES / 1024 / 1024} MiB a Kubernetes object (and Helm's release record) can hold. Fix: keep large data out of values and manifests (mount it from a volume, or split the file)`)];
  }
  return [];
}

/** The line on which the quote that is never closed was opened (the first line with an odd count). */
function unclosedQuoteLine(text: string, quote: string, before: number): number | undefined {
  const lines = text.slice(0, before).split("\n");
  let open: number | undefined;
  lines.forEach((l, i) => {
    const body = l.replace(/\s#.*$/, "").replace(quote === '"' ? /\\"/g : /''/g, "");
    const n = body.split(quote).length - 1;
    if (n % 2 === 1) open = open === undefined ? i + 1 : undefined;
  });
  return open;
}

/**
 * A YAML parse error in the words of someone editing a values file: where the mistake is (not
 * where the parser gave up) and what to change. The parser's own hints for programmers
 * ("please use YAML.parseAllDocuments()") never reach the user.
 */
function describeError(err: YAMLError, text: string, lc: LineCounter, file: string): InputError {
  let { line, col } = lc.linePos(err.pos[0]);
  const first = err.message.split("\n")[0];
  let detail: string;
  switch (err.code) {
    case "DUPLICATE_KEY": {
      // err.pos may cover only the key's first character: read the key up to its colon.
      const rest = text.slice(err.pos[0], err.pos[0] + 300);
      const key = (/^("[^"\n]*"|'[^'\n]*'|[^:#\n]+?)\s*:/.exec(rest)?.[1] ?? text.slice(err.pos[0], err.pos[1])).replace(/^["']|["']$/g, "");
      detail = `duplicate key ${JSON.stringify(key)}: it is already set above in the same mapping, and YAML keeps only one of them. Fix: remove one ${key}: line, or merge their values`;
      break;
    }
    case "TAB_AS_INDENT":
      detail = "a tab is used for indentation; YAML indents with spaces only. Fix: remove the tab and indent with spaces";
      break;
    case "MISSING_CHAR": {
      const quote = /closing (["'])/.exec(first)?.[1];
      if (quote) {
        const opened = unclosedQuoteLine(text, quote, err.pos[0]);
        if (opened) [line, col] = [opened, (text.split("\n")[opened - 1]?.indexOf(quote) ?? 0) + 1];
        detail = `the quote ${quote} opened here is never closed. Fix: add the closing ${quote} at the end of the value`;
      } else {
        detail = `${first.replace(/^Missing/, "missing")}. Fix: add it`;
      }
      break;
    }
    case "MULTILINE_IMPLICIT_KEY":
      detail = "this line is not `key: value`: the colon after the key, or the space after the colon, is missing (or the key is indented under the line above). Fix: write `key: value`";
      break;
    case "BAD_INDENT":
      detail = first.startsWith("Flow")
        ? "a [list] or {map} opened above is not closed. Fix: close it with ] or } before this line, or write it as an indented block"
        : "indentation: this line is not aligned with the keys it belongs beside. Fix: indent it with the same number of spaces as its sibling keys (YAML nests by indentation)";
      break;
    case "MULTIPLE_DOCS":
      detail = "a second YAML document starts here (a `---` line), but this file holds one. Fix: remove the `---` line, or move the second document to its own file";
      break;
    case "BLOCK_AS_IMPLICIT_KEY":
    case "BAD_SCALAR_START":
      detail = `${first.replace(/\.$/, "")}. Fix: quote the value ("...") if it starts with a special character such as @, \` or %`;
      break;
    default:
      detail = `${first.replace(/;?\s*please use [^.]*\.?/i, "").replace(/\.$/, "")}. Fix: check the indentation and quoting on this line`;
  }
  return new InputError(file, line, col, err.code === "DUPLICATE_KEY" ? detail : `YAML syntax: ${detail}`, { cause: err });
}

/** Every parse error of a document, one per line, in the order they occur. */
function docErrors(doc: Document.Parsed, text: string, lc: LineCounter, file: string): InputError[] {
  const out: InputError[] = [];
  const lines = new Set<number>();
  for (const err of doc.errors) {
    const e = describeError(err, text, lc, file);
    if (lines.has(e.line)) continue;
    lines.add(e.line);
    out.push(e);
  }
  return out;
}

/** The document as plain JS, or an InputError naming the file for alias bombs and dangling aliases. */
function toValue(doc: Document.Parsed, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const msg = (err as Error).message;
    if (/Excessive alias count/.test(msg)) {
      throw new InputError(file, 0, 0, `expands its aliases (*name) more than ${MAX_ALIAS_COUNT} times: an alias bomb, or aliases nested too deep. Fix: write the values out instead of nesting aliases`, { cause: err });
    }
    const alias = /Unresolved alias.*: (.*)$/.exec(msg)?.[1];
    if (alias) throw new InputError(file, 0, 0, `alias *${alias} refers to no anchor &${alias} set before it. Fix: define &${alias} above, or write the value out`, { cause: err });
    throw new InputError(file, 0, 0, `malformed YAML: ${msg}`, { cause: err });
  }
}

/**
 * Parsed documents by file name and text. One lint run reads the same files several times (the
 * environment per lint stage and per assertion, values files per release and again in the policy
 * stage); a parse costs ~10x a copy. Callers get their own copy of `value`. Bounded, oldest out.
 */
const parsed = new Map<string, SourceDoc[]>();
function memo(text: string, file: string, parse: () => SourceDoc[]): SourceDoc[] {
  const key = `${file}\0${text}`;
  let docs = parsed.get(key);
  if (!docs) {
    docs = parse();
    setBounded(parsed, key, docs, 500);
  }
  return docs.map((d) => ({ ...d, value: structuredClone(d.value) }));
}

/** Parses one YAML document from text. Throws every problem at once (InputError/InputErrors, file:line:col). */
export function parseYaml(text: string, file: string): SourceDoc {
  return memo(text, file, () => [parseYamlUncached(text, file)])[0];
}

function parseYamlUncached(text: string, file: string): SourceDoc {
  throwAll(textErrors(text, file));
  const fast = fastValue(text);
  if (fast) return lazyPositions(text, file, fast.value);
  return parseWithPositions(text, file);
}

function parseWithPositions(text: string, file: string): SourceDoc {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  throwAll(docErrors(doc, text, lc, file));
  return toSourceDoc(doc, lc, file);
}

/**
 * The fast path of parseYaml (issue 18). The `yaml` package keeps every node's position, which
 * costs ~90 ms for the 100 kB media-apps values of the bench's 200-app profile, against ~7 ms for
 * js-yaml; positions are needed only for a message. So a document is read with js-yaml's YAML 1.2
 * core schema, which resolves plain scalars as the `yaml` package's core schema does (null, bool,
 * int with 0o and 0x, float with .inf and .nan: js-yaml src/tag/scalar/*_core.ts, yaml
 * dist/schema/core), and the `yaml` package parses it again only when a position is asked for.
 * Where the two differ, the text takes the full parser:
 *   - anchors, aliases, tags, directives, complex keys (& * ! % ?): alias limits and tag handling
 *     differ; `~`, and a key that is empty or null: `yaml` makes it "", js-yaml "null";
 *   - numbers too large for a double (300 digits, a 3-digit exponent): js-yaml keeps the text;
 *   - tabs, carriage returns and a byte-order mark, where error handling may differ;
 *   - anything js-yaml rejects (syntax, duplicate keys, several documents, an empty text), so
 *     every error message comes from the full parser as before.
 * test/lib/yaml.test.ts compares both parsers on every YAML file of the repository and on the
 * scalar forms above.
 */
const FULL_PARSER_CHARS = /[&*!%?~\t\r\uFEFF]/;
const NULL_OR_EMPTY_KEY = /(?:^|[\s,{[])(?:null|Null|NULL)?:(?:\s|$)/m;
const HUGE_NUMBER = /\d{300}|[eE][-+]?\d{3}/;

/** The document's value when js-yaml reads it as the full parser would, else undefined. */
export function fastValue(text: string): { value: unknown } | undefined {
  if (FULL_PARSER_CHARS.test(text) || NULL_OR_EMPTY_KEY.test(text) || HUGE_NUMBER.test(text)) return undefined;
  try {
    return { value: loadJs(text, { schema: CORE_SCHEMA }) };
  } catch {
    return undefined;
  }
}

/** A SourceDoc whose positions come from the full parser, run the first time one is asked for. */
function lazyPositions(text: string, file: string, value: unknown): SourceDoc {
  let full: SourceDoc | undefined;
  const positions = () => (full ??= parseWithPositions(text, file));
  return {
    file,
    value,
    position: (path) => positions().position(path),
    keyPosition: (path) => positions().keyPosition(path),
  };
}

/** Parses a multi-document YAML stream; empty documents are dropped. Throws every problem at once. */
export function parseYamlStream(text: string, file: string): SourceDoc[] {
  return memo(text, file, () => parseYamlStreamUncached(text, file));
}

function parseYamlStreamUncached(text: string, file: string): SourceDoc[] {
  throwAll(textErrors(text, file));
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) {
    // An EmptyStream: nothing in the file.
    return [];
  }
  throwAll(docs.flatMap((doc) => docErrors(doc, text, lc, file)));
  const out: SourceDoc[] = [];
  for (const doc of docs) {
    const sd = toSourceDoc(doc, lc, file);
    if (sd.value === null || sd.value === undefined) continue;
    out.push(sd);
  }
  return out;
}

/**
 * Reads and parses a YAML file; messages name it relative to `root`. A missing file is an
 * InputError saying so.
 */
export function loadYamlFile(path: string, what = "YAML file", root = repoRoot): SourceDoc {
  return parseYaml(readText(path, what, root), displayPath(path, root));
}

/** Reads and parses a multi-document YAML file. */
export function loadYamlStream(path: string, what = "YAML file", root = repoRoot): SourceDoc[] {
  return parseYamlStream(readText(path, what, root), displayPath(path, root));
}

function readText(path: string, what: string, root: string): string {
  try {
    // Decoded leniently: an invalid byte becomes U+FFFD, which parseYaml reports at its line.
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const detail = code === "ENOENT" ? `${what} does not exist` : `cannot read ${what}: ${code ?? String(err)}`;
    throw new InputError(displayPath(path, root), 0, 0, detail, { cause: err });
  }
}
