import { describe, expect, it } from "vitest";
import { canonicalImage, parseImage } from "../../tools/policy/image.ts";
import { forbiddenHostPath, normaliseHostPath } from "../../tools/policy/hostpath.ts";

const D = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImage", () => {
  it.each([
    ["nginx", "docker.io/library/nginx:latest", undefined],
    ["cy01/blackhole:latest", "docker.io/cy01/blackhole:latest", "latest"],
    ["docker.io/cy01/blackhole", "docker.io/cy01/blackhole:latest", undefined],
    ["index.docker.io/cy01/blackhole:beta", "docker.io/cy01/blackhole:beta", "beta"],
    ["localhost:5000/app:1", "localhost:5000/app:1", "1"],
    [`lscr.io/linuxserver/plex:1.41@${D}`, `lscr.io/linuxserver/plex:1.41@${D}`, "1.41"],
  ])("%s -> %s", (ref, canonical, tag) => {
    expect(canonicalImage(ref)).toBe(canonical);
    expect(parseImage(ref).tag).toBe(tag);
  });
});

describe("host paths", () => {
  it.each([
    ["/etc/", "/etc"], ["//mnt//dfs/", "/mnt/dfs"], ["/mnt/./dfs/../dfs", "/mnt/dfs"], ["/", "/"],
  ])("normalises %s to %s", (p, want) => {
    expect(normaliseHostPath(p)).toBe(want);
  });

  it.each([
    ["/", "is", "/"], ["/etc", "is", "/etc"], ["/etc/kubernetes", "under", "/etc"], ["/proc/sys", "under", "/proc"],
    ["/var/run/docker.sock", "is", "/var/run/docker.sock"], ["/run/k3s/containerd/containerd.sock", "is", "/run/k3s/containerd/containerd.sock"],
    ["/var", "contains", "/var/lib/kubelet"], ["/var/lib", "contains", "/var/lib/kubelet"],
  ])("%s is forbidden (%s %s)", (path, how, entry) => {
    const hit = forbiddenHostPath(path);
    expect([hit?.how, hit?.entry.path]).toEqual([how, entry]);
  });

  it.each(["/mnt", "/mnt/dfs", "/dev/fuse", "/var/lib/longhorn", "/etcetera", "/run/user"])("%s is not forbidden", (path) => {
    expect(forbiddenHostPath(path)).toBeUndefined();
  });
});
