/**
 * The `--wait` progress printer: follows the job's history pages until the server says there is
 * nothing more (empty NextToken on a terminal job) and prints execution events as they come.
 */
import type { BacalhauClient } from "../../client/client.ts";
import { shortID } from "../../models/ids.ts";
import { TERMINAL_JOB_STATES, type Job, type JobHistory } from "../../models/types.ts";
import { formatTime } from "./time.ts";

export const POLL_INTERVAL_MS = 500;
export const PROGRESS_TIMEOUT_MS = 5 * 60 * 1000;

const WIDTHS = [10, 12, 24];

export function progressHeader(): string {
  return row(["TIME", "EXEC. ID", "TOPIC", "EVENT"]);
}

export function progressRow(h: JobHistory): string {
  const t = formatTime(new Date(h.Event.Timestamp || h.Time), { full: false });
  const isError = h.Event.Details?.IsError === "true";
  const msg = (isError ? "Error: " : "") + h.Event.Message.replaceAll("\n", " ");
  return row([t, h.ExecutionID ? shortID(h.ExecutionID) : "", h.Event.Topic, msg]);
}

function row(cells: string[]): string {
  return cells.map((c, i) => " " + (i < WIDTHS.length ? c.padEnd(WIDTHS[i] as number) : c)).join(" ").trimEnd() + "\n";
}

/** Events worth a row: those of executions, and errors at any level. */
export function isProgressEvent(h: JobHistory): boolean {
  return h.Type === "ExecutionLevel" || h.Event.Details?.IsError === "true";
}

export interface WaitOptions {
  /** Called for every new event, oldest first. */
  onEvent?: (h: JobHistory) => void;
  timeoutMs?: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

export interface WaitResult {
  job: Job;
  timedOut: boolean;
}

/** Polls `history` with next_token until the job is terminal and no page is left. */
export async function waitForJob(client: BacalhauClient, jobID: string, opts: WaitOptions = {}): Promise<WaitResult> {
  const { Job: first } = await client.getJob(jobID);
  const deadline = Date.now() + (opts.timeoutMs ?? PROGRESS_TIMEOUT_MS);
  const interval = opts.intervalMs ?? POLL_INTERVAL_MS;
  let token = "";
  let lastSeq = -1;
  for (;;) {
    const page = await client.jobHistory(first.ID, {
      eventType: "all",
      limit: 10,
      jobVersion: first.Version,
      nextToken: token || undefined,
    });
    let fresh = 0;
    for (const h of page.Items ?? []) {
      // A server that restarts paging from the start must not make us print twice.
      if (h.SeqNum <= lastSeq) continue;
      lastSeq = h.SeqNum;
      fresh++;
      opts.onEvent?.(h);
    }
    if (!page.NextToken) {
      const { Job: job } = await client.getJob(first.ID);
      if (TERMINAL_JOB_STATES.has(job.State.StateType)) return { job, timedOut: false };
    } else token = page.NextToken;
    if (Date.now() >= deadline) return { job: (await client.getJob(first.ID)).Job, timedOut: true };
    if (fresh === 0) await delay(interval, opts.signal);
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
