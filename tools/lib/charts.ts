/**
 * Upstream charts (HelmRepository sources), fetched and unpacked the way Flux gets them, so the
 * upstream HelmReleases (Traefik, Longhorn, MetalLB) are rendered with the real chart.
 *
 * 1. The version: source-controller resolves `spec.chart.spec.version` (a semver range, `*` when
 *    empty) against the repository's index.yaml and takes the highest matching version
 *    (fluxcd/source-controller internal/helm/repository/chart_repository.go GetChartVersion →
 *    Masterminds/semver constraints; prereleases only when the range names one). npm's `semver`
 *    implements the same x-range/tilde/caret/comparator grammar; Masterminds' `,` (AND) is a space
 *    there.
 * 2. The archive comes from, in order:
 *    - a mirror directory in Helm repository layout (`index.yaml` + archives): `--chart-mirror DIR`
 *      or the `CHART_MIRROR` environment variable (CI and the tests use ../shared/upstream/charts,
 *      read in place, never copied);
 *    - the project cache `.cache/charts/` (archives downloaded before, keyed by digest);
 *    - the HelmRepository URL (index.yaml, then the archive), unless `CHART_ONLINE=0`.
 *    Every archive is checked against the index's sha256 `digest` before use.
 * 3. The archive is unpacked once per digest into `.cache/charts/<name>-<version>-<digest>/`
 *    (atomically: a temporary directory renamed into place), so `helm template` reads a directory
 *    and lint reads the chart's values.yaml and values.schema.json without unpacking again.
 * When nothing is available, ChartUnavailable says which release and how to fix it; callers turn
 * it into a WARNING, never a silent pass.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { gunzipSync } from "fflate";
import semver from "semver";
import { parse } from "yaml";
import { dependsOnIds, helmReleaseSpec, type UpstreamRelease } from "./flux.ts";
import { runHelm, type Helm } from "./helm.ts";
import { coalesce, isMap, type Values } from "./merge.ts";
import { repoRoot, scratchRoot } from "./paths.ts";
import { fillNamespaces, parseManifest, RenderError, valuesText, type RenderedRelease } from "./render.ts";
import { contentKey, memoByFile } from "./content-cache.ts";
import { cachedRender } from "./render-cache.ts";
import { validateLayers } from "./values-validate.ts";
import { InputError } from "./yaml.ts";

/** A chart this repository installs from a HelmRepository. */
export interface ChartRef {
  /** HelmRepository spec.url. */
  repoUrl: string;
  /** Chart name in the repository. */
  chart: string;
  /** HelmRelease spec.chart.spec.version (`*` when unset). */
  range: string;
}

/** A chart resolved, verified and unpacked. */
export interface ResolvedChart {
  name: string;
  version: string;
  digest: string;
  /** Absolute path of the unpacked chart directory (holds Chart.yaml). */
  dir: string;
  /** Where the archive came from, for messages. */
  origin: string;
}

/** No archive for a chart: the message names the fix. */
export class ChartUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "ChartUnavailable", enumerable: false });
  }
}

interface IndexEntry {
  name: string;
  version: string;
  digest?: string;
  urls?: string[];
}
interface RepoIndex {
  entries?: Record<string, IndexEntry[]>;
}

