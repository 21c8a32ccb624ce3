/**
 * Delivery of an execution's reports to the orchestrator. An outcome (RunResult, ComputeError)
 * must not be lost while the requester is away (restarting, network down): it is retried with
 * backoff until delivered or the node gives up, and until then the execution stays held, so the
 * handshake after a reconnect still lists it as the node's. Progress is tried once.
 */
import { BacalhauError } from "../models/errors.ts";
import type { Reply, ToOrchestrator } from "../transport/messages.ts";

export interface ReportOptions {
  send: (msg: ToOrchestrator) => Promise<Reply | void>;
  /** True once the node has given up on the orchestrator (final stop): retries end. */
  closing: () => boolean;
  log: (msg: string) => void;
}

/** Resolves once delivered or given up on (logged); never rejects. */
export async function deliverReport(opts: ReportOptions, msg: ToOrchestrator, executionID: string): Promise<void> {
  const final = msg.type === "RunResult" || msg.type === "ComputeError";
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      await opts.send(msg);
      return;
    } catch (err) {
      const retryable = err instanceof BacalhauError && err.code === "ServiceUnavailable";
      if (!final || !retryable || opts.closing()) {
        opts.log(`could not report ${msg.type} for ${executionID}: ${(err as Error).message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
