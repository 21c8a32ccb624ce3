/**
 * The job store: the orchestrator's only durable state. Every method is synchronous (node:sqlite is),
 * and `transaction` groups calls so that a crash keeps all or none of them.
 *
 * test/conformance/store.suite.ts runs every implementation through the same checks.
 *
 * @example
 * ```ts
 * store.transaction(() => {
 *   store.createJob(job);
 *   store.addJobHistory(job.ID, job.Version, { Topic: "Submission", Message: "Job submitted", ... });
 *   store.createEvaluation(evaluation);
 * });
 * ```
 */
import type {
  Evaluation,
  Execution,
  ExecutionStateTypeValue,
  HistoryEvent,
  Job,
  JobHistory,
  JobStateTypeName,
  NodeState,
  StringMap,
} from "../models/types.ts";

export interface ListJobsQuery {
  /** Exact namespace; "" or "*" means all. */
  namespace?: string;
  orderBy?: "created_at" | "modified_at";
  reverse?: boolean;
  /** Applied after sorting, before offset/limit (label selectors). */
  filter?: (job: Job) => boolean;
  offset?: number;
  /** 0 or undefined means no limit. */
  limit?: number;
}

export interface ListJobsResult {
  items: Job[];
  /** True when rows exist past offset+limit. */
  more: boolean;
}

export interface JobStateUpdate {
  jobID: string;
  newState: JobStateTypeName;
  message?: string;
  details?: StringMap;
  /** The update fails with a Conflict error when the job is not in one of these states. */
  expectedStates?: JobStateTypeName[];
}

export interface ExecutionUpdate {
  executionID: string;
  /** Fields to change; Revision and ModifyTime are set by the store. */
  newValues: Partial<Omit<Execution, "ID" | "JobID" | "Revision" | "CreateTime">>;
  /** The update fails with a Conflict error when the execution's ComputeState is not one of these. */
  expectedComputeStates?: ExecutionStateTypeValue[];
}

export interface HistoryQuery {
  /** Return events with SeqNum strictly greater than this. */
  afterSeq?: number;
  /** Unix seconds; events before are skipped. */
  since?: number;
  limit?: number;
  eventType?: "all" | "job" | "execution";
  /** Prefix match on the execution ID. */
  executionID?: string;
  /** Only this job version (ignored when allVersions). 0/undefined = every version. */
  jobVersion?: number;
  allVersions?: boolean;
}

export interface ExecutionsQuery {
  jobVersion?: number;
  allVersions?: boolean;
  orderBy?: "created_at" | "modified_at";
  reverse?: boolean;
  limit?: number;
}

export interface JobStore {
  /** Runs fn atomically; nested calls join the outer transaction. fn must be synchronous. */
  transaction<T>(fn: () => T): T;

  /** Inserts a new job (and its version 1 row). Conflict if the ID exists. */
  createJob(job: Job): void;
  /** Stores a new Version of an existing job (Version must be previous + 1) and makes it current. */
  updateJob(job: Job): void;
  /** By exact ID. NotFound (404, component JobStore, message `job not found: <id>`) if missing. */
  getJob(id: string): Job;
  /** By name in the namespace first, then exact ID, then unique ID prefix. NotFound / BadRequest when ambiguous. */
  findJob(idOrName: string, namespace?: string): Job;
  listJobs(query: ListJobsQuery): ListJobsResult;
  /** All stored versions, oldest first. */
  getJobVersions(id: string): Job[];
  getJobVersion(id: string, version: number): Job;
  /** Changes State, bumps Revision and ModifyTime. Refuses to leave a terminal state (Conflict). */
  updateJobState(update: JobStateUpdate): Job;
  /** Jobs whose state is not terminal. */
  listNonTerminalJobs(): Job[];

  createExecution(execution: Execution): void;
  updateExecution(update: ExecutionUpdate): Execution;
  getExecution(id: string): Execution;
  getExecutions(jobID: string, query?: ExecutionsQuery): Execution[];
  /** Executions whose ComputeState is not terminal, optionally on one node. */
  listActiveExecutions(nodeID?: string): Execution[];

  createEvaluation(evaluation: Evaluation): void;
  getEvaluation(id: string): Evaluation;
  updateEvaluation(evaluation: Evaluation): void;
  deleteEvaluation(id: string): void;
  /** Evaluations with Status pending, oldest first. */
  listPendingEvaluations(): Evaluation[];

  addJobHistory(jobID: string, jobVersion: number, event: HistoryEvent,
    jobState?: JobHistory["JobState"]): JobHistory;
  addExecutionHistory(jobID: string, jobVersion: number, executionID: string, event: HistoryEvent,
    executionState?: JobHistory["ExecutionState"]): JobHistory;
  /** Ordered by SeqNum ascending. */
  getJobHistory(jobID: string, query?: HistoryQuery): JobHistory[];

  putNode(state: NodeState): void;
  getNode(id: string): NodeState | undefined;
  listNodes(): NodeState[];
  deleteNode(id: string): void;

  close(): void;
}
