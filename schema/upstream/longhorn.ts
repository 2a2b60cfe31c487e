/**
 * Values of the upstream Longhorn chart 1.12.x (`longhorn` from https://charts.longhorn.io), as
 * this cluster sets them inline in clusters/<env>/infrastructure/longhorn.yaml (`spec.values`).
 *
 * The keys this cluster sets are typed (the seed's non-negotiables as `const`, with their reasons);
 * every other key the chart accepts is allowed (`[key: string]: unknown`, e.g.
 * `defaultSettings.storageOverProvisioningPercentage`). The chart has no values.schema.json, so
 * lint closes these objects against the real chart's values.yaml instead (tools/lint/upstream/
 * values-keys.ts): a key the chart does not have is an error there, with the nearest real key.
 * Key names and allowed values follow the chart's values.yaml and questions.yaml at tag v1.12.1. The seed's
 * non-negotiable 2-node settings (ARCHITECTURE-DECISIONS.md, "Storage Backend" and "HA Strategy")
 * are `const`: the only value that differs between environments is the replica count, which must
 * equal the number of storage nodes in the environment's inventory (2 on homelab, 1 on staging);
 * tools/lint/upstream/longhorn.ts checks it against values/<env>/cluster.yaml.
 */

/**
 * Longhorn's per-data-engine replica count, a JSON string as chart 1.12 documents it for
 * `defaultSettings.defaultReplicaCount` (upstream default `{"v1":"3","v2":"3"}`), with the same
 * count for both data engines. The schema only fixes the form; the count itself follows from the
 * inventory (2 on homelab, the seed's `defaultReplicaCount: 2`; 1 on staging), which
 * tools/lint/upstream/longhorn.ts checks with the seed's reason in its message. 3 stays valid
 * here so that "3 replicas on 2 storage nodes" reaches that check instead of a bare enum error.
 */
export type PerDataEngineReplicaCount = '{"v1":"1","v2":"1"}' | '{"v1":"2","v2":"2"}' | '{"v1":"3","v2":"3"}';

/** The storage taint every storage node carries (seed runbook, step 3), tolerated by Longhorn's user-deployed components. */
export interface StorageToleration {
  /** Taint key. */
  key: "node.longhorn.io/storage";
  /** `Equal`: only the seed's value is tolerated. */
  operator: "Equal";
  /** Taint value. */
  value: "enabled";
  /** Taint effect. */
  effect: "NoSchedule";
}

/** The storage node label: w1 and w2 on homelab, where the replicas and share managers live. */
export interface StorageNodeSelector {
  /** Nodes labelled `node.longhorn.io/storage=enabled` (w1, w2 on homelab). */
  "node.longhorn.io/storage": "enabled";
}

/**
 * The label of every node that runs a pod with a Longhorn volume (w1, w2 and the GPU node w3 on
 * homelab; the runbook sets it). Longhorn's manager, CSI plugin, instance managers and engine
 * image must run on each of them: the CSI plugin attaches and mounts the volume on the pod's node
 * (longhorn-manager csi/node_server.go), the node's instance manager runs its engine, and the
 * node's longhorn-manager owns that instance manager. This corrects the seed, whose storage-label
 * selector kept all of them off w3 (docs/decisions.md#longhorn-placement).
 */
export interface LonghornNodeSelector {
  /** Nodes labelled `node.longhorn.io/csi=enabled`. */
  "node.longhorn.io/csi": "enabled";
}

/**
 * Placement of the Longhorn UI: on the storage nodes (it uses no volume, any node would do).
 * A per-component `nodeSelector` / `tolerations` REPLACES `global.nodeSelector` /
 * `global.tolerations`; the chart does not merge them (chart/templates/deployment-driver.yaml:
 * `default .Values.global.tolerations .Values.longhornDriver.tolerations`). So every component
 * states the full placement itself, and `global` is not used.
 */
export interface StoragePlacedComponent {
  /** Run only on storage nodes. Replaces `global.nodeSelector` for this component. */
  nodeSelector: StorageNodeSelector;
  /**
   * Tolerate the storage taint. Replaces `global.tolerations` for this component.
   * @minItems 1
   * @maxItems 1
   */
  tolerations: StorageToleration[];
  /** Any other key of the component the chart has (replicas, priorityClass, ...). */
  [key: string]: unknown;
}

/**
 * Placement of longhorn-manager and the driver deployer: on every Longhorn node (the same label
 * as `systemManagedComponentsNodeSelector`, as Longhorn's "Node Selector" docs require: user-
 * deployed components first, system-managed ones on the same nodes), tolerating the storage taint.
 */
export interface LonghornPlacedComponent {
  /** Run on the nodes labelled `node.longhorn.io/csi=enabled`. Replaces `global.nodeSelector` for this component. */
  nodeSelector: LonghornNodeSelector;
  /**
   * Tolerate the taints of those nodes (the storage taint of w1/w2). Replaces `global.tolerations`.
   * Lint checks that every NoSchedule/NoExecute taint of every selected node is tolerated.
   * @minItems 1
   */
  tolerations: LonghornToleration[];
}

