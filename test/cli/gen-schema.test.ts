import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editFixture, withFixtureRepo } from "../helpers/fixture-repo.ts";
import { runCli } from "../helpers/cli.ts";

// in-process through main(argv, io) (test/helpers/cli.ts); the spawn contract is test/cli/contract.test.ts
const genSchema = (args: string[]) => runCli("gen-schema", args);

// GIVEN a type change that was not regenerated WHEN --check runs THEN it names every drifted file;
// AND gen-schema regenerates them so that --check passes again.
describe("gen-schema", () => {
  it("reports each drifted file with --check, then regenerates them", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "schema/decypharr.ts", "Decypharr's web port in the container.", "The web port Decypharr listens on."),
      async (root) => {
        const check = await genSchema(["--check", "--root", root]);
        expect(check.exitCode).toBe(1);
        // The description feeds the chart's schema, its values-overlay editor schema and its README
        // table; nothing else changes.
        expect(check.stderr.split("\n").filter(Boolean).sort()).toEqual([
          "ERROR - charts/decypharr/README.md is out of date. Fix: run `npm run gen-schema` and commit the result.",
          "ERROR - charts/decypharr/values.schema.json is out of date. Fix: run `npm run gen-schema` and commit the result.",
          "ERROR - schema/generated/values-decypharr.overlay.schema.json is out of date. Fix: run `npm run gen-schema` and commit the result.",
        ]);
        expect(check.stdout).toMatch(/ERROR - gen-schema --check: \d+ generated files, 3 drifted/);

        const write = await genSchema(["--root", root]);
        expect(write.exitCode).toBe(0);
        expect(write.stdout).toContain("INFO - wrote charts/decypharr/values.schema.json");
        expect(readFileSync(join(root, "charts/decypharr/values.schema.json"), "utf8")).toContain("The web port Decypharr listens on.");
        expect(readFileSync(join(root, "charts/decypharr/README.md"), "utf8")).toContain("The web port Decypharr listens on.");
        expect((await genSchema(["--check", "--root", root])).exitCode).toBe(0);
      },
    );
  });

  // The generated schemas are kept by a hash of schema/'s TypeScript (tools/gen/schemas.ts): an
  // edit of a file the chart types only import must reach every schema that uses it.
  it("sees an edit of an imported type file (schema/common.ts) in every schema that uses it", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "schema/common.ts", "Resources the scheduler reserves for the container.", "What the scheduler sets aside for the container."),
      async (root) => {
        const check = await genSchema(["--check", "--root", root]);
        expect(check.exitCode).toBe(1);
        const drifted = check.stderr.split("\n").filter(Boolean).map((l) => /^ERROR - (\S+) is out of date/.exec(l)?.[1]);
        expect(drifted).toEqual(expect.arrayContaining(["charts/clusterplex/values.schema.json", "charts/decypharr/values.schema.json", "charts/ha-jobs/values.schema.json", "charts/media-apps/values.schema.json"]));
        expect(drifted).not.toContain("charts/longhorn-config/values.schema.json");
      },
    );
  });

  it("fails with the file and line of a type error, writing nothing", async () => {
    await withFixtureRepo(
      (root) => editFixture(root, "schema/decypharr.ts", "  port?: number;", "  port?: Nummber;"),
      async (root) => {
        const before = readFileSync(join(root, "charts/decypharr/values.schema.json"), "utf8");
        const res = await genSchema(["--root", root]);
        expect(res.exitCode).toBe(1);
        expect(res.stderr).toMatch(/^ERROR - schema\/decypharr\.ts:\d+: Cannot find name 'Nummber'.*Fix the type/m);
        expect(readFileSync(join(root, "charts/decypharr/values.schema.json"), "utf8")).toBe(before);
      },
    );
  });
});
