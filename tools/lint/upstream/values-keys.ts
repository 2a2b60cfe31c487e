/**
 * Unknown keys in an upstream release's values where the chart's values.schema.json does not
 * decide (Longhorn 1.12 has no schema; MetalLB's leaves every object open). Helm accepts any key
 * there and the chart silently ignores a misspelt one, so those keys are checked against the real
 * chart's values.yaml: where the chart defines a non-empty map, the release may only set keys that
 * map has. Where the chart's value is empty (`{}`, `[]`, `~`) or a scalar, the chart takes
 * anything (nodeSelector, tolerations; Longhorn lists every setting under `defaultSettings`, so
 * the settings themselves are closed). Where the schema states `additionalProperties` or
 * `patternProperties` for an object (Traefik closes its objects, and opens `ports`), the schema
 * decides and this check stays out of its way.
 */
import type { UpstreamRelease } from "../../lib/flux.ts";
import { closest } from "../../lib/distance.ts";
import { isMap, type Values } from "../../lib/merge.ts";
import { locate } from "../../lib/values-validate.ts";
import type { PathSegment } from "../../lib/yaml.ts";
import { objectRef, type Finding } from "../types.ts";

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; additionalProperties?: unknown; patternProperties?: unknown };

/** The parts of a schema node that apply ($ref followed, allOf flattened). */
function parts(node: Schema | undefined, root: Schema, depth = 0): Schema[] {
  if (!node || typeof node !== "object" || depth > 20) return [];
  const out: Schema[] = [node];
  if (typeof node.$ref === "string" && node.$ref.startsWith("#/")) {
    let target: unknown = root;
    for (const seg of node.$ref.slice(2).split("/")) target = (target as Record<string, unknown> | undefined)?.[seg];
    out.push(...parts(target as Schema, root, depth + 1));
  }
  for (const a of node.allOf ?? []) out.push(...parts(a, root, depth + 1));
  return out;
}

/** Keys of `user` the chart's `defaults` (its values.yaml) does not have, where `schema` does not decide; findings at the HelmRelease line. */
export function unknownChartKeys(u: UpstreamRelease, defaults: Values, chartLabel: string, schema?: Schema, passThrough: string[][] = []): Finding[] {
  const out: Finding[] = [];
  const root = schema ?? {};
  const walk = (user: Values, chart: Values, path: PathSegment[], node: Schema | undefined) => {
    if (passThrough.some((p) => p.join(".") === path.join("."))) return;
    const ps = parts(node, root);
    const decided = ps.some((p) => p.additionalProperties !== undefined || p.patternProperties !== undefined);
    const child = (k: string): Schema | undefined => {
      for (const p of ps) if (p.properties?.[k]) return p.properties[k];
      const ap = ps.find((p) => p.additionalProperties && typeof p.additionalProperties === "object")?.additionalProperties;
      return ap as Schema | undefined;
    };
    const known = Object.keys(chart);
    for (const [k, v] of Object.entries(user)) {
      if (!(k in chart)) {
        if (decided) continue;
        const near = closest(k, known);
        const where = locate([...path, k], u.userLayers);
        out.push({
          severity: "error",
          object: objectRef(u.hr),
          location: where,
          message: `spec.values.${[...path, k].join(".")}: unknown key ${JSON.stringify(k)}: ${chartLabel}'s values.yaml has no such key under ${path.length ? path.join(".") : "the root"}, so the chart ignores it${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}. Fix: remove it or use a key the chart has`,
        });
        continue;
      }
      const d = chart[k];
      if (isMap(v) && isMap(d) && Object.keys(d).length > 0) walk(v, d, [...path, k], child(k));
    }
  };
  walk(u.user, defaults, [], schema);
  return out;
}
