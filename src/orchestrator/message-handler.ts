/**
 * Applies what compute nodes report (bids, progress, results, errors, membership) to the store and
 * asks for re-evaluation where the job may need to move on. Every change is written in one
 * transaction together with the scheduling it triggers.
 */
import { BacalhauError } from "../models/errors.ts";
import {
  EvaluationTrigger,
  ExecutionDesiredStateType,
  ExecutionStateType,
  JobStateType,
  JobType,
  TERMINAL_EXECUTION_STATES,
  TERMINAL_JOB_STATES,
  type Execution,
  type ExecutionStateTypeValue,
  type Job,
} from "../models/types.ts";
import type { JobStore } from "../store/store.ts";
import type { Reply, ToOrchestrator } from "../transport/messages.ts";
import { errorEvent, event, Topic } from "./events.ts";
import type { EvaluationBroker } from "./evaluations.ts";
import type { NodeManager } from "./node-manager.ts";
import type { ReportBatch } from "./report-batch.ts";

export interface HandlerDeps {
  store: JobStore;
  nodes: NodeManager;
  broker: EvaluationBroker;
  reports: ReportBatch;
  log: (msg: string) => void;
}

function getExecution(store: JobStore, id: string): Execution | undefined {
  try {
    return store.getExecution(id);
  } catch (err) {
    if (err instanceof BacalhauError && err.status === 404) return undefined;
    throw err;
  }
}

function transition(
  deps: HandlerDeps,
  exec: Execution,
  compute: ExecutionStateTypeValue,
  message: string,
  extra: Partial<Execution> = {},
  topic: string = Topic.Execution,
  isError = false,
): void {
  const { store } = deps;
  const values: Partial<Execution> = { ...extra, ComputeState: { StateType: compute, Message: message } };
  if (TERMINAL_EXECUTION_STATES.has(compute) && compute !== ExecutionStateType.Completed) {
    values.DesiredState = { StateType: ExecutionDesiredStateType.Stopped, Message: message };
  }
  store.updateExecution({ executionID: exec.ID, newValues: values });
  store.addExecutionHistory(exec.JobID, exec.JobVersion, exec.ID,
    isError ? errorEvent(topic, message) : event(topic, message),
    { Previous: exec.ComputeState.StateType, New: compute });
}

function reevaluate(deps: HandlerDeps, jobID: string, trigger: string): void {
  const job = deps.store.getJob(jobID);
  if (!TERMINAL_JOB_STATES.has(job.State.StateType)) deps.broker.enqueue(job, trigger);
}

/** Jobs that may want a newly usable node: waiting ones, ones left with nothing running, and daemons. */
export function reevaluateForNewNode(deps: HandlerDeps): void {
  const busy = new Set(deps.store.listActiveExecutions().map((e) => e.JobID));
  for (const job of deps.store.listNonTerminalJobs()) {
    const waiting = job.State.StateType === JobStateType.Queued || job.State.StateType === JobStateType.Pending;
    if (waiting || !busy.has(job.ID) || job.Type === JobType.Daemon) {
      deps.broker.enqueue(job, EvaluationTrigger.NodeJoin);
    }
  }
}

/** Jobs with live executions on a node that just left. */
export function reevaluateForLostNode(deps: HandlerDeps, nodeID: string): void {
  const jobs = new Map<string, Job>();
  for (const e of deps.store.listActiveExecutions(nodeID)) {
    if (!jobs.has(e.JobID)) jobs.set(e.JobID, deps.store.getJob(e.JobID));
  }
  for (const job of jobs.values()) {
    if (!TERMINAL_JOB_STATES.has(job.State.StateType)) deps.broker.enqueue(job, EvaluationTrigger.NodeLeave);
  }
}

/**
 * The node a message is about is the one its transport session belongs to: a body naming another
 * node is a node speaking for someone else, so it is refused (and logged) rather than applied.
 */
function namesAnotherNode(deps: HandlerDeps, nodeID: string, msg: ToOrchestrator): boolean {
  const named = msg.type === "Handshake" || msg.type === "UpdateNodeInfo"
    ? msg.nodeInfo?.NodeID
    : msg.type === "Heartbeat" || msg.type === "ShutdownNotice"
    ? msg.nodeID
    : nodeID;
  if (named === nodeID) return false;
  deps.log(`ignoring ${msg.type} from node ${nodeID}: it names node ${String(named)}`);
  return true;
}

