/**
 * The MetalLB custom resources this repository declares (metallb.io/v1beta1), typed from the
 * CRDs' OpenAPI schemas (metallb 0.16): only the fields used here, so an unknown field is an
 * error. Lint validates clusters/<env>/ objects of these kinds against the generated schemas.
 */
import type { ObjectMeta } from "../common.ts";

/** A pool of addresses MetalLB hands to LoadBalancer Services. */
export interface IPAddressPool {
  /** MetalLB's API version. */
  apiVersion: "metallb.io/v1beta1";
  /** Object kind. */
  kind: "IPAddressPool";
  /** Object metadata. */
  metadata: ObjectMeta;
  /** The pool. */
  spec: {
    /**
     * Address ranges (`a.b.c.d-a.b.c.e` or CIDR). Must equal the inventory's `metallb.addresses`.
     * @minItems 1
     */
    addresses: string[];
    /** Assign addresses automatically. @default true */
    autoAssign?: boolean;
    /** Skip .0 and .255 addresses. @default false */
    avoidBuggyIPs?: boolean;
  };
}

/** Announces pools over L2 (ARP). */
export interface L2Advertisement {
  /** MetalLB's API version. */
  apiVersion: "metallb.io/v1beta1";
  /** Object kind. */
  kind: "L2Advertisement";
  /** Object metadata. */
  metadata: ObjectMeta;
  /** What to announce, from where. */
  spec?: {
    /** Pools announced; all pools when unset. */
    ipAddressPools?: string[];
    /** Interfaces to announce from; all when unset. */
    interfaces?: string[];
  };
}
