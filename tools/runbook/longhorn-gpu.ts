/**
 * Runbook sections for Longhorn placement and the GPU (docs/decisions.md#longhorn-placement,
 * #gpu-transcoding): which nodes run Longhorn and hold its disks, how a changed node selector or
 * taint toleration reaches a running cluster (every volume detached), and the per-vendor driver and
 * device-plugin steps of each GPU node.
 */
import type { Accelerator, Cluster, ClusterNode } from "../../schema/cluster.ts";
import { LONGHORN_NODE_LABEL, SHARE_MANAGER_NODE_SELECTOR } from "../lint/upstream/longhorn.ts";
import type { Block, Section, Target } from "./types.ts";

const KUBECTL: Target = { kind: "kubectl" };
const text = (markdown: string): Block => ({ kind: "text", markdown });
const host = (id: string, n: ClusterNode): Target => ({ kind: "host", nodeId: id, node: n.name, ip: n.ip });

/** Nodes that carry the Longhorn node label (longhorn-manager, CSI plugin, instance manager run there). */
export function longhornNodes(inv: Cluster): [string, ClusterNode][] {
  return Object.entries(inv.nodes).filter(([, n]) => n.labels[LONGHORN_NODE_LABEL.key] === LONGHORN_NODE_LABEL.value);
}

export function longhornSection(inv: Cluster): Section {
  const lh = longhornNodes(inv);
  const disks = Object.entries(inv.nodes).filter(([, n]) => n.labels["node.longhorn.io/create-default-disk"] === "true");
  const none = Object.entries(inv.nodes).filter(([id]) => !lh.some(([x]) => x === id));
  const ids = (l: [string, ClusterNode][]) => l.map(([id, n]) => `${id} (${n.name})`).join(", ") || "none";
  return {
    id: "longhorn",
    title: "Longhorn placement",
    blocks: [
      text(
        [
          `- Longhorn's manager, CSI plugin, instance manager and engine image run on ${ids(lh)}: every node labelled \`${LONGHORN_NODE_LABEL.key}=${LONGHORN_NODE_LABEL.value}\`, i.e. every node that runs a pod with a Longhorn volume. Each needs open-iscsi (iscsid running) and nfs-common (Host packages).`,
          `- Disks and replicas only on ${ids(disks)} (\`node.longhorn.io/create-default-disk=true\` with \`createDefaultDiskLabeledNodes: true\`). A node that registered with Longhorn before that setting keeps the default disk it got then: the verification below reports it.`,
          `- Share managers (RWX volumes) only on the storage nodes: the StorageClasses' \`shareManagerNodeSelector: ${SHARE_MANAGER_NODE_SELECTOR}\`.`,
          `- No Longhorn pod on ${ids(none)}.`,
        ].join("\n"),
      ),
      text(
        "**Changing `systemManagedComponentsNodeSelector` or `taintToleration` on a running cluster.** longhorn-manager applies either only while every Longhorn volume is detached (v1.12.1 controller/setting_controller.go, updateNodeSelector/updateTaintToleration: `AreAllVolumesDetachedState`, otherwise \"It will be eventually applied\"). Label the new nodes first (Node labels), merge the change, then:",
      ),
      {
        kind: "commands",
        target: KUBECTL,
        title: "Detach every volume, let Longhorn apply the setting, bring the workloads back",
        commands: [
          { run: "flux suspend helmrelease --all -n media", reason: "Flux must not scale the workloads back up while volumes detach" },
          { run: "kubectl scale statefulset,deployment --all -n media --replicas=0", reason: "every pod with a Longhorn volume stops, so its volume detaches" },
          { run: "kubectl -n longhorn-system get volumes.longhorn.io -o custom-columns=NAME:.metadata.name,STATE:.status.state", reason: "repeat until every STATE is detached" },
          { run: "flux reconcile helmrelease longhorn -n longhorn-system --with-source", reason: "writes the new default settings; longhorn-manager updates the CSI plugin, engine image and instance managers" },
          { run: "flux reconcile helmrelease longhorn-config -n longhorn-system", reason: "the Setting objects carry the same values" },
          { run: "kubectl -n longhorn-system get pods -o wide -l app=longhorn-csi-plugin", reason: `one longhorn-csi-plugin pod on each of ${lh.map(([, n]) => n.name).join(", ")}` },
          { run: "flux resume helmrelease --all -n media", reason: "Flux manages the workloads again" },
          { run: "for hr in $(flux get helmreleases -n media --no-header | awk '{print $1}'); do flux reconcile helmrelease \"$hr\" -n media --force; done", reason: "a forced upgrade puts the charts' replica counts back" },
        ],
      },
      text("A StorageClass parameter (`shareManagerNodeSelector`, `numberOfReplicas`, ...) is immutable: `npm run upgrade-check` flags the change; delete the class (`kubectl delete storageclass longhorn-rwx`, existing volumes keep working) and let Flux re-create it (charts/longhorn-config/README.md, \"Changing a StorageClass\")."),
      {
        kind: "commands",
        target: KUBECTL,
        title: "Verify: disks only on the storage nodes",
        commands: [
          { run: `kubectl -n longhorn-system get nodes.longhorn.io -o json | npm run --silent preflight -- --env ${inv.name} --longhorn-nodes -`, reason: `a Longhorn node object per Longhorn node, disks only on ${disks.map(([, n]) => n.name).join(", ")}; exits 1 otherwise` },
        ],
      },
    ],
  };
}

