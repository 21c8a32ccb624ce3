/**
 * Group commit of compute nodes' execution reports (bids, progress, results, errors): reports that
 * arrive together (in the same turn of the event loop) are applied in one transaction, each in its
 * own savepoint, with the scheduling they trigger. A report's delivery is answered only after that
 * commit, so a node that sees its report accepted knows it is stored; a report that fails undoes
 * only itself.
 */
import type { ExecutionReport } from "./message-handler.ts";
import type { EvaluationBroker } from "./evaluations.ts";
import type { JobStore } from "../store/store.ts";

interface Pending {
  nodeID: string;
  report: ExecutionReport;
  done: PromiseWithResolvers<void>;
}

export class ReportBatch {
  readonly #store: JobStore;
  readonly #broker: EvaluationBroker;
  readonly #apply: (nodeID: string, report: ExecutionReport) => void;
  #queue: Pending[] = [];

  constructor(store: JobStore, broker: EvaluationBroker, apply: (nodeID: string, report: ExecutionReport) => void) {
    this.#store = store;
    this.#broker = broker;
    this.#apply = apply;
  }

  /** Resolves once the report is committed; rejects with what applying it threw. */
  add(nodeID: string, report: ExecutionReport): Promise<void> {
    // The first report of a batch waits one microtask for the others delivered with it.
    if (this.#queue.length === 0) queueMicrotask(() => this.#flush());
    const done = Promise.withResolvers<void>();
    this.#queue.push({ nodeID, report, done });
    return done.promise;
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    const failed = new Map<Pending, unknown>();
    try {
      this.#broker.transaction(() => {
        for (const p of batch) {
          try {
            this.#store.transaction(() => this.#apply(p.nodeID, p.report));
          } catch (err) {
            failed.set(p, err);
          }
        }
      });
    } catch (err) {
      for (const p of batch) p.done.reject(err);
      return;
    }
    for (const p of batch) {
      if (failed.has(p)) p.done.reject(failed.get(p));
      else p.done.resolve();
    }
  }
}
