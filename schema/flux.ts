/**
 * The Flux HelmRelease (helm.toolkit.fluxcd.io/v2, helm-controller v1.6) as this repository
 * writes it: the fields used here, typed from the CRD's OpenAPI schema, closed so a misspelt
 * field is an error (the CRD itself would let it through and Flux would ignore it).
 * The generated per-chart editor schemas replace `spec.values` with the chart's values schema.
 */

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

/** A values reference (merged in order, before spec.values). */
export interface ValuesReference {
  kind: "ConfigMap" | "Secret";
  name: string;
  /** Key of the data holding YAML values. @default "values.yaml" */
  valuesKey?: string;
  /** Dotted path the value is set at, instead of merging at the root. */
  targetPath?: string;
  /** Do not fail when the object or key is missing. */
  optional?: boolean;
}

/** A HelmRelease of this repository. */
export interface HelmRelease {
  apiVersion: "helm.toolkit.fluxcd.io/v2";
  kind: "HelmRelease";
  metadata: {
    /** @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ */
    name: string;
    namespace: string;
    labels?: { [key: string]: string };
    annotations?: { [key: string]: string };
  };
  spec: {
    /** Reconcile interval. */
    interval: Duration;
    /** Timeout of Helm actions. */
    timeout?: Duration;
    /** Helm release name (default: metadata.name, or targetNamespace-name). */
    releaseName?: string;
    /** Namespace to install into (default: metadata.namespace). */
    targetNamespace?: string;
    /** The chart and where it comes from. */
    chart: {
      spec: {
        /** `./charts/<name>` for this repository, the chart name for a HelmRepository. */
        chart: string;
        /** Chart version range (HelmRepository sources). */
        version?: string;
        /** `Revision` rebuilds the chart on every Git revision (this repository's charts). */
        reconcileStrategy?: "ChartVersion" | "Revision";
        /** The source. */
        sourceRef: {
          kind: "GitRepository" | "HelmRepository" | "Bucket";
          name: string;
          namespace?: string;
        };
        /** Values files relative to the source root, merged in order; the chart's values.yaml only if listed. */
        valuesFiles?: string[];
        /** Chart reconcile interval. */
        interval?: Duration;
      };
    };
    /** Releases that must be ready before this one. */
    dependsOn?: DependsOn[];
    /** Install behaviour (defaults for every release come from the kustomization patch). */
    install?: {
      remediation?: Remediation;
      crds?: "Skip" | "Create" | "CreateReplace";
      createNamespace?: boolean;
      timeout?: Duration;
    };
    /** Upgrade behaviour. */
    upgrade?: {
      remediation?: UpgradeRemediation;
      crds?: "Skip" | "Create" | "CreateReplace";
      cleanupOnFail?: boolean;
      /** Recreate resources when an update is rejected (delete + create: downtime, PVC data at risk). */
      force?: boolean;
      timeout?: Duration;
    };
    /** Drift detection, enabled per release with ignore rules. */
    driftDetection?: {
      mode?: "enabled" | "warn" | "disabled";
      ignore?: { paths: string[]; target?: { kind?: string; name?: string; namespace?: string } }[];
    };
    /** Values references. */
    valuesFrom?: ValuesReference[];
    /** Inline values, merged last. */
    values?: { [key: string]: unknown };
    /** Suspend reconciliation. */
    suspend?: boolean;
    /** Number of release revisions kept. @TJS-type integer @minimum 0 */
    maxHistory?: number;
  };
}

/** A Git source (source.toolkit.fluxcd.io/v1): this repository. */
export interface GitRepository {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "GitRepository";
  metadata: { name: string; namespace: string };
  spec: {
    /** Poll interval. */
    interval: Duration;
    /** Clone URL. @examples ["ssh://git@git.home.example/homelab/media-charts.git"] */
    url: string;
    /** What to check out. */
    ref: { branch?: string; tag?: string; semver?: string; commit?: string };
    /** Deploy key Secret (created outside Git). */
    secretRef?: { name: string };
    /** Files to leave out of the artifact (.sourceignore syntax). */
    ignore?: string;
  };
}

/** A Helm chart repository (source.toolkit.fluxcd.io/v1). */
export interface HelmRepository {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "HelmRepository";
  metadata: { name: string; namespace: string };
  spec: {
    /** Index refresh interval. */
    interval: Duration;
    /** Repository URL (HTTPS index, or oci:// with type oci). @examples ["https://charts.longhorn.io"] */
    url: string;
    /** Repository type. @default "default" */
    type?: "default" | "oci";
  };
}
