/**
 * tools/lib/charts.ts: version ranges resolved as source-controller does, archives from the mirror
 * (../shared/upstream/charts, read in place), from the repository URL into a digest-verified
 * cache, and a WARNING naming the release and the fix when neither is available.
 */
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ChartUnavailable, chartMirror, fetchChart, resolveVersion, untar } from "../../tools/lib/charts.ts";
import { renderEnvironment } from "../../tools/lib/render.ts";

const MIRROR = process.env.CHART_MIRROR!;
const tmp = mkdtempSync(join(tmpdir(), "charts-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const index = (versions: string[]) => ({ entries: { traefik: versions.map((version) => ({ name: "traefik", version, urls: [`traefik-${version}.tgz`] })) } });

describe("resolveVersion", () => {
  it("takes the highest version the range allows, as source-controller", () => {
    const idx = index(["41.2.0", "41.3.0", "41.3.2", "41.4.0", "42.0.0"]);
    expect(resolveVersion(idx, "traefik", "41.3.x", "repo").version).toBe("41.3.2");
    expect(resolveVersion(idx, "traefik", "*", "repo").version).toBe("42.0.0");
    expect(resolveVersion(idx, "traefik", ">=41.0.0, <42.0.0", "repo").version).toBe("41.4.0");
    expect(resolveVersion(idx, "traefik", "~41.2", "repo").version).toBe("41.2.0");
  });
  it("ignores prereleases unless the range names one", () => {
    const idx = index(["41.3.0", "41.3.1-rc.1"]);
    expect(resolveVersion(idx, "traefik", "41.3.x", "repo").version).toBe("41.3.0");
  });
  it("says which versions exist when none matches", () => {
    expect(() => resolveVersion(index(["41.3.0"]), "traefik", "40.x", "chart mirror M")).toThrow(/chart mirror M has no version of traefik matching "40.x" \(it has: 41.3.0\)/);
    expect(() => resolveVersion(index(["41.3.0"]), "longhorn", "1.x", "chart mirror M")).toThrow(/has no chart "longhorn"/);
  });
});

describe("fetchChart from a mirror", () => {
  it("CHART_MIRROR points at the shared offline repository in tests", () => {
    expect(existsSync(join(MIRROR, "index.yaml"))).toBe(true);
    expect(chartMirror({ CHART_MIRROR: "rel/dir", INIT_CWD: "/x" })).toBe("/x/rel/dir");
    expect(chartMirror({ CHART_MIRROR: "rel/dir" }, "/flag")).toBe("/flag");
  });
  it("resolves the range, verifies the digest and unpacks the real chart once", async () => {
    const cacheDir = join(tmp, "cache-mirror");
    const c = await fetchChart({ repoUrl: "https://traefik.github.io/charts", chart: "traefik", range: "41.3.x" }, { mirror: MIRROR, cacheDir });
    expect(c.version).toBe("41.3.0");
    expect(c.origin).toContain(join(MIRROR, "traefik-41.3.0.tgz"));
    expect(parse(readFileSync(join(c.dir, "Chart.yaml"), "utf8")).version).toBe("41.3.0");
    expect(existsSync(join(c.dir, "values.schema.json"))).toBe(true);
    const again = await fetchChart({ repoUrl: "", chart: "traefik", range: "41.3.x" }, { mirror: MIRROR, cacheDir });
    expect(again.dir).toBe(c.dir);
  });
  it("rejects an archive whose sha256 differs from the index digest", async () => {
    const dir = join(tmp, "tampered");
    rmSync(dir, { recursive: true, force: true });
    const idx = parse(readFileSync(join(MIRROR, "index.yaml"), "utf8"));
    idx.entries.metallb[0].digest = "0".repeat(64);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    writeFileSync(join(dir, "index.yaml"), stringify(idx));
    symlinkSync(join(MIRROR, "metallb-0.16.1.tgz"), join(dir, "metallb-0.16.1.tgz"));
    await expect(fetchChart({ repoUrl: "", chart: "metallb", range: "0.16.x" }, { mirror: dir, cacheDir: join(tmp, "c2") })).rejects.toThrow(/differs from the index digest 0{64}/);
  });
  it("checks an archive again when it is replaced after a good fetch (what a process keeps is per file and its state)", async () => {
    const dir = join(tmp, "replaced");
    rmSync(dir, { recursive: true, force: true });
    const { copyFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    copyFileSync(join(MIRROR, "index.yaml"), join(dir, "index.yaml"));
    copyFileSync(join(MIRROR, "metallb-0.16.1.tgz"), join(dir, "metallb-0.16.1.tgz"));
    const ref = { repoUrl: "", chart: "metallb", range: "0.16.x" };
    expect((await fetchChart(ref, { mirror: dir, cacheDir: join(tmp, "c4") })).version).toBe("0.16.1");
    writeFileSync(join(dir, "metallb-0.16.1.tgz"), Buffer.concat([readFileSync(join(MIRROR, "metallb-0.16.1.tgz")), Buffer.from([0])]));
    await expect(fetchChart(ref, { mirror: dir, cacheDir: join(tmp, "c4") })).rejects.toThrow(/sha256 [0-9a-f]{64} differs from the index digest/);
  });
  it("names the fix when the mirror has no index", async () => {
    await expect(fetchChart({ repoUrl: "", chart: "traefik", range: "*" }, { mirror: tmp, cacheDir: join(tmp, "c3") })).rejects.toThrow(/has no index.yaml. Fix: point CHART_MIRROR/);
  });
});

describe("fetchChart from the repository URL", () => {
  let server: Server;
  let url = "";
  let hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? "");
      const f = join(MIRROR, (req.url ?? "/").replace(/^\/charts\//, ""));
      if (!existsSync(f)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.end(readFileSync(f));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/charts`;
  });
  afterAll(() => server.close());

  it("downloads index and archive, checks the digest, and uses the cache next time", async () => {
    const cacheDir = join(tmp, "cache-online");
    hits = [];
    const c = await fetchChart({ repoUrl: url, chart: "longhorn", range: "1.12.x" }, { mirror: undefined, online: true, cacheDir, env: {} });
    expect(c.version).toBe("1.12.1");
    expect(c.origin).toBe(`${url}/longhorn-1.12.1.tgz`);
    expect(hits).toEqual(["/charts/index.yaml", "/charts/longhorn-1.12.1.tgz"]);
    hits = [];
    const again = await fetchChart({ repoUrl: url, chart: "longhorn", range: "1.12.x" }, { online: true, cacheDir, env: {} });
    expect(again.origin).toMatch(/^cache /);
    expect(hits).toEqual(["/charts/index.yaml"]);
  });
  it("is ChartUnavailable, with the fix, when the repository cannot be reached", async () => {
    const err = await fetchChart({ repoUrl: "http://127.0.0.1:9/charts", chart: "x", range: "*" }, { online: true, cacheDir: join(tmp, "c4"), env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ChartUnavailable);
    expect(String(err.message)).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/charts\/index\.yaml .*Fix: run with network access, or set CHART_MIRROR/);
  });
});

describe("untar", () => {
  it("reads ustar entries with a prefix and PAX long names", () => {
    const header = (name: string, size: number, type = "0", prefix = "") => {
      const h = new Uint8Array(512);
      h.set(Buffer.from(name), 0);
      h.set(Buffer.from(size.toString(8).padStart(11, "0")), 124);
      h[156] = type.charCodeAt(0);
      h.set(Buffer.from(prefix), 345);
      return h;
    };
    const pad = (b: Uint8Array) => {
      const out = new Uint8Array(Math.ceil(b.length / 512) * 512);
      out.set(b);
      return out;
    };
    const long = `c/${"x".repeat(120)}.yaml`;
    const pax = Buffer.from(`${long.length + 9 + String(long.length + 9).length} path=${long}\n`);
    const parts = [header("Chart.yaml", 3, "0", "c"), pad(Buffer.from("a:1")), header("pax", pax.length, "x"), pad(pax), header("ignored", 2), pad(Buffer.from("hi")), new Uint8Array(1024)];
    const files = untar(new Uint8Array(Buffer.concat(parts)));
    expect([...files.keys()]).toEqual(["c/Chart.yaml", long]);
    expect(Buffer.from(files.get(long)!).toString()).toBe("hi");
  });
});

describe("renderEnvironment and upstream releases", () => {
  it("renders Traefik, Longhorn and MetalLB with the real charts from the mirror", async () => {
    const rs = await renderEnvironment("homelab", { onWarning: (m) => { throw new Error(m); } });
    const up = Object.fromEntries(rs.filter((r) => r.upstream).map((r) => [r.chart, r]));
    expect(Object.keys(up).sort()).toEqual(["longhorn", "metallb", "traefik"]);
    expect(up.traefik.upstream!.version).toBe("41.3.0");
    expect(up.longhorn.objects.some((o) => o.kind === "DaemonSet" && o.metadata.name === "longhorn-manager")).toBe(true);
    expect(up.metallb.objects.some((o) => o.kind === "DaemonSet" && o.metadata.name === "metallb-speaker")).toBe(true);
    // install.crds Create: the chart's crds/ are part of what Flux applies
    expect(up.traefik.objects.some((o) => o.kind === "CustomResourceDefinition" && o.metadata.name === "ingressroutes.traefik.io")).toBe(true);
  });
  it("warns, naming the release and the fix, when no chart is available (never a silent pass)", async () => {
    const saved = { ...process.env };
    delete process.env.CHART_MIRROR;
    process.env.CHART_ONLINE = "0";
    try {
      const warnings: string[] = [];
      const rs = await renderEnvironment("staging", { chart: "traefik", onWarning: (m) => warnings.push(m) });
      expect(rs).toEqual([]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^clusters\/staging\/infrastructure\/traefik\.yaml: upstream release traefik\/traefik \(chart traefik 41\.3\.x .*\) was NOT rendered: .*Fix: set CHART_MIRROR \(or --chart-mirror\)/);
    } finally {
      process.env = saved;
    }
  });
});
