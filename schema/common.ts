/**
 * Building blocks shared by the charts' values types. Each is defined once, here; the chart
 * types in schema/<chart>.ts compose them. JSDoc on every field becomes the JSON schema's
 * description/default/examples and the chart README's values table.
 */

/**
 * A Kubernetes resource quantity such as `10Gi`, `500m` or `1`.
 * @pattern ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$
 * @examples ["10Gi", "500m"]
 */
export type Quantity = string;

/**
 * An IPv4 address.
 * @format ipv4
 * @examples ["192.168.1.12"]
 */
export type IPv4 = string;

/**
 * An absolute path on a host or in a container.
 * @pattern ^/([^/\0]+/?)*$
 */
export type AbsolutePath = string;

/** A container image, optionally pinned to a digest. */
export interface Image {
  /**
   * Image repository, without tag.
   * @examples ["cy01/blackhole", "lscr.io/linuxserver/sonarr"]
   * @pattern ^[a-z0-9]+([._/:-][a-z0-9]+)*$
   */
  repository: string;
  /**
   * Image tag. `latest` is rejected by the policy gate unless the environment's allowlist names
   * the workload as an exception.
   * @pattern ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$
   * @examples ["4.0.14", "beta"]
   */
  tag: string;
  /**
   * Digest that pins the exact image (rendered as `repository:tag@digest`). Set to `null` to unset.
   * @pattern ^sha256:[a-f0-9]{64}$
   * @default null
   */
  digest?: string | null;
  /**
   * When the kubelet pulls the image.
   * @default "IfNotPresent"
   */
  pullPolicy?: "Always" | "IfNotPresent" | "Never";
}

/**
 * Compute resources of a container. Requests are required (the policy gate checks every
 * container); limits are left to the operator.
 */
export interface Resources {
  /** Resources the scheduler reserves for the container. */
  requests: {
    /** CPU request. @examples ["100m"] */
    cpu?: Quantity | number;
    /** Memory request. @examples ["256Mi"] */
    memory?: Quantity;
  };
  /** Optional limits; unset by default. */
  limits?: {
    /** CPU limit. */
    cpu?: Quantity | number;
    /** Memory limit. */
    memory?: Quantity;
    /** GPUs, e.g. `nvidia.com/gpu: 1`. */
    "nvidia.com/gpu"?: number;
  } | null;
}

/**
 * The seed's active-passive placement for stateful pods (ARCHITECTURE-DECISIONS.md, "HA
 * Strategy"): required `node.longhorn.io/storage In [enabled]`, preferred (weight 100)
 * `node.longhorn.io/primary In ["true"]`, tolerations for the storage taint and for
 * unreachable/not-ready NoExecute. The pattern itself is rendered by the chart's
 * `<chart>.placement.storage` helper, generated from tools/templates/shared.tpl.
 */
export interface StoragePlacement {
  /**
   * Seconds a pod stays bound to an unreachable or not-ready node before the taint manager
   * evicts it. The seed's failover (~60 s total) relies on 30 s; below 5 s a short network blip
   * would evict, above 300 s it is slower than Kubernetes' own default.
   * @minimum 5
   * @maximum 300
   * @TJS-type integer
   * @default 30
   */
  tolerationSeconds?: number;
}

/** A Longhorn-backed PersistentVolumeClaim. */
export interface Volume {
  /**
   * Requested size.
   * @default "1Gi"
   */
  size: Quantity;
  /**
   * StorageClass of the claim (the longhorn-config chart provides `longhorn` and `longhorn-rwx`).
   * @default "longhorn"
   */
  storageClass?: "longhorn" | "longhorn-rwx";
}

/** The volume joins a recurring-job group of charts/longhorn-config that backs it up. */
export interface BackupGroup {
  /**
   * Group name (`recurring-job-group.longhorn.io/<group>` on the PVC). Lint checks that a job
   * with task `backup` of the environment's longhorn-config has the group.
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   * @examples ["config"]
   */
  group: string;
}