/** A toleration of a Longhorn node's taint (the storage taint, or a taint an operator puts on the GPU node). */
export interface LonghornToleration {
  /** Taint key. */
  key: string;
  /** `Equal` matches the value, `Exists` any value. */
  operator: "Equal" | "Exists";
  /** Taint value (with `Equal`). */
  value?: string;
  /** Taint effect. */
  effect: "NoSchedule" | "NoExecute";
}

/** `defaultSettings`: rendered by the chart into the `longhorn-default-setting` ConfigMap. */
export interface LonghornDefaultSettings {
  /**
   * Replica Node Level Soft Anti-Affinity. Seed: "Must be false; true prevents replica scheduling
   * on 2 nodes" — with `false` each replica of a volume goes to a different node, so the 2
   * replicas live on w1 and w2 and survive the loss of either.
   */
  replicaSoftAntiAffinity: false;
  /**
   * Default replica count of volumes created in the Longhorn UI, per data engine (JSON string, the
   * 1.12 form). Seed: `defaultReplicaCount: 2` on the 2 storage nodes; staging, with one storage
   * node, uses 1. Lint fails when it exceeds the inventory's storage nodes while
   * replicaSoftAntiAffinity is false (volumes would stay degraded).
   * @examples ["{\"v1\":\"2\",\"v2\":\"2\"}"]
   */
  defaultReplicaCount: PerDataEngineReplicaCount;
  /**
   * Pod Deletion Policy When Node is Down. Seed ("HA Strategy", failover step 1): "w1 goes down →
   * Longhorn force-deletes stuck pod (nodeDownPodDeletionPolicy:
   * delete-both-statefulset-and-deployment-pod)"; without it the pod stays Terminating on the
   * dead node and its volume never reattaches on w2.
   */
  nodeDownPodDeletionPolicy: "delete-both-statefulset-and-deployment-pod";
  /**
   * Node selector of the system-managed components (CSI plugin and CSI sidecars, instance
   * managers, engine images, share managers), in Longhorn's `key:value` form: every node that runs
   * a pod with a Longhorn volume (longhorn-manager app/driver.go, controller/
   * instance_manager_controller.go, controller/engine_image_controller.go read this setting).
   * The seed's `node.longhorn.io/storage:enabled` ("Prevents share-manager landing on cp1") also
   * kept the CSI plugin off the GPU node w3; the share managers stay on the storage nodes through
   * the RWX StorageClass's `shareManagerNodeSelector` instead (charts/longhorn-config), which
   * longhorn-manager merges into this selector (controller/share_manager_controller.go). Changed
   * only while every volume is detached (docs/decisions.md#longhorn-placement).
   */
  systemManagedComponentsNodeSelector: "node.longhorn.io/csi:enabled";
  /**
   * Toleration of the system-managed components, in `kubectl taint` syntax (`;`-separated). It
   * must tolerate every NoSchedule/NoExecute taint of every Longhorn node: the storage nodes carry
   * `node.longhorn.io/storage=enabled:NoSchedule` (seed runbook, step 3); a taint added to the GPU
   * node must be added here too, or no CSI plugin runs there. Lint checks it against the inventory.
   * @pattern ^\s*[^=:;\s]*(=[^:;]*)?:(NoSchedule|PreferNoSchedule|NoExecute)?\s*(;\s*[^=:;\s]*(=[^:;]*)?:(NoSchedule|PreferNoSchedule|NoExecute)?\s*)*$
   * @examples ["node.longhorn.io/storage=enabled:NoSchedule"]
   */
  taintToleration: string;
  /**
   * Create the default disk only on nodes labelled `node.longhorn.io/create-default-disk=true`.
   * Seed: that label "triggers disk creation (requires createDefaultDiskLabeledNodes: true in
   * HelmRelease)".
   */
  createDefaultDiskLabeledNodes: true;
  /**
   * Node Drain Policy: what Longhorn does when `kubectl drain` meets a node holding the last
   * healthy replica of a volume (longhorn-manager types/setting.go, instance_manager_controller.go
   * canDeleteInstanceManagerPDB). Unset: Longhorn's default `block-if-contains-last-replica`,
   * right for two replicas on two storage nodes (a drain waits while the other node's replica is
   * unhealthy). One storage node: `allow-if-replica-is-stopped` (Longhorn: "Select this option if
   * you want to drain the node and do in-place upgrade/maintenance"); `block-for-eviction` can
   * never finish on two nodes (replicas have nowhere to go). `npm run simulate -- --scenario
   * drain-w1` shows the effect.
   */
  nodeDrainPolicy?: "block-if-contains-last-replica" | "allow-if-replica-is-stopped" | "block-for-eviction-if-contains-last-replica" | "block-for-eviction" | "always-allow";
  /**
   * Replica Replenishment Wait Interval (seconds, Longhorn default 600): how long Longhorn waits
   * for a failed replica's node to return, to reuse its data, before rebuilding elsewhere.
   * @TJS-type integer
   * @minimum 0
   */
  replicaReplenishmentWaitInterval?: number;
  /** Any other key of the chart's `defaultSettings` / values (checked against its values.yaml). */
  [key: string]: unknown;
}

