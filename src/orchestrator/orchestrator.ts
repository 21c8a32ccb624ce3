/**
 * The orchestrator role ("requester" in Bacalhau's old words): takes jobs, keeps their state in the
 * store, schedules them on compute nodes through evaluations, and answers compute nodes' messages.
 *
 * @example
 * ```ts
 * const orch = new Orchestrator({ store, transport, nodeInfo, ... });
 * orch.start();
 * const { JobID } = orch.submitJob(job, { force: false });
 * await orch.stop();
 * ```
 */
import { BacalhauError } from "../models/errors.ts";
import { newJobID } from "../models/ids.ts";
import { parseResources } from "../models/resources.ts";
import { nowNanos } from "../models/time.ts";
import {
  DISCARDED_EXECUTION_STATES,
  EvaluationTrigger,
  JobStateType,
  JobType,
  TERMINAL_JOB_STATES,
  type Evaluation,
  type Execution,
  type ExecutionLog,
  type Job,
  type NodeInfo,
  type ResourcesConfig,
} from "../models/types.ts";
import type { JobStore } from "../store/store.ts";
import type { ToOrchestrator } from "../transport/messages.ts";
import type { OrchestratorTransport } from "../transport/transport.ts";
import type {
  LogStreamRequest,
  OrchestratorAPI,
  RerunResult,
  ResultFetchRequest,
  SubmitOptions,
  SubmitResult,
} from "./api.ts";
import { EvaluationBroker } from "./evaluations.ts";
import { event, Topic } from "./events.ts";
import { Housekeeping } from "./housekeeping.ts";
import {
  applyExecutionReport,
  handleComputeMessage,
  reevaluateForLostNode,
  reevaluateForNewNode,
  type HandlerDeps,
} from "./message-handler.ts";
import { ReportBatch } from "./report-batch.ts";
import { NodeManager } from "./node-manager.ts";
import { scheduleBatch } from "./scheduler/batch.ts";
import { setJobState, stopActiveExecutions, type Outgoing, type SchedulerContext } from "./scheduler/context.ts";
import { scheduleOps } from "./scheduler/ops.ts";
import { specChanged } from "./spec-diff.ts";

export interface OrchestratorOptions {
  store: JobStore;
  transport: OrchestratorTransport;
  nodeInfo: () => NodeInfo;
  jobDefaults?: ResourcesConfig;
  queueBackoffMs?: number;
  disconnectTimeoutMs?: number;
  manualNodeApproval?: boolean;
  housekeepingIntervalMs?: number;
  /**
   * After a restart, how long compute nodes get to reconnect before jobs left in flight are
   * re-evaluated (and executions on nodes still missing are failed and retried elsewhere).
   */
  reconnectGraceMs?: number;
  log?: (msg: string) => void;
}

export class Orchestrator implements OrchestratorAPI {
  readonly store: JobStore;
  readonly nodes: NodeManager;
  readonly broker: EvaluationBroker;
  readonly #opts: OrchestratorOptions;
  readonly #handler: HandlerDeps;
  readonly #housekeeping: Housekeeping;
  readonly #log: (msg: string) => void;
  readonly #waiters = new Map<string, Array<{ states: readonly string[]; resolve: (job: Job) => void }>>();

