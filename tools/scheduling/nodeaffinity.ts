/**
 * Node selector and node affinity, ported from
 * staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go
 * (NewLazyErrorNodeSelector, nodeSelectorTerm.match, nodeSelectorRequirementsAsSelector,
 * nodeSelectorRequirementsAsFieldSelector, NewPreferredSchedulingTerms,
 * PreferredSchedulingTerms.Score, GetRequiredNodeAffinity, RequiredNodeAffinity.Match).
 */
import { newRequirement, selectorFromSet, selectorMatches, type Requirement, type SelectionOperator, type Selector } from "./labels.ts";
import { effectiveNodeLabels, nodeFields } from "./node.ts";
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, PreferredSchedulingTerm } from "./types.ts";

const NODE_SELECTOR_OPS: Record<string, SelectionOperator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
  Gt: "gt",
  Lt: "lt",
};

interface FieldTerm {
  field: string;
  value: string;
  negate: boolean;
}

/** A parsed NodeSelectorTerm; `parseErrors` non-empty makes the term unmatchable. */
export interface ParsedNodeSelectorTerm {
  matchLabels: Selector | null;
  matchFields: FieldTerm[] | null;
  parseErrors: string[];
}

/** Thrown by preferredAffinityScore when a scored preferred term does not parse. */
export class PreferredAffinityParseError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(`invalid preferred node affinity: ${errors.join("; ")}`);
    this.name = "PreferredAffinityParseError";
    this.errors = errors;
  }
}

function isEmptyTerm(term: NodeSelectorTerm | null | undefined): boolean {
  return !term || ((term.matchExpressions?.length ?? 0) === 0 && (term.matchFields?.length ?? 0) === 0);
}

function requirementsAsSelector(nsm: NodeSelectorRequirement[], path: string): { selector: Selector | null; errors: string[] } {
  const errors: string[] = [];
  const requirements: Requirement[] = [];
  nsm.forEach((expr, i) => {
    const p = `${path}[${i}]`;
    const op = NODE_SELECTOR_OPS[expr.operator];
    if (op === undefined) {
      errors.push(`${p}.operator: Unsupported value: "${expr.operator}": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"`);
      return;
    }
    const r = newRequirement(expr.key, op, expr.values ?? [], p);
    if (r.ok) requirements.push(r.value);
    else errors.push(...r.errors);
  });
  if (errors.length > 0) return { selector: null, errors };
  return { selector: { kind: "requirements", requirements }, errors };
}

function requirementsAsFieldSelector(nsr: NodeSelectorRequirement[], path: string): { fields: FieldTerm[] | null; errors: string[] } {
  const errors: string[] = [];
  const fields: FieldTerm[] = [];
  nsr.forEach((expr, i) => {
    const p = `${path}[${i}]`;
    const values = expr.values ?? [];
    if (expr.operator === "In" || expr.operator === "NotIn") {
      if (values.length !== 1) errors.push(`${p}.values: Invalid value: ${JSON.stringify(values)}: must have one element`);
      else fields.push({ field: expr.key, value: values[0], negate: expr.operator === "NotIn" });
    } else {
      errors.push(`${p}.operator: Unsupported value: "${expr.operator}": supported values: "In", "NotIn"`);
    }
  });
  return errors.length > 0 ? { fields: null, errors } : { fields, errors };
}

/** newNodeSelectorTerm: parse one term; errors are kept, not thrown. */
export function parseNodeSelectorTerm(term: NodeSelectorTerm, path = ""): ParsedNodeSelectorTerm {
  const parsed: ParsedNodeSelectorTerm = { matchLabels: null, matchFields: null, parseErrors: [] };
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length > 0) {
    const r = requirementsAsSelector(exprs, `${path}.matchExpressions`.replace(/^\./, ""));
    parsed.matchLabels = r.selector;
    parsed.parseErrors.push(...r.errors);
  }
  if (fields.length > 0) {
    const r = requirementsAsFieldSelector(fields, `${path}.matchFields`.replace(/^\./, ""));
    parsed.matchFields = r.fields;
    parsed.parseErrors.push(...r.errors);
  }
  return parsed;
}

