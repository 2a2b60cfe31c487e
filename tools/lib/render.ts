/**
 * Rendering environments exactly as Flux would: see renderEnvironment.
 * (Stub: the implementation lands with the Flux profile discovery.)
 */

/** One Kubernetes object as helm rendered it (API JSON form). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What one HelmRelease renders to. */
export interface RenderedRelease {
  /** Environment name (directory under clusters/). */
  env: string;
  /** Helm release name as Flux computes it. */
  release: string;
  /** Target namespace of the release. */
  namespace: string;
  /** Chart name (directory under charts/). */
  chart: string;
  /** The HelmRelease manifest file, relative to the repo root. */
  source: string;
  /** The rendered objects, in helm's output order, with metadata.namespace filled in. */
  objects: K8sObject[];
}

export interface RenderOptions {
  /** Only releases of this chart. */
  chart?: string;
  /** Repository root to render from (default: this checkout). */
  root?: string;
}

/** Renders every HelmRelease of our charts in clusters/<env>/ with helm template. */
export async function renderEnvironment(env: string, opts: RenderOptions = {}): Promise<RenderedRelease[]> {
  throw new Error(`renderEnvironment(${env}, ${JSON.stringify(opts)}) is not implemented yet`);
}
