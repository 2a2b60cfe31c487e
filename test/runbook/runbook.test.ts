import { describe, expect, it } from "vitest";
import type { Cluster } from "../../schema/cluster.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { MANUAL_STEPS } from "../../tools/lib/manual-steps.ts";
import { dfsExportBlock, dfsExportLine, EXPORTS_FILE, parentFstabLine } from "../../tools/runbook/dfs.ts";
import { checkScript, keepalivedConf, RELEASE_SECONDS, TAKEOVER_SECONDS } from "../../tools/runbook/keepalived.ts";
import { formatTaint, labelCommand, shellQuote, taintCommand, untaintCommand } from "../../tools/runbook/kubectl.ts";
import { nodeRequirements } from "../../tools/runbook/packages.ts";
import { buildRunbook, listCommands, renderRunbook } from "../../tools/runbook/runbook.ts";
import type { LocatedCommand } from "../../tools/runbook/types.ts";

const ENVS = ["homelab", "staging"] as const;

function generate(env: string) {
  const inv = loadInventory(env);
  const rb = buildRunbook(inv);
  return { inv, rb, cmds: listCommands(rb), md: renderRunbook(rb) };
}

const runs = (cmds: LocatedCommand[], section?: string) => cmds.filter((c) => !section || c.section === section).map((c) => c.run);
const onHost = (cmds: LocatedCommand[], node: string) => cmds.filter((c) => c.target.kind === "host" && c.target.node === node);

/** Lines of the Markdown inside ``` fences (the commands an operator copies). */
function fencedLines(md: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) inside = !inside;
    else if (inside) out.push(line);
  }
  return out;
}

