/**
 * vitest globalSetup: renders every environment of this checkout once per test run and provides
 * the result (`inject("rendered")`), so the many test files that read the same rendered objects do
 * not each run helm for every release again (test/helpers/rendered.ts). A failure to render an
 * environment is provided as its message: only the tests that need that environment fail.
 */
import type { TestProject } from "vitest/node";
import { listEnvironments } from "../../tools/lib/flux.ts";
import { resolveHelm } from "../../tools/lib/helm.ts";
import { renderEnvironment, type RenderedRelease } from "../../tools/lib/render.ts";

export type RenderedEnvironments = Record<string, { releases?: RenderedRelease[]; error?: string }>;

declare module "vitest" {
  export interface ProvidedContext {
    rendered: RenderedEnvironments;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const helm = await resolveHelm();
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
