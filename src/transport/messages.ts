/**
 * The messages between an orchestrator and its compute nodes. They are plain data (JSON-safe) so the
 * same handlers work whether the messages cross a function call (in-process transport) or a libp2p
 * stream; the names follow Bacalhau's (AskForBid, BidResult, RunResult, …).
 */
import type {
  ExecutionLog,
  ExecutionStateTypeValue,
  Execution,
  NodeInfo,
  RunCommandResult,
  SpecConfig,
} from "../models/types.ts";

// orchestrator → compute

/** Ask the node to bid for an execution (batch/service), or start it at once when `run` is set (ops/daemon). */
export interface AskForBid {
  type: "AskForBid";
  /** The execution with its Job embedded. */
  execution: Execution;
  /** When true the orchestrator has pre-approved the execution: no bid round-trip. */
  run: boolean;
}
export interface BidAccepted {
  type: "BidAccepted";
  executionID: string;
}
export interface BidRejected {
  type: "BidRejected";
  executionID: string;
  reason: string;
}
export interface CancelExecution {
  type: "CancelExecution";
  executionID: string;
  reason: string;
}
export type ToCompute = AskForBid | BidAccepted | BidRejected | CancelExecution;

// compute → orchestrator

export interface BidResult {
  type: "BidResult";
  executionID: string;
  jobID: string;
  accepted: boolean;
  reason: string;
}
/** Progress of an accepted execution (Running, Publishing) with the history topic and message. */
export interface ExecutionEvent {
  type: "ExecutionEvent";
  executionID: string;
  jobID: string;
  topic: string;
  message: string;
  newState?: ExecutionStateTypeValue;
}
export interface RunResult {
  type: "RunResult";
  executionID: string;
  jobID: string;
  publishedResult: SpecConfig;
  runOutput: RunCommandResult;
}
export interface ComputeError {
  type: "ComputeError";
  executionID: string;
  jobID: string;
  message: string;
  /** Present when the job ran far enough to produce output (e.g. a trap). */
  runOutput?: RunCommandResult;
}
export interface Handshake {
  type: "Handshake";
  nodeInfo: NodeInfo;
  /** Executions the node still holds (after a reconnect); the orchestrator reconciles them. */
  activeExecutionIDs: string[];
  /** Random per process: a new value means the node restarted and lost what it was running. */
  bootID: string;
}
export interface Heartbeat {
  type: "Heartbeat";
  nodeID: string;
  seq: number;
}
export interface UpdateNodeInfo {
  type: "UpdateNodeInfo";
  nodeInfo: NodeInfo;
}
export interface ShutdownNotice {
  type: "ShutdownNotice";
  nodeID: string;
  reason: string;
}
export type ToOrchestrator =
  | BidResult
  | ExecutionEvent
  | RunResult
  | ComputeError
  | Handshake
  | Heartbeat
  | UpdateNodeInfo
  | ShutdownNotice;

/** The orchestrator's answer to a compute message: `reconnect` asks the node to handshake again. */
export interface Reply {
  reconnect?: boolean;
}

/** A request to stream an execution's logs from the compute node that holds it. */
export interface LogsRequest {
  executionID: string;
  tail?: number;
  follow: boolean;
}

export type { ExecutionLog };