export interface FetchOptions {
  /** Mirror directory (default: CHART_MIRROR). */
  mirror?: string;
  /** Try the repository URL when there is no mirror (default: unless CHART_ONLINE=0). */
  online?: boolean;
  /** Cache root (default: <repo>/.cache/charts). */
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The mirror directory: `flag` (from `--chart-mirror`) or CHART_MIRROR, resolved against the
 * directory the command was started from (INIT_CWD under npm).
 */
export function chartMirror(env: NodeJS.ProcessEnv = process.env, flag?: string): string | undefined {
  const dir = flag ?? env.CHART_MIRROR;
  if (!dir) return undefined;
  return isAbsolute(dir) ? dir : resolve(env.INIT_CWD ?? process.cwd(), dir);
}

/** Sets the mirror of this process from a CLI's `--chart-mirror` value (no-op when unset). */
export function useChartMirror(flag: string | undefined): void {
  if (flag) process.env.CHART_MIRROR = chartMirror(process.env, flag);
}

/** Highest version of `chart` in `index` satisfying `range`, as source-controller picks it. */
export function resolveVersion(index: RepoIndex, chart: string, range: string, where: string): IndexEntry {
  const entries = index.entries?.[chart] ?? [];
  if (entries.length === 0) throw new ChartUnavailable(`${where} has no chart ${JSON.stringify(chart)} (it has: ${Object.keys(index.entries ?? {}).join(", ") || "nothing"})`);
  const wanted = range.trim() === "" ? "*" : range.replaceAll(",", " ");
  if (semver.validRange(wanted) === null) throw new ChartUnavailable(`version ${JSON.stringify(range)} is not a semver range. Fix: use e.g. 1.2.x or ">=1.2.0 <2.0.0"`);
  const valid = entries.filter((e) => semver.valid(e.version) !== null);
  const best = semver.maxSatisfying(valid.map((e) => e.version), wanted);
  if (!best) throw new ChartUnavailable(`${where} has no version of ${chart} matching ${JSON.stringify(range)} (it has: ${valid.map((e) => e.version).join(", ")})`);
  return valid.find((e) => e.version === best)!;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Fetches a chart by ref; throws ChartUnavailable when no source has it. */
export async function fetchChart(ref: ChartRef, opts: FetchOptions = {}): Promise<ResolvedChart> {
  const env = opts.env ?? process.env;
  const mirror = opts.mirror ?? chartMirror(env);
  const cacheDir = opts.cacheDir ?? join(repoRoot, ".cache", "charts");
  if (mirror) return fromMirror(ref, mirror, cacheDir);
  const online = opts.online ?? env.CHART_ONLINE !== "0";
  if (!online) {
    throw new ChartUnavailable(`no chart mirror is set and CHART_ONLINE=0. Fix: set CHART_MIRROR (or --chart-mirror) to a Helm repository directory holding ${ref.chart} ${ref.range}, e.g. ../shared/upstream/charts`);
  }
  return fromRepository(ref, cacheDir);
}

function fromMirror(ref: ChartRef, mirror: string, cacheDir: string): ResolvedChart {
  const indexFile = join(mirror, "index.yaml");
  if (!existsSync(indexFile)) throw new ChartUnavailable(`chart mirror ${mirror} has no index.yaml. Fix: point CHART_MIRROR / --chart-mirror at a directory in Helm repository layout (index.yaml + archives)`);
  const index = memoByFile(mirrorIndexes, indexFile, indexFile, () => parse(readFileSync(indexFile, "utf8")) as RepoIndex);
  const entry = resolveVersion(index, ref.chart, ref.range, `chart mirror ${mirror}`);
  const url = entry.urls?.[0];
  if (!url || /^[a-z]+:\/\//.test(url)) throw new ChartUnavailable(`chart mirror ${mirror}: ${ref.chart} ${entry.version} has no archive in the directory (urls: ${url ?? "none"})`);
  const archive = join(mirror, url);
  if (!existsSync(archive)) throw new ChartUnavailable(`chart mirror ${mirror}: ${url} is listed in index.yaml but missing`);
  const data = memoByFile(verifiedArchives, archive, `${archive}\0${entry.digest ?? ""}`, () => {
    const bytes = readFileSync(archive);
    verify(bytes, entry, archive);
    return bytes;
  });
  return unpack(data, entry, cacheDir, `mirror ${archive}`);
}

/**
 * What this process read from a mirror's files: index.yaml parsed, and each archive checked
 * against its digest. Valid while the file is the same, unchanged one (content-cache.ts
 * fileState); a failed read or check is not kept. The tests resolve the same charts from
 * the mirror hundreds of times (issue 18).
 */
const mirrorIndexes = new Map<string, { sig: string; value: RepoIndex }>();
const verifiedArchives = new Map<string, { sig: string; value: Uint8Array }>();

function verify(data: Uint8Array, entry: IndexEntry, where: string): void {
  if (!entry.digest) return;
  const got = sha256(data);
  if (got !== entry.digest) throw new ChartUnavailable(`${where}: sha256 ${got} differs from the index digest ${entry.digest}; the archive is corrupt or was replaced. Fix: restore the archive or regenerate index.yaml with helm repo index`);
}

async function fromRepository(ref: ChartRef, cacheDir: string): Promise<ResolvedChart> {
  const base = ref.repoUrl.replace(/\/+$/, "");
  if (!/^https?:\/\//.test(base)) throw new ChartUnavailable(`HelmRepository URL ${ref.repoUrl} is not an HTTP(S) chart repository this tooling can fetch. Fix: set CHART_MIRROR to a directory holding the chart`);
  const get = async (url: string): Promise<Uint8Array> => {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new ChartUnavailable(`cannot reach ${url} (${(err as Error).cause ? String((err as { cause: Error }).cause.message ?? (err as { cause: unknown }).cause) : (err as Error).message}). Fix: run with network access, or set CHART_MIRROR (or --chart-mirror) to a Helm repository directory holding ${ref.chart}`, { cause: err });
    }
    if (!res.ok) throw new ChartUnavailable(`${url} answered ${res.status}. Fix: check the HelmRepository URL, or set CHART_MIRROR`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const index = parse(Buffer.from(await get(`${base}/index.yaml`)).toString("utf8")) as RepoIndex;
  const entry = resolveVersion(index, ref.chart, ref.range, `repository ${base}`);
  const done = extracted(entry, cacheDir);
  if (existsSync(join(done, "Chart.yaml"))) return { name: entry.name, version: entry.version, digest: entry.digest ?? "", dir: done, origin: `cache ${done}` };
  const url = entry.urls?.[0];
  if (!url) throw new ChartUnavailable(`repository ${base}: ${ref.chart} ${entry.version} lists no archive URL`);
  const archiveUrl = /^[a-z]+:\/\//.test(url) ? url : `${base}/${url}`;
  const data = await get(archiveUrl);
  verify(data, entry, archiveUrl);
  return unpack(data, entry, cacheDir, archiveUrl);
}

function extracted(entry: IndexEntry, cacheDir: string): string {
  const tag = (entry.digest ?? "nodigest").slice(0, 16);
  return join(cacheDir, `${entry.name}-${entry.version}-${tag}`);
}

/** Unpacks the archive once per digest into the cache; returns the chart directory. */
function unpack(data: Uint8Array, entry: IndexEntry, cacheDir: string, origin: string): ResolvedChart {
  const target = extracted(entry, cacheDir);
  const resolved = { name: entry.name, version: entry.version, digest: entry.digest ?? sha256(data), dir: target, origin };
  if (existsSync(join(target, "Chart.yaml"))) return resolved;
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const files = untar(gunzipSync(data));
  for (const [name, content] of files) {
    // A chart archive holds one top-level directory named after the chart.
    const rel = name.split("/").slice(1).join("/");
    if (!rel || rel.split("/").includes("..")) continue;
    const out = join(tmp, rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, content);
  }
  if (!existsSync(join(tmp, "Chart.yaml"))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new ChartUnavailable(`${origin} is not a Helm chart archive (no <chart>/Chart.yaml inside)`);
  }
  mkdirSync(dirname(target), { recursive: true });
  try {
    renameSync(tmp, target);
  } catch (err) {
    // Another process unpacked it first: use theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(target, "Chart.yaml"))) throw err;
  }
  return resolved;
}

/** Regular files of a tar stream (ustar, GNU long names and PAX `path` records), name → content. */
export function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const text = (a: number, n: number) => {
    const s = Buffer.from(tar.subarray(a, a + n)).toString("utf8");
    const z = s.indexOf("\0");
    return z === -1 ? s : s.slice(0, z);
  };
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) break;
    const size = parseInt(text(off + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(tar[off + 156] || 48);
    const prefix = text(off + 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${text(off, 100)}` : text(off, 100));
    longName = undefined;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = Buffer.from(body).toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    if (type === "x") {
      const m = /\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString("utf8"));
      if (m) longName = m[1];
      continue;
    }
    if (type === "0" || type === "\0" || type === "7") {
      name = name.replace(/^\.\//, "");
      out.set(name, body);
    }
  }
  return out;
}

// ---- rendering an upstream HelmRelease ---------------------------------------------------------

const defaultsByDigest = new Map<string, Values>();
/**
 * The chart's own values.yaml (its defaults), parsed once per chart digest and process (a chart's
 * values.yaml is the largest YAML lint reads: Traefik's ~60 KB, read for each release of it), with
 * the fast parser (no source positions needed). A fresh copy per call: callers merge into it.
 */
export function chartDefaults(chart: ResolvedChart): Values {
  let v = defaultsByDigest.get(chart.digest);
  if (!v) {
    const file = join(chart.dir, "values.yaml");
    const doc = existsSync(file) ? parseManifest(readFileSync(file, "utf8"), `${chart.name} ${chart.version} values.yaml`)[0] : {};
    v = isMap(doc) ? (doc as Values) : {};
    defaultsByDigest.set(chart.digest, v);
  }
  return structuredClone(v);
}

/** The chart's values.schema.json, parsed once per chart digest (undefined when it has none). Read-only. */
export function chartSchema(chart: ResolvedChart): object | undefined {
  if (!schemasByDigest.has(chart.digest)) {
    const file = join(chart.dir, "values.schema.json");
    schemasByDigest.set(chart.digest, existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as object) : undefined);
  }
  return schemasByDigest.get(chart.digest);
}
const schemasByDigest = new Map<string, object | undefined>();

/**
 * The chart's values.schema.json applied to the coalesced values, as Helm does before rendering
 * (helm/helm pkg/chart/common/util/jsonschema.go ValidateAgainstSchema; helm-controller renders
 * through Helm's install/upgrade actions, so an invalid value fails the release). Each error is
 * located at the HelmRelease line that sets it (spec.values), not in the chart.
 */
export function validateChartValues(u: UpstreamRelease, chart: ResolvedChart): InputError[] {
  const schema = join(chart.dir, "values.schema.json");
  if (!existsSync(schema)) return [];
  const values = coalesce(chartDefaults(chart), u.user);
  return validateLayers(values, u.userLayers, schema, ["spec", "values"]).map(
    (e) => new InputError(e.file, e.line, e.col, `${e.detail} (${chart.name} ${chart.version}'s values.schema.json; helm-controller would fail the install)`),
  );
}

/**
 * `helm template` of an upstream release with the real chart; CRDs included unless install.crds
 * is Skip. The output depends only on the chart (its digest), the values and the arguments: kept
 * in .cache/render/ (tools/lib/render-cache.ts), parsed, since JSON.parse is far faster than YAML
 * and Traefik's and Longhorn's CRDs are most of the YAML a lint run would read.
 */
export async function renderUpstream(u: UpstreamRelease, chart: ResolvedChart, helm: Helm, kubeVersion: string): Promise<RenderedRelease> {
  const crds = helmReleaseSpec(u.hr).install?.crds ?? "Create";
  const flags = ["--namespace", u.namespace, "--kube-version", kubeVersion, ...(crds === "Skip" ? [] : ["--include-crds"])];
  const key = () => contentKey(["upstream", chart.digest, helm.version, helm.bin, u.user, u.release, flags]);
  const { objects } = await cachedRender("upstream", key, false, async () => {
    const dir = mkdtempSync(join(scratchRoot(), `render-${u.chart}-`));
    try {
      const userFile = join(dir, "user-values.yaml");
      writeFileSync(userFile, valuesText(u.user));
      const res = await runHelm(helm, ["template", u.release, chart.dir, "-f", userFile, ...flags]);
      if (res.exitCode !== 0) {
        const msg = (res.stderr || res.stdout || "").trim().replaceAll(chart.dir, `${chart.name}-${chart.version}`);
        throw new RenderError(`${u.file}: helm ${helm.version} template ${u.release} (${chart.name} ${chart.version}) failed: ${msg}`, { cause: res });
      }
      // helm's output needs no source positions: the fast parser (tools/lib/render.ts parseManifest).
      return { objects: parseManifest(res.stdout, `helm template ${u.release}`).filter((o) => o && typeof o === "object") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    env: u.env, release: u.release, namespace: u.namespace, chart: u.chart, source: u.file, objects: fillNamespaces(objects, u.namespace),
    helmRelease: `${u.hrNamespace}/${u.name}`, dependsOn: dependsOnIds(u.hr, u.hrNamespace), upstream: { version: chart.version, origin: chart.origin },
  };
}

/** The WARNING for an upstream release whose chart could not be fetched: names the release and the fix. */
export function unavailableMessage(u: UpstreamRelease, err: unknown): string {
  return `${u.file}: upstream release ${u.hrNamespace}/${u.name} (chart ${u.chart} ${u.version} from ${u.source}) was NOT rendered: ${(err as Error).message.replace(/\.$/, "")}. Until it is, its objects are not checked (schema, Kubernetes validation, policy, simulate)`;
}
