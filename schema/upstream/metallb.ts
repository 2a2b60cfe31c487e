/**
 * The keys this cluster sets on the upstream MetalLB chart (metallb/metallb 0.16.x), L2 mode.
 * Only these keys are allowed; key names from the chart's values.yaml.
 */

/** Values of the MetalLB HelmRelease. */
export interface MetallbValues {
  /** The speaker DaemonSet that answers ARP for the pool's addresses. */
  speaker: {
    /** @default true */
    enabled: true;
    /** Run the speaker on the control-plane node too (k3s cp1 may own the address). @default true */
    tolerateMaster?: boolean;
    /**
     * Extra tolerations, so the speaker also runs on the tainted Longhorn storage nodes (w1, w2)
     * and can announce from them.
     */
    tolerations?: { key: string; operator: "Equal" | "Exists"; value?: string; effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule" }[];
    /** Speaker log level. @default "info" */
    logLevel?: "all" | "debug" | "info" | "warn" | "error" | "none";
  };
  /** The controller that assigns addresses. */
  controller?: {
    /** Controller log level. @default "info" */
    logLevel?: "all" | "debug" | "info" | "warn" | "error" | "none";
  };
}