/** The volume holds nothing worth keeping: no recurring job touches it. */
export interface BackupScratch {
  /**
   * Why losing it is harmless (shown on the PVC as `homelab-media/backup-scratch`).
   * @minLength 10
   * @examples ["transcode segments, rewritten by every playback"]
   */
  scratch: string;
}

/**
 * Longhorn recurring jobs of a volume: a backed-up group, or scratch with a reason. Rendered as
 * the PVC's recurring-job labels (see charts/longhorn-config README, "Backups").
 */
export type VolumeBackup = BackupGroup | BackupScratch;

/** An NFS export mounted into pods (the Unraid media library). */
export interface NfsMount {
  /** NFS server address. It must be the inventory's Unraid server. */
  server: IPv4;
  /**
   * Exported path on the server.
   * @examples ["/mnt/user/media"]
   */
  path: AbsolutePath;
  /**
   * Mount read-only. The media library is bulk data, shared read-only unless an app must write.
   * @default true
   */
  readOnly?: boolean;
}

/** An extra volume mount from an existing PVC or an NFS export. Samba/SMB/CIFS is not offered (rejected in the seed). */
export interface ExtraMount {
  /** Mount path in the container. */
  mountPath: AbsolutePath;
  /** Name of an existing PersistentVolumeClaim in the release namespace. */
  existingClaim?: string;
  /** An NFS export instead of a claim. */
  nfs?: NfsMount;
  /** Mount read-only. @default false */
  readOnly?: boolean;
  /** Sub-path inside the volume. */
  subPath?: string;
}

/** An Ingress through Traefik. */
export interface Ingress {
  /** Create the Ingress. @default true */
  enabled?: boolean;
  /**
   * Host name the app is served on: a lowercase DNS name (Ingress hosts must be; the editor does
   * not implement `format: hostname`, so this is a pattern both the editor and lint apply; no
   * lookahead: helm validates with Go's RE2, which has none).
   * @pattern ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$
   * @maxLength 253
   * @examples ["sonarr.home.example"]
   */
  host: string;
  /**
   * Traefik entrypoints (`traefik.ingress.kubernetes.io/router.entrypoints`). They must be
   * declared by the environment's inventory; this cluster's Traefik names them `http` and
   * `https` (the seed: `web,websecure` does not work here). Only `https` by default: Traefik's
   * `http` entrypoint redirects every request to https, so a router on it would never receive one
   * (docs/decisions.md "Chart conventions"; lint rejects it). The router terminates TLS
   * (`router.tls`), with `tlsSecretName`'s certificate or Traefik's default one.
   * @default ["https"]
   * @minItems 1
   */
  entrypoints?: string[];
  /** IngressClass. @default "traefik" */
  className?: string;
  /** Name of a TLS Secret for the host; unset for no TLS section. @default null */
  tlsSecretName?: string | null;
}

/** Identity the linuxserver-style images switch to (they start as root and drop to PUID/PGID). */
export interface LinuxServerIds {
  /** User id the app runs as. @default 1000 @TJS-type integer @minimum 0 */
  PUID?: number;
  /** Group id the app runs as. @default 1000 @TJS-type integer @minimum 0 */
  PGID?: number;
  /** File mode creation mask. @default "002" @pattern ^[0-7]{3,4}$ */
  UMASK?: string;
  /** Time zone. @default "Etc/UTC" @examples ["Europe/Berlin"] */
  TZ?: string;
}

/** Environment variables as a name → value map. */
export interface EnvMap {
  [name: string]: string;
}

/** Metadata of an object written in this repository (Flux objects, MetalLB's pool). */
export interface ObjectMeta {
  /** Object name. @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ */
  name: string;
  /** Namespace of the object. */
  namespace: string;
  /** Labels. */
  labels?: { [key: string]: string };
  /** Annotations. */
  annotations?: { [key: string]: string };
}