/** `persistence`: the chart's own StorageClass, which this cluster does not use. */
export interface LonghornPersistence {
  /**
   * Do not create the chart's StorageClass ConfigMap (`longhorn-storageclass`). longhorn-manager
   * turns that ConfigMap into a StorageClass named `longhorn` and deletes and recreates any
   * `longhorn` StorageClass without its `longhorn.io/last-applied-configmap` annotation
   * (longhorn-manager controller/kubernetes_configmap_controller.go), which would fight the
   * `longhorn` class of charts/longhorn-config.
   */
  createStorageClass: false;
  /**
   * Not the default class: charts/longhorn-config's `longhorn` is. Kept false so that
   * re-enabling createStorageClass cannot produce a second default StorageClass.
   */
  defaultClass: false;
  /**
   * Replica count of the chart's StorageClass (unused while createStorageClass is false). Kept
   * equal to defaultSettings.defaultReplicaCount: 2 on homelab (seed), 1 on staging; lint checks
   * it against the inventory (more than there are storage nodes fails there, quoting the seed).
   * @TJS-type integer
   * @minimum 1
   * @maximum 3
   */
  defaultClassReplicaCount: 1 | 2 | 3;
  /** Any other key of the chart's `defaultSettings` / values (checked against its values.yaml). */
  [key: string]: unknown;
}

/** charts.longhorn.io `longhorn` 1.12.x values this cluster sets (`spec.values` of the HelmRelease). */
export interface LonghornValues {
  /** Longhorn settings applied through the `longhorn-default-setting` ConfigMap. */
  defaultSettings: LonghornDefaultSettings;
  /** The chart's StorageClass: off, charts/longhorn-config owns `longhorn` and `longhorn-rwx`. */
  persistence: LonghornPersistence;
  /** The chart's pre-upgrade hook Job. */
  preUpgradeChecker: {
    /**
     * Off: the chart says "Disable this setting when installing Longhorn using Argo CD or other
     * GitOps solutions" (values.yaml 1.12.1). Its pre-upgrade hook would run on every Flux
     * upgrade, including the first install where there is nothing to check.
     */
    jobEnabled: false;
    [key: string]: unknown;
  };
  /** longhorn-manager DaemonSet: on every Longhorn node (`node.longhorn.io/csi=enabled`), tolerating their taints. */
  longhornManager: LonghornPlacedComponent;
  /** longhorn-driver-deployer Deployment: on the Longhorn nodes, like the CSI components it deploys. */
  longhornDriver: LonghornPlacedComponent;
  /** longhorn-ui Deployment: on the storage nodes, tolerating the storage taint. */
  longhornUI: StoragePlacedComponent;
  /** Any other key of the chart's `defaultSettings` / values (checked against its values.yaml). */
  [key: string]: unknown;
}

/**
 * `defaultSettings` on homelab (two storage nodes, w1 and w2): every non-negotiable is a `const`,
 * the replica count included.
 */
export interface HomelabLonghornDefaultSettings extends LonghornDefaultSettings {
  /**
   * Default replica count per data engine, fixed on homelab. Seed: `defaultReplicaCount: 2`, one
   * replica on each of the two storage nodes of values/homelab/cluster.yaml. More cannot be
   * placed, because replica soft anti-affinity stays off ("Must be false; true prevents replica
   * scheduling on 2 nodes"); fewer loses the volume with one node.
   */
  defaultReplicaCount: '{"v1":"2","v2":"2"}';
  [key: string]: unknown;
}

/** `persistence` on homelab: the chart's (unused) StorageClass also at the seed's 2 replicas. */
export interface HomelabLonghornPersistence extends LonghornPersistence {
  /**
   * Replica count of the chart's StorageClass on homelab. Seed: `defaultReplicaCount: 2` on the
   * two storage nodes; kept equal to defaultSettings.defaultReplicaCount.
   */
  defaultClassReplicaCount: 2;
  [key: string]: unknown;
}

/**
 * The Longhorn release values of homelab: LonghornValues with the replica count fixed to the seed's
 * 2, so each non-negotiable is a `const`. Lint validates homelab's release against this type
 * (schema/generated/upstream-longhorn-homelab.schema.json) and every other environment against
 * LonghornValues, whose replica count the inventory cross-check bounds.
 */
export interface HomelabLonghornValues extends LonghornValues {
  /** Longhorn settings applied through the `longhorn-default-setting` ConfigMap. */
  defaultSettings: HomelabLonghornDefaultSettings;
  /** The chart's StorageClass: off, charts/longhorn-config owns `longhorn` and `longhorn-rwx`. */
  persistence: HomelabLonghornPersistence;
  [key: string]: unknown;
}
