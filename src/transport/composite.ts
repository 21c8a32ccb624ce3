/**
 * One orchestrator, several ways to reach compute nodes: a hybrid node talks to its own compute role
 * in-process and to remote ones over libp2p. Messages go to whichever transport holds the node.
 */
import { BacalhauError } from "../models/errors.ts";
import type { ExecutionLog, LogsRequest, ToCompute } from "./messages.ts";
import type { OrchestratorHandler, OrchestratorTransport } from "./transport.ts";

const isUnavailable = (err: unknown) => err instanceof BacalhauError && err.code === "ServiceUnavailable";

export class CompositeOrchestratorTransport implements OrchestratorTransport {
  readonly #parts: OrchestratorTransport[];

  constructor(parts: OrchestratorTransport[]) {
    this.#parts = parts;
  }

  setHandler(handler: OrchestratorHandler): void {
    for (const p of this.#parts) p.setHandler(handler);
  }

  async send(nodeID: string, msg: ToCompute): Promise<void> {
    let last: unknown;
    for (const p of this.#parts) {
      try {
        return await p.send(nodeID, msg);
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        last = err;
      }
    }
    throw last;
  }

  async *streamLogs(nodeID: string, req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    let last: unknown;
    for (const p of this.#parts) {
      const it = p.streamLogs(nodeID, req, signal)[Symbol.asyncIterator]();
      let first: IteratorResult<ExecutionLog>;
      try {
        first = await it.next();
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        last = err;
        continue;
      }
      if (first.done) return;
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      return;
    }
    throw last;
  }

  async close(): Promise<void> {
    for (const p of this.#parts) await p.close();
  }
}
