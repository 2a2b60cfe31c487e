/**
 * vitest globalSetup: renders every environment of this checkout once per test run and provides
 * the result (`inject("rendered")`), so the many test files that read the same rendered objects do
 * not each run helm for every release again (test/helpers/rendered.ts). A failure to render an
 * environment is provided as its message: only the tests that need that environment fail.
 *
 * It also builds the closed Kubernetes schemas of tools/lib/k8s-strict.ts before the workers
 * start: on a fresh clone every worker would otherwise build them at the same time (the
 * TypeScript compiler over kubernetes-models' declarations, ~4 s of CPU each; issue 18).
 */
import type { TestProject } from "vitest/node";
import { listEnvironments } from "../../tools/lib/flux.ts";
import { resolveHelm } from "../../tools/lib/helm.ts";
import { strictValidators } from "../../tools/lib/k8s-strict.ts";
import { renderEnvironment, type RenderedRelease } from "../../tools/lib/render.ts";

export type RenderedEnvironments = Record<string, { releases?: RenderedRelease[]; error?: string }>;

declare module "vitest" {
  export interface ProvidedContext {
    rendered: RenderedEnvironments;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const helm = await resolveHelm();
  try {
    strictValidators();
  } catch {
    // the tests that validate rendered objects report it
  }
  const rendered: RenderedEnvironments = {};
  for (const env of listEnvironments()) {
    try {
      rendered[env] = { releases: (await renderEnvironment(env, { helm })).map(({ manifest: _manifest, ...r }) => r) };
    } catch (err) {
      rendered[env] = { error: (err as Error).message };
    }
  }
  project.provide("rendered", rendered);
}
