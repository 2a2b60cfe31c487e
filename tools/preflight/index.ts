/** Preflight: a live cluster's nodes compared with the inventory (`npm run preflight`). */
export { formatFinding, formatReport, formatSummary, preflight, type DriftKind, type Finding, type PreflightResult, type Severity } from "./compare.ts";
export { IGNORED_LABELS, IGNORED_TAINTS, ignoredBy, type IgnoreRule } from "./ignore.ts";
export { NodeListError, parseNodeList, type ObservedNode } from "./nodes.ts";
