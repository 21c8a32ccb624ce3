/**
 * Job latency: one trivial wasm job at a time (wasm/hello.wasm), timed by the client from the start
 * of its HTTP PUT until it holds the job's stdout. The client learns that the job is Completed from
 * the orchestrator's in-process `waitForJob` (an event, so no polling interval is added to the
 * figure), then reads the stdout over HTTP as a remote client would.
 */
import { TERMINAL_JOB_STATES } from "../../src/models/types.ts";
import type { BenchNode } from "./bench-node.ts";
import type { ClientSpan } from "./breakdown.ts";
import { completedStdout, getHistory, submitJob, wasmJobBody } from "./jobs.ts";
import { percentile, round1 } from "./stats.ts";

export const TERMINAL = [...TERMINAL_JOB_STATES] as string[];
const GREETING = "Hello, bench!\n";

export interface LatencyResult {
  jobs: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  spans: ClientSpan[];
}

/** Submits one job and returns its span (history filled in later); throws unless it completed. */
export async function runOneJob(node: BenchNode, body: string, expectStdout?: string): Promise<ClientSpan & { jobID: string }> {
  const t0 = performance.now();
  const jobID = await submitJob(node.apiURL, body);
  const job = await node.orchestrator.waitForJob(jobID, TERMINAL);
  if (job.State.StateType !== "Completed") {
    throw new Error(`job ${jobID} ended ${job.State.StateType}: ${job.State.Message ?? ""}`);
  }
  const stdout = await completedStdout(node.apiURL, jobID);
  const t1 = performance.now();
  if (expectStdout !== undefined && stdout !== expectStdout) {
    throw new Error(`job ${jobID} printed ${JSON.stringify(stdout)}, expected ${JSON.stringify(expectStdout)}`);
  }
  return { jobID, start: performance.timeOrigin + t0, end: performance.timeOrigin + t1, history: [] };
}

export async function measureLatency(node: BenchNode, opts: { jobs: number; warmup: number }): Promise<LatencyResult> {
  const body = wasmJobBody("hello", ["bench"]);
  for (let i = 0; i < opts.warmup; i++) await runOneJob(node, body, GREETING);
  const spans: Array<ClientSpan & { jobID: string }> = [];
  for (let i = 0; i < opts.jobs; i++) spans.push(await runOneJob(node, body, GREETING));
  // Read afterwards so the reads are not part of any job's time.
  for (const span of spans) span.history = await getHistory(node.apiURL, span.jobID);
  const ms = spans.map((s) => s.end - s.start);
  return {
    jobs: spans.length,
    p50_ms: round1(percentile(ms, 50)),
    p99_ms: round1(percentile(ms, 99)),
    max_ms: round1(Math.max(...ms)),
    spans,
  };
}
