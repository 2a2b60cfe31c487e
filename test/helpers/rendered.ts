/**
 * renderEnvironment for tests: for this checkout with the default helm, the environment as
 * test/setup/render-once.ts rendered it at the start of the run (a fresh deep copy per call, so a
 * test may change what it gets); with another root or helm, a real render.
 */
import { inject } from "vitest";
import { renderEnvironment, type RenderedRelease, type RenderOptions } from "../../tools/lib/render.ts";

export async function renderedEnvironment(env: string, opts: RenderOptions = {}): Promise<RenderedRelease[]> {
  if (opts.root !== undefined || opts.helm !== undefined) return renderEnvironment(env, opts);
  const provided = inject("rendered")?.[env];
  if (!provided) return renderEnvironment(env, opts);
  if (provided.error !== undefined) throw new Error(provided.error);
  return structuredClone(provided.releases!.filter((r) => (!opts.chart || r.chart === opts.chart) && !(opts.noUpstream && r.upstream)));
}
