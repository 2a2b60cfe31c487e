/**
 * Lint of one upstream HelmRelease (Traefik, Longhorn, MetalLB) with the real chart:
 *   1. this repository's typed values (schema/upstream/*.ts: the seed's consts with their reasons)
 *      and the release's cross-checks against the inventory (tools/lint/environment.ts);
 *   2. the chart at the version the HelmRelease asks for (tools/lib/charts.ts: range resolved
 *      against the repository index, from the mirror, the cache or the repository);
 *   3. the chart's own values.schema.json on the coalesced values, as Helm applies it for
 *      helm-controller, errors at the HelmRelease's spec.values line; where the schema does not
 *      decide (Longhorn has none, MetalLB's is open), the keys against the chart's values.yaml;
 *   4. `helm template` with the real chart, and every rendered object against its Kubernetes/CRD
 *      schema; the objects then go through the policy gate and install-order checks like ours.
 * A chart that cannot be fetched is a WARNING naming the release and the fix.
 */
import type { Cluster } from "../../../schema/cluster.ts";
import { ChartUnavailable, chartDefaults, chartSchema, fetchChart, renderUpstream, unavailableMessage, validateChartValues } from "../../lib/charts.ts";
import type { UpstreamRelease } from "../../lib/flux.ts";
import type { Helm } from "../../lib/helm.ts";
import { validateObject } from "../../lib/k8s-validate.ts";
import type { K8sObject } from "../../lib/render.ts";
import { lintUpstream } from "../environment.ts";
import { objectRef, type Finding } from "../types.ts";
import { unknownChartKeys } from "./values-keys.ts";

/**
 * Maps a chart copies verbatim into an object (`toYaml`), so any key is valid there although the
 * chart's values.yaml has a non-empty default: Traefik's `service.spec` goes into the Service spec
 * (traefik-helm-chart templates/_service.tpl `traefik.service-spec`: `toYaml .service.spec`).
 */
const PASS_THROUGH: Record<string, string[][]> = { traefik: [["service", "spec"]] };

export interface UpstreamLint {
  findings: Finding[];
  objects?: K8sObject[];
  note: string;
}

export async function lintUpstreamRelease(u: UpstreamRelease, inventory: Cluster, helm: Helm): Promise<UpstreamLint> {
  const findings = lintUpstream(u, inventory);
  let chart;
  try {
    chart = await fetchChart({ repoUrl: u.repoUrl, chart: u.chart, range: u.version });
  } catch (err) {
    if (!(err instanceof ChartUnavailable)) throw err;
    findings.push({ severity: "warning", object: objectRef(u.hr), location: { file: u.file, ...u.doc.position(["spec", "chart", "spec", "version"]) }, message: unavailableMessage(u, err).replace(`${u.file}: `, "") });
    return { findings, note: `NOT rendered: chart ${u.chart} ${u.version} unavailable` };
  }
  const label = `${chart.name} ${chart.version}`;
  const note = `rendered with ${label} (${chart.origin})`;
  const schema = chartSchema(chart);
  const schemaErrors = [
    ...validateChartValues(u, chart).map((e): Finding => ({ severity: "error", object: objectRef(u.hr), location: { file: e.file, line: e.line, col: e.col }, message: e.detail })),
    ...unknownChartKeys(u, chartDefaults(chart), label, schema, PASS_THROUGH[u.chart] ?? []),
  ];
  findings.push(...schemaErrors);
  if (schemaErrors.length > 0) return { findings, note };
  let objects: K8sObject[];
  try {
    objects = (await renderUpstream(u, chart, helm, inventory.kubernetesVersion)).objects;
  } catch (err) {
    findings.push({ severity: "error", object: objectRef(u.hr), location: { file: u.file, ...u.doc.position(["spec", "values"]) }, message: (err as Error).message.replace(`${u.file}: `, "") });
    return { findings, note };
  }
  for (const o of objects) {
    for (const msg of await validateObject(o)) findings.push({ severity: "error", object: objectRef(o), message: `${msg} (rendered by ${label})` });
  }
  return { findings, objects, note: `${note}, ${objects.length} objects` };
}
