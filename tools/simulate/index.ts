/**
 * `npm run simulate`: the environment's pods placed on its nodes, and the failure scenarios.
 * simulateReleases() is pure (rendered releases + inventory in, report out) so tests can feed
 * modified renders; simulateEnvironment() renders and loads from a repository root.
 */
import { loadInventory, type Cluster } from "../lib/inventory.ts";
import { renderEnvironment, type RenderedRelease } from "../lib/render.ts";
import { addDfsExport } from "./dfs-export.ts";
import { scenarioDrain } from "./drain.ts";
import { scenarioFirstInstall } from "./first-install.ts";
import { loadEnvironment, type Environment } from "../lib/flux.ts";
import { dfsFacts, findDescheduler, findFencing, longhornFacts, requireDescheduler, transcodeMode, type LonghornFacts } from "./facts.ts";
import { inventoryNodes, nodeLabel, podsOf, resolveClaims } from "./model.ts";
import { NODE_DOWN_POLICY_FOR_MODE, type FencingMode } from "../fencing/decide.ts";
import { placeAll, verdictText, type PodPlacement } from "./place.ts";
import { longhornPlacement, longhornUnreachable, type LonghornPlacement } from "./longhorn.ts";
import {
  SCENARIOS,
  scenarioBackupDown,
  scenarioGpuDown,
  scenarioPrimaryBack,
  scenarioPrimaryCordoned,
  scenarioPrimaryDown,
  scenarioPrimaryPartition,
  isStatefulMedia,
  type ScenarioName,
  type ScenarioResult,
  type SimContext,
} from "./scenarios.ts";

export { SCENARIOS, type ScenarioName, type ScenarioResult, type SimContext };

/** The whole result of `npm run simulate`. */
export interface SimulationReport {
  env: string;
  nodes: Array<{ id: string; name: string; roles: string[]; labels: Record<string, string>; taints: unknown[] }>;
  placement: PodPlacement[];
  /** Where Longhorn's own pods run (DaemonSets, instance managers, share managers); null without a Longhorn release. */
  longhorn: LonghornPlacement | null;
  /** Placement problems (Pending pods, stateful pods off the storage nodes): exit code 1. */
  placementViolations: string[];
  scenarios: ScenarioResult[];
  ok: boolean;
}

export interface SimulateOptions {
  /** Only this scenario (default: all). */
  scenario?: ScenarioName;
  /** Repository root (fixture repos in tests). */
  root?: string;
  /** The environment's Flux objects; default loaded once from root. */
  flux?: Environment;
  /** Longhorn facts; default from the environment's Longhorn HelmRelease. */
  longhorn?: LonghornFacts;
  /**
   * Simulate this fencing mode instead of the configured one: the fencing job's FENCING_MODE and
   * Longhorn's nodeDownPodDeletionPolicy are both set as the mode requires.
   */
  mode?: FencingMode;
}

/** Builds the simulation context: nodes, pods in placement order, base placement and the facts. */
export function buildContext(env: string, releases: readonly RenderedRelease[], inventory: Cluster, opts: SimulateOptions = {}): SimContext {
  const nodes = inventoryNodes(inventory);
  const pods = podsOf(releases, nodes);
  resolveClaims(pods, releases);
  const base = placeAll(pods, nodes);
  const flux = opts.flux ?? loadEnvironment(env, opts.root);
  let longhorn = opts.longhorn ?? longhornFacts(flux, releases);
  let fencing = findFencing(releases);
  if (opts.mode) {
    longhorn = { ...longhorn, nodeDownPodDeletionPolicy: NODE_DOWN_POLICY_FOR_MODE[opts.mode], policySource: `simulate --mode ${opts.mode} (NODE_DOWN_POLICY_FOR_MODE, tools/fencing/decide.ts)`, warnings: [] };
    if (fencing) fencing = { ...fencing, settings: { ...fencing.settings, config: { ...fencing.settings.config, mode: opts.mode } } };
  }
  return {
    env,
    inventory,
    flux,
    nodes,
    pods,
    base,
    longhorn,
    descheduler: findDescheduler(releases),
    fencing,
    dfs: dfsFacts(pods, inventory, nodes, releases),
    transcode: transcodeMode(pods),
  };
}

/** The base placement's violations: Pending pods and Longhorn-backed pods outside the storage nodes. */
export function placementViolations(ctx: SimContext): string[] {
  const out: string[] = [];
  for (const p of ctx.base.placements) {
    if (p.status !== "Scheduled") out.push(`${p.pod} (${p.workload}): ${p.status}: ${p.message}`);
  }
  for (const b of ctx.base.bound) {
    if (isStatefulMedia(ctx, b.pod) && !b.node.roles.includes("storage")) {
      out.push(`${b.pod.name}: stateful pod (Longhorn ReadWriteOnce volume) placed on ${nodeLabel(b.node)}, which is not a storage node`);
    }
  }
  return out;
}

/** Runs one scenario, with the DFS export timeline of the storage scenarios (tools/simulate/dfs-export.ts). */
export function runScenario(ctx: SimContext, name: ScenarioName, releases: readonly RenderedRelease[], root?: string): ScenarioResult {
  const r = runScenarioOnly(ctx, name, releases, root);
  addDfsExport(ctx, r, releases);
  return r;
}

