/**
 * vitest globalSetup: the tracked copy of the repository that every fixture copies
 * (test/helpers/fixture-repo.ts), made once per test run and removed after it.
 */
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { makeFixtureBase } from "../helpers/fixture-repo.ts";

declare module "vitest" {
  export interface ProvidedContext {
    fixtureBase: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = makeFixtureBase();
  project.provide("fixtureBase", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