  constructor(opts: OrchestratorOptions) {
    this.#opts = opts;
    this.store = opts.store;
    this.#log = opts.log ?? (() => {});
    this.nodes = new NodeManager({
      store: opts.store,
      disconnectTimeoutMs: opts.disconnectTimeoutMs ?? 60_000,
      manualApproval: opts.manualNodeApproval ?? false,
      onLeave: (nodeID) => this.broker.transaction(() => reevaluateForLostNode(this.#handler, nodeID)),
      // Approving a pending node gives waiting jobs somewhere to go.
      onApprove: () => this.broker.transaction(() => reevaluateForNewNode(this.#handler)),
    });
    this.broker = new EvaluationBroker({
      store: opts.store,
      schedule: (ev) => this.#schedule(ev),
      send: (out) => this.#send(out),
      onError: (err, ev) => this.#log(`evaluation ${ev.ID} of job ${ev.JobID} failed: ${(err as Error).stack ?? err}`),
    });
    const reports = new ReportBatch(opts.store, this.broker, (nodeID, report) => applyExecutionReport(this.#handler, nodeID, report));
    this.#handler = { store: opts.store, nodes: this.nodes, broker: this.broker, reports, log: this.#log };
    this.#housekeeping = new Housekeeping({
      store: opts.store,
      broker: this.broker,
      intervalMs: opts.housekeepingIntervalMs ?? 1000,
    });
    opts.transport.setHandler({
      onMessage: (nodeID: string, msg: ToOrchestrator) => handleComputeMessage(this.#handler, nodeID, msg),
    });
  }

  /** Resumes what a previous run left in flight, then starts liveness checks and housekeeping. */
  start(): void {
    const grace = this.#opts.reconnectGraceMs ?? 10_000;
    this.store.transaction(() => {
      for (const job of this.store.listNonTerminalJobs()) this.broker.enqueue(job, EvaluationTrigger.NodeLeave, grace);
    });
    this.broker.resume(grace);
    this.nodes.start();
    this.#housekeeping.start();
  }

  /**
   * Stops scheduling but keeps recording what compute nodes report. A node shutting down calls this
   * before it cancels its own executions, so their cancellation is written down without the jobs
   * being re-planned (and failed) on a node that is going away; a restart picks them up again.
   */
  quiesce(): void {
    this.#housekeeping.stop();
    this.nodes.stop();
    this.broker.stop();
  }

  async stop(): Promise<void> {
    this.#housekeeping.stop();
    this.nodes.stop();
    this.broker.stop();
  }

  nodeInfo(): NodeInfo {
    return this.#opts.nodeInfo();
  }

  submitJob(input: Job, opts: SubmitOptions): SubmitResult {
    const warnings = [...(opts.warnings ?? [])];
    // The job, its first evaluation and the executions that asks for are one commit.
    return this.broker.transaction(() => {
      const now = nowNanos();
      const existing = input.Name ? this.#findByName(input.Name, input.Namespace) : undefined;
      let job: Job;
      if (existing) {
        if (!specChanged(existing, input) && !opts.force) {
          throw BacalhauError.badRequest(`no changes detected for new job spec. Job Name: '${existing.Name}'`, {
            component: "Orchestrator",
            hint: "use --force (PutJobRequest.Force) to submit an unchanged job spec as a new version",
          });
        }
        job = {
          ...input,
          ID: existing.ID,
          Name: existing.Name,
          Meta: { ...input.Meta, ...this.#serverMeta() },
          State: { StateType: JobStateType.Pending },
          Version: existing.Version + 1,
          Revision: existing.Revision + 1,
          CreateTime: existing.CreateTime,
          ModifyTime: now,
        };
        if (!TERMINAL_JOB_STATES.has(existing.State.StateType)) {
          stopActiveExecutions(this.#bareContext(), existing, "job updated to a new version");
        }
        this.store.updateJob(job);
        this.store.addJobHistory(job.ID, job.Version, event(Topic.Submission, "Job updated"),
          { Previous: existing.State.StateType, New: JobStateType.Pending });
      } else {
        const id = newJobID();
        job = {
          ...input,
          ID: id,
          Name: input.Name || id,
          Meta: { ...input.Meta, ...this.#serverMeta() },
          State: { StateType: JobStateType.Pending },
          Version: 1,
          Revision: 1,
          CreateTime: now,
          ModifyTime: now,
        };
        this.store.createJob(job);
        this.store.addJobHistory(job.ID, job.Version, event(Topic.Submission, "Job submitted"),
          { Previous: JobStateType.Undefined, New: JobStateType.Pending });
      }
      const ev = this.broker.enqueue(job, existing ? EvaluationTrigger.JobUpdate : EvaluationTrigger.JobRegister);
      return { JobID: job.ID, EvaluationID: ev.ID, Warnings: warnings.length > 0 ? warnings : null };
    });
  }

  stopJob(idOrName: string, namespace: string, reason: string): { EvaluationID: string } {
    return this.broker.transaction(() => {
      const job = this.store.findJob(idOrName, namespace);
      if (job.State.StateType === JobStateType.Stopped) return { EvaluationID: "" };
      if (TERMINAL_JOB_STATES.has(job.State.StateType)) {
        throw BacalhauError.badRequest(`cannot stop job in state ${job.State.StateType}`, {
          component: "Orchestrator",
          hint: "only jobs that have not finished can be stopped",
        });
      }
      const stopped = setJobState(this.#bareContext(), job, JobStateType.Stopped, reason || "Stopped at user request");
      const ev = this.broker.enqueue(stopped, EvaluationTrigger.JobStop);
      return { EvaluationID: ev.ID };
    });
  }

  rerunJob(idOrName: string, namespace: string, version: number, reason: string): RerunResult {
    return this.broker.transaction(() => {
      const current = this.store.findJob(idOrName, namespace);
      const s = current.State.StateType;
      if (s === JobStateType.Pending || s === JobStateType.Queued || s === JobStateType.Undefined) {
        throw BacalhauError.badRequest(`cannot rerun job ${current.ID} in state ${s}`, {
          component: "Orchestrator",
          hint: "wait until the job has started, or stop it first",
        });
      }
      const base = version > 0 ? this.store.getJobVersion(current.ID, version) : current;
      if (!TERMINAL_JOB_STATES.has(s)) stopActiveExecutions(this.#bareContext(), current, "job rerun");
      const job: Job = {
        ...base,
        State: { StateType: JobStateType.Pending },
        Version: current.Version + 1,
        Revision: current.Revision + 1,
        ModifyTime: nowNanos(),
      };
      this.store.updateJob(job);
      this.store.addJobHistory(job.ID, job.Version,
        event(Topic.Restart, reason ? `Job rerun: ${reason}` : "Job rerun"),
        { Previous: s, New: JobStateType.Pending });
      const ev = this.broker.enqueue(job, EvaluationTrigger.JobRerun);
      return { JobID: job.ID, JobVersion: job.Version, EvaluationID: ev.ID, Warnings: null };
    });
  }

  updateNode(nodeID: string, action: string, _message: string): void {
    this.broker.transaction(() => this.nodes.update(nodeID, action));
  }

  async *streamLogs(req: LogStreamRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    const job = this.store.findJob(req.jobID, req.namespace ?? "");
    const execs = this.store.getExecutions(job.ID, req.jobVersion ? { jobVersion: req.jobVersion } : { allVersions: true });
    let exec = req.executionID ? execs.find((e) => e.ID.startsWith(req.executionID as string)) : undefined;
    if (req.executionID && !exec) {
      throw BacalhauError.notFound(`execution not found: ${req.executionID}`, { component: "Orchestrator" });
    }
    if (!exec) {
      const sorted = [...execs].sort((a, b) => b.ModifyTime - a.ModifyTime);
      exec = sorted.find((e) => !DISCARDED_EXECUTION_STATES.has(e.ComputeState.StateType)) ?? sorted[0];
    }
    if (!exec) {
      throw BacalhauError.notFound(`no executions found for job ${job.ID}`, {
        component: "Orchestrator",
        hint: "the job has not been scheduled on a compute node yet; try again shortly",
      });
    }
    if (!this.nodes.isConnected(exec.NodeID)) {
      throw new BacalhauError(`node ${exec.NodeID} that ran execution ${exec.ID} is not connected`, {
        code: "ServiceUnavailable",
        component: "Orchestrator",
        hint: "logs are kept on the compute node; they are available again when it reconnects",
      });
    }
    yield* this.#opts.transport.streamLogs(exec.NodeID, { executionID: exec.ID, tail: req.tail, follow: req.follow }, signal);
  }

  async *fetchResult(req: ResultFetchRequest, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const job = this.store.findJob(req.jobID, req.namespace ?? "");
    let exec: Execution | undefined;
    try {
      exec = this.store.getExecution(req.executionID);
    } catch (err) {
      if (!(err instanceof BacalhauError && err.status === 404)) throw err;
    }
    if (!exec || exec.JobID !== job.ID) {
      throw BacalhauError.notFound(`execution ${req.executionID} not found in job ${job.ID}`, { component: "Orchestrator" });
    }
    if (!this.nodes.isConnected(exec.NodeID)) {
      throw new BacalhauError(`node ${exec.NodeID} that holds the result of execution ${exec.ID} is not connected`, {
        code: "ServiceUnavailable",
        component: "Orchestrator",
        hint: "results are kept on the compute node; they are available again when it reconnects",
      });
    }
    yield* this.#opts.transport.fetchResult(exec.NodeID, exec.ID, signal);
  }

  /** Resolves with the job once its state is one of `states` (now or later); rejects when `signal` aborts. */
  waitForJob(jobID: string, states: readonly string[], signal?: AbortSignal): Promise<Job> {
    const job = this.store.getJob(jobID);
    if (states.includes(job.State.StateType)) return Promise.resolve(job);
    return new Promise((resolve, reject) => {
      const waiter = { states, resolve };
      const list = this.#waiters.get(jobID) ?? [];
      list.push(waiter);
      this.#waiters.set(jobID, list);
      signal?.addEventListener("abort", () => {
        this.#waiters.set(jobID, (this.#waiters.get(jobID) ?? []).filter((w) => w !== waiter));
        reject(signal.reason);
      }, { once: true });
    });
  }

  #wakeWaiters(job: Job): void {
    const list = this.#waiters.get(job.ID);
    if (!list) return;
    const current = this.store.getJob(job.ID);
    const keep = list.filter((w) => {
      if (!w.states.includes(current.State.StateType)) return true;
      w.resolve(current);
      return false;
    });
    if (keep.length > 0) this.#waiters.set(job.ID, keep);
    else this.#waiters.delete(job.ID);
  }

  #findByName(name: string, namespace: string): Job | undefined {
    try {
      const job = this.store.findJob(name, namespace);
      return job.Name === name ? job : undefined;
    } catch (err) {
      if (err instanceof BacalhauError && err.status === 404) return undefined;
      throw err;
    }
  }

  #serverMeta(): Record<string, string> {
    const id = this.#opts.nodeInfo().NodeID;
    return { "bacalhau.org/requester.id": id, "bacalhau.org/orchestrator.id": id };
  }

  #context(evaluation: Evaluation, outbox: Outgoing[]): SchedulerContext {
    return {
      store: this.store,
      nodes: this.nodes,
      evaluation,
      outbox,
      resources: (job) => parseResources(job.Tasks[0].Resources, this.#opts.jobDefaults),
      requeue: (job, delayMs, reason) => this.broker.enqueue(job, `${EvaluationTrigger.JobQueue}: ${reason}`, delayMs),
      queueBackoffMs: this.#opts.queueBackoffMs ?? 60_000,
      jobStateChanged: (job) => queueMicrotask(() => this.#wakeWaiters(job)),
    };
  }

  /** For state changes outside an evaluation (stop, update): messages go out after the broker's transaction commits. */
  #bareContext(): SchedulerContext {
    return this.#context({ ID: "", JobID: "" } as Evaluation, this.broker.outbox);
  }

  #schedule(evaluation: Evaluation): Outgoing[] {
    const outbox: Outgoing[] = [];
    const job = this.store.getJob(evaluation.JobID);
    const ctx = this.#context(evaluation, outbox);
    if (TERMINAL_JOB_STATES.has(job.State.StateType)) {
      stopActiveExecutions(ctx, job, `job ${job.State.StateType.toLowerCase()}`);
      return outbox;
    }
    if (job.Type === JobType.Ops || job.Type === JobType.Daemon) scheduleOps(ctx, job);
    else scheduleBatch(ctx, job);
    return outbox;
  }

  async #send(out: Outgoing): Promise<void> {
    try {
      await this.#opts.transport.send(out.nodeID, out.msg);
    } catch (err) {
      this.#log(`could not send ${out.msg.type} to ${out.nodeID}: ${(err as Error).message}`);
      if (out.msg.type === "AskForBid" || out.msg.type === "BidAccepted") {
        // The node is unreachable: treat it as gone so the partition can be placed elsewhere.
        this.broker.transaction(() => this.nodes.disconnect(out.nodeID, `unreachable: ${(err as Error).message}`));
      }
    }
  }
}
