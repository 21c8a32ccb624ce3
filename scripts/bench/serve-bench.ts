/**
 * Start-up time and memory of `bacalhau serve` as a separate process: time to the first 200 from
 * /api/v1/agent/alive. The first start is on a new data dir (it creates the node's RSA identity and
 * database); the next ones restart on that same dir, as a node does, and their median is the ready
 * time. Then the resident memory of the last one after it has sat idle, alone and with its
 * descendants (warm wasm runner processes and their guards), and once more after it has run one
 * job (which is when the runner pool fills).
 */
import type { Cleanup } from "./cleanup.ts";
import { submitJob, waitByHistory, wasmJobBody, completedStdout } from "./jobs.ts";
import { commandLine, descendants, rssKiB } from "./proc.ts";
import { benchDataDir, startServe } from "./serve-process.ts";
import { median, round1 } from "./stats.ts";

export interface ServeResult {
  /** Median over the restarts on an existing data dir (the first start when there is only one). */
  ready_ms: number;
  /** The first start, on a new data dir. */
  first_ready_ms: number;
  ready_runs_ms: number[];
  idle_rss_mb: number;
  idle_rss_total_mb: number;
  idle_children: number;
  after_job_rss_total_mb: number;
  after_job_children: number;
  children: string[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memory(pid: number): { own: number; total: number; children: number[] } {
  const own = rssKiB(pid) ?? Number.NaN;
  const children = descendants(pid);
  const total = children.reduce((sum, c) => sum + (rssKiB(c) ?? 0), own);
  return { own: own / 1024, total: total / 1024, children };
}

export async function measureServe(cleanup: Cleanup, opts: { runs: number; idleMs: number }): Promise<ServeResult> {
  const readyRuns: number[] = [];
  const dataDir = benchDataDir(cleanup);
  for (let i = 0; i < opts.runs; i++) {
    const serve = await startServe(cleanup, dataDir);
    readyRuns.push(serve.readyMs);
    if (i < opts.runs - 1) {
      await serve.stop();
      continue;
    }
    // Idle means idle: the benchmark waits for time to pass, there is no event to wait for.
    await pause(opts.idleMs);
    const idle = memory(serve.pid);
    // One job, waited for as a remote client does (history paging with next_token).
    const jobID = await submitJob(serve.apiURL, wasmJobBody("hello", ["bench"]));
    await waitByHistory(serve.apiURL, jobID);
    const out = await completedStdout(serve.apiURL, jobID);
    if (out !== "Hello, bench!\n") throw new Error(`serve job printed ${JSON.stringify(out)}`);
    await pause(opts.idleMs / 2);
    const afterJob = memory(serve.pid);
    const children = afterJob.children.map((pid) => commandLine(pid).split(" ").map((arg) => arg.replace(/^\/.*\//, "")).join(" "));
    await serve.stop();
    return {
      ready_ms: round1(median(readyRuns.length > 1 ? readyRuns.slice(1) : readyRuns)),
      first_ready_ms: round1(readyRuns[0]!),
      ready_runs_ms: readyRuns.map(round1),
      idle_rss_mb: round1(idle.own),
      idle_rss_total_mb: round1(idle.total),
      idle_children: idle.children.length,
      after_job_rss_total_mb: round1(afterJob.total),
      after_job_children: afterJob.children.length,
      children,
    };
  }
  throw new Error("serve benchmark needs at least one run");
}
