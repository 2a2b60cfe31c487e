/**
 * Public API of the scheduling model (Kubernetes v1.36 placement semantics and
 * the descheduler v0.36 RemovePodsViolatingNodeAffinity decision).
 */
export type * from "./types.ts";
export { isLabelKey, isLabelValue, parseInt64 } from "./validation.ts";
export { labelSelectorAsSelector, selectorMatches, type Selector } from "./labels.ts";
export { effectiveNodeLabels, LABEL_HOSTNAME } from "./node.ts";
export { inventoryAllocatable } from "./allocatable.ts";
export {
  matchesRequiredNodeAffinity,
  matchNodeSelectorTerms,
  requiredNodeAffinityMatch,
  parsePreferredSchedulingTerms,
  preferredAffinityScore,
  PreferredAffinityParseError,
} from "./nodeaffinity.ts";
export {
  toleratesTaint,
  tolerationsTolerateTaint,
  findUntoleratedTaint,
  taintFilter,
  intolerablePreferNoSchedule,
  type TolerationOptions,
} from "./taints.ts";
export {
  noExecuteEvictionSeconds,
  applyDefaultTolerationSeconds,
  getMatchingTolerations,
  minTolerationSeconds,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  DEFAULT_TOLERATION_SECONDS,
  type EvictionOptions,
} from "./eviction.ts";
export { defaultNormalizeScore, minMaxNormalizeScore, MAX_NODE_SCORE } from "./normalize.ts";
export {
  interPodFilter,
  interPodRawScores,
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  type InterPodState,
  type InterPodFilterResult,
} from "./interpod.ts";
export {
  filterNode,
  scoreNodes,
  pickNode,
  fitErrorMessage,
  extendedRequests,
  insufficientExtendedResources,
  isExtendedResourceName,
  DEFAULT_PLUGIN_WEIGHTS,
  ERR_REASON_NODE_AFFINITY,
  ERR_REASON_UNSCHEDULABLE,
  TAINT_NODE_UNSCHEDULABLE,
  type FilterResult,
  type Rejection,
  type NodeScore,
  type PluginScore,
  type ScoreResult,
  type PlacementDecision,
  type SchedulerOptions,
} from "./scheduler.ts";
export {
  deschedulerWouldEvict,
  deschedulerDecision,
  nodeFit,
  deschedulerPreferredWeight,
  readyNodes,
  REQUIRED,
  PREFERRED,
  type DeschedulerOptions,
  type DeschedulerDecision,
} from "./descheduler.ts";
