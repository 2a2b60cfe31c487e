/**
 * JSON-schema validators compiled once, not once per run.
 *
 * Compiling a schema with ajv generates and evaluates JavaScript; for the chart schemas, the CRD
 * schemas and the closed Kubernetes schemas of tools/lib/k8s-strict.ts that was most of a lint
 * run's CPU (issue 18: ~1.3 s in ajv plus the native compilation and GC of the result). Here a
 * schema is compiled to ajv's standalone code (https://ajv.js.org/standalone.html) the first time
 * it is seen and written to `.cache/ajv/<sha256>.cjs`; the hash covers the schema text, the ajv
 * options and the ajv/ajv-formats versions, so a changed schema or dependency is a new file and a
 * stale one is never used. Later runs `require` the file (a few ms) and do not load ajv at all.
 *
 * A content-hash cache rather than committed standalone code: the closed Kubernetes schemas are
 * derived from a dependency and are not committed (k8s-strict.ts), so they need the cache anyway,
 * and committed code (about 80 kB per chart schema) would be one more generated artefact to
 * drift-check for no gain after a checkout's first run (docs/decisions.md, issue 18).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire, enableCompileCache } from "node:module";
import { join } from "node:path";
import type { Ajv, Options, ValidateFunction } from "ajv";
import { memoByFile } from "./content-cache.ts";
import { repoRoot } from "./paths.ts";

/**
 * `values`: the options values-validate.ts needs for its messages (every error, the failing
 * schema and its parent for descriptions, formats). `closed`: plain structural checks.
 */
export type ValidatorFlavour = "values" | "closed";

const OPTIONS: Record<ValidatorFlavour, Options> = {
  values: { allErrors: true, strict: false, allowUnionTypes: true, verbose: true },
  closed: { allErrors: true, strict: false, allowUnionTypes: true },
};
const FORMATS: Record<ValidatorFlavour, boolean> = { values: true, closed: false };

// ajv and ajv-formats are CommonJS; loaded synchronously, and only when something must be compiled.
const require = createRequire(join(repoRoot, "package.json"));
const versions = (["ajv", "ajv-formats"] as const).map((p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}`).join(",");

/** Where compiled validators are kept; `AJV_CACHE_DIR` moves it (e.g. to measure a cold start). */
export function validatorCacheDir(): string {
  return process.env.AJV_CACHE_DIR ?? join(repoRoot, ".cache", "ajv");
}

// V8's code cache for every module loaded from here on (the validators above, kubernetes-models'
// validators, imported on first use): about 7 % of a lint run's CPU. NODE_DISABLE_COMPILE_CACHE=1
// turns it off. https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
enableCompileCache(join(repoRoot, ".cache", "node-compile"));

const loaded = new Map<string, ValidateFunction>();

/** The validator of `schemaText` (a JSON schema), from the cache or compiled now and cached atomically. */
export function cachedValidator(schemaText: string, flavour: ValidatorFlavour): ValidateFunction {
  const hash = createHash("sha256").update(`${versions}\n${flavour}\n${JSON.stringify(OPTIONS[flavour])}\n${schemaText}`).digest("hex");
  let fn = loaded.get(hash);
  if (fn) return fn;
  const dir = validatorCacheDir();
  const file = join(dir, `${hash}.cjs`);
  if (existsSync(file)) {
    fn = require(file) as ValidateFunction;
  } else {
    const code = compileStandalone(JSON.parse(schemaText) as object, flavour);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
    fn = require(file) as ValidateFunction;
  }
  loaded.set(hash, fn);
  return fn;
}

/**
 * The validator of the JSON schema file at `path`, kept per path while the file is unchanged
 * (tools/lib/content-cache.ts fileState): lint asks once per release and environment, and reading
 * and hashing Traefik's or media-apps' schema each time was ~50 ms of a 200-app lint (issue 18).
 */
export function validatorForFile(path: string, flavour: ValidatorFlavour): ValidateFunction {
  const compile = () => cachedValidator(readFileSync(path, "utf8"), flavour);
  // a missing file: readFileSync's error, as before
  if (!existsSync(path)) return compile();
  return memoByFile(byFile, path, `${flavour}\0${path}`, compile);
}
const byFile = new Map<string, { sig: string; value: ValidateFunction }>();

/**
 * Validators for several roots of one `definitions` document (`roots`: name → `#/definitions/X`),
 * compiled into one cached module in which each definition is one function shared by every root
 * (ajv's `inlineRefs: false`). For the closed Kubernetes schemas this is ~0.7 MB of code for all
 * kinds instead of ~0.5 MB per kind, each repeating the PodSpec.
 */
export function cachedDefinitionValidators(definitions: object, roots: Record<string, string>, flavour: ValidatorFlavour): Record<string, ValidateFunction> {
  const names = Object.keys(roots).sort();
  const text = JSON.stringify({ definitions, roots: names.map((n) => [n, roots[n]]) });
  const hash = createHash("sha256").update(`${versions}\n${flavour}:shared\n${JSON.stringify(OPTIONS[flavour])}\n${text}`).digest("hex");
  const dir = validatorCacheDir();
  const file = join(dir, `${hash}.cjs`);
  if (!existsSync(file)) {
    const { Ajv: AjvClass } = require("ajv") as { Ajv: new (o: Options) => Ajv };
    const standaloneCode = (require("ajv/dist/standalone") as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;
    const ajv = new AjvClass({ ...OPTIONS[flavour], inlineRefs: false, code: { source: true } });
    if (FORMATS[flavour]) (require("ajv-formats") as (a: Ajv) => Ajv)(ajv);
    ajv.addSchema({ $id: "definitions", definitions });
    const exports: Record<string, string> = {};
    names.forEach((n, i) => {
      ajv.addSchema({ $id: `root${i}`, $ref: `definitions${roots[n]}` });
      exports[`v${i}`] = `root${i}`;
    });
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, exports));
    renameSync(tmp, file);
  }
  const mod = require(file) as Record<string, ValidateFunction>;
  return Object.fromEntries(names.map((n, i) => [n, mod[`v${i}`]]));
}

function compileStandalone(schema: object, flavour: ValidatorFlavour): string {
  // Upstream charts' schemas may declare draft 2020-12 (Traefik's does; Helm 4 honours $schema), or
  // spell draft-07 in a way ajv has no meta-schema under (MetalLB's `https://…draft-07/schema#`).
  const draft = String((schema as { $schema?: unknown }).$schema ?? "");
  const is2020 = /2020-12/.test(draft);
  if (draft && !is2020 && draft !== "http://json-schema.org/draft-07/schema#") {
    const { $schema, ...rest } = schema as { $schema?: unknown };
    void $schema;
    schema = rest;
  }
  const { Ajv: AjvClass } = (is2020 ? { Ajv: (require("ajv/dist/2020") as { Ajv2020: new (o: Options) => Ajv }).Ajv2020 } : require("ajv")) as { Ajv: new (o: Options) => Ajv };
  const standaloneCode = (require("ajv/dist/standalone") as { default: (ajv: Ajv, v: ValidateFunction) => string }).default;
  const ajv = new AjvClass({ ...OPTIONS[flavour], code: { source: true } });
  // ajv-formats points the standalone code at require("ajv-formats/dist/formats"), which resolves
  // from .cache/ajv up to this repository's node_modules.
  if (FORMATS[flavour]) (require("ajv-formats") as (a: Ajv) => Ajv)(ajv);
  return standaloneCode(ajv, ajv.compile(schema));
}
