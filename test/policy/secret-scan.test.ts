import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHighEntropyToken, KEY_FORMATS, scanRepo, scanText, scanViolations, shannonEntropy } from "../../tools/policy/secret-scan.ts";

const HEX64 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const RANDOM = "Zx8kQ2pL9vT4mN7wR1sY6bH3cJ5dF0gA";

describe("shannonEntropy", () => {
  it.each([
    ["aaaa", 0],
    ["abab", 1],
    ["abcd", 2],
  ])("%s has %d bits per character", (s, bits) => {
    expect(shannonEntropy(s)).toBeCloseTo(bits, 10);
  });
});

describe("isHighEntropyToken", () => {
  it.each([
    [RANDOM, true],
    ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true],
    ["3f9a1c07be52d84e6a0f", true], // 20 hex characters
    ["preferredDuringSchedulingIgnoredDuringExecution", false], // identifier: no digits
    ["delete-both-statefulset-and-deployment-pod", false],
    ["mnt/streaming-media/movies2024", false], // no upper case
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1A", false], // low entropy
    ["Ab1Cd2Ef3", false], // too short
  ])("%s -> %s", (token, want) => {
    expect(isHighEntropyToken(token)).toBe(want);
  });
});

describe("scanText", () => {
  it.each([
    ["aws: AKIAIOSFODNN7EXAMPLE", "AWS access key id", 6],
    [`gh: ghp_${"a1B2c3D4e5".repeat(4)}`, "GitHub token", 5],
    ["pat: github_pat_11ABCDEFG0123456789_abcdefghijkl", "GitHub token", 6],
    ["key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----", "private key (PEM)", 3],
    ["k: -----BEGIN PRIVATE KEY-----", "private key (PEM)", 4],
    ["slack: xoxb-123456789012-abcdefghij", "Slack token", 8],
    ["jwt: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON Web Token", 6],
    [`token: "${RANDOM}"`, "high-entropy string", 9],
  ])("finds %s", (text, kind, col) => {
    const found = scanText(text, "f.yaml");
    expect(found.map((f) => [f.kind, f.col])).toEqual([[kind, col]]);
    expect(found[0].redacted).toMatch(/^.{4}\.\.\. \(\d+ chars\)$/);
  });

  it.each([
    [`image: nginx:1.27@sha256:${HEX64}`],
    [`digest: ${HEX64}`],
    [`commit: ${HEX64.slice(0, 40)}`],
    [`checksum/config: ${HEX64}`],
    [`token: ${RANDOM} # policy:allow-secret test fixture`],
    ["affinity: preferredDuringSchedulingIgnoredDuringExecution"],
    ["image: ghcr.io/pabloromeo/clusterplex_orchestrator:v1.4.12"],
    ["url: http://clusterplex-orchestrator.media.svc.cluster.local:3500"],
  ])("ignores %s", (text) => {
    expect(scanText(text, "f.yaml")).toEqual([]);
  });

  it("scans a 6 MB value on one line without overflowing the stack, and still reports a random one", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const random = Array.from({ length: 6_000_000 }, (_, i) => alphabet[(i * 7919 + (i >> 7)) % 62]).join("");
    expect(scanText(`data: ${"a".repeat(6_000_000)}\n`, "big.yaml")).toEqual([]);
    expect(scanText(`key: ${"ghp_".padEnd(6_000_000, "x")}\n`, "big.yaml").map((f) => f.kind)).toEqual(["GitHub token"]);
    const found = scanText(`blob: ${random}\n`, "big.yaml");
    expect(found).toEqual([expect.objectContaining({ kind: "high-entropy string", line: 1, col: 7, redacted: `${random.slice(0, 4)}... (6000000 chars)` })]);
  });

  it("reports 1-based line and column", () => {
    const found = scanText(`a: 1\nb:\n  key: AKIAIOSFODNN7EXAMPLE\n`, "x.yaml");
    expect(found.map((f) => [f.file, f.line, f.col])).toEqual([["x.yaml", 3, 8]]);
  });

  it("finds every key format on any line of a longer file, each line as if it were alone", () => {
    const samples = ["AKIAIOSFODNN7EXAMPLE", `ghp_${"a1B2c3D4e5".repeat(4)}`, "-----BEGIN PRIVATE KEY-----", "xoxb-123456789012-abcdefghij", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN", `AIza${"x".repeat(35)}`];
    const lines = ["a: 1", "b: two", ...samples.map((k, i) => `k${i}: ${k}`), "c: AKIA", "\r"];
    const found = scanText(lines.join("\n"), "f.yaml");
    const alone = lines.flatMap((l, i) => scanText(l, "f.yaml").map((f) => ({ ...f, line: i + 1 })));
    expect(found).toEqual(alone);
    expect(new Set(found.map((f) => f.kind))).toEqual(new Set(KEY_FORMATS.map((f) => f.kind)));
    // scanText looks a format up line by line only when the whole text has it: no format may
    // depend on where a line starts or ends
    for (const { re } of KEY_FORMATS) expect(re.source).not.toMatch(/\^|\$|\(\?<[=!]|\\[snr]/);
  });
});

describe("scanRepo on a git repository", () => {
  let root: string;
  const git = (...args: string[]) => execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: root });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "policy-scan-"));
    mkdirSync(join(root, "values/homelab"), { recursive: true });
    writeFileSync(
      join(root, "values/homelab/apps.yaml"),
      [
        "# yaml-language-server: $schema=../../charts/apps/values.schema.json",
        "backup:",
        "  accessKeyId: AKIAIOSFODNN7EXAMPLE",
        "  sshKey: |",
        "    -----BEGIN RSA PRIVATE KEY-----",
        "    -----END RSA PRIVATE KEY-----",
        `  webhook: ${RANDOM}`,
        `image: cy01/blackhole:beta@sha256:${HEX64}`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(root, "clean.yml"), `image: lscr.io/linuxserver/sonarr:4.0.14.2939-ls276\nreplicas: 2\n`);
    writeFileSync(join(root, "notes.txt"), "AKIAIOSFODNN7EXAMPLE\n");
    await git("init", "-q");
    await git("add", ".");
    await git("commit", "-q", "-m", "fixture");
    writeFileSync(join(root, "untracked.yaml"), "key: AKIAIOSFODNN7EXAMPLE\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("reports the AWS key, the PEM header and the token in tracked YAML only, not the image digest", async () => {
    const found = await scanRepo(root);
    expect(found.map((f) => `${f.file}:${f.line}:${f.col} ${f.kind}`)).toEqual([
      "values/homelab/apps.yaml:3:16 AWS access key id",
      "values/homelab/apps.yaml:5:5 private key (PEM)",
      "values/homelab/apps.yaml:7:12 high-entropy string",
    ]);
    const v = scanViolations(found);
    expect(v.every((x) => x.rule === "secret-scan" && x.severity === "error")).toBe(true);
    expect(v[0].location).toEqual({ file: "values/homelab/apps.yaml", line: 3, col: 16 });
  });

  it("scans a file again when its text changes (findings are kept per path and text)", async () => {
    const file = join(root, "values/homelab/apps.yaml");
    const before = readFileSync(file, "utf8");
    try {
      writeFileSync(file, before.replace("AKIAIOSFODNN7EXAMPLE", "not-a-key"));
      expect((await scanRepo(root)).map((f) => f.kind)).not.toContain("AWS access key id");
    } finally {
      writeFileSync(file, before);
    }
    expect((await scanRepo(root)).map((f) => f.kind)).toContain("AWS access key id");
  });

  it("follows the index: a file is scanned once git tracks it, and not after git rm --cached (the listing is kept per index)", async () => {
    const untracked = () => scanRepo(root).then((found) => found.filter((f) => f.file === "untracked.yaml").map((f) => f.kind));
    expect(await untracked()).toEqual([]);
    await git("add", "untracked.yaml");
    try {
      expect(await untracked()).toEqual(["AWS access key id"]);
    } finally {
      await git("rm", "-q", "--cached", "untracked.yaml");
    }
    expect(await untracked()).toEqual([]);
  });

  it("says how to fix it when the root is not a git checkout", async () => {
    const plain = mkdtempSync(join(tmpdir(), "policy-nogit-"));
    try {
      await expect(scanRepo(plain)).rejects.toThrow(/cannot list the git-tracked YAML files of .*Fix: run it inside a git checkout/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
