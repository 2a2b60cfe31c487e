/**
 * Facts of the seed (../shared/seed/ARCHITECTURE-DECISIONS.md) that tests compare rendered output
 * with, copied here literally so the tests run without ../shared.
 */
/** ARCHITECTURE-DECISIONS.md, "HA Strategy", pod affinity pattern, copied literally. */
export const SEED_PLACEMENT = `
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        - matchExpressions:
            - key: node.longhorn.io/storage
              operator: In
              values: [enabled]
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        preference:
          matchExpressions:
            - key: node.longhorn.io/primary
              operator: In
              values: ["true"]
tolerations:
  - key: node.longhorn.io/storage
    operator: Equal
    value: enabled
    effect: NoSchedule
  - key: node.kubernetes.io/unreachable
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 30
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 30
`;