/** The one command that names the GPU's vendor. */
export const LSPCI = "lspci -nn | grep -Ei 'vga|3d|display'";

/** Intel and AMD without a device plugin. */
const DRI_NOTE = text("No device plugin (`access: dri`): the workers mount /dev/dri privileged; allow it for clusterplex-worker in values/<env>/policy.yaml (privileged, hostPath /dev/dri).");

function vendorSteps(id: string, n: ClusterNode, acc: Accelerator): Block[] {
  const t = host(id, n);
  const dri = acc.access?.kind === "dri";
  const shares = acc.access?.kind === "device-plugin" ? acc.access.shares : 1;
  switch (acc.vendor) {
    case "nvidia":
      return [
        {
          kind: "commands",
          target: t,
          title: `${n.name}: NVIDIA driver and container toolkit`,
          commands: [
            { run: "ubuntu-drivers install", reason: "the recommended NVIDIA driver (or apt-get install -y nvidia-driver-<version>)" },
            { run: "apt-get install -y nvidia-container-toolkit", reason: "from NVIDIA's apt repository (docs.nvidia.com, \"Installing the NVIDIA Container Toolkit\")" },
            { run: "systemctl restart k3s-agent", reason: "k3s detects the nvidia runtime at start and adds it to its containerd config" },
            { run: "nvidia-smi", reason: "the card and the driver version" },
          ],
        },
        {
          kind: "commands",
          target: KUBECTL,
          title: "NVIDIA RuntimeClass and device plugin",
          commands: [
            { run: `kubectl get runtimeclass ${acc.runtimeClassName ?? "nvidia"}`, reason: "k3s ships the RuntimeClass of its detected runtimes; the workers use it" },
            { run: "helm upgrade --install nvdp nvidia-device-plugin --repo https://nvidia.github.io/k8s-device-plugin -n nvidia-device-plugin --create-namespace --set runtimeClassName=nvidia", reason: `advertises nvidia.com/gpu${shares > 1 ? `; with ${shares} shares, configure time-slicing replicas: ${shares} (config.map)` : ""}` },
            { run: `kubectl get node ${n.name} -o jsonpath='{.status.allocatable.nvidia\\.com/gpu}'`, reason: `prints ${shares}` },
          ],
        },
      ];
    case "intel":
      return [
        {
          kind: "commands",
          target: t,
          title: `${n.name}: Intel media driver and render node`,
          commands: [
            { run: "apt-get install -y intel-media-va-driver-non-free vainfo", reason: "the host's VA-API driver, to check the GPU (Plex brings its own drivers)" },
            { run: "vainfo --display drm --device /dev/dri/renderD128", reason: "lists the VAProfile entries (decode/encode)" },
            { run: "stat -c %g /dev/dri/renderD128", reason: "the render group GID: workers.gpu.renderGroup (and accelerator.access.renderGroup for dri)" },
          ],
        },
        dri
          ? DRI_NOTE
          : {
              kind: "commands",
              target: KUBECTL,
              title: "Intel GPU device plugin",
              commands: [
                { run: "kubectl apply -k 'https://github.com/intel/intel-device-plugins-for-kubernetes/deployments/gpu_plugin?ref=<release>'", reason: `advertises gpu.intel.com/i915; set the plugin's -shared-dev-num ${shares} so ${shares} workers share the GPU` },
                { run: `kubectl get node ${n.name} -o jsonpath='{.status.allocatable.gpu\\.intel\\.com/i915}'`, reason: `prints ${shares}` },
              ],
            },
      ];
    case "amd":
      return [
        {
          kind: "commands",
          target: t,
          title: `${n.name}: AMD (amdgpu is in the kernel) and render node`,
          commands: [
            { run: "apt-get install -y mesa-va-drivers vainfo", reason: "the host's VA-API driver (radeonsi), to check the GPU" },
            { run: "vainfo --display drm --device /dev/dri/renderD128", reason: "lists the VAProfile entries (decode/encode)" },
            { run: "stat -c %g /dev/dri/renderD128", reason: "the render group GID: workers.gpu.renderGroup" },
          ],
        },
        dri
          ? DRI_NOTE
          : {
              kind: "commands",
              target: KUBECTL,
              title: "AMD GPU device plugin",
              commands: [
                { run: "kubectl create -f https://raw.githubusercontent.com/ROCm/k8s-device-plugin/master/k8s-ds-amdgpu-dp.yaml", reason: "advertises amd.com/gpu (one per GPU)" },
                { run: `kubectl get node ${n.name} -o jsonpath='{.status.allocatable.amd\\.com/gpu}'`, reason: `prints ${shares}` },
              ],
            },
      ];
    default:
      return [];
  }
}

