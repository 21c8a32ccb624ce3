/**
 * The job store on SQLite (`node:sqlite`, built into Node 24 and Deno 2): one database file holds
 * jobs and their versions, executions, evaluations, history and nodes, migrated on open.
 *
 * @example
 * ```ts
 * const store = SqliteJobStore.open("jobs.db"); // or ":memory:"
 * store.transaction(() => {
 *   store.createJob(job);
 *   store.createEvaluation(evaluation);
 * });
 * store.close();
 * ```
 */
import type {
  Evaluation,
  Execution,
  HistoryEvent,
  Job,
  JobHistory,
  NodeState,
} from "../../models/types.ts";
import type {
  ExecutionsQuery,
  ExecutionUpdate,
  HistoryQuery,
  JobStateUpdate,
  JobStore,
  ListJobsQuery,
  ListJobsResult,
} from "../store.ts";
import { SqliteDb } from "./db.ts";
import { EvaluationTable } from "./evaluations.ts";
import { ExecutionTable } from "./executions.ts";
import { HistoryTable } from "./history.ts";
import { JobTable } from "./jobs.ts";
import { NodeTable } from "./nodes.ts";

export class SqliteJobStore implements JobStore {
  readonly #db: SqliteDb;
  readonly #jobs: JobTable;
  readonly #executions: ExecutionTable;
  readonly #evaluations: EvaluationTable;
  readonly #history: HistoryTable;
  readonly #nodes: NodeTable;

  private constructor(db: SqliteDb) {
    this.#db = db;
    this.#jobs = new JobTable(db);
    this.#executions = new ExecutionTable(db);
    this.#evaluations = new EvaluationTable(db);
    this.#history = new HistoryTable(db);
    this.#nodes = new NodeTable(db);
  }

  /** Opens (creating if needed) and migrates the database at `path`; `":memory:"` gives a private one. */
  static open(path: string): SqliteJobStore {
    return new SqliteJobStore(new SqliteDb(path));
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  createJob(job: Job): void {
    this.#jobs.create(job);
  }

  updateJob(job: Job): void {
    this.#jobs.update(job);
  }

  getJob(id: string): Job {
    return this.#jobs.get(id);
  }

  findJob(idOrName: string, namespace?: string): Job {
    return this.#jobs.find(idOrName, namespace);
  }

  listJobs(query: ListJobsQuery): ListJobsResult {
    return this.#jobs.list(query);
  }

  getJobVersions(id: string): Job[] {
    return this.#jobs.versions(id);
  }

  getJobVersion(id: string, version: number): Job {
    return this.#jobs.version(id, version);
  }

  updateJobState(update: JobStateUpdate): Job {
    return this.#jobs.updateState(update);
  }

  listNonTerminalJobs(): Job[] {
    return this.#jobs.listNonTerminal();
  }

  createExecution(execution: Execution): void {
    this.#executions.create(execution);
  }

  updateExecution(update: ExecutionUpdate): Execution {
    return this.#executions.update(update);
  }

  getExecution(id: string): Execution {
    return this.#executions.get(id);
  }

  getExecutions(jobID: string, query?: ExecutionsQuery): Execution[] {
    return this.#executions.forJob(jobID, query);
  }

  listActiveExecutions(nodeID?: string): Execution[] {
    return this.#executions.listActive(nodeID);
  }

  createEvaluation(evaluation: Evaluation): void {
    this.#evaluations.create(evaluation);
  }

  getEvaluation(id: string): Evaluation {
    return this.#evaluations.get(id);
  }

  updateEvaluation(evaluation: Evaluation): void {
    this.#evaluations.update(evaluation);
  }

  deleteEvaluation(id: string): void {
    this.#evaluations.delete(id);
  }

  listPendingEvaluations(): Evaluation[] {
    return this.#evaluations.listPending();
  }

  addJobHistory(jobID: string, jobVersion: number, event: HistoryEvent,
    jobState?: JobHistory["JobState"]): JobHistory {
    return this.#history.addJobEvent(jobID, jobVersion, event, jobState);
  }

  addExecutionHistory(jobID: string, jobVersion: number, executionID: string, event: HistoryEvent,
    executionState?: JobHistory["ExecutionState"]): JobHistory {
    return this.#history.addExecutionEvent(jobID, jobVersion, executionID, event, executionState);
  }

  getJobHistory(jobID: string, query?: HistoryQuery): JobHistory[] {
    return this.#history.forJob(jobID, query);
  }

  putNode(state: NodeState): void {
    this.#nodes.put(state);
  }

  getNode(id: string): NodeState | undefined {
    return this.#nodes.get(id);
  }

  listNodes(): NodeState[] {
    return this.#nodes.list();
  }

  deleteNode(id: string): void {
    this.#nodes.delete(id);
  }

  /** Idempotent, so an owner's shutdown path may call it after a failed start. */
  close(): void {
    this.#db.close();
  }
}
