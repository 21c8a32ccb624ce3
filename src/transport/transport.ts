/**
 * The transport seam: the only thing that differs between a hybrid node (in-process) and a network
 * of nodes (libp2p). test/conformance/transport.suite.ts runs every implementation through the same checks.
 */
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "./messages.ts";

/** Implemented by the compute role; the transport delivers orchestrator messages and log requests to it. */
export interface ComputeHandler {
  onMessage(msg: ToCompute): void | Promise<void>;
  streamLogs(req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog>;
}

/** Implemented by the orchestrator role. `nodeID` names the sender. */
export interface OrchestratorHandler {
  onMessage(nodeID: string, msg: ToOrchestrator): Reply | void | Promise<Reply | void>;
}

/** The orchestrator's side of the transport. */
export interface OrchestratorTransport {
  setHandler(handler: OrchestratorHandler): void;
  send(nodeID: string, msg: ToCompute): Promise<void>;
  streamLogs(nodeID: string, req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog>;
  close(): Promise<void>;
}

/** A compute node's side of the transport, bound to one orchestrator. */
export interface ComputeTransport {
  readonly nodeID: string;
  setHandler(handler: ComputeHandler): void;
  send(msg: ToOrchestrator): Promise<Reply | void>;
  close(): Promise<void>;
}
