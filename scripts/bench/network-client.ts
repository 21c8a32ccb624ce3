/**
 * What the network benchmark asks of the requester over HTTP, as a remote client must (the nodes are
 * other processes, so there is no event to await): the connected compute nodes, and a job's state,
 * polled with GET /api/v1/orchestrator/jobs/{id} at a short interval until it is terminal.
 */
import { TERMINAL_JOB_STATES, type Job, type NodeState } from "../../src/models/types.ts";
import { completedStdout, submitJob } from "./jobs.ts";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJSON<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function connectedComputes(apiURL: string): Promise<NodeState[]> {
  const { Nodes } = await getJSON<{ Nodes: NodeState[] }>(`${apiURL}/api/v1/orchestrator/nodes`);
  return Nodes.filter((n) => n.Info.NodeType === "Compute" && n.Connection === "CONNECTED");
}

/**
 * Polls the node list until `count` compute nodes are CONNECTED; returns the ms it took. `alive` is
 * called between polls so a node that died on start fails the wait at once instead of at the timeout.
 */
export async function waitForComputes(
  apiURL: string,
  count: number,
  opts: { timeoutMs: number; pollMs: number; alive?: () => void },
): Promise<number> {
  const t0 = performance.now();
  let seen = 0;
  for (;;) {
    seen = (await connectedComputes(apiURL)).length;
    if (seen >= count) return performance.now() - t0;
    if (performance.now() - t0 > opts.timeoutMs) {
      throw new Error(`${seen} of ${count} compute nodes CONNECTED after ${opts.timeoutMs} ms`);
    }
    opts.alive?.();
    await pause(opts.pollMs);
  }
}

/** Polls the job until it is terminal; returns it. */
export async function pollJob(apiURL: string, jobID: string, pollMs: number, timeoutMs = 120_000): Promise<Job> {
  const t0 = performance.now();
  for (;;) {
    const { Job: job } = await getJSON<{ Job: Job }>(`${apiURL}/api/v1/orchestrator/jobs/${jobID}`);
    if (TERMINAL_JOB_STATES.has(job.State.StateType)) return job;
    if (performance.now() - t0 > timeoutMs) throw new Error(`job ${jobID} still ${job.State.StateType} after ${timeoutMs} ms`);
    await pause(pollMs);
  }
}

/**
 * One job through the network, timed by the client from the start of its PUT until it holds the
 * job's stdout (the same span as the local latency figure). Throws unless it completed with `expect`.
 */
export async function remoteJob(apiURL: string, body: string, pollMs: number, expect?: string): Promise<{ jobID: string; ms: number }> {
  const t0 = performance.now();
  const jobID = await submitJob(apiURL, body);
  const job = await pollJob(apiURL, jobID, pollMs);
  if (job.State.StateType !== "Completed") {
    throw new Error(`job ${jobID} ended ${job.State.StateType}: ${job.State.Message ?? ""}`);
  }
  const stdout = await completedStdout(apiURL, jobID);
  const ms = performance.now() - t0;
  if (expect !== undefined && stdout !== expect) {
    throw new Error(`job ${jobID} printed ${JSON.stringify(stdout)}, expected ${JSON.stringify(expect)}`);
  }
  return { jobID, ms };
}
