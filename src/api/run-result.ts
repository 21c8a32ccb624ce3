/**
 * The answer of `POST /api/v1/run`: the job's state, its executions, where the results went (the
 * IPFS CID when published there) and one execution's output, so a client learns everything from
 * one request. The output is the RunOutput the compute node reported, already truncated by it.
 */
import {
  DISCARDED_EXECUTION_STATES,
  EXECUTION_STATE_NAMES,
  ExecutionStateType,
} from "../models/types.ts";
import type { Execution, Job, JobStateTypeName, SpecConfig } from "../models/types.ts";
import { resultURL } from "./routes/job-results.ts";

export interface RunExecutionSummary {
  ID: string;
  NodeID: string;
  PartitionIndex: number;
  State: string;
  Message?: string;
}

/** 202: the job is still going; follow it at `GET /api/v1/orchestrator/jobs/{JobID}`. */
export interface RunPendingResponse {
  JobID: string;
  State: JobStateTypeName;
  Message?: string;
  Executions: RunExecutionSummary[];
}

/** 200: the job ended (Completed, Failed or Stopped). */
export interface RunResponse extends RunPendingResponse {
  /** The execution whose output and results are shown ("" when none ran). */
  ExecutionID: string;
  /** The result's CID when that execution published to IPFS. */
  CID?: string;
  /** One per Completed execution, as `GET .../results` lists them. */
  PublishedResults: SpecConfig[];
  Stdout: string;
  StdoutTruncated: boolean;
  Stderr: string;
  StderrTruncated: boolean;
  /** null when no execution reported an output. */
  ExitCode: number | null;
  ErrorMsg: string;
}

function summary(e: Execution): RunExecutionSummary {
  const message = e.ComputeState.Message || e.DesiredState.Message;
  return {
    ID: e.ID,
    NodeID: e.NodeID,
    PartitionIndex: e.PartitionIndex ?? 0,
    State: EXECUTION_STATE_NAMES[e.ComputeState.StateType] ?? String(e.ComputeState.StateType),
    ...(message ? { Message: message } : {}),
  };
}

export function pendingResponse(job: Job, executions: Execution[]): RunPendingResponse {
  return {
    JobID: job.ID,
    State: job.State.StateType,
    ...(job.State.Message ? { Message: job.State.Message } : {}),
    Executions: executions.map(summary),
  };
}

const completed = (e: Execution) => e.ComputeState.StateType === ExecutionStateType.Completed;

/** A completed execution (lowest partition first), else the latest failure, else the latest one. */
function primary(executions: Execution[]): Execution | undefined {
  const done = executions.filter(completed).sort((a, b) => (a.PartitionIndex ?? 0) - (b.PartitionIndex ?? 0));
  if (done[0]) return done[0];
  const newest = [...executions].sort((a, b) => b.ModifyTime - a.ModifyTime);
  return newest.find((e) => e.ComputeState.StateType === ExecutionStateType.Failed)
    ?? newest.find((e) => !DISCARDED_EXECUTION_STATES.has(e.ComputeState.StateType))
    ?? newest[0];
}

/**
 * `origin` is this API's address as the client reached it: `local`-published results are served
 * through it, as the results listing does.
 */
export function endedResponse(job: Job, executions: Execution[], origin: string): RunResponse {
  const local = job.Tasks[0]?.Publisher?.Type?.toLowerCase() === "local";
  const published = (e: Execution): SpecConfig =>
    local ? { Type: "urlDownload", Params: { URL: resultURL(origin, job.ID, e.ID) } } : e.PublishedResult;
  const main = primary(executions);
  const out = main?.RunOutput;
  const mainResult = main && completed(main) ? main.PublishedResult : undefined;
  const cid = mainResult?.Type?.toLowerCase() === "ipfs" ? mainResult.Params?.CID : undefined;
  return {
    ...pendingResponse(job, executions),
    ExecutionID: main?.ID ?? "",
    ...(typeof cid === "string" && cid ? { CID: cid } : {}),
    PublishedResults: executions.filter((e) => completed(e) && e.PublishedResult?.Type).map(published),
    Stdout: out?.Stdout ?? "",
    StdoutTruncated: out?.StdoutTruncated ?? false,
    Stderr: out?.stderr ?? "",
    StderrTruncated: out?.StderrTruncated ?? false,
    ExitCode: out ? out.ExitCode : null,
    ErrorMsg: out?.ErrorMsg || (main && !completed(main) ? main.ComputeState.Message ?? "" : ""),
  };
}