export function handleComputeMessage(deps: HandlerDeps, nodeID: string, msg: ToOrchestrator): Reply | void | Promise<void> {
  const { store, nodes } = deps;
  if (namesAnotherNode(deps, nodeID, msg)) {
    throw BacalhauError.badRequest(`a ${msg.type} from node ${nodeID} must name that node`, {
      component: "NodeManager",
      hint: "a node speaks only for itself: its messages are attributed to the node it joined as",
    });
  }
  switch (msg.type) {
    case "Handshake": {
      deps.broker.transaction(() => {
        const rebooted = nodes.rebooted(nodeID, msg.bootID);
        nodes.handshake(msg.nodeInfo);
        const held = new Set(msg.activeExecutionIDs);
        // The same process handshaking again (a reconnect) may not have received executions created
        // since it sent this handshake; only a new process has certainly lost what it does not list.
        const lost = rebooted ? store.listActiveExecutions(nodeID) : [];
        for (const e of lost) {
          if (held.has(e.ID)) continue;
          // Executions asked for but never received are safe to drop; running ones were lost.
          transition(deps, e, ExecutionStateType.Failed,
            "Execution stop requested because node has disappeared (the compute node restarted and no longer holds it)",
            {}, Topic.Execution, true);
          reevaluate(deps, e.JobID, EvaluationTrigger.NodeJoin);
        }
        reevaluateForNewNode(deps);
      });
      return;
    }
    case "Heartbeat":
      return nodes.heartbeat(nodeID) ? {} : { reconnect: true };
    case "UpdateNodeInfo":
      return nodes.updateInfo(msg.nodeInfo) ? {} : { reconnect: true };
    case "ShutdownNotice":
      deps.broker.transaction(() => nodes.disconnect(nodeID, `node shut down: ${msg.reason}`));
      return;
    default:
      break;
  }

  // Applied with the reports delivered alongside it, and the scheduling they trigger, in one commit.
  return deps.reports.add(nodeID, msg);
}

/** The reports about one execution; applied by `applyExecutionReport` inside a transaction. */
export type ExecutionReport = Extract<ToOrchestrator, { executionID: string }>;

/** Applies one execution report; the caller holds the transaction (see ReportBatch). */
export function applyExecutionReport(deps: HandlerDeps, nodeID: string, msg: ExecutionReport): void {
  const { store } = deps;
  const exec = getExecution(store, msg.executionID);
  if (!exec) {
    deps.log(`ignoring ${msg.type} for unknown execution ${msg.executionID}`);
    return;
  }
  if (exec.NodeID !== nodeID) {
    deps.log(`ignoring ${msg.type} for ${exec.ID} from ${nodeID}: it belongs to ${exec.NodeID}`);
    return;
  }
  // A late report for an execution the orchestrator already settled changes nothing.
  if (TERMINAL_EXECUTION_STATES.has(exec.ComputeState.StateType)) return;
  switch (msg.type) {
    case "BidResult":
      if (msg.accepted) {
        if (exec.ComputeState.StateType !== ExecutionStateType.AskForBid) return;
        transition(deps, exec, ExecutionStateType.AskForBidAccepted, "Bid accepted by node", {}, Topic.Bidding);
      } else {
        transition(deps, exec, ExecutionStateType.AskForBidRejected, `Node rejected the job: ${msg.reason}`,
          {}, Topic.Bidding, true);
      }
      reevaluate(deps, exec.JobID, EvaluationTrigger.ExecutionUpdate);
      return;
    case "ExecutionEvent":
      if (msg.newState !== undefined && msg.newState !== exec.ComputeState.StateType) {
        transition(deps, exec, msg.newState, msg.message, {}, msg.topic);
      } else {
        store.addExecutionHistory(exec.JobID, exec.JobVersion, exec.ID, event(msg.topic, msg.message));
      }
      return;
    case "RunResult":
      transition(deps, exec, ExecutionStateType.Completed, "Completed successfully", {
        PublishedResult: msg.publishedResult,
        RunOutput: msg.runOutput,
      });
      reevaluate(deps, exec.JobID, EvaluationTrigger.ExecutionUpdate);
      return;
    case "ComputeError":
      transition(deps, exec, ExecutionStateType.Failed, msg.message,
        msg.runOutput ? { RunOutput: msg.runOutput } : {}, Topic.Execution, true);
      reevaluate(deps, exec.JobID, EvaluationTrigger.ExecutionUpdate);
      return;
  }
}
