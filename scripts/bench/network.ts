/**
 * Remote job latency and compute-node memory through a real network of processes on 127.0.0.1: one
 * requester and one compute-only node joined over the private libp2p swarm. Jobs are submitted over
 * HTTP to the requester and waited for by polling GET /jobs/{id} at a short interval (the client
 * has no event to await across processes; the interval is reported beside the figures). The span
 * timed is the local latency figure's: from the start of the PUT until the client holds the stdout.
 */
import type { Cleanup } from "./cleanup.ts";
import { remoteJob, waitForComputes } from "./network-client.ts";
import { nodeMemory, type NodeMemory } from "./network-memory.ts";
import { startCompute, startRequester, stopNetwork, type NetworkProcess, type RequesterProcess } from "./network-process.ts";
import { wasmJobBody } from "./jobs.ts";
import { percentile, round1 } from "./stats.ts";

export const GREETING = "Hello, bench!\n";
const CONNECT_TIMEOUT_MS = 60_000;

export interface NetworkOptions {
  jobs: number;
  warmup: number;
  pollMs: number;
  idleMs: number;
}

export interface NetworkResult {
  jobs: number;
  warmup: number;
  poll_ms: number;
  remote_latency_p50_ms: number;
  remote_latency_p99_ms: number;
  max_ms: number;
  connect_ms: number;
  /** The compute-only node idle after joining, before any job. */
  compute_idle: NodeMemory;
  /** The same node idle again after the jobs (its runner pool has filled by then). */
  compute_after_jobs: NodeMemory;
  requester_after_jobs: NodeMemory;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function roundMemory(m: NodeMemory): NodeMemory {
  return { own_mb: round1(m.own_mb), runners_mb: round1(m.runners_mb), runners: m.runners };
}

/** Runs `warmup` untimed then `jobs` timed sequential hello.wasm jobs; returns the timed ones. */
export async function sequentialJobs(
  apiURL: string,
  opts: { jobs: number; warmup: number; pollMs: number },
  alive: () => void,
): Promise<Array<{ jobID: string; ms: number }>> {
  const body = wasmJobBody("hello", ["bench"]);
  for (let i = 0; i < opts.warmup; i++) await remoteJob(apiURL, body, opts.pollMs, GREETING);
  const timed: Array<{ jobID: string; ms: number }> = [];
  for (let i = 0; i < opts.jobs; i++) {
    timed.push(await remoteJob(apiURL, body, opts.pollMs, GREETING));
    if (i % 50 === 49) alive();
  }
  return timed;
}

export async function measureNetwork(cleanup: Cleanup, opts: NetworkOptions): Promise<NetworkResult> {
  let req: RequesterProcess | undefined;
  let compute: NetworkProcess | undefined;
  try {
    req = await startRequester(cleanup);
    const t0 = performance.now();
    compute = startCompute(cleanup, req);
    const c = compute;
    const r = req;
    const alive = () => { r.assertRunning(); c.assertRunning(); };
    await waitForComputes(req.apiURL, 1, { timeoutMs: CONNECT_TIMEOUT_MS, pollMs: 20, alive });
    const connectMs = performance.now() - t0;

    // Idle means idle: time has to pass, there is no event that says a node has settled.
    await pause(opts.idleMs);
    const idle = nodeMemory(compute.pid);

    const ms = (await sequentialJobs(req.apiURL, opts, alive)).map((j) => j.ms);
    await pause(opts.idleMs / 2);
    const computeAfter = nodeMemory(compute.pid);
    const requesterAfter = nodeMemory(req.pid);
    alive();
    return {
      jobs: ms.length,
      warmup: opts.warmup,
      poll_ms: opts.pollMs,
      remote_latency_p50_ms: round1(percentile(ms, 50)),
      remote_latency_p99_ms: round1(percentile(ms, 99)),
      max_ms: round1(Math.max(...ms)),
      connect_ms: round1(connectMs),
      compute_idle: roundMemory(idle),
      compute_after_jobs: roundMemory(computeAfter),
      requester_after_jobs: roundMemory(requesterAfter),
    };
  } finally {
    await stopNetwork(req, compute ? [compute] : []);
  }
}
