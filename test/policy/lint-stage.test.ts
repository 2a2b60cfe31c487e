/**
 * The policy stage inside lint-charts: a violation in what an environment renders, in its
 * allowlist or in a committed YAML file fails `lint-charts` (exit 1) with a `(policy)` report line
 * naming the object or file:line:col, the container, the rule and the fix.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../tools/policy/types.ts";
import { runCli } from "../helpers/cli.ts";
import { editFixture, withFixtureRepo, writeFixture } from "../helpers/fixture-repo.ts";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const lintCharts = (root: string) => runCli("lint-charts", ["--root", root, "--env", "homelab", "--chart", "decypharr"]);

/** decypharr-streaming's FUSE entry of values/homelab/policy.yaml: privileged, /mnt/decypharr and /dev/fuse. */
const PRIVILEGED_ENTRY = /  - names: \[decypharr-streaming\]\n    reason: >-\n(?:      .*\n)+    containers: \[decypharr\]\n    privileged: true\n    hostPaths:\n(?:      .*\n)+\n/;

describe("lint-charts policy stage", () => {
  it.each([
    {
      name: "decypharr-streaming loses its allowlist entry",
      edit: (root: string) => editFixture(root, "values/homelab/policy.yaml", PRIVILEGED_ENTRY, ""),
      want: [
        `ERROR - StatefulSet/media/decypharr-streaming: container decypharr: privileged: securityContext.privileged: true, and "decypharr-streaming" is not allowlisted for privileged containers. Fix: ${RULES.privileged.fix}`,
        `ERROR - StatefulSet/media/decypharr-streaming: container decypharr: hostpath: mounts hostPath /mnt/decypharr (volume dfs-parent), which is not allowlisted for "decypharr-streaming"`,
        `ERROR - StatefulSet/media/decypharr-streaming: container decypharr: hostpath: mounts hostPath /dev/fuse (volume dev-fuse), which is not allowlisted for "decypharr-streaming"`,
        `ERROR - StatefulSet/media/decypharr-streaming: container decypharr: privilege-escalation: allowPrivilegeEscalation is unset`,
      ],
    },
    {
      name: "a committed YAML file holds a key",
      edit: (root: string) => writeFixture(root, "docs/notes.yaml", "backup:\n  accessKeyId: AKIAIOSFODNN7EXAMPLE\n"),
      want: [`ERROR - docs/notes.yaml:2:16: secret-scan: AWS access key id AKIA... (20 chars). Fix: ${RULES["secret-scan"].fix}`],
      // The repository is scanned once per run and reported once, not in every environment.
      report: /^FAIL repository \(secret scan\)/,
    },
    {
      name: "the allowlist is malformed",
      edit: (root: string) => editFixture(root, "values/homelab/policy.yaml", /^[\s\S]*$/, "workloads: [\n"),
      want: ["ERROR - values/homelab/policy.yaml:2:1: YAML syntax: a [list] or {map} opened above is not closed. Fix: close it with ] or } before this line, or write it as an indented block"],
    },
  ] as { name: string; edit: (root: string) => void; want: string[]; report?: RegExp }[])("fails when $name, exit 1", async ({ edit, want, report }) => {
    await withFixtureRepo(edit, async (root) => {
      const res = await lintCharts(root);
      expect(res.exitCode).toBe(1);
      const lines = res.stdout.split("\n").map((l) => l.trim());
      expect(lines.some((l) => (report ?? /^FAIL homelab \(policy\)/).test(l)), res.stdout).toBe(true);
      for (const w of want) expect(lines.filter((l) => l.includes(w)), `${w}\n---\n${res.stdout}`).toHaveLength(1);
    });
  });

  it("reports a committed key once for the repository, however many environments it lints", async () => {
    await withFixtureRepo(
      (root) => writeFixture(root, "docs/notes.yaml", "backup:\n  accessKeyId: AKIAIOSFODNN7EXAMPLE\n"),
      async (root) => {
        const res = await runCli("lint-charts", ["--root", root, "--chart", "decypharr"]);
        expect(res.exitCode).toBe(1);
        const lines = res.stdout.split("\n").map((l) => l.trim());
        expect(lines.filter((l) => /^(PASS|WARN|FAIL) (homelab|staging) \(policy\)/.test(l))).toHaveLength(2);
        expect(lines.filter((l) => l.includes("docs/notes.yaml:2:16: secret-scan: AWS access key id"))).toHaveLength(1);
        expect(lines.filter((l) => /^FAIL repository \(secret scan\)/.test(l))).toHaveLength(1);
      },
    );
  });

  it("passes the committed homelab allowlist with the blackhole:latest warning", async () => {
    await withFixtureRepo(() => {}, async (root) => {
      const res = await lintCharts(root);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toMatch(/^WARN homelab \(policy\) .* objects checked against values\/homelab\/policy\.yaml$/m);
      expect(res.stdout).toContain("WARNING - StatefulSet/media/decypharr-download: container decypharr: image-pinned: image cy01/blackhole:latest uses the tag latest; allowlisted exception");
    });
  });
});
