/**
 * Life-sign probes: TCP connects from the node this job runs on (the peer storage node) to the
 * endpoints of a NotReady node (decide.ts endpointsFor), repeated over a window. I/O lives here;
 * the verdict (silent / alive / unknown) is decide.ts verdictOf, a pure function of the report.
 *
 * Why TCP connects and what each outcome means:
 * - `answered`: the SYN got a SYN-ACK; a process listens, the host runs.
 * - `refused`: the SYN got an RST (ECONNREFUSED); nothing listens there, but a kernel answered:
 *   a crashed kubelet or k3s-agent looks exactly like this on port 10250, while the containers
 *   (run by containerd, which survives the agent) keep writing.
 * - `timeout`: no answer within the timeout; EHOSTUNREACH/EHOSTDOWN too, which on a LAN means
 *   the neighbour (ARP) resolution of the target failed: nobody answers for that address.
 * - `error`: the prober could not try (ENETUNREACH: no route from the origin, EADDRNOTAVAIL...):
 *   says nothing about the target, so the verdict is inconclusive and nothing is fenced.
 * The job's pod runs in the pod network; its connection to a node IP leaves through the origin
 * node's own interface (k3s/flannel masquerades pod traffic to node IPs), and one to an
 * instance-manager pod IP crosses the flannel VXLAN between the two nodes: the data path
 * Longhorn's engine uses to reach the peer's replica.
 */
import { Socket } from "node:net";
import type { Endpoint, LifeSignConfig, LifeSignReport, ProbeAttempt, ProbeResult } from "./decide.ts";

/** One TCP connect attempt. */
export type Connect = (host: string, port: number, timeoutMs: number) => Promise<{ result: ProbeResult; detail?: string }>;

const SILENT_CODES = new Set(["EHOSTUNREACH", "EHOSTDOWN"]);

/** A real TCP connect with node:net. */
export const tcpConnect: Connect = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = new Socket();
    let done = false;
    const finish = (result: ProbeResult, detail?: string) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(detail ? { result, detail } : { result });
    };
    socket.setTimeout(timeoutMs);
    socket.once("connect", () => finish("answered"));
    socket.once("timeout", () => finish("timeout", `no answer in ${timeoutMs} ms`));
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") finish("refused");
      else if (error.code && SILENT_CODES.has(error.code)) finish("timeout", error.code);
      else finish("error", error.code ?? error.message);
    });
    socket.connect({ host, port });
  });

export interface ProbeOptions {
  config: LifeSignConfig;
  origin: string;
  connect?: Connect;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Probes one node's endpoints in rounds, every `intervalSeconds`, until the window has passed
 * (every attempt timed out: the node may be silent) or until a round shows a life sign (one
 * answered or refused connect decides "alive", no need to wait). All endpoints of a round are
 * tried in parallel.
 */
export async function probeNode(node: string, endpoints: Endpoint[], opts: ProbeOptions): Promise<LifeSignReport> {
  const connect = opts.connect ?? tcpConnect;
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? defaultSleep;
  const { windowSeconds, intervalSeconds, timeoutMs } = opts.config;
  const attempts: ProbeAttempt[] = [];
  const start = now();
  let end = start;
  if (endpoints.length === 0) return { node, origin: opts.origin, start: start.toISOString(), end: start.toISOString(), attempts };
  // Bounded even if the clock stands still: the verdict reads the window from start/end anyway.
  const maxRounds = Math.ceil(windowSeconds / intervalSeconds) + 2;
  for (let round = 1; ; round++) {
    const roundAt = now();
    const results = await Promise.all(endpoints.map(async (e) => {
      const r = await connect(e.host, e.port, timeoutMs);
      return { ...e, result: r.result, at: roundAt.toISOString(), ...(r.detail ? { detail: r.detail } : {}) } as ProbeAttempt;
    }));
    attempts.push(...results);
    end = now();
    if (results.some((a) => a.result !== "timeout")) break;
    if ((end.getTime() - start.getTime()) / 1000 >= windowSeconds || round >= maxRounds) break;
    await sleep(intervalSeconds * 1000);
  }
  return { node, origin: opts.origin, start: start.toISOString(), end: end.toISOString(), attempts };
}

/** Probes several nodes in parallel. */
export async function probeNodes(targets: Array<{ node: string; endpoints: Endpoint[] }>, opts: ProbeOptions): Promise<LifeSignReport[]> {
  return Promise.all(targets.map((t) => probeNode(t.node, t.endpoints, opts)));
}
