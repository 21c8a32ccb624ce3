/**
 * The in-process transport of a hybrid node (or a devstack in one process): messages are deep
 * copied and delivered on a later microtask, so handlers never share objects or re-enter each
 * other, exactly as if the messages had crossed a process boundary. The copy shares strings
 * (immutable), so a job carrying an inline module is not copied byte by byte on every message.
 */
import { BacalhauError } from "../models/errors.ts";
import { copyJSONValue } from "../models/json-copy.ts";
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "./messages.ts";
import { readResultOf } from "./result-reader.ts";
import type {
  ComputeHandler,
  ComputeTransport,
  OrchestratorHandler,
  OrchestratorTransport,
} from "./transport.ts";

const unreachable = (nodeID: string) =>
  new BacalhauError(`node ${nodeID} is not connected`, { code: "ServiceUnavailable", component: "Transport" });

export class InProcessHub implements OrchestratorTransport {
  #handler?: OrchestratorHandler;
  readonly #computes = new Map<string, InProcessComputeTransport>();

  setHandler(handler: OrchestratorHandler): void {
    this.#handler = handler;
  }

  /** Creates the compute side for one node; its messages reach this hub's orchestrator. */
  connect(nodeID: string): InProcessComputeTransport {
    const t = new InProcessComputeTransport(nodeID, this);
    this.#computes.set(nodeID, t);
    return t;
  }

  disconnect(nodeID: string): void {
    this.#computes.delete(nodeID);
  }

  async deliver(nodeID: string, msg: ToOrchestrator): Promise<Reply | void> {
    const handler = this.#handler;
    if (!handler) throw new BacalhauError("no orchestrator is attached", { component: "Transport" });
    const copy = copyJSONValue(msg);
    await Promise.resolve();
    return copyJSONValue(await handler.onMessage(nodeID, copy));
  }

  async send(nodeID: string, msg: ToCompute): Promise<void> {
    const handler = this.#computes.get(nodeID)?.handler;
    if (!handler) throw unreachable(nodeID);
    const copy = copyJSONValue(msg);
    await Promise.resolve();
    await handler.onMessage(copy);
  }

  async *streamLogs(nodeID: string, req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    const handler = this.#computes.get(nodeID)?.handler;
    if (!handler) throw unreachable(nodeID);
    yield* handler.streamLogs(copyJSONValue(req), signal);
  }

  async *fetchResult(nodeID: string, executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const handler = this.#computes.get(nodeID)?.handler;
    if (!handler) throw unreachable(nodeID);
    for await (const chunk of readResultOf(handler, executionID, signal)) {
      if (signal.aborted) return;
      // A copy, as if it had crossed the wire: the producer may reuse its buffer.
      yield chunk.slice();
    }
  }

  async close(): Promise<void> {
    this.#computes.clear();
  }
}

export class InProcessComputeTransport implements ComputeTransport {
  readonly nodeID: string;
  readonly #hub: InProcessHub;
  handler?: ComputeHandler;

  constructor(nodeID: string, hub: InProcessHub) {
    this.nodeID = nodeID;
    this.#hub = hub;
  }

  setHandler(handler: ComputeHandler): void {
    this.handler = handler;
  }

  send(msg: ToOrchestrator): Promise<Reply | void> {
    return this.#hub.deliver(this.nodeID, msg);
  }

  async close(): Promise<void> {
    this.#hub.disconnect(this.nodeID);
  }
}
