/**
 * Housekeeping: a periodic look for jobs past their TotalTimeout and executions past their
 * ExecutionTimeout. The compute node enforces execution timeouts itself; this catches what a lost or
 * silent node would never report. Found jobs get an evaluation; the scheduler decides what to do.
 */
import { nowNanos, secondsToNanos } from "../models/time.ts";
import { EvaluationTrigger, JobType, TERMINAL_EXECUTION_STATES } from "../models/types.ts";
import type { JobStore } from "../store/store.ts";
import type { EvaluationBroker } from "./evaluations.ts";
import { EXECUTION_TIMEOUT_GRACE_MS } from "./scheduler/context.ts";

export interface HousekeepingOptions {
  store: JobStore;
  broker: EvaluationBroker;
  intervalMs: number;
}

export class Housekeeping {
  readonly #opts: HousekeepingOptions;
  #timer?: ReturnType<typeof setInterval>;
  readonly #flagged = new Set<string>();

  constructor(opts: HousekeepingOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#timer = setInterval(() => this.check(), this.#opts.intervalMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  check(): void {
    const { store, broker } = this.#opts;
    const now = nowNanos();
    const grace = EXECUTION_TIMEOUT_GRACE_MS * 1e6;
    broker.transaction(() => {
      for (const job of store.listNonTerminalJobs()) {
        if (job.Type === JobType.Service || job.Type === JobType.Daemon) continue;
        const t = job.Tasks[0]?.Timeouts ?? {};
        const total = t.TotalTimeout ?? 0;
        const key = `${job.ID}:${job.Version}`;
        if (total > 0 && now - job.CreateTime > secondsToNanos(total) && !this.#flagged.has(key)) {
          this.#flagged.add(key);
          broker.enqueue(job, EvaluationTrigger.JobTimeout);
          continue;
        }
        const execTimeout = t.ExecutionTimeout || total;
        if (execTimeout <= 0) continue;
        for (const e of store.getExecutions(job.ID)) {
          if (TERMINAL_EXECUTION_STATES.has(e.ComputeState.StateType)) continue;
          if (now - e.CreateTime > secondsToNanos(execTimeout) + grace && !this.#flagged.has(e.ID)) {
            this.#flagged.add(e.ID);
            broker.enqueue(job, EvaluationTrigger.ExecutionTimeout);
          }
        }
      }
    });
  }
}
