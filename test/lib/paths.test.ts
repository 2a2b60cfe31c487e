import { accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { scratchRoot } from "../../tools/lib/paths.ts";

const saved = process.env.TMPDIR;
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
});

const shmWritable = (() => {
  try {
    accessSync("/dev/shm", constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

describe("scratchRoot", () => {
  it("is $TMPDIR when it is set", () => {
    process.env.TMPDIR = "/var/tmp";
    expect(scratchRoot()).toBe("/var/tmp");
  });

  it("is tmpfs (/dev/shm) when TMPDIR is unset and it is writable, else the system's temporary directory", () => {
    delete process.env.TMPDIR;
    expect(scratchRoot()).toBe(shmWritable ? "/dev/shm" : tmpdir());
  });
});
