/**
 * What a scheduler works with while it processes one evaluation. Schedulers run synchronously inside
 * one store transaction and only *queue* messages in the outbox: the evaluation broker sends them
 * after the transaction commits, so nothing is promised to a compute node that a crash could forget.
 */
import { newExecutionID } from "../../models/ids.ts";
import { nowNanos } from "../../models/time.ts";
import {
  ExecutionDesiredStateType,
  ExecutionStateType,
  JobStateType,
  TERMINAL_EXECUTION_STATES,
  TERMINAL_JOB_STATES,
  type Evaluation,
  type Execution,
  type ExecutionStateTypeValue,
  type Job,
  type JobStateTypeName,
  type Resources,
} from "../../models/types.ts";
import type { JobStore } from "../../store/store.ts";
import type { ToCompute } from "../../transport/messages.ts";
import { errorEvent, event, stateMessage, Topic } from "../events.ts";
import type { NodeManager } from "../node-manager.ts";

export interface Outgoing {
  nodeID: string;
  msg: ToCompute;
}

export interface SchedulerContext {
  store: JobStore;
  nodes: NodeManager;
  evaluation: Evaluation;
  outbox: Outgoing[];
  /** Resources of the job's task, parsed with the node's job defaults. */
  resources: (job: Job) => Resources;
  /** Ask for a later evaluation of this job (queue backoff). */
  requeue: (job: Job, delayMs: number, reason: string) => void;
  queueBackoffMs: number;
  /** Told after each job state change (used to wake waiters; runs after the transaction). */
  jobStateChanged: (job: Job) => void;
}

export function setJobState(ctx: SchedulerContext, job: Job, state: JobStateTypeName, message?: string): Job {
  if (job.State.StateType === state && (job.State.Message ?? "") === (message ?? "")) return job;
  if (TERMINAL_JOB_STATES.has(job.State.StateType)) return job;
  const previous = job.State.StateType;
  const updated = ctx.store.updateJobState({ jobID: job.ID, newState: state, message });
  const isError = state === JobStateType.Failed;
  const ev = isError
    ? errorEvent(Topic.StateUpdate, stateMessage(state, message))
    : event(Topic.StateUpdate, stateMessage(state, message));
  ctx.store.addJobHistory(job.ID, job.Version, ev, { Previous: previous, New: state });
  if (TERMINAL_JOB_STATES.has(state)) stopActiveExecutions(ctx, updated, `job ${state.toLowerCase()}`);
  ctx.jobStateChanged(updated);
  return updated;
}

export function updateExecutionState(
  ctx: SchedulerContext,
  exec: Execution,
  compute: ExecutionStateTypeValue,
  desired: number,
  message: string,
  topic: string = Topic.Scheduling,
): Execution {
  const updated = ctx.store.updateExecution({
    executionID: exec.ID,
    newValues: {
      ComputeState: { StateType: compute, Message: message },
      DesiredState: { StateType: desired as Execution["DesiredState"]["StateType"], Message: message },
    },
  });
  ctx.store.addExecutionHistory(exec.JobID, exec.JobVersion, exec.ID, event(topic, message), {
    Previous: exec.ComputeState.StateType,
    New: compute,
  });
  return updated;
}

/** Cancels every non-terminal execution of the job and tells the nodes that hold them. */
export function stopActiveExecutions(ctx: SchedulerContext, job: Job, reason: string): void {
  for (const e of ctx.store.getExecutions(job.ID, { allVersions: true })) {
    if (TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType)) continue;
    const pendingBid = e.ComputeState.StateType === ExecutionStateType.AskForBidAccepted ||
      e.ComputeState.StateType === ExecutionStateType.AskForBid ||
      e.ComputeState.StateType === ExecutionStateType.New;
    const state = pendingBid ? ExecutionStateType.BidRejected : ExecutionStateType.Cancelled;
    updateExecutionState(ctx, e, state, ExecutionDesiredStateType.Stopped, reason);
    if (ctx.nodes.isConnected(e.NodeID)) {
      ctx.outbox.push({
        nodeID: e.NodeID,
        msg: pendingBid
          ? { type: "BidRejected", executionID: e.ID, reason }
          : { type: "CancelExecution", executionID: e.ID, reason },
      });
    }
  }
}

