/**
 * Reading the output of `kubectl get nodes -o json`. kubectl prints a `v1` `List` whose items are
 * Nodes (the API server's own response is a `NodeList`); both are accepted. Only the fields
 * preflight compares are read: name, labels, taints, addresses.
 */
import { isPlainObject } from "../lib/k8s.ts";
import type { Taint } from "../../schema/cluster.ts";

/** A node as observed in the cluster. */
export interface ObservedNode {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Addresses of type InternalIP (dual-stack nodes have one per family). */
  internalIPs: string[];
  /** status.allocatable (quantities as strings), e.g. `nvidia.com/gpu: "1"`. */
  allocatable: Record<string, string>;
  /** status.capacity. */
  capacity: Record<string, string>;
}

/** The input is not usable node JSON. Names the file, the JSON path and the fix. */
export class NodeListError extends Error {
  readonly file: string;
  readonly detail: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file}: ${detail}`, options);
    this.file = file;
    this.detail = detail;
    Object.defineProperty(this, "name", { value: "NodeListError", enumerable: false });
  }
}

const FIX = "Fix: pass the output of `kubectl get nodes -o json` (all nodes, JSON)";
const EFFECTS = new Set<string>(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

const isObject = isPlainObject;

/** Parses `text` (read from `file`, used in messages) into the nodes it lists. */
export function parseNodeList(text: string, file: string): ObservedNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const head = text.trimStart().slice(0, 1);
    const hint = head === "" ? "the input is empty" : head !== "{" ? "it does not start with '{' (YAML or table output? use -o json)" : (err as Error).message;
    throw new NodeListError(file, `not valid JSON: ${hint}. ${FIX}`, { cause: err });
  }
  const fail = (path: string, msg: string): never => {
    throw new NodeListError(file, `${path}: ${msg}. ${FIX}`);
  };
  if (!isObject(doc)) return fail("(root)", `expected a NodeList object, got ${Array.isArray(doc) ? "an array" : JSON.stringify(doc)}`);
  if (doc.kind === "Node") {
    return fail("kind", `is a single Node (${JSON.stringify((doc.metadata as { name?: unknown } | undefined)?.name)}); preflight needs every node to find absent ones`);
  }
  if (doc.kind !== "NodeList" && doc.kind !== "List") return fail("kind", `expected NodeList or List, got ${JSON.stringify(doc.kind)}`);
  if (!Array.isArray(doc.items)) return fail("items", "missing or not an array");

  return doc.items.map((item, i): ObservedNode => {
    const at = `items[${i}]`;
    if (!isObject(item)) return fail(at, "not an object");
    if (item.kind !== undefined && item.kind !== "Node") return fail(`${at}.kind`, `expected Node, got ${JSON.stringify(item.kind)}`);
    const meta = item.metadata;
    if (!isObject(meta) || typeof meta.name !== "string" || meta.name === "") return fail(`${at}.metadata.name`, "missing");
    const name = meta.name;
    const labels: Record<string, string> = {};
    if (meta.labels !== undefined) {
      if (!isObject(meta.labels)) return fail(`${at}.metadata.labels`, `node ${name}: expected an object`);
      for (const [k, v] of Object.entries(meta.labels)) {
        if (typeof v !== "string") return fail(`${at}.metadata.labels.${k}`, `node ${name}: expected a string, got ${JSON.stringify(v)}`);
        labels[k] = v;
      }
    }
    const spec = isObject(item.spec) ? item.spec : {};
    const taints: Taint[] = [];
    if (spec.taints !== undefined) {
      if (!Array.isArray(spec.taints)) return fail(`${at}.spec.taints`, `node ${name}: expected an array`);
      spec.taints.forEach((t, j) => {
        const tp = `${at}.spec.taints[${j}]`;
        if (!isObject(t) || typeof t.key !== "string") return fail(tp, `node ${name}: a taint needs a key`);
        if (typeof t.effect !== "string" || !EFFECTS.has(t.effect)) return fail(`${tp}.effect`, `node ${name}: expected NoSchedule, PreferNoSchedule or NoExecute, got ${JSON.stringify(t.effect)}`);
        if (t.value !== undefined && typeof t.value !== "string") return fail(`${tp}.value`, `node ${name}: expected a string`);
        const taint: Taint = { key: t.key, effect: t.effect as Taint["effect"] };
        if (typeof t.value === "string" && t.value !== "") taint.value = t.value;
        taints.push(taint);
      });
    }
    const status = isObject(item.status) ? item.status : {};
    const addresses = Array.isArray(status.addresses) ? status.addresses : [];
    const internalIPs = addresses
      .filter((a): a is { type: string; address: string } => isObject(a) && a.type === "InternalIP" && typeof a.address === "string")
      .map((a) => a.address);
    const quantities = (v: unknown): Record<string, string> => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, q]) => [k, String(q)])) : {});
    return { name, labels, taints, internalIPs, allocatable: quantities(status.allocatable), capacity: quantities(status.capacity) };
  });
}
