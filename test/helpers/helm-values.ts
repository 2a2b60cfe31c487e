/**
 * How helm itself reads a values file: a one-template chart that prints `toJson .Values`, rendered
 * with `-f` by the project's helm (which decodes values files with sigs.k8s.io/yaml, as Flux's
 * source-controller does for valuesFiles).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { resolveHelm, runHelm } from "../../tools/lib/helm.ts";
import { parseManifest } from "../../tools/lib/render.ts";

/** The values helm reads from each text (in order), as the JSON `toJson` printed. */
export async function valuesAsHelmReadsThem(texts: readonly string[]): Promise<string[]> {
  const helm = await resolveHelm();
  const dir = mkdtempSync(join(tmpdir(), "helm-values-"));
  try {
    writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: v\nversion: 0.1.0\n");
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  values: {{ toJson .Values | quote }}\n");
    const out: string[] = [];
    for (const [i, text] of texts.entries()) {
      writeFileSync(join(dir, `v${i}.yaml`), text);
      const res = await runHelm(helm, ["template", "v", dir, "-f", join(dir, `v${i}.yaml`)]);
      expect(res.exitCode, res.stderr).toBe(0);
      out.push((parseManifest(res.stdout, "helm template")[0].data as { values: string }).values);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
