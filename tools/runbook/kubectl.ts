/**
 * The kubectl command lines that set (or remove) a node's labels and taints. The runbook prints
 * them for every node; preflight prints them as the fix for a drift. One definition, so both say
 * the same thing.
 *
 * Semantics (kubectl label / kubectl taint reference):
 * - `kubectl label node N k=v --overwrite` sets the label whatever its previous value;
 *   `kubectl label node N k-` removes it.
 * - A taint is identified by key AND effect. `kubectl taint node N k=v:E --overwrite` replaces
 *   the value of the taint (k, E); a taint (k, E2) with another effect stays, so changing an
 *   effect needs the old taint removed with `kubectl taint node N k:E2-`.
 */
import type { Taint } from "../../schema/cluster.ts";

/** Quotes a word for a POSIX shell when it holds anything beyond a safe set of characters. */
export function shellQuote(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `key=value:Effect` (or `key:Effect` for a taint without value), as kubectl writes taints. */
export function formatTaint(t: Taint): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

/** Sets label `key=value` on `node`, replacing any other value. */
export function labelCommand(node: string, key: string, value: string): string {
  return `kubectl label node ${shellQuote(node)} ${shellQuote(`${key}=${value}`)} --overwrite`;
}

/** Removes label `key` from `node`. */
export function unlabelCommand(node: string, key: string): string {
  return `kubectl label node ${shellQuote(node)} ${shellQuote(`${key}-`)}`;
}

/** Adds taint `t` to `node`, or replaces the value of its taint with the same key and effect. */
export function taintCommand(node: string, t: Taint): string {
  return `kubectl taint node ${shellQuote(node)} ${shellQuote(formatTaint(t))} --overwrite`;
}

/** Removes the taint with `key` and `effect` from `node`. */
export function untaintCommand(node: string, t: Pick<Taint, "key" | "effect">): string {
  return `kubectl taint node ${shellQuote(node)} ${shellQuote(`${t.key}:${t.effect}-`)}`;
}
