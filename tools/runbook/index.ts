/**
 * The node setup runbook generated from the inventory (`npm run runbook -- --env <env>`).
 * `dfsHostSteps` is the per-node DFS export step the failover command prints.
 */
export { buildRunbook, listCommands, renderRunbook } from "./runbook.ts";
export { dfsExportLine, dfsHostBlock, dfsHostSteps, EXPORTS_FILE, exportOptions, nodesOutsideClientRange, seedCorrections } from "./dfs.ts";
export { formatTaint, labelCommand, shellQuote, taintCommand, unlabelCommand, untaintCommand } from "./kubectl.ts";
export { nodeRequirements, ROLE_REQUIREMENTS } from "./packages.ts";
export type { Block, Command, CommandBlock, LocatedCommand, Runbook, Section, SectionId, Target } from "./types.ts";
