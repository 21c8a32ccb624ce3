/**
 * Scheduler for batch and service jobs: partitions 0..Count-1 each need one execution. Bids are asked
 * of the best-ranked nodes; the oldest accepted bid of a partition is approved; failed executions are
 * retried on any node still eligible (a node that ran the job twice is not). A batch job completes when
 * every partition has a Completed execution; a service job runs until stopped.
 */
import { secondsToNanos, nowNanos } from "../../models/time.ts";
import {
  DISCARDED_EXECUTION_STATES,
  ExecutionDesiredStateType,
  ExecutionStateType,
  JobStateType,
  JobType,
  TERMINAL_JOB_STATES,
  type Execution,
  type Job,
} from "../../models/types.ts";
import { notEnoughNodesMessage, rankNodes } from "../selection/rankers.ts";
import { Topic } from "../events.ts";
import {
  failLostExecutions,
  lastExecutionError,
  newExecution,
  setJobState,
  timeOutExecutions,
  updateExecutionState,
  type SchedulerContext,
} from "./context.ts";

const isActiveRun = (e: Execution) =>
  e.DesiredState.StateType === ExecutionDesiredStateType.Running &&
  (e.ComputeState.StateType === ExecutionStateType.BidAccepted ||
    e.ComputeState.StateType === ExecutionStateType.Running ||
    e.ComputeState.StateType === ExecutionStateType.Publishing);

function groupByPartition(execs: Execution[]): Map<number, Execution[]> {
  const out = new Map<number, Execution[]>();
  for (const e of execs) {
    const p = e.PartitionIndex ?? 0;
    const list = out.get(p);
    if (list) list.push(e);
    else out.set(p, [e]);
  }
  return out;
}

function approveBids(ctx: SchedulerContext, execs: Execution[]): Execution[] {
  const byPartition = groupByPartition(execs);
  const out: Execution[] = [];
  for (const group of byPartition.values()) {
    const done = group.some((e) => e.ComputeState.StateType === ExecutionStateType.Completed);
    const running = group.find(isActiveRun);
    const bids = group
      .filter((e) => e.ComputeState.StateType === ExecutionStateType.AskForBidAccepted)
      .sort((a, b) => a.CreateTime - b.CreateTime);
    const winner = done || running ? undefined : bids[0];
    for (const e of group) {
      if (e === winner) {
        out.push(updateExecutionState(ctx, e, ExecutionStateType.BidAccepted, ExecutionDesiredStateType.Running,
          "bid accepted"));
        ctx.outbox.push({ nodeID: e.NodeID, msg: { type: "BidAccepted", executionID: e.ID } });
      } else if (e.ComputeState.StateType === ExecutionStateType.AskForBidAccepted) {
        const reason = done ? "partition already completed" : "another execution was chosen for this partition";
        out.push(updateExecutionState(ctx, e, ExecutionStateType.BidRejected, ExecutionDesiredStateType.Stopped, reason));
        ctx.outbox.push({ nodeID: e.NodeID, msg: { type: "BidRejected", executionID: e.ID, reason } });
      } else {
        out.push(e);
      }
    }
  }
  return out;
}

export function scheduleBatch(ctx: SchedulerContext, job: Job): void {
  let execs = ctx.store.getExecutions(job.ID, { jobVersion: job.Version });
  execs = failLostExecutions(ctx, execs);
  execs = timeOutExecutions(ctx, job, execs);
  const task = job.Tasks[0];
  const totalTimeout = task.Timeouts?.TotalTimeout ?? 0;
  if (totalTimeout > 0 && nowNanos() - job.CreateTime > secondsToNanos(totalTimeout)) {
    setJobState(ctx, job, JobStateType.Failed, `Job timed out. Job took longer than ${totalTimeout}s`);
    return;
  }
  execs = approveBids(ctx, execs);

  const count = Math.max(1, job.Count);
  const completed = new Set(
    execs.filter((e) => e.ComputeState.StateType === ExecutionStateType.Completed).map((e) => e.PartitionIndex ?? 0),
  );
  if (job.Type === JobType.Batch && completed.size >= count) {
    setJobState(ctx, job, JobStateType.Completed);
    return;
  }
  const held = new Set(
    execs.filter((e) => !DISCARDED_EXECUTION_STATES.has(e.ComputeState.StateType)).map((e) => e.PartitionIndex ?? 0),
  );
  const remaining = [...Array(count).keys()].filter((p) => !held.has(p));

  if (remaining.length > 0) {
    const all = ctx.store.getExecutions(job.ID, { allVersions: true });
    const candidates = ctx.nodes.list().filter((n) => ctx.nodes.isUsable(n.Info.NodeID));
    const resources = ctx.resources(job);
    // Unlike Bacalhau, several partitions may share a node: the previous-executions rule looks at
    // each partition's own history, and nodes already given work in this pass rank lower, so
    // partitions spread out but a single node can still run a Count > 1 job.
    const given = new Map<string, number>();
    let ranks = rankNodes(candidates, { job, resources, executions: all });
    let placed = 0;
    // Grouped once: a pass costs executions + partitions × nodes, never partitions × executions.
    const byPartition = groupByPartition(all);
    for (const partition of remaining) {
      const mine = byPartition.get(partition) ?? [];
      ranks = rankNodes(candidates, { job, resources, executions: mine });
      const best = ranks
        .filter((r) => r.rank >= 0)
        .map((r) => ({ ...r, rank: r.rank - 50 * (given.get(r.node.Info.NodeID) ?? 0) }))
        .sort((a, b) => b.rank - a.rank)[0];
      if (!best) break;
      const nodeID = best.node.Info.NodeID;
      given.set(nodeID, (given.get(nodeID) ?? 0) + 1);
      execs.push(newExecution(ctx, job, nodeID, partition, false));
      placed++;
    }
    if (placed < remaining.length) {
      const queueTimeout = task.Timeouts?.QueueTimeout ?? 0;
      const waited = nowNanos() - job.CreateTime;
      if (queueTimeout > 0 && waited < secondsToNanos(queueTimeout)) {
        const left = Math.ceil((secondsToNanos(queueTimeout) - waited) / 1e6);
        ctx.requeue(job, Math.min(ctx.queueBackoffMs, left), "waiting for nodes");
        if (placed === 0 && !execs.some((e) => !DISCARDED_EXECUTION_STATES.has(e.ComputeState.StateType))) {
          const msg = `Job queued: ${notEnoughNodesMessage(remaining.length, ranks)}`;
          if (job.State.StateType !== JobStateType.Queued) {
            ctx.store.addJobHistory(job.ID, job.Version, { Topic: Topic.Queueing, Message: msg, Timestamp: new Date().toISOString() });
          }
          job = setJobState(ctx, job, JobStateType.Queued, msg);
        }
      } else {
        const cause = lastExecutionError(all);
        const nodesMsg = notEnoughNodesMessage(remaining.length, ranks);
        setJobState(ctx, job, JobStateType.Failed, cause ? `${cause}\n${nodesMsg}` : nodesMsg);
        return;
      }
    }
  }
  if (TERMINAL_JOB_STATES.has(job.State.StateType)) return;
  if (execs.some(isActiveRun) && job.State.StateType !== JobStateType.Running) {
    setJobState(ctx, job, JobStateType.Running);
  }
}
