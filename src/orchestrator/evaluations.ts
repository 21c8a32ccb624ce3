/**
 * The evaluation broker: every reason to look at a job again (submitted, bid answered, execution
 * ended, node joined or left, queue backoff, timeout) becomes an Evaluation, and the job's
 * scheduler runs once for all evaluations due on that job.
 *
 * Changes that trigger evaluations run in `transaction`: the evaluations they enqueue are scheduled
 * at its end, inside the same store transaction, so a submission or a compute node's report and
 * the scheduling it causes are one commit; the messages the scheduler queued are sent only after
 * that commit. Evaluations enqueued elsewhere run soon after in their own transaction.
 *
 * Only delayed evaluations (queue backoff) are stored. One due now is either scheduled in the
 * transaction that made it or lost with the process, and the orchestrator's start re-evaluates
 * every job that is not finished, so storing it would buy nothing.
 */
import { newEvaluationID } from "../models/ids.ts";
import { nowNanos } from "../models/time.ts";
import { EvaluationStatus, type Evaluation, type Job } from "../models/types.ts";
import type { JobStore } from "../store/store.ts";
import type { Outgoing } from "./scheduler/context.ts";

/** Jobs scheduled per transaction when the broker works through its own queue. */
const DRAIN_BATCH = 32;

export interface BrokerOptions {
  store: JobStore;
  /** Runs the scheduler for a job inside the broker's transaction and returns the messages to send. */
  schedule: (evaluation: Evaluation) => Outgoing[];
  send: (out: Outgoing) => Promise<void>;
  onError: (err: unknown, evaluation: Evaluation) => void;
}

/** What a `transaction` collects: evaluations to run before it commits, messages to send after. */
interface Batch {
  due: Map<string, Evaluation[]>;
  outbox: Outgoing[];
  /** Set while the batch's evaluations run: what they enqueue goes to the broker's queue. */
  closing: boolean;
}

export class EvaluationBroker {
  readonly #opts: BrokerOptions;
  /** Evaluations due, by job, in arrival order; each job is scheduled once for all of them. */
  readonly #due = new Map<string, Evaluation[]>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Per node, the sends in flight: messages reach a node in the order their commits happened. */
  readonly #sending = new Map<string, Promise<void>>();
  #batch?: Batch;
  #draining = false;
  #stopped = false;
  #idle: Array<() => void> = [];

  constructor(opts: BrokerOptions) {
    this.#opts = opts;
  }

  /**
   * Runs fn in a store transaction (joining one the caller holds) and schedules the evaluations
   * it enqueued before committing; afterwards sends what the schedulers queued. A scheduler that
   * throws undoes only its own part: fn's changes are kept, the error is reported.
   */
  transaction<T>(fn: () => T): T {
    if (this.#batch !== undefined) return fn();
    const batch: Batch = { due: new Map(), outbox: [], closing: false };
    this.#batch = batch;
    let result: T;
    try {
      result = this.#opts.store.transaction(() => {
        const r = fn();
        batch.closing = true;
        for (const evaluations of batch.due.values()) this.#schedule(evaluations, batch.outbox);
        return r;
      });
    } finally {
      this.#batch = undefined;
    }
    this.#dispatch(batch.outbox);
    return result;
  }

  /**
   * Messages to send once the current `transaction` commits (dropped if it rolls back). Only
   * valid inside `transaction`.
   */
  get outbox(): Outgoing[] {
    if (this.#batch === undefined) throw new Error("the evaluation broker's outbox is only open inside its transaction");
    return this.#batch.outbox;
  }

  /** Records an evaluation of the job (see the class comment for when it runs) and returns it. */
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
    const batch = this.#batch;
    if (delayMs > 0) this.#opts.store.createEvaluation(evaluation);
    // A stopped broker (the node is shutting down) records but schedules nothing.
    if (delayMs <= 0 && batch !== undefined && !batch.closing && !this.#stopped) {
      batch.due.set(job.ID, [...(batch.due.get(job.ID) ?? []), evaluation]);
    } else {
      this.#arm(evaluation);
    }
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
    this.#due.clear();
  }

  /** Resolves when nothing is waiting to be scheduled (delayed evaluations aside). */
  idle(): Promise<void> {
    if (!this.#draining && this.#due.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #arm(e: Evaluation): void {
    if (this.#stopped) return;
    const delayMs = e.WaitUntil > 0 ? Math.max(0, (e.WaitUntil - nowNanos()) / 1e6) : 0;
    if (delayMs > 0) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#ready(e);
      }, delayMs);
      this.#timers.add(t);
      return;
    }
    this.#ready(e);
  }

  #ready(e: Evaluation): void {
    if (this.#stopped) return;
    this.#due.set(e.JobID, [...(this.#due.get(e.JobID) ?? []), e]);
    if (this.#draining) return;
    this.#draining = true;
    queueMicrotask(() => this.#drain());
  }

  /**
   * Schedules the due jobs, a bounded number per transaction and per turn of the event loop, so
   * a burst (every job after a node joins) neither builds one huge commit nor starves I/O.
   */
  #drain(): void {
    try {
      if (this.#stopped) return;
      this.transaction(() => {
        const batch = this.#batch!;
        for (const [jobID, evaluations] of this.#due) {
          if (batch.due.size >= DRAIN_BATCH) break;
          this.#due.delete(jobID);
          batch.due.set(jobID, evaluations);
        }
      });
    } finally {
      if (this.#due.size > 0 && !this.#stopped) {
        setTimeout(() => this.#drain(), 0);
      } else {
        this.#draining = false;
        for (const r of this.#idle.splice(0)) r();
      }
    }
  }

  /** Runs the job's scheduler for its due evaluations in a savepoint of the current transaction. */
  #schedule(evaluations: Evaluation[], outbox: Outgoing[]): void {
    const { store } = this.#opts;
    const last = evaluations[evaluations.length - 1]!;
    try {
      outbox.push(...store.transaction(() => this.#opts.schedule(last)));
    } catch (err) {
      // A failing scheduler must not spin: these evaluations are dropped, the error stays visible.
      this.#opts.onError(err, last);
    }
    for (const e of evaluations) if (e.WaitUntil > 0) store.deleteEvaluation(e.ID);
  }

  /** Sends after commit; per node in commit order, nodes independently of each other. */
  #dispatch(outbox: Outgoing[]): void {
    for (const out of outbox) {
      const previous = this.#sending.get(out.nodeID) ?? Promise.resolve();
      // send reports its own failures; a throw here must not stop the node's later messages.
      const next = previous.then(() => this.#opts.send(out)).catch(() => {});
      this.#sending.set(out.nodeID, next);
      void next.then(() => {
        if (this.#sending.get(out.nodeID) === next) this.#sending.delete(out.nodeID);
      });
    }
  }
}
