/**
 * The node setup runbook generated from the inventory (`npm run runbook -- --env <env>`).
 */
export { buildRunbook, listCommands, renderRunbook } from "./runbook.ts";
export { dfsExportBlock, dfsExportLine, dfsParentBlock, EXPORTS_FILE, exportOptions, nodesOutsideClientRange, parentFstabLine, seedCorrections } from "./dfs.ts";
export { checkScript, exportAddress, exportAddressProblems, KEEPALIVED, keepalivedBlock, keepalivedConf, MASTER_DOWN_SECONDS, RELEASE_SECONDS, TAKEOVER_SECONDS } from "./keepalived.ts";
export { formatTaint, labelCommand, shellQuote, taintCommand, unlabelCommand, untaintCommand } from "./kubectl.ts";
export { nodeRequirements, ROLE_REQUIREMENTS } from "./packages.ts";
export type { Block, Command, CommandBlock, LocatedCommand, Runbook, Section, SectionId, Target } from "./types.ts";