describe.each(ENVS)("runbook for %s, checked against its inventory", (env) => {
  const { inv, cmds, md } = generate(env);
  const nodes = Object.values(inv.nodes);

  it("has one kubectl label command per inventory label, and no other", () => {
    const want = nodes.flatMap((n) => Object.entries(n.labels).map(([k, v]) => `kubectl label node ${n.name} ${k}=${v} --overwrite`));
    expect(runs(cmds, "labels").sort()).toEqual(want.sort());
    for (const c of cmds.filter((c) => c.section === "labels")) expect(c.target).toEqual({ kind: "kubectl" });
    for (const line of want) expect(fencedLines(md)).toContain(line);
  });

  it("has one kubectl taint command per inventory taint, and none for untainted nodes", () => {
    const want = nodes.flatMap((n) => n.taints.map((t) => `kubectl taint node ${n.name} ${t.key}=${t.value}:${t.effect} --overwrite`));
    expect(runs(cmds, "taints").sort()).toEqual(want.sort());
    for (const n of nodes.filter((n) => n.taints.length === 0)) {
      expect(runs(cmds).filter((r) => r.startsWith(`kubectl taint node ${n.name} `))).toEqual([]);
      expect(md).toContain(`**${n.name} (`);
    }
    for (const line of want) expect(fencedLines(md)).toContain(line);
  });

  it("writes a DFS export line with fsid= and the node CIDR, read-only, for every DFS node", () => {
    for (const [id, exp] of Object.entries(inv.nfs.dfs)) {
      const node = inv.nodes[id];
      const line = `${exp.path} ${inv.network.nodeCIDR}(ro,sync,no_subtree_check,root_squash,secure,mp,fsid=${exp.fsid})`;
      expect(dfsExportLine(inv, id)).toBe(line);
      expect(runs(onHost(cmds, node.name))).toContain(`echo '${line}' > ${EXPORTS_FILE}`);
      expect(fencedLines(md)).toContain(`echo '${line}' > ${EXPORTS_FILE}`);
    }
  });

  it("never uses 10.0.0.0/8 or no_root_squash in a command; only the seed explanation quotes them", () => {
    for (const c of cmds) {
      expect(c.run).not.toContain("10.0.0.0/8");
      expect(c.run).not.toContain("no_root_squash");
    }
    expect(fencedLines(md).filter((l) => l.includes("10.0.0.0/8") || l.includes("no_root_squash"))).toEqual([]);
    const seed = md.slice(md.indexOf("Where this differs from the seed"));
    expect(seed).toContain("`/mnt/dfs 10.0.0.0/8(ro,sync,no_subtree_check,no_root_squash)` is wrong on both counts");
    expect(seed).toContain("requires fsid= for NFS export");
    expect(seed).toContain(`pod network ${inv.network.podCIDR}`);
    expect(seed).toContain(`network.nodeCIDR ${inv.network.nodeCIDR}`);
    expect(seed).toContain("spec.persistentvolumesource is immutable after creation");
    expect(seed).toContain(`names the DFS export address ${inv.nfs.dfsExport!.address}`);
    expect(md).not.toMatch(/npm run failover -- /);
  });

  it("puts the DFS parent on a shared mount on every storage node and checks it with findmnt", () => {
    for (const id of Object.keys(inv.nfs.dfs)) {
      const host = runs(onHost(cmds, inv.nodes[id].name), "dfs");
      expect(host).toContain("mkdir -p /mnt/decypharr");
      expect(host).toContain(`grep -qs '^/mnt/decypharr ' /etc/fstab || echo '${parentFstabLine()}' >> /etc/fstab`);
      expect(host).toContain("findmnt -o TARGET,PROPAGATION --target /mnt/decypharr");
      expect(host.some((r) => r.startsWith("cat > /etc/keepalived/keepalived.conf"))).toBe(true);
    }
    expect(parentFstabLine()).toBe("/mnt/decypharr /mnt/decypharr none bind,rshared 0 0");
  });

  it("generates keepalived for the export address: unicast peers, the track script, no preemption", () => {
    for (const id of Object.keys(inv.nfs.dfs)) {
      const conf = keepalivedConf(inv, id);
      expect(conf).toContain(`unicast_src_ip ${inv.nodes[id].ip}`);
      for (const other of Object.keys(inv.nfs.dfs).filter((o) => o !== id)) expect(conf).toContain(`    ${inv.nodes[other].ip}`);
      expect(conf).toContain(`virtual_router_id ${inv.nfs.dfsExport!.virtualRouterId}`);
      expect(conf).toContain(`${inv.nfs.dfsExport!.address}/${inv.network.nodeCIDR.split("/")[1]} dev $IFACE`);
      expect(conf).toMatch(/track_script \{\n\s+chk_dfs\n\s+\}/);
      expect(conf).toContain("nopreempt");
    }
    expect(checkScript()).toContain("mountpoint -q /mnt/decypharr/dfs");
    expect(checkScript()).toContain("/proc/fs/nfsd/threads");
    expect(md).toContain(`at most ${RELEASE_SECONDS} s after the mount is gone`);
    expect(md).toContain(`at most ${TAKEOVER_SECONDS} s after the mount is live`);
    expect(md).toContain("plex-advertise-lan");
  });

  it("installs per role: NFS client + iSCSI everywhere pods mount volumes, the NFS server on storage nodes only", () => {
    for (const n of nodes) {
      const installs = runs(onHost(cmds, n.name), "packages").filter((r) => r.startsWith("apt-get install -y "));
      const want = [
        ...(n.roles.some((r) => r !== "control-plane") ? ["nfs-common", "open-iscsi"] : []),
        ...(n.roles.includes("storage") ? ["nfs-kernel-server"] : []),
      ];
      expect(installs.map((r) => r.replace("apt-get install -y ", "")).sort()).toEqual(want.sort());
    }
    for (const c of cmds.filter((c) => c.section === "packages" && c.run.startsWith("apt-get install"))) expect(c.reason?.length ?? 0).toBeGreaterThan(20);
  });

  it("lists every manual step after the first install, in order, with the DFS export address to verify", () => {
    const section = md.slice(md.indexOf("After the first install"), md.indexOf("\n## ", md.indexOf("After the first install")));
    const ids = MANUAL_STEPS.map((s) => s.id);
    expect(ids.length).toBeGreaterThan(0);
    const positions = ids.map((id) => section.indexOf(`**${id}**`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(section).toContain(`showmount -e ${inv.nfs.dfsExport!.address}`);
    expect(section).toContain(`--scenario first-install`);
  });

  it("verifies labels, Longhorn nodes, the export and a mount from the node subnet", () => {
    const kubectl = runs(cmds, "verify");
    expect(kubectl).toContain("kubectl get nodes --show-labels");
    expect(kubectl).toContain("kubectl get nodes.longhorn.io -n longhorn-system");
    expect(kubectl).toContain(`kubectl get nodes -o json | npm run --silent preflight -- --env ${env} --nodes -`);
    const server = inv.nodes[inv.storage.primary];
    const exp = inv.nfs.dfs[inv.storage.primary];
    expect(runs(onHost(cmds, server.name), "verify")).toContain("exportfs -v");
    const mount = cmds.find((c) => c.section === "verify" && c.run.startsWith("mount -t nfs"));
    expect(mount?.run).toBe(`mount -t nfs -o ro,nfsvers=4.2,soft,timeo=150,retrans=3,actimeo=1 ${inv.nfs.dfsExport!.address}:${exp.path} /mnt/dfs-test`);
    expect(cmds.some((c) => c.section === "verify" && c.run === `showmount -e ${inv.nfs.dfsExport!.address}`)).toBe(true);
  });
});

describe("homelab specifics", () => {
  const { cmds, md } = generate("homelab");

  it("explains that 10.0.0.0/8 misses every homelab node and covers the pod network", () => {
    expect(md).toContain("On homelab it covers the pod network 10.42.0.0/16 and the Service network 10.43.0.0/16");
    expect(md).toContain("while the nodes are in 192.168.1.0/24: k3s-cp1 192.168.1.10, k3s-w1 192.168.1.12, k3s-w2 192.168.1.22, k3s-w3 192.168.1.13 are outside 10.0.0.0/8");
  });

  it("test-mounts from the GPU node, where the workers run", () => {
    const mount = cmds.find((c) => c.run.startsWith("mount -t nfs"));
    expect(mount?.target).toMatchObject({ kind: "host", node: "k3s-w3", ip: "192.168.1.13" });
  });

  it("sets up both storage nodes alike (the address decides who serves), and names the GPU vendor as the missing fact", () => {
    expect(md).toContain("Run every block on k3s-w1 and k3s-w2, once.");
    expect(md).toContain("the inventory does not record the GPU's vendor, the one fact missing for hardware transcoding");
    expect(runs(onHost(cmds, "k3s-w3"), "gpu")).toEqual(["lspci -nn | grep -Ei 'vga|3d|display'"]);
    expect(md).toContain("**k3s-cp1 (cp1: control-plane)**: no host packages. Nothing beyond k3s");
  });
});

describe("staging specifics", () => {
  const { inv, cmds, md } = generate("staging");

  it("has no backup node, no failover target and only its one node", () => {
    expect(inv.storage.backup).toBeUndefined();
    expect(md).not.toMatch(/\| backup \|/);
    expect(md).toContain("Run every block on k3s-staging, once.");
    for (const c of cmds) if (c.target.kind === "host") expect(c.target.node).toBe("k3s-staging");
    expect(md).not.toMatch(/k3s-w\d/);
  });

  it("has no taint command for its untainted node", () => {
    expect(runs(cmds).filter((r) => r.startsWith("kubectl taint"))).toEqual([]);
    expect(md).toContain("**k3s-staging (s1: control-plane, storage)**: no taints.");
  });

  it("notes that the node subnet happens to be inside 10.0.0.0/8 and is still far too wide", () => {
    expect(md).toContain("On staging the node IPs (10.10.0.0/24) happen to lie inside 10.0.0.0/8");
  });

  it("test-mounts the single node's export through its own node IP", () => {
    const mount = cmds.find((c) => c.run.startsWith("mount -t nfs"));
    expect(mount?.target).toMatchObject({ node: "k3s-staging" });
    expect(mount?.run).toContain("10.10.0.30:/mnt/decypharr/dfs");
  });
});

describe("inventory errors stop the generator", () => {
  const base = () => structuredClone(loadInventory("homelab"));
  it.each([
    {
      name: "a node IP outside network.nodeCIDR",
      edit: (c: Cluster) => (c.nodes.w3.ip = "192.168.2.13"),
      want: "values/homelab/cluster.yaml: network.nodeCIDR 192.168.1.0/24 is the DFS export's client range, but k3s-w3 192.168.2.13 is outside it, so kubelet there could not mount the DFS. Fix: correct the node IPs or network.nodeCIDR",
    },
    {
      name: "no DFS export for the node asked for",
      edit: (c: Cluster) => delete c.nfs.dfs.w2,
      run: (c: Cluster) => dfsExportLine(c, "w2"),
      want: 'values/homelab/cluster.yaml: nfs.dfs has no export for node "w2" (exports: w1). Fix: add nfs.dfs.w2: { path: /mnt/decypharr/dfs, fsid: 1 } or use a node that has one',
    },
    {
      name: "the export address is a node's IP",
      edit: (c: Cluster) => (c.nfs.dfsExport!.address = "192.168.1.12"),
      want: "values/homelab/cluster.yaml: nfs.dfsExport.address 192.168.1.12 is node w1's own IP: the address must be free to move. Fix: pick a free address of 192.168.1.0/24",
    },
    {
      name: "the export address inside the MetalLB pool",
      edit: (c: Cluster) => (c.nfs.dfsExport!.address = "192.168.1.205"),
      want: "nfs.dfsExport.address 192.168.1.205 lies in the MetalLB pool",
    },
    {
      name: "the export address outside the node subnet",
      edit: (c: Cluster) => (c.nfs.dfsExport!.address = "10.9.9.9"),
      want: "nfs.dfsExport.address 10.9.9.9 is outside network.nodeCIDR 192.168.1.0/24",
    },
    {
      name: "different fsids on the storage nodes",
      edit: (c: Cluster) => (c.nfs.dfs.w2.fsid = 2),
      want: "nfs.dfs fsids differ (w1=1, w2=2)",
    },
  ])("$name", ({ edit, run, want }) => {
    const c = base();
    edit(c);
    expect(() => (run ? run(c) : buildRunbook(c))).toThrow(want);
  });
});

describe("dfsExportBlock", () => {
  const inv = loadInventory("homelab");

  it("installs the server, writes the export file, reloads and lists", () => {
    const block = dfsExportBlock(inv, "w2");
    expect(block.target).toEqual({ kind: "host", nodeId: "w2", node: "k3s-w2", ip: "192.168.1.22" });
    expect(block.commands.map((c) => c.run)).toEqual([
      "apt-get install -y nfs-kernel-server",
      "mkdir -p /etc/exports.d",
      `echo '/mnt/decypharr/dfs 192.168.1.0/24(ro,sync,no_subtree_check,root_squash,secure,mp,fsid=1)' > ${EXPORTS_FILE}`,
      "systemctl enable --now nfs-kernel-server",
      "exportfs -ra",
      "exportfs -v",
    ]);
  });

  it.each([
    ["w9", 'values/homelab/cluster.yaml: no node "w9" under nodes (cp1, w1, w2, w3). Fix: use a node id'],
    ["cp1", 'no export for node "cp1"'],
  ])("rejects node %s", (id, want) => {
    expect(() => dfsExportBlock(inv, id)).toThrow(want);
  });
});

describe("kubectl command builders", () => {
  it.each([
    ["k3s-w1", "k3s-w1"],
    ["a b", "'a b'"],
    ["it's", `'it'\\''s'`],
    ["", "''"],
    ["$(rm -rf /)", "'$(rm -rf /)'"],
  ])("shellQuote(%j) = %s", (word, want) => {
    expect(shellQuote(word)).toBe(want);
  });

  it.each([
    [{ key: "node.longhorn.io/storage", value: "enabled", effect: "NoSchedule" as const }, "node.longhorn.io/storage=enabled:NoSchedule"],
    [{ key: "dedicated", effect: "NoExecute" as const }, "dedicated:NoExecute"],
  ])("formats taint %j", (t, want) => {
    expect(formatTaint(t)).toBe(want);
    expect(taintCommand("k3s-w1", t)).toBe(`kubectl taint node k3s-w1 ${want} --overwrite`);
  });

  it("removes a taint by key and effect, sets a label with --overwrite", () => {
    expect(untaintCommand("k3s-w2", { key: "node.longhorn.io/storage", effect: "NoExecute" })).toBe("kubectl taint node k3s-w2 node.longhorn.io/storage:NoExecute-");
    expect(labelCommand("k3s-w2", "node.longhorn.io/primary", "false")).toBe("kubectl label node k3s-w2 node.longhorn.io/primary=false --overwrite");
  });
});

describe("nodeRequirements", () => {
  it.each([
    { roles: ["control-plane"] as const, packages: [], note: /Nothing beyond k3s/ },
    { roles: ["control-plane", "storage"] as const, packages: ["nfs-common", "open-iscsi", "nfs-kernel-server"], note: null },
    { roles: ["gpu", "worker"] as const, packages: ["nfs-common", "open-iscsi"], note: /see the GPU section/ },
  ])("$roles", ({ roles, packages, note }) => {
    const req = nodeRequirements({ roles: [...roles] });
    expect(req.packages.map((p) => p.name)).toEqual(packages);
    if (note) expect(req.notes.join("\n")).toMatch(note);
    else expect(req.notes.join("\n")).not.toMatch(/Nothing beyond k3s/);
  });
});