/** nodeSelectorTerm.match: a term with parse errors never matches. */
export function termMatches(term: ParsedNodeSelectorTerm, node: Node): { matched: boolean; errors: string[] } {
  if (term.parseErrors.length > 0) return { matched: false, errors: term.parseErrors };
  if (term.matchLabels !== null && !selectorMatches(term.matchLabels, effectiveNodeLabels(node))) return { matched: false, errors: [] };
  const fields = nodeFields(node);
  if (term.matchFields !== null && Object.keys(fields).length > 0) {
    // fields.AndSelectors of OneTerm(Not)EqualSelector; an absent field reads as "".
    const ok = term.matchFields.every((f) => ((fields[f.field] ?? "") === f.value) !== f.negate);
    if (!ok) return { matched: false, errors: [] };
  }
  return { matched: true, errors: [] };
}

/**
 * LazyErrorNodeSelector.Match: terms are ORed, empty terms are dropped (they
 * select nothing), a term with a parse error is skipped without failing the
 * others; parse errors are reported only when no term matched.
 */
export function matchNodeSelectorTerms(node: Node, selector: NodeSelector): { matched: boolean; errors: string[] } {
  const errors: string[] = [];
  const terms = selector.nodeSelectorTerms ?? [];
  for (let i = 0; i < terms.length; i++) {
    if (isEmptyTerm(terms[i])) continue;
    const r = termMatches(parseNodeSelectorTerm(terms[i], `nodeSelectorTerms[${i}]`), node);
    if (r.errors.length > 0) {
      errors.push(...r.errors);
      continue;
    }
    if (r.matched) return { matched: true, errors: [] };
  }
  return { matched: false, errors };
}

/** True when the pod declares a nodeSelector or a required node affinity. */
export function hasRequiredNodeConstraints(podSpec: PodSpec): boolean {
  return (
    Object.keys(podSpec.nodeSelector ?? {}).length > 0 ||
    (podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null) !== null
  );
}

/**
 * RequiredNodeAffinity.Match (GetRequiredNodeAffinity): pod.spec.nodeSelector
 * (exact label match, unvalidated) AND requiredDuringSchedulingIgnoredDuringExecution.
 * Parse errors are returned alongside; the scheduler's NodeAffinity Filter ignores them.
 */
export function requiredNodeAffinityMatch(podSpec: PodSpec, node: Node): { matched: boolean; errors: string[] } {
  const nodeSelector = podSpec.nodeSelector ?? {};
  if (Object.keys(nodeSelector).length > 0 && !selectorMatches(selectorFromSet(nodeSelector), effectiveNodeLabels(node))) {
    return { matched: false, errors: [] };
  }
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== null && required !== undefined) return matchNodeSelectorTerms(node, required);
  return { matched: true, errors: [] };
}

/** nodeSelector AND required node affinity (the scheduler's NodeAffinity filter). */
export function matchesRequiredNodeAffinity(podSpec: PodSpec, node: Node): boolean {
  return requiredNodeAffinityMatch(podSpec, node).matched;
}

interface ParsedPreferredTerm {
  term: ParsedNodeSelectorTerm;
  weight: number;
}

/**
 * NewPreferredSchedulingTerms: zero-weight and empty terms are skipped (not
 * even parsed); any parse error in the remaining terms fails the whole set.
 */
export function parsePreferredSchedulingTerms(
  terms: PreferredSchedulingTerm[] | null | undefined,
): { ok: true; terms: ParsedPreferredTerm[] } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const parsed: ParsedPreferredTerm[] = [];
  (terms ?? []).forEach((t, i) => {
    if (t.weight === 0 || isEmptyTerm(t.preference)) return;
    const term = parseNodeSelectorTerm(t.preference, `[${i}]`);
    if (term.parseErrors.length > 0) errors.push(...term.parseErrors);
    else parsed.push({ term, weight: t.weight });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, terms: parsed };
}

/**
 * The NodeAffinity plugin's raw score: the sum of the weights of the preferred
 * terms matching the node (PreferredSchedulingTerms.Score). Throws
 * PreferredAffinityParseError when a term with non-zero weight does not parse,
 * as PreScore fails the pod in that case.
 */
export function preferredAffinityScore(podSpec: PodSpec, node: Node): number {
  const parsed = parsePreferredSchedulingTerms(podSpec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
  if (!parsed.ok) throw new PreferredAffinityParseError(parsed.errors);
  let score = 0;
  for (const t of parsed.terms) if (termMatches(t.term, node).matched) score += t.weight;
  return score;
}
