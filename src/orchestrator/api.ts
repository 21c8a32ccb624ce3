/**
 * What the HTTP API needs from the orchestrator beyond plain store reads: the write paths (submit,
 * stop, rerun, node approval), the live log stream, and the published results compute nodes hold.
 * The API validates and normalises request bodies first; these methods receive typed, valid values
 * and throw BacalhauError on refusal.
 */
import type { ExecutionLog, Job, NodeInfo } from "../models/types.ts";

export interface SubmitOptions {
  force: boolean;
  /** Warnings already produced by the API's sanitising step; returned with the result. */
  warnings?: string[];
}

export interface SubmitResult {
  JobID: string;
  EvaluationID: string;
  Warnings: string[] | null;
}

export interface RerunResult {
  JobID: string;
  JobVersion: number;
  EvaluationID: string;
  Warnings: string[] | null;
}

export interface LogStreamRequest {
  jobID: string;
  namespace?: string;
  executionID?: string;
  /** Only the last N lines of what is stored so far (0 or undefined = all). */
  tail?: number;
  follow: boolean;
  jobVersion?: number;
}

export interface ResultFetchRequest {
  jobID: string;
  namespace?: string;
  /** The execution's full ID; it must belong to the job. */
  executionID: string;
}

export interface OrchestratorAPI {
  /** Creates the job, or a new Version when a job of that Name exists in the namespace. */
  submitJob(job: Job, opts: SubmitOptions): SubmitResult;
  /** `EvaluationID` is "" when the job was already Stopped. */
  stopJob(idOrName: string, namespace: string, reason: string): { EvaluationID: string };
  rerunJob(idOrName: string, namespace: string, version: number, reason: string): RerunResult;
  /** action: approve | reject | delete. */
  updateNode(nodeID: string, action: string, message: string): void;
  /** Stored output first, then live chunks while following; ends when the execution ends. */
  streamLogs(req: LogStreamRequest, signal: AbortSignal): AsyncIterable<ExecutionLog>;
  /**
   * The bytes of a `local`-published result, fetched from the compute node that ran the execution:
   * NotFound for an unknown job or execution (or one of another job), ServiceUnavailable while
   * that node is not connected.
   */
  fetchResult(req: ResultFetchRequest, signal: AbortSignal): AsyncIterable<Uint8Array>;
  /** Resolves once the job is in one of `states` (at once if it already is); rejects when `signal` aborts. */
  waitForJob(jobID: string, states: readonly string[], signal?: AbortSignal): Promise<Job>;
  /** This node's own NodeInfo (GET /api/v1/agent/node). */
  nodeInfo(): NodeInfo;
}
