/**
 * Waiting for a submitted job to end, for at most a timeout, and only while the client is still
 * there. The wait never touches the job: when it gives up, the job carries on.
 */
import { TERMINAL_JOB_STATES } from "../models/types.ts";
import type { Job } from "../models/types.ts";
import type { OrchestratorAPI } from "../orchestrator/api.ts";

export type JobWaiter = (jobID: string, states: readonly string[], signal: AbortSignal) => Promise<Job>;

export type WaitOutcome = "ended" | "timeout" | "client-gone";

const TERMINAL: readonly string[] = [...TERMINAL_JOB_STATES];
/** The orchestrator's own wait on a job's state changes. */
export function jobWaiter(orchestrator: OrchestratorAPI): JobWaiter {
  return (id, states, signal) => orchestrator.waitForJob(id, states, signal);
}

/** Resolves with why the wait ended; only store errors reject. */
export async function waitForEnd(
  wait: JobWaiter,
  jobID: string,
  timeoutMs: number,
  client: AbortSignal,
): Promise<WaitOutcome> {
  if (client.aborted) return "client-gone";
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort("timeout"), timeoutMs);
  const onGone = () => ctl.abort("client-gone");
  client.addEventListener("abort", onGone, { once: true });
  try {
    await wait(jobID, TERMINAL, ctl.signal);
    return "ended";
  } catch (err) {
    if (ctl.signal.aborted) return ctl.signal.reason === "client-gone" ? "client-gone" : "timeout";
    throw err;
  } finally {
    clearTimeout(timer);
    client.removeEventListener("abort", onGone);
  }
}

