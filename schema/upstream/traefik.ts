/**
 * The keys this cluster sets on the upstream Traefik chart (traefik/traefik-helm-chart 41.x,
 * Traefik v3), with this cluster's constraints on them. Every object is open (`[key: string]:
 * unknown`): any other key the chart accepts is allowed here, and the chart's own
 * values.schema.json, applied to the real chart by lint (tools/lib/charts.ts), rejects the keys it
 * does not know (e.g. `ports.https.tls`: TLS of an entrypoint is `ports.<name>.http.tls`).
 */
import type { IPv4, Resources } from "../common.ts";

/** One Traefik entrypoint (`ports.<name>` in the chart). */
export interface TraefikPort {
  /** Container port Traefik listens on. @TJS-type integer @minimum 1 @maximum 65535 */
  port: number;
  /** Port on the LoadBalancer Service. @TJS-type integer @minimum 1 @maximum 65535 */
  exposedPort: number;
  /** Expose the entrypoint on the Service. */
  expose: {
    /** On the default Service. @default true */
    default: boolean;
    [key: string]: unknown;
  };
  /** Port protocol. @default "TCP" */
  protocol?: "TCP" | "UDP";
  /** HTTP options of the entrypoint (TLS, a redirection to https). */
  http?: {
    /** TLS on this entrypoint (chart 41.x: `ports.<name>.http.tls`, not `ports.<name>.tls`). */
    tls?: {
      /** Terminate TLS here. */
      enabled: boolean;
      [key: string]: unknown;
    };
    /** Redirections of every request on this entrypoint. */
    redirections?: {
      /** Redirect to another entrypoint. */
      entryPoint?: {
        /** Target entrypoint name. */
        to: string;
        /** Target scheme. */
        scheme: "https";
        /** Permanent redirect. @default true */
        permanent?: boolean;
        [key: string]: unknown;
      };
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Values of the Traefik HelmRelease. */
export interface TraefikValues {
  /**
   * Entrypoints. This cluster names them `http` and `https` (the seed: the annotation values
   * `web,websecure` do not work here), so the chart's default `web` and `websecure` are removed
   * with `null` and `http`/`https` declared instead. Lint checks that the declared names equal the
   * inventory's `traefik.entrypoints`.
   */
  ports: {
    /** The chart's dashboard/API port: never exposed on the LoadBalancer. */
    traefik?: {
      /** Exposure of the port. */
      expose: {
        /** Not on the default Service. */
        default: false;
        [key: string]: unknown;
      };
      [key: string]: unknown;
    };
    /** Removed: this cluster calls it `http`. */
    web: null;
    /** Removed: this cluster calls it `https`. */
    websecure: null;
    /** Plain HTTP on port 80. */
    http: TraefikPort;
    /** HTTPS on port 443. */
    https: TraefikPort;
    [key: string]: unknown;
  };
  /** The LoadBalancer Service MetalLB gives an address. */
  service: {
    /** Fields copied into the Service spec (the chart has no `service.type`: it is `service.spec.type`). */
    spec: {
      /** Service type: MetalLB assigns the address. @default "LoadBalancer" */
      type: "LoadBalancer";
      [key: string]: unknown;
    };
    /**
     * Annotations of the Service. A fixed address is requested with MetalLB's
     * `metallb.io/loadBalancerIPs` (spec.loadBalancerIP is deprecated since Kubernetes 1.24);
     * lint checks it lies in the inventory's pool and is used once per environment.
     */
    annotations?: {
      /** The fixed address from the MetalLB pool. */
      "metallb.io/loadBalancerIPs"?: IPv4;
    };
    [key: string]: unknown;
  };
  /** The IngressClass the charts' Ingresses use. */
  ingressClass: {
    /** Create the IngressClass. */
    enabled: true;
    /** Make `traefik` the cluster's default IngressClass. */
    isDefaultClass: boolean;
    /** IngressClass name the charts' Ingresses use. @default "traefik" */
    name?: "traefik";
    [key: string]: unknown;
  };
  /** Providers: this cluster routes plain Ingress objects. */
  providers: {
    /** The Kubernetes Ingress provider. */
    kubernetesIngress: {
      /** Watch Ingress objects. */
      enabled: true;
      /** Only Ingresses of this class. */
      ingressClass?: "traefik";
      [key: string]: unknown;
    };
    /** Traefik's own CRDs (IngressRoute). */
    kubernetesCRD?: {
      /** Watch Traefik's CRDs. */
      enabled: boolean;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  /** Resources of the Traefik pod. */
  resources?: Resources;
  [key: string]: unknown;
}
