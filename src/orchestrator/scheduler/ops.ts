/**
 * Scheduler for ops and daemon jobs: one execution on every matching node, started without a bid
 * round-trip. An ops job runs once on the nodes present when it is evaluated and completes when they
 * all finish (fails if any fails); a daemon job also starts on nodes that join later and runs until stopped.
 */
import {
  ExecutionStateType,
  JobStateType,
  JobType,
  TERMINAL_EXECUTION_STATES,
  type Job,
} from "../../models/types.ts";
import { notEnoughNodesMessage, rankNodes } from "../selection/rankers.ts";
import { failLostExecutions, lastExecutionError, newExecution, setJobState, type SchedulerContext } from "./context.ts";

export function scheduleOps(ctx: SchedulerContext, job: Job): void {
  let execs = ctx.store.getExecutions(job.ID, { jobVersion: job.Version });
  execs = failLostExecutions(ctx, execs);
  const firstPass = execs.length === 0;

  if (firstPass || job.Type === JobType.Daemon) {
    const candidates = ctx.nodes.list().filter((n) => ctx.nodes.isUsable(n.Info.NodeID));
    const ranks = rankNodes(candidates, { job, resources: ctx.resources(job), executions: execs });
    const already = new Set(execs.map((e) => e.NodeID));
    const fresh = ranks.filter((r) => r.rank >= 0 && !already.has(r.node.Info.NodeID));
    for (const r of fresh) execs.push(newExecution(ctx, job, r.node.Info.NodeID, 0, true));
    if (firstPass && fresh.length === 0) {
      setJobState(ctx, job, JobStateType.Failed, notEnoughNodesMessage(1, ranks));
      return;
    }
  }

  const failed = execs.some((e) => e.ComputeState.StateType === ExecutionStateType.Failed);
  if (failed) {
    setJobState(ctx, job, JobStateType.Failed, lastExecutionError(execs) ?? "an execution failed");
    return;
  }
  const active = execs.filter((e) => !TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType));
  if (job.Type === JobType.Ops && active.length === 0) {
    setJobState(ctx, job, JobStateType.Completed);
    return;
  }
  if (active.length > 0 && job.State.StateType !== JobStateType.Running) setJobState(ctx, job, JobStateType.Running);
}
