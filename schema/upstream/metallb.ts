/**
 * The keys this cluster sets on the upstream MetalLB chart (metallb/metallb 0.16.x), L2 mode, with
 * this cluster's constraints. Open objects: every other key the chart accepts is allowed here, and
 * the chart's own values.schema.json (applied by lint to the real chart) rejects unknown ones.
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
    [key: string]: unknown;
  };
  /** The controller that assigns addresses. */
  controller?: {
    /** Controller log level. @default "info" */
    logLevel?: "all" | "debug" | "info" | "warn" | "error" | "none";
    [key: string]: unknown;
  };
  /**
   * The frr-k8s BGP backend, off. Chart 0.16 turns it on by default (`frrk8s.enabled: true`): a
   * host-network DaemonSet with NET_ADMIN, NET_RAW and SYS_ADMIN that only BGP mode uses; this
   * cluster announces in L2 mode (seed: "MetalLB L2"), so it would only add privileged pods.
   */
  frrk8s: {
    /** No FRR backend in L2 mode. */
    enabled: false;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}