/** Runs one scenario. w1-back and w1-cordoned need the descheduler (a clear error otherwise). */
function runScenarioOnly(ctx: SimContext, name: ScenarioName, releases: readonly RenderedRelease[], root?: string): ScenarioResult {
  switch (name) {
    case "first-install":
      return scenarioFirstInstall(ctx, ctx.flux, releases);
    case "drain-w1":
    case "drain-w2":
      return scenarioDrain(ctx, name, releases);
    case "w1-down": {
      const { after: _after, ...r } = scenarioPrimaryDown(ctx);
      return r;
    }
    case "w1-back":
    case "w1-cordoned": {
      let missing = "";
      if (ctx.descheduler === null) {
        try {
          requireDescheduler(ctx.env, releases);
        } catch (e) {
          missing = (e as Error).message;
        }
      }
      return name === "w1-back" ? scenarioPrimaryBack(ctx, ctx.descheduler, missing) : scenarioPrimaryCordoned(ctx, ctx.descheduler, missing);
    }
    case "w3-down":
      return scenarioGpuDown(ctx);
    case "w2-down":
      return scenarioBackupDown(ctx);
    case "w1-partitioned":
    case "w1-partitioned-from-cp1":
    case "w1-kubelet-crashed":
      return scenarioPrimaryPartition(ctx, name);
  }
}

/** Simulates already rendered releases. */
export function simulateReleases(env: string, releases: readonly RenderedRelease[], inventory: Cluster, opts: SimulateOptions = {}): SimulationReport {
  const ctx = buildContext(env, releases, inventory, opts);
  const names = opts.scenario ? [opts.scenario] : [...SCENARIOS];
  const scenarios = names.map((n) => runScenario(ctx, n, releases, opts.root));
  const lh = longhornPlacement(ctx.flux, releases, ctx.nodes);
  const pv = [...placementViolations(ctx), ...(lh ? longhornUnreachable(lh, ctx.base.bound) : [])];
  return {
    env,
    nodes: ctx.nodes.map((n) => ({ id: n.id, name: n.name, roles: n.roles, labels: n.labels, taints: n.taints })),
    placement: ctx.base.placements,
    longhorn: lh,
    placementViolations: pv,
    scenarios,
    ok: pv.length === 0 && scenarios.every((s) => s.violations.length === 0),
  };
}

/** Renders the environment (under opts.root) and simulates it. */
export async function simulateEnvironment(env: string, opts: SimulateOptions = {}): Promise<SimulationReport> {
  const inventory = loadInventory(env, opts.root);
  const flux = opts.flux ?? loadEnvironment(env, opts.root);
  const releases = await renderEnvironment(env, { root: opts.root, environment: flux });
  return simulateReleases(env, releases, inventory, { ...opts, flux });
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));

/** Human-readable report. */
export function formatReport(r: SimulationReport): string {
  const lines: string[] = [];
  lines.push(`Placement in ${r.env} (${r.nodes.map((n) => nodeLabel(n)).join(", ")})`);
  const w = Math.max(...r.placement.map((p) => p.pod.length), 3);
  for (const p of r.placement) {
    lines.push(`  ${pad(p.pod, w)}  -> ${p.status === "Scheduled" ? p.node : `${p.status.toUpperCase()}: ${p.message}`}${p.tiedWith.length ? ` (tied with ${p.tiedWith.join(", ")}: first in node order)` : ""}`);
    for (const v of p.verdicts) if (!v.chosen) lines.push(`  ${pad("", w)}       ${verdictText(v, p)}`);
  }
  if (r.longhorn) {
    lines.push("", "Longhorn components (created by longhorn-manager from its settings)");
    const cw = Math.max(...r.longhorn.components.map((c) => c.component.length));
    for (const c of r.longhorn.components) lines.push(`  ${pad(c.component, cw)}  -> ${c.nodes.join(", ") || "NO NODE"}   [${c.how}]`);
  }
  for (const v of r.placementViolations) lines.push(`ERROR - ${v}`);
  for (const s of r.scenarios) {
    lines.push("", `Scenario ${s.name}: ${s.title}`);
    if (!s.applicable) {
      lines.push(`  not applicable: ${s.reason}`);
      continue;
    }
    for (const a of s.assumptions) lines.push(`  assumption: ${a}`);
    const tl = [...s.timeline].sort((a, b) => a.t - b.t);
    for (const e of tl) lines.push(`  t=${pad(`${e.t}s`, 6)} ${e.text}`);
    for (const p of s.pods) lines.push(`  pod ${p.pod}: ${p.from ?? "-"} -> ${p.to ?? "-"} ${p.status}${p.runningAt !== null ? ` at ${p.runningAt}s` : ""} (${p.detail})`);
    if (s.bound) lines.push(`  bound: ${s.bound.text}: ${s.bound.measured === null ? "not met (a pod never recovers)" : `${s.bound.measured}s <= ${s.bound.seconds}s ${s.bound.measured <= s.bound.seconds ? "OK" : "EXCEEDED"}`}`);
    for (const f of s.findings) lines.push(`  INFO - ${f}`);
    for (const v of s.violations) lines.push(`  ERROR - ${v}`);
  }
  const errors = r.placementViolations.length + r.scenarios.reduce((n, s) => n + s.violations.length, 0);
  lines.push("", errors === 0 ? `OK - ${r.env}: placement and ${r.scenarios.length} scenario(s) meet their expectations` : `ERROR - ${r.env}: ${errors} violation(s)`);
  return lines.join("\n");
}
