/**
 * The one-off scale run (`--computes N`): one requester and N compute-only processes on 127.0.0.1.
 * It reports the time from spawning the N nodes until the requester lists all of them CONNECTED,
 * sequential job latency through the bigger network (scheduling now ranks N nodes), the time of an
 * ops job that runs on every node (PUT to Completed), and the resident memory per node. A first ops
 * job runs before the timed batch jobs: each node starts its runners on its first job, and without
 * it the batch p99 would measure those cold starts rather than scheduling. Its time is kept too.
 */
import type { Cleanup } from "./cleanup.ts";
import { getExecutions, submitJob, wasmJobBody } from "./jobs.ts";
import { pollJob, waitForComputes } from "./network-client.ts";
import { nodeMemory, type NodeMemory } from "./network-memory.ts";
import { startCompute, startRequester, stopNetwork, type NetworkProcess, type RequesterProcess } from "./network-process.ts";
import { GREETING, roundMemory, sequentialJobs } from "./network.ts";
import { median, percentile, round1 } from "./stats.ts";

// Generous: N runtimes compiling the sources at once on a small machine.
const CONNECT_TIMEOUT_MS = 300_000;

export interface ScaleOptions {
  computes: number;
  jobs: number;
  warmup: number;
  pollMs: number;
  idleMs: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export interface ScaleResult {
  computes: number;
  connect_all_ms: number;
  jobs: number;
  warmup: number;
  poll_ms: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  max_ms: number;
  /** Distinct compute nodes the timed jobs ran on. */
  nodes_used: number;
  /** The first ops job, which meets every node's runners cold. */
  ops_cold_ms: number;
  /** The ops job after the batch jobs, runners warm. */
  ops_ms: number;
  ops_executions: number;
  /** Per compute process, idle after all joined (before any job): own RSS, and its runners'. */
  compute_idle_rss_mb: Spread;
  compute_idle_runners_rss_mb: Spread;
  /** Per compute process after the jobs and the ops job. */
  compute_after_rss_mb: Spread;
  compute_after_runners_rss_mb: Spread;
  requester_idle: NodeMemory;
  requester_after: NodeMemory;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spread(values: number[]): Spread {
  return { min: round1(Math.min(...values)), median: round1(median(values)), max: round1(Math.max(...values)) };
}

/** Runs one ops job of hello.wasm and returns the ms from PUT to Completed and its completed executions. */
async function opsJob(apiURL: string, pollMs: number): Promise<{ ms: number; executions: number }> {
  const body = JSON.parse(wasmJobBody("hello", ["bench"])) as { Job: Record<string, unknown> };
  body.Job.Type = "ops";
  const t0 = performance.now();
  const jobID = await submitJob(apiURL, JSON.stringify(body));
  const job = await pollJob(apiURL, jobID, pollMs);
  const ms = performance.now() - t0;
  if (job.State.StateType !== "Completed") throw new Error(`ops job ${jobID} ended ${job.State.StateType}: ${job.State.Message ?? ""}`);
  const done = (await getExecutions(apiURL, jobID)).filter((e) => e.ComputeState.StateType === 9);
  const wrong = done.find((e) => (e.RunOutput?.Stdout ?? "") !== GREETING);
  if (wrong) throw new Error(`ops job ${jobID}: execution ${wrong.ID} printed ${JSON.stringify(wrong.RunOutput?.Stdout)}`);
  return { ms, executions: done.length };
}

async function nodesUsed(apiURL: string, jobIDs: string[]): Promise<number> {
  const nodes = new Set<string>();
  for (const id of jobIDs) for (const e of await getExecutions(apiURL, id)) nodes.add(e.NodeID);
  return nodes.size;
}

export async function measureNetworkScale(
  cleanup: Cleanup,
  opts: ScaleOptions,
  progress: (msg: string) => void,
): Promise<ScaleResult> {
  let req: RequesterProcess | undefined;
  const computes: NetworkProcess[] = [];
  try {
    req = await startRequester(cleanup);
    const r = req;
    const alive = () => { r.assertRunning(); for (const c of computes) c.assertRunning(); };
    const t0 = performance.now();
    for (let i = 0; i < opts.computes; i++) computes.push(startCompute(cleanup, req));
    await waitForComputes(req.apiURL, opts.computes, { timeoutMs: CONNECT_TIMEOUT_MS, pollMs: 50, alive });
    const connectMs = performance.now() - t0;
    progress(`network-scale: ${opts.computes} compute nodes CONNECTED in ${(connectMs / 1000).toFixed(1)} s`);

    await pause(opts.idleMs);
    const idle = computes.map((c) => nodeMemory(c.pid));
    const requesterIdle = nodeMemory(req.pid);

    const cold = await opsJob(req.apiURL, opts.pollMs);
    progress(`network-scale: first ops job (cold runners) ${cold.executions} executions in ${(cold.ms / 1000).toFixed(1)} s`);
    const timed = await sequentialJobs(req.apiURL, opts, alive);
    const ms = timed.map((j) => j.ms);
    const used = await nodesUsed(req.apiURL, timed.map((j) => j.jobID));
    progress(`network-scale: ${ms.length} sequential jobs done`);
    const ops = await opsJob(req.apiURL, opts.pollMs);
    if (ops.executions !== opts.computes) {
      throw new Error(`ops job completed ${ops.executions} executions, expected one on each of ${opts.computes} nodes`);
    }

    await pause(opts.idleMs / 2);
    const after = computes.map((c) => nodeMemory(c.pid));
    const requesterAfter = nodeMemory(req.pid);
    alive();
    return {
      computes: opts.computes,
      connect_all_ms: round1(connectMs),
      jobs: ms.length,
      warmup: opts.warmup,
      poll_ms: opts.pollMs,
      latency_p50_ms: round1(percentile(ms, 50)),
      latency_p99_ms: round1(percentile(ms, 99)),
      max_ms: round1(Math.max(...ms)),
      nodes_used: used,
      ops_cold_ms: round1(cold.ms),
      ops_ms: round1(ops.ms),
      ops_executions: ops.executions,
      compute_idle_rss_mb: spread(idle.map((m) => m.own_mb)),
      compute_idle_runners_rss_mb: spread(idle.map((m) => m.runners_mb)),
      compute_after_rss_mb: spread(after.map((m) => m.own_mb)),
      compute_after_runners_rss_mb: spread(after.map((m) => m.runners_mb)),
      requester_idle: roundMemory(requesterIdle),
      requester_after: roundMemory(requesterAfter),
    };
  } finally {
    await stopNetwork(req, computes);
  }
}