/** Grace the compute node gets to report its own execution timeout before the orchestrator acts. */
export const EXECUTION_TIMEOUT_GRACE_MS = 2000;

/** Executions running past their timeout (plus grace) fail here when their node never said so. */
export function timeOutExecutions(ctx: SchedulerContext, job: Job, execs: Execution[]): Execution[] {
  const t = job.Tasks[0]?.Timeouts ?? {};
  const limit = t.ExecutionTimeout || t.TotalTimeout || 0;
  if (limit <= 0) return execs;
  const now = nowNanos();
  return execs.map((e) => {
    if (TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType)) return e;
    if (now - e.CreateTime <= limit * 1e9 + EXECUTION_TIMEOUT_GRACE_MS * 1e6) return e;
    const msg = `Execution timed out. Execution took longer than ${limit}s`;
    if (ctx.nodes.isConnected(e.NodeID)) {
      ctx.outbox.push({ nodeID: e.NodeID, msg: { type: "CancelExecution", executionID: e.ID, reason: msg } });
    }
    return updateExecutionState(ctx, e, ExecutionStateType.Failed, ExecutionDesiredStateType.Stopped, msg, "Exec Timeout");
  });
}

/** Executions on nodes that are gone fail so their partitions can run elsewhere. */
export function failLostExecutions(ctx: SchedulerContext, execs: Execution[]): Execution[] {
  return execs.map((e) => {
    if (TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType)) return e;
    if (ctx.nodes.isConnected(e.NodeID)) return e;
    return updateExecutionState(
      ctx, e, ExecutionStateType.Failed, ExecutionDesiredStateType.Stopped,
      "Execution stop requested because node has disappeared", Topic.Execution,
    );
  });
}

export function newExecution(
  ctx: SchedulerContext,
  job: Job,
  nodeID: string,
  partitionIndex: number,
  run: boolean,
): Execution {
  const now = nowNanos();
  const exec: Execution = {
    ID: newExecutionID(),
    Namespace: job.Namespace,
    EvalID: ctx.evaluation.ID,
    Name: job.Name,
    NodeID: nodeID,
    JobID: job.ID,
    JobVersion: job.Version,
    AllocatedResources: { Tasks: { [job.Tasks[0].Name]: ctx.resources(job) } },
    DesiredState: {
      StateType: run ? ExecutionDesiredStateType.Running : ExecutionDesiredStateType.Pending,
      Message: run ? "execution approved" : "",
    },
    ComputeState: {
      StateType: run ? ExecutionStateType.BidAccepted : ExecutionStateType.AskForBid,
      Message: "",
    },
    PublishedResult: { Type: "" },
    PreviousExecution: "",
    NextExecution: "",
    FollowupEvalID: "",
    PartitionIndex: partitionIndex,
    Revision: 1,
    CreateTime: now,
    ModifyTime: now,
  };
  ctx.store.createExecution(exec);
  ctx.store.addExecutionHistory(job.ID, job.Version, exec.ID,
    event(Topic.Scheduling, `Requested execution on ${nodeID.slice(0, 10)}`),
    { Previous: ExecutionStateType.Undefined, New: exec.ComputeState.StateType });
  ctx.outbox.push({ nodeID, msg: { type: "AskForBid", execution: { ...exec, Job: job }, run } });
  return exec;
}

/** The most useful failure text of a job's executions: the real cause, not only "not enough nodes". */
export function lastExecutionError(execs: Execution[]): string | undefined {
  const failed = execs
    .filter((e) => e.ComputeState.StateType === ExecutionStateType.Failed)
    .sort((a, b) => b.ModifyTime - a.ModifyTime);
  for (const e of failed) {
    const msg = e.RunOutput?.ErrorMsg || e.ComputeState.Message;
    if (msg) return `execution ${e.ID.slice(0, 10)} on node ${e.NodeID.slice(0, 10)} failed: ${msg}`;
  }
  return undefined;
}
