/**
 * Label selectors, ported from staging/src/k8s.io/apimachinery/pkg/labels/selector.go
 * (NewRequirement, Requirement.Matches, SelectorFromSet) and
 * pkg/apis/meta/v1/helpers.go (LabelSelectorAsSelector).
 */
import type { LabelSelector } from "./types.ts";
import { isLabelKey, isLabelValue, parseInt64 } from "./validation.ts";

/** selection.Operator values understood by labels.Requirement. */
export type SelectionOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

/** A validated label requirement (labels.Requirement). */
export interface Requirement {
  key: string;
  operator: SelectionOperator;
  values: string[];
}

/** A selector: "nothing" matches no label set; otherwise all requirements are ANDed. */
export type Selector = { kind: "nothing" } | { kind: "requirements"; requirements: Requirement[] };

/** Result of building something that can fail validation. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** labels.Nothing() */
export const NOTHING: Selector = { kind: "nothing" };
/** labels.Everything() */
export const EVERYTHING: Selector = { kind: "requirements", requirements: [] };

/**
 * labels.NewRequirement: validates the key (qualified name), the value count
 * for the operator, Gt/Lt integer values (int64), and every value as a label
 * value. `path` prefixes the error messages like field.Path does.
 */
export function newRequirement(key: string, op: SelectionOperator, values: string[], path = ""): Parsed<Requirement> {
  const errors: string[] = [];
  const at = (f: string) => (path ? `${path}.${f}` : f);
  const keyErrs = isLabelKey(key);
  if (keyErrs.length > 0) errors.push(`${at("key")}: Invalid value: "${key}": ${keyErrs.join("; ")}`);
  switch (op) {
    case "in":
    case "notin":
      if (values.length === 0) errors.push(`${at("values")}: Invalid value: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errors.push(`${at("values")}: Invalid value: exact-match compatibility requires one single value`);
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errors.push(`${at("values")}: Invalid value: values set must be empty for exists and does not exist`);
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errors.push(`${at("values")}: Invalid value: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (parseInt64(v) === null) errors.push(`${at(`values[${i}]`)}: Invalid value: "${v}": for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
    default:
      errors.push(`${at("operator")}: Unsupported value: "${String(op)}"`);
  }
  values.forEach((v, i) => {
    const valErrs = isLabelValue(v);
    if (valErrs.length > 0) errors.push(`${at(`values[${i}][${key}]`)}: Invalid value: "${v}": ${valErrs.join("; ")}`);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { key, operator: op, values: [...values] } };
}

/** Requirement.Matches */
export function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const val = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(val as string);
    case "notin":
    case "!=":
      return !has || !r.values.includes(val as string);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has) return false;
      const lsValue = parseInt64(val as string);
      if (lsValue === null || r.values.length !== 1) return false;
      const rValue = parseInt64(r.values[0]);
      if (rValue === null) return false;
      return r.operator === "gt" ? lsValue > rValue : lsValue < rValue;
    }
    default:
      return false;
  }
}

/** Selector.Matches */
export function selectorMatches(s: Selector, labels: Record<string, string>): boolean {
  if (s.kind === "nothing") return false;
  return s.requirements.every((r) => requirementMatches(r, labels));
}

/**
 * labels.SelectorFromSet (no validation, as the scheduler uses it for
 * pod.spec.nodeSelector): every key must be present with exactly that value.
 */
export function selectorFromSet(set: Record<string, string>): Selector {
  return {
    kind: "requirements",
    requirements: Object.entries(set).map(([key, value]) => ({ key, operator: "=" as const, values: [value] })),
  };
}

const LABEL_SELECTOR_OPS: Record<string, SelectionOperator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, an empty
 * selector selects everything; matchLabels become validated equality
 * requirements and matchExpressions In/NotIn/Exists/DoesNotExist requirements.
 */
export function labelSelectorAsSelector(ps: LabelSelector | null | undefined): Parsed<Selector> {
  if (ps === null || ps === undefined) return { ok: true, value: NOTHING };
  const matchLabels = ps.matchLabels ?? {};
  const exprs = ps.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return { ok: true, value: EVERYTHING };
  const requirements: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const r = newRequirement(k, "=", [v]);
    if (!r.ok) return r;
    requirements.push(r.value);
  }
  for (const expr of exprs) {
    const op = LABEL_SELECTOR_OPS[expr.operator];
    if (op === undefined) return { ok: false, errors: [`"${expr.operator}" is not a valid label selector operator`] };
    const r = newRequirement(expr.key, op, expr.values ?? []);
    if (!r.ok) return r;
    requirements.push(r.value);
  }
  return { ok: true, value: { kind: "requirements", requirements } };
}
