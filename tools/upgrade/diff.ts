/**
 * A plain render diff per release: each changed object as a unified diff of its YAML, added and
 * removed objects shown whole (line diff: tools/lib/diff.ts).
 */
import { stringify } from "yaml";
import type { K8sObject, RenderedRelease } from "../lib/render.ts";
import { objectKey } from "./compare.ts";
import { diffLines, unifiedHunks } from "../lib/diff.ts";

/** YAML of an object as the diff shows it (keys in helm's order, no line folding). */
export function objectYaml(o: K8sObject): string[] {
  return stringify(o, { lineWidth: 0 }).trimEnd().split("\n");
}

/** The diff of one release: its changed, added and removed objects. */
export interface ReleaseDiff {
  /** `<env>: <namespace>/<release>`. */
  release: string;
  added: K8sObject[];
  removed: K8sObject[];
  changed: { before: K8sObject; after: K8sObject; hunks: string[] }[];
}

const label = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** Diffs two renders of one environment, release by release (matched by namespace/name). */
export function diffReleases(before: readonly RenderedRelease[], after: readonly RenderedRelease[]): ReleaseDiff[] {
  const id = (r: RenderedRelease) => `${r.env}: ${r.namespace}/${r.release}`;
  const ids = [...new Set([...before.map(id), ...after.map(id)])].sort();
  const out: ReleaseDiff[] = [];
  for (const rid of ids) {
    const oldObjs = new Map((before.find((r) => id(r) === rid)?.objects ?? []).map((o) => [objectKey(o), o]));
    const newObjs = new Map((after.find((r) => id(r) === rid)?.objects ?? []).map((o) => [objectKey(o), o]));
    const d: ReleaseDiff = { release: rid, added: [], removed: [], changed: [] };
    for (const [k, o] of oldObjs) {
      const n = newObjs.get(k);
      if (!n) d.removed.push(o);
      else {
        const hunks = unifiedHunks(diffLines(objectYaml(o), objectYaml(n)));
        if (hunks.length) d.changed.push({ before: o, after: n, hunks });
      }
    }
    for (const [k, o] of newObjs) if (!oldObjs.has(k)) d.added.push(o);
    if (d.added.length || d.removed.length || d.changed.length) out.push(d);
  }
  return out;
}

/** Readable text of release diffs, `--- a/<object>` / `+++ b/<object>` headers per object. */
export function formatDiff(diffs: readonly ReleaseDiff[]): string {
  if (diffs.length === 0) return "no changes";
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`=== ${d.release} (${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed)`);
    for (const c of d.changed) {
      lines.push(`--- a/${label(c.before)}`, `+++ b/${label(c.after)}`, ...c.hunks);
    }
    for (const o of d.removed) {
      const y = objectYaml(o);
      lines.push(`--- a/${label(o)}`, "+++ /dev/null", `@@ -1,${y.length} +0,0 @@`, ...y.map((l) => `-${l}`));
    }
    for (const o of d.added) {
      const y = objectYaml(o);
      lines.push("--- /dev/null", `+++ b/${label(o)}`, `@@ -0,0 +1,${y.length} @@`, ...y.map((l) => `+${l}`));
    }
  }
  return lines.join("\n");
}
