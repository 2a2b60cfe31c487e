/**
 * The keys this cluster sets on the upstream MetalLB chart (metallb/metallb 0.16.x), L2 mode.
 * Only these keys are allowed; key names from the chart's values.yaml.
 */

/** A pod toleration, as in the Pod spec. */
export interface Toleration {
  /** Taint key. */
  key: string;
  /** `Equal` matches key and value, `Exists` the key alone. */
  operator: "Equal" | "Exists";
  /** Taint value (with Equal). */
  value?: string;
  /** Taint effect. */
  effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
}

/** Values of the MetalLB HelmRelease. */
export interface MetallbValues {
  /** The speaker DaemonSet that answers ARP for the pool's addresses. */
  speaker: {
    /** Run the speaker (L2 mode needs it). @default true */
    enabled: true;
    /** Run the speaker on the control-plane node too (k3s cp1 may own the address). @default true */
    tolerateMaster?: boolean;
    /**
     * Extra tolerations, so the speaker also runs on the tainted Longhorn storage nodes (w1, w2)
     * and can announce from them.
     */
    tolerations?: Toleration[];
    /** Speaker log level. @default "info" */
    logLevel?: "all" | "debug" | "info" | "warn" | "error" | "none";
  };
  /** The controller that assigns addresses. */
  controller?: {
    /** Controller log level. @default "info" */
    logLevel?: "all" | "debug" | "info" | "warn" | "error" | "none";
  };
}
