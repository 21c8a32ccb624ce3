/**
 * What happens after a job is built: dry-run, submit, then wait (with the progress printer), follow
 * the logs, or print just the ID. A job that ends Failed makes the command exit 1.
 */
import { stringify } from "yaml";
import type { JobSpec } from "../client/api-types.ts";
import type { BacalhauClient } from "../client/client.ts";
import { JobStateType, TERMINAL_JOB_STATES, type Job } from "../models/types.ts";
import type { CommandContext } from "./command.ts";
import {
  delay,
  isProgressEvent,
  POLL_INTERVAL_MS,
  PROGRESS_TIMEOUT_MS,
  progressHeader,
  progressRow,
  waitForJob,
} from "./output/progress.ts";

export interface SubmitFlow {
  force?: boolean;
  hideWarnings?: boolean;
}

/** Prints the job as YAML, as `--dry-run` of `wasm run`/`docker run` does. */
export function printDryRun(ctx: CommandContext, job: JobSpec): number {
  ctx.io.out(stringify(job, { aliasDuplicateObjects: false }));
  return 0;
}

export async function submitAndReport(ctx: CommandContext, job: JobSpec, flow: SubmitFlow = {}): Promise<number> {
  const { io, flags, argv0 } = ctx;
  const client = ctx.client();
  const res = await client.putJob(job, flow.force ?? false);
  if (!flow.hideWarnings) for (const w of res.Warnings ?? []) io.err(`Warning: ${w}\n`);

  const idOnly = flags.bool("id-only");
  if (idOnly || !flags.bool("wait")) {
    io.out(`${res.JobID}\n`);
    if (!flags.bool("wait")) return 0;
    const { job: final } = await waitForJob(client, res.JobID);
    return final.State.StateType === JobStateType.Failed ? 1 : 0;
  }

  io.out(`Job successfully submitted. Job ID: ${res.JobID}\n`);
  let final: Job;
  let timedOut: boolean;
  if (flags.bool("follow")) {
    io.out("Waiting for logs... (Enter Ctrl+C to exit at any time, your job will continue running):\n\n");
    await followLogs(client, res.JobID, (line) => io.out(line));
    ({ job: final, timedOut } = await waitForJob(client, res.JobID));
  } else {
    io.out("Checking job status... (Enter Ctrl+C to exit at any time, your job will continue running):\n\n");
    let headerShown = false;
    ({ job: final, timedOut } = await waitForJob(client, res.JobID, {
      onEvent: (h) => {
        if (!isProgressEvent(h)) return;
        if (!headerShown) io.out(progressHeader());
        headerShown = true;
        io.out(progressRow(h));
      },
    }));
    io.out("\n");
    if (timedOut) io.err("Warning: Progress tracking timed out after 5m0s. The job is still running.\n");
    io.out(`To get more details about the run, execute:\n\t${argv0} job describe ${res.JobID}\n\n`);
    io.out(`To get more details about the run executions, execute:\n\t${argv0} job executions ${res.JobID}\n\n`);
    if (final.Tasks[0]?.Publisher?.Type) io.out(`To download the results, execute:\n\t${argv0} job get ${res.JobID}\n\n`);
  }
  if (!timedOut && final.State.StateType === JobStateType.Failed) {
    const why = final.State.Message ? `: ${final.State.Message}` : "";
    io.err(`\nError: job failed${why}\n`);
    return 1;
  }
  return 0;
}

/**
 * Streams logs, reconnecting while the job has no execution to read from yet; gives up once the
 * job is terminal so a job that never ran does not hang the command.
 */
export async function followLogs(client: BacalhauClient, jobID: string, write: (s: string) => void): Promise<void> {
  const deadline = Date.now() + PROGRESS_TIMEOUT_MS;
  for (;;) {
    try {
      for await (const log of client.logs(jobID, { follow: true })) write(log.Line);
      return;
    } catch (err) {
      const { Job: job } = await client.getJob(jobID);
      if (TERMINAL_JOB_STATES.has(job.State.StateType)) return;
      if (Date.now() >= deadline) throw err;
      await delay(POLL_INTERVAL_MS);
    }
  }
}
