/**
 * tools/fencing/probe.ts: the real TCP connect against real sockets on loopback (answered,
 * refused), and probeNode's rounds on a fake clock (a life sign ends the probe, silence lasts the
 * whole window, a standing clock cannot loop forever).
 */
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIFE_SIGNS, type Endpoint, type ProbeResult } from "../../tools/fencing/decide.ts";
import { probeNode, tcpConnect } from "../../tools/fencing/probe.ts";

let server: Server;
let open: number;
let closed: number;
beforeAll(async () => {
  server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  open = (server.address() as AddressInfo).port;
  const tmp = createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", r));
  closed = (tmp.address() as AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe("tcpConnect", () => {
  it("a listening port answers", async () => {
    expect(await tcpConnect("127.0.0.1", open, 1000)).toEqual({ result: "answered" });
  });
  it("a closed port on a running host refuses: a life sign", async () => {
    expect(await tcpConnect("127.0.0.1", closed, 1000)).toEqual({ result: "refused" });
  });
  it("an address the prober cannot even try is an error, not silence", async () => {
    const r = await tcpConnect("not-an-ip.invalid", 1, 1000);
    expect(r.result).toBe("error");
  });
});

describe("probeNode", () => {
  const endpoints: Endpoint[] = [
    { kind: "kubelet", host: "10.0.0.1", port: 10250 },
    { kind: "node-port", host: "10.0.0.1", port: 22 },
  ];
  function clock() {
    let t = Date.parse("2026-03-01T12:00:00Z");
    return { now: () => new Date(t), sleep: async (ms: number) => { t += ms; } };
  }

  it("silence: rounds every intervalSeconds until the window has passed", async () => {
    const c = clock();
    const r = await probeNode("w1", endpoints, { config: DEFAULT_LIFE_SIGNS, origin: "w2", connect: async () => ({ result: "timeout" }), ...c });
    expect(r).toMatchObject({ node: "w1", origin: "w2", start: "2026-03-01T12:00:00.000Z", end: "2026-03-01T12:00:30.000Z" });
    expect(r.attempts).toHaveLength(7 * 2); // t = 0, 5, ..., 30
    expect(new Set(r.attempts.map((a) => a.result))).toEqual(new Set(["timeout"]));
  });

  it.each<ProbeResult>(["refused", "answered", "error"])("a %s in the second round ends the probe", async (result) => {
    const c = clock();
    let calls = 0;
    const r = await probeNode("w1", endpoints, {
      config: DEFAULT_LIFE_SIGNS,
      origin: "w2",
      connect: async (_h, port) => ({ result: ++calls > 2 && port === 22 ? result : "timeout" }),
      ...c,
    });
    expect(r.attempts).toHaveLength(4);
    expect(r.end).toBe("2026-03-01T12:00:05.000Z");
  });

  it("a clock that stands still cannot make it loop forever", async () => {
    const r = await probeNode("w1", endpoints, {
      config: DEFAULT_LIFE_SIGNS,
      origin: "w2",
      connect: async () => ({ result: "timeout" }),
      now: () => new Date("2026-03-01T12:00:00Z"),
      sleep: async () => {},
    });
    expect(r.attempts.length).toBe((30 / 5 + 2) * 2);
    expect(r.end).toBe(r.start); // and decide.ts then finds the window not covered
  });
});
