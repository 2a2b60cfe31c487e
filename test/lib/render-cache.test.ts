/**
 * The render cache (tools/lib/render-cache.ts): a render is taken from .cache/render/ only when
 * helm saw the same chart files, values and arguments before; any change of them runs helm again.
 * helm is a recording wrapper here, so the tests see which renders ran helm.
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment, type Profile } from "../../tools/lib/flux.ts";
import { resolveHelm, type Helm } from "../../tools/lib/helm.ts";
import { loadInventory } from "../../tools/lib/inventory.ts";
import { repoRoot } from "../../tools/lib/paths.ts";
import { contentKey, directoryDigest } from "../../tools/lib/content-cache.ts";
import { renderCacheEnabled } from "../../tools/lib/render-cache.ts";
import { renderProfile } from "../../tools/lib/render.ts";

let work: string;
let helm: Helm;
let base: Profile;
let kube: string;
const calls = () => (existsSync(join(work, "calls")) ? readFileSync(join(work, "calls"), "utf8").split("\n").filter(Boolean).length : 0);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "render-cache-"));
  const real = await resolveHelm();
  const bin = join(work, "helm");
  writeFileSync(bin, `#!/bin/sh\necho "$1" >> '${join(work, "calls")}'\nexec '${real.bin}' "$@"\n`);
  chmodSync(bin, 0o755);
  // the wrapper's path is part of every key: this file's renders are its own
  helm = { ...real, bin };
  base = loadEnvironment("homelab").profiles.find((p) => p.chart === "decypharr")!;
  kube = loadInventory("homelab").kubernetesVersion;
  cpSync(base.chartDir, join(work, "chart"), { recursive: true });
  base = { ...base, chartDir: join(work, "chart") };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("renderProfile through the render cache", () => {
  it("runs helm once for the same inputs and gives the same objects and manifest", async () => {
    const before = calls();
    const a = await renderProfile(base, helm, kube);
    const b = await renderProfile(base, helm, kube);
    expect(calls() - before).toBe(1);
    expect(b.objects).toEqual(a.objects);
    expect(b.manifest).toBe(a.manifest);
    expect(b.objects.length).toBeGreaterThan(3);
    // namespaces are filled on a hit as on a fresh render
    expect(b.objects.filter((o) => o.kind === "StatefulSet").every((o) => o.metadata.namespace === base.namespace)).toBe(true);
  });

  it.each<[string, (p: Profile) => Profile]>([
    ["a template edit", (p) => {
      const f = join(p.chartDir, "templates", "NOTES.txt");
      writeFileSync(f, `${readFileSync(f, "utf8")}\n# edited ${Date.now()}\n`);
      return p;
    }],
    ["a user value", (p) => ({ ...p, user: { ...p.user, ids: { TZ: `Etc/GMT-${(Date.now() % 12) + 1}` } } })],
    ["a chart default", (p) => ({ ...p, defaults: { ...p.defaults, port: 8000 + (Date.now() % 999) } })],
    ["the release name", (p) => ({ ...p, release: `decypharr-${Date.now() % 1000}` })],
  ])("runs helm again after %s", async (_what, change) => {
    await renderProfile(base, helm, kube);
    const before = calls();
    const changed = change({ ...base });
    const r = await renderProfile(changed, helm, kube);
    expect(calls() - before).toBe(1);
    expect(r.release).toBe(changed.release);
  });

  it("runs helm every time with RENDER_CACHE=off, and keeps nothing of a failed render", async () => {
    process.env.RENDER_CACHE = "off";
    try {
      const before = calls();
      await renderProfile(base, helm, kube);
      await renderProfile(base, helm, kube);
      expect(calls() - before).toBe(2);
    } finally {
      delete process.env.RENDER_CACHE;
    }
    const broken = { ...base, chartDir: join(work, "broken") };
    cpSync(base.chartDir, broken.chartDir, { recursive: true });
    writeFileSync(join(broken.chartDir, "templates", "zz-broken.yaml"), "{{ .Values.nope.deeper }}\n");
    const before = calls();
    await expect(renderProfile(broken, helm, kube)).rejects.toThrow(/nil pointer|nope/);
    await expect(renderProfile(broken, helm, kube)).rejects.toThrow(/nil pointer|nope/);
    expect(calls() - before).toBe(2);
  });
});

describe("render cache keys", () => {
  it("a chart's digest changes with a file's content or name, not with where the chart is", () => {
    const d = mkdtempSync(join(tmpdir(), "digest-"));
    try {
      cpSync(join(repoRoot, "charts", "ha-jobs"), join(d, "a"), { recursive: true });
      cpSync(join(repoRoot, "charts", "ha-jobs"), join(d, "b"), { recursive: true });
      expect(directoryDigest(join(d, "a"))).toBe(directoryDigest(join(d, "b")));
      writeFileSync(join(d, "b", "templates", "extra.yaml"), "");
      expect(directoryDigest(join(d, "b"))).not.toBe(directoryDigest(join(d, "a")));
      rmSync(join(d, "b", "templates", "extra.yaml"));
      writeFileSync(join(d, "b", "values.yaml"), `${readFileSync(join(d, "b", "values.yaml"), "utf8")}#\n`);
      expect(directoryDigest(join(d, "b"))).not.toBe(directoryDigest(join(d, "a")));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("a key is the hash of its parts in order; RENDER_CACHE chooses what is cached", () => {
    expect(contentKey(["a", 1])).toBe(contentKey(["a", 1]));
    expect(contentKey(["a", 1])).not.toBe(contentKey([1, "a"]));
    expect([renderCacheEnabled("chart", {}), renderCacheEnabled("upstream", {})]).toEqual([true, true]);
    expect([renderCacheEnabled("chart", { RENDER_CACHE: "off" }), renderCacheEnabled("upstream", { RENDER_CACHE: "off" })]).toEqual([false, false]);
    expect([renderCacheEnabled("chart", { RENDER_CACHE: "upstream" }), renderCacheEnabled("upstream", { RENDER_CACHE: "upstream" })]).toEqual([false, true]);
  });
});
