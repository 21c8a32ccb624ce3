/**
 * Throughput: many trivial wasm jobs (wasm/hello.wasm) submitted over HTTP with a bounded number in
 * flight; each client slot submits, waits for the job to end (in-process `waitForJob`, an event)
 * and submits the next. The figure is jobs completed per second of wall time, first PUT to last end.
 */
import type { BenchNode } from "./bench-node.ts";
import { completedStdout, submitJob, wasmJobBody } from "./jobs.ts";
import { TERMINAL } from "./latency.ts";
import { round1 } from "./stats.ts";

export interface ThroughputResult {
  jobs: number;
  concurrency: number;
  /** The CPU each job asked for ("" = the node's job default). */
  job_cpu: string;
  seconds: number;
  jobs_per_s: number;
}

export async function measureThroughput(node: BenchNode, opts: { jobs: number; concurrency: number; jobCPU?: string }): Promise<ThroughputResult> {
  const body = wasmJobBody("hello", ["bench"], opts.jobCPU);
  const ids: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const slot = async () => {
    while (next < opts.jobs) {
      next++;
      const jobID = await submitJob(node.apiURL, body);
      ids.push(jobID);
      const job = await node.orchestrator.waitForJob(jobID, TERMINAL);
      if (job.State.StateType !== "Completed") failures.push(`${jobID}: ${job.State.StateType} ${job.State.Message ?? ""}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, slot));
  const seconds = (performance.now() - t0) / 1000;
  if (failures.length > 0) throw new Error(`${failures.length} of ${opts.jobs} jobs did not complete, e.g. ${failures[0]}`);
  // Checked after the clock stops: every job really ran and printed its greeting.
  for (const id of ids) {
    const out = await completedStdout(node.apiURL, id);
    if (out !== "Hello, bench!\n") throw new Error(`job ${id} printed ${JSON.stringify(out)}`);
  }
  return { jobs: ids.length, concurrency: opts.concurrency, job_cpu: opts.jobCPU ?? "", seconds: Math.round(seconds * 100) / 100, jobs_per_s: round1(ids.length / seconds) };
}
