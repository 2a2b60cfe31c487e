/**
 * The Flux HelmRelease (helm.toolkit.fluxcd.io/v2, helm-controller v1.6) as this repository
 * writes it: the fields used here, typed from the CRD's OpenAPI schema, closed so a misspelt
 * field is an error (the CRD itself would let it through and Flux would ignore it).
 * The generated per-chart editor schemas replace `spec.values` with the chart's values schema.
 */
import type { IComGithubFluxcdHelmControllerApiV2HelmReleaseSpec } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmReleaseSpec";
import type { IComGithubFluxcdKustomizeControllerApiV1KustomizationSpec } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/KustomizationSpec";
import type { ObjectMeta } from "./common.ts";

/** A Go duration as Flux takes it. @pattern ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$ @examples ["10m"] */
export type Duration = string;

/** Remediation of a failed install or upgrade. */
export interface Remediation {
  /** Retries before giving up (-1 for unlimited). @TJS-type integer @minimum -1 */
  retries?: number;
  /** Remediate the last failure when retries are exhausted. */
  remediateLastFailure?: boolean;
  /** Ignore test failures when deciding on remediation. */
  ignoreTestFailures?: boolean;
}

/** Remediation of a failed upgrade. */
export interface UpgradeRemediation extends Remediation {
  /** What remediation does. @default "rollback" */
  strategy?: "rollback" | "uninstall";
}

/** A dependency that must be ready first. */
export interface DependsOn {
  /** HelmRelease name. */
  name: string;
  /** HelmRelease namespace (default: this one). */
  namespace?: string;
}

/** Paths drift detection ignores. */
export interface DriftIgnore {
  /** JSON pointers, e.g. /spec/replicas. */
  paths: string[];
  /** Objects the rule applies to (default: all of the release). */
  target?: {
    /** Object kind. */
    kind?: string;
    /** Object name. */
    name?: string;
    /** Object namespace. */
    namespace?: string;
  };
}

/** A values reference (merged in order, before spec.values). */
export interface ValuesReference {
  /** Kind of the object holding the values. */
  kind: "ConfigMap" | "Secret";
  /** Name of the object, in the HelmRelease's namespace. */
  name: string;
  /** Key of the data holding YAML values. @default "values.yaml" */
  valuesKey?: string;
  /** Dotted path the value is set at, instead of merging at the root. */
  targetPath?: string;
  /** Do not fail when the object or key is missing. */
  optional?: boolean;
}

/**
 * A HelmRelease: the whole helm-controller v2 spec, from the types @kubernetes-models/flux-cd
 * generates from the Flux CRDs (pinned in package.json), so every field helm-controller has
 * (install.strategy, upgrade.strategy, disableWait, waitStrategy, ...) is accepted and a misspelt
 * one is an error (the schema is closed; the CRD itself would let it through and Flux ignore it).
 * `spec.values` is left open here: the chart's own schema types it.
 */
export interface HelmRelease {
  /** API version of Flux's helm-controller. */
  apiVersion: "helm.toolkit.fluxcd.io/v2";
  /** Object kind. */
  kind: "HelmRelease";
  /** Object metadata. */
  metadata: ObjectMeta;
  /** The desired release (helm-controller api/v2 HelmReleaseSpec). */
  spec: HelmReleaseSpec;
}

/** helm-controller's HelmReleaseSpec with `values` open (typed per chart elsewhere). */
export type HelmReleaseSpec = Omit<IComGithubFluxcdHelmControllerApiV2HelmReleaseSpec, "values"> & {
  /** Inline values, merged last. */
  values?: { [key: string]: unknown };
};

/** kustomize-controller's KustomizationSpec (kustomize.toolkit.fluxcd.io/v1), from the same generated types. */
export type KustomizationSpec = IComGithubFluxcdKustomizeControllerApiV1KustomizationSpec;

/** A Git source (source.toolkit.fluxcd.io/v1): this repository. */
export interface GitRepository {
  /** API version of Flux's source-controller. */
  apiVersion: "source.toolkit.fluxcd.io/v1";
  /** Object kind. */
  kind: "GitRepository";
  /** Object metadata. */
  metadata: ObjectMeta;
  /** The repository to follow. */
  spec: {
    /** Poll interval. */
    interval: Duration;
    /** Clone URL. @examples ["ssh://git@git.home.example/homelab/media-charts.git"] */
    url: string;
    /** What to check out. */
    ref: {
      /** Branch to follow. */
      branch?: string;
      /** Tag to check out. */
      tag?: string;
      /** Semver range of tags. */
      semver?: string;
      /** Exact commit. */
      commit?: string;
    };
    /** Deploy key Secret (created outside Git). */
    secretRef?: {
      /** Secret name in the GitRepository's namespace. */
      name: string;
    };
    /** Files to leave out of the artifact (.sourceignore syntax). */
    ignore?: string;
  };
}

/** A Helm chart repository (source.toolkit.fluxcd.io/v1). */
export interface HelmRepository {
  /** API version of Flux's source-controller. */
  apiVersion: "source.toolkit.fluxcd.io/v1";
  /** Object kind. */
  kind: "HelmRepository";
  /** Object metadata. */
  metadata: ObjectMeta;
  /** The repository. */
  spec: {
    /** Index refresh interval. */
    interval: Duration;
    /** Repository URL (HTTPS index, or oci:// with type oci). @examples ["https://charts.longhorn.io"] */
    url: string;
    /** Repository type. @default "default" */
    type?: "default" | "oci";
  };
}