export function gpuSection(inv: Cluster): Section {
  const gpuNodes = Object.entries(inv.nodes).filter(([, n]) => n.gpu);
  const blocks: Block[] = [];
  if (gpuNodes.length === 0) blocks.push(text("No GPU node in the inventory: the workers are off and PMS transcodes locally."));
  for (const [id, n] of gpuNodes) {
    const acc = n.accelerator;
    if (!acc || acc.vendor === "unknown") {
      blocks.push(text(`**${n.name} (${id})**: the inventory does not record the GPU's vendor, the one fact missing for hardware transcoding. Find it on the node, record \`nodes.${id}.accelerator\` in values/${inv.name}/cluster.yaml, and regenerate this runbook for the vendor's driver and device-plugin steps:`));
      blocks.push({ kind: "commands", target: host(id, n), title: `${n.name}: which GPU`, commands: [{ run: LSPCI, reason: "PCI vendor id [8086:…] Intel, [10de:…] NVIDIA, [1002:…] AMD" }] });
      continue;
    }
    blocks.push(text(`**${n.name} (${id})**: ${acc.vendor}, ${acc.access ? (acc.access.kind === "device-plugin" ? `device plugin resource ${acc.access.resource} × ${acc.access.shares}` : `/dev/dri with render group ${acc.access.renderGroup}`) : "access not recorded"}.`));
    blocks.push(...vendorSteps(id, n, acc));
  }
  blocks.push(
    text(
      "After deploy, in Plex (Settings > Transcoder): enable \"Use hardware acceleration when available\" and \"Use hardware-accelerated video encoding\" (Plex Pass). PMS builds the transcoder command and sends it with its environment to the worker (ClusterPlex pms/app/transcoder.js posts `args`, `env`, `cwd` to the orchestrator); the worker only swaps in `-hwaccel $FFMPEG_HWACCEL` (worker/app/worker.js), so the encoder is whatever PMS chose.",
    ),
  );
  return { id: "gpu", title: "GPU", blocks };
}
