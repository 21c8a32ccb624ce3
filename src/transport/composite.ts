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

  streamLogs(nodeID: string, req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    return this.#firstHolding((p) => p.streamLogs(nodeID, req, signal));
  }

  fetchResult(nodeID: string, executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array> {
    return this.#firstHolding((p) => p.fetchResult(nodeID, executionID, signal));
  }

  /**
   * The stream of the first transport that holds the node: a part that does not hold it fails
   * before its first item with ServiceUnavailable, and the next part is tried.
   */
  async *#firstHolding<T>(open: (p: OrchestratorTransport) => AsyncIterable<T>): AsyncGenerator<T> {
    let last: unknown;
    for (const p of this.#parts) {
      const it = open(p)[Symbol.asyncIterator]();
      let first: IteratorResult<T>;
      try {
        first = await it.next();
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        last = err;
        continue;
      }
      if (first.done) return;
      try {
        yield first.value;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      } finally {
        // The consumer leaving early must stop the part's stream too.
        await it.return?.();
      }
      return;
    }
    throw last;
  }

  async close(): Promise<void> {
    for (const p of this.#parts) await p.close();
  }
}
