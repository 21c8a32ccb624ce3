/**
 * The evaluation broker: every reason to look at a job again (submitted, bid answered, execution
 * ended, node joined or left, queue backoff, timeout) becomes a persisted Evaluation; the broker
 * runs the job's scheduler once for all evaluations pending on that job, inside one transaction,
 * deletes them in that same transaction, and only then sends the messages the scheduler queued.
 */
import { newEvaluationID } from "../models/ids.ts";
import { nowNanos } from "../models/time.ts";
import { EvaluationStatus, type Evaluation, type Job } from "../models/types.ts";
import type { JobStore } from "../store/store.ts";
import type { Outgoing } from "./scheduler/context.ts";

export interface BrokerOptions {
  store: JobStore;
  /** Runs the scheduler for a job inside the broker's transaction and returns the messages to send. */
  schedule: (evaluation: Evaluation) => Outgoing[];
  send: (out: Outgoing) => Promise<void>;
  onError: (err: unknown, evaluation: Evaluation) => void;
}

export class EvaluationBroker {
  readonly #opts: BrokerOptions;
  /** Job IDs waiting to be scheduled, in arrival order; each job appears once. */
  readonly #ready = new Set<string>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #draining = false;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(opts: BrokerOptions) {
    this.#opts = opts;
  }

  /** Persists an evaluation (joins the caller's transaction) and schedules it. */
  enqueue(job: Pick<Job, "ID" | "Namespace" | "Type" | "Priority">, trigger: string, delayMs = 0): Evaluation {
    const now = nowNanos();
    const evaluation: Evaluation = {
      ID: newEvaluationID(),
      Namespace: job.Namespace,
      JobID: job.ID,
      TriggeredBy: trigger,
      Priority: job.Priority,
      Type: job.Type,
      Status: EvaluationStatus.Pending,
      Comment: "",
      WaitUntil: delayMs > 0 ? now + delayMs * 1e6 : 0,
      CreateTime: now,
      ModifyTime: now,
    };
    this.#opts.store.createEvaluation(evaluation);
    this.#arm(evaluation);
    return evaluation;
  }

  /**
   * Picks up evaluations left pending by a previous run of the node, no sooner than `graceMs` from
   * now: compute nodes need a moment to reconnect before jobs are judged to have nowhere to run.
   */
  resume(graceMs = 0): void {
    const earliest = nowNanos() + graceMs * 1e6;
    for (const e of this.#opts.store.listPendingEvaluations()) this.#arm({ ...e, WaitUntil: Math.max(e.WaitUntil, earliest) });
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#ready.clear();
  }

  /** Resolves when nothing is waiting to be scheduled (delayed evaluations aside). */
  idle(): Promise<void> {
    if (!this.#draining && this.#ready.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #arm(e: Evaluation): void {
    if (this.#stopped) return;
    const delayMs = e.WaitUntil > 0 ? Math.max(0, (e.WaitUntil - nowNanos()) / 1e6) : 0;
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#ready.add(e.JobID);
        this.#kick();
      }, delayMs);
      this.#timers.add(t);
      return;
    }
    this.#ready.add(e.JobID);
    this.#kick();
  }

  #kick(): void {
    if (this.#draining || this.#stopped) return;
    this.#draining = true;
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#ready.size > 0 && !this.#stopped) {
        const jobID = this.#ready.values().next().value as string;
        this.#ready.delete(jobID);
        await this.#run(jobID);
      }
    } finally {
      this.#draining = false;
      if (this.#ready.size === 0) for (const r of this.#idle.splice(0)) r();
      else this.#kick();
    }
  }

  async #run(jobID: string): Promise<void> {
    const { store } = this.#opts;
    const now = nowNanos();
    const due = store.listPendingEvaluations().filter((e) => e.JobID === jobID && e.WaitUntil <= now);
    if (due.length === 0) return;
    let outbox: Outgoing[] = [];
    try {
      outbox = store.transaction(() => {
        const out = this.#opts.schedule(due[due.length - 1]);
        for (const e of due) store.deleteEvaluation(e.ID);
        return out;
      });
    } catch (err) {
      this.#opts.onError(err, due[due.length - 1]);
      // A failing scheduler must not spin: drop these evaluations, keep the error visible.
      try {
        store.transaction(() => due.forEach((e) => store.deleteEvaluation(e.ID)));
      } catch { /* the store itself is failing; nothing more to do here */ }
      return;
    }
    for (const out of outbox) await this.#opts.send(out);
  }
}
