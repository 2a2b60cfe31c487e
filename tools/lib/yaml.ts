/**
 * YAML loading that keeps source positions, so every error can point at `file:line:col`.
 *
 * Uses the `yaml` package's Document API: duplicate keys, syntax errors and unresolvable aliases
 * are reported with the position of the offending node. A loaded document can answer "where is
 * key path a.b.c defined?" for validation messages.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node } from "yaml";
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
    value: doc.toJS({ maxAliasCount: 100 }),
    position: (path) => walk(path, false),
    keyPosition: (path) => walk(path, true),
  };
}

function firstError(doc: Document.Parsed, lc: LineCounter, file: string): InputError | undefined {
  const err = doc.errors[0];
  if (!err) return undefined;
  const { line, col } = lc.linePos(err.pos[0]);
  let detail = err.message.split("\n")[0];
  if (err.code === "DUPLICATE_KEY") detail = `${detail}. Fix: remove or merge the duplicate key (YAML keeps only one)`;
  else detail = `malformed YAML: ${detail}`;
  return new InputError(file, line, col, detail, { cause: err });
}

/** Parses one YAML document from text. Throws InputError with file:line:col on any problem. */
export function parseYaml(text: string, file: string): SourceDoc {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const err = firstError(doc, lc, file);
  if (err) throw err;
  return toSourceDoc(doc, lc, file);
}

/** Parses a multi-document YAML stream; empty documents are dropped. */
export function parseYamlStream(text: string, file: string): SourceDoc[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) {
    // An EmptyStream: nothing in the file.
    return [];
  }
  const out: SourceDoc[] = [];
  for (const doc of docs) {
    const err = firstError(doc, lc, file);
    if (err) throw err;
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
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const detail = code === "ENOENT" ? `${what} does not exist` : `cannot read ${what}: ${code ?? String(err)}`;
    throw new InputError(displayPath(path, root), 0, 0, detail, { cause: err });
  }
}
