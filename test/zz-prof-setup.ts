import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
const g = globalThis as { __profSession?: Session };
beforeAll(async () => {
  if (!g.__profSession) { g.__profSession = new Session(); g.__profSession.connect(); await g.__profSession.post("Profiler.enable"); await g.__profSession.post("Profiler.setSamplingInterval", { interval: 1000 }); }
  await g.__profSession.post("Profiler.start");
});
afterAll(async ({}, suite) => {
  const ctx = suite as unknown as { file?: { name?: string }; name?: string };
  const { profile } = await g.__profSession!.post("Profiler.stop");
  const name = ctx.file?.name ?? ctx.name ?? `x${Math.random()}`;
  writeFileSync(`/tmp/prof/wp/${name.replaceAll("/", "_")}-${process.pid}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
});
