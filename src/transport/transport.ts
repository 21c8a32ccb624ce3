/**
 * The transport seam: the only thing that differs between a hybrid node (in-process) and a network
 * of nodes (libp2p). test/conformance/transport.suite.ts runs every implementation through the same checks.
 */
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "./messages.ts";

/** Implemented by the compute role; the transport delivers orchestrator messages and log requests to it. */
export interface ComputeHandler {
  onMessage(msg: ToCompute): void | Promise<void>;
  streamLogs(req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog>;
  /**
   * The bytes of an execution's locally published result (the `local` publisher's tar.gz), so the
   * requester can serve it to clients that cannot reach this node. Throws a NotFound BacalhauError
   * when this node holds no such result. A handler without it holds no results.
   */
  readResult?(executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array>;
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
  /**
   * Streams the result `executionID` published on `nodeID` (see ComputeHandler.readResult): NotFound
   * when the node holds none, ServiceUnavailable when the node is not connected; aborting `signal`
   * ends the iteration and stops the node reading.
   */
  fetchResult(nodeID: string, executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** A compute node's side of the transport, bound to one orchestrator. */
export interface ComputeTransport {
  readonly nodeID: string;
  setHandler(handler: ComputeHandler): void;
  send(msg: ToOrchestrator): Promise<Reply | void>;
  close(): Promise<void>;
}
