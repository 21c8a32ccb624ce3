/** Request and response bodies of the Bacalhau v1 REST API, as the client sends and reads them. */
import type {
  BuildVersionInfo,
  Execution,
  Job,
  JobHistory,
  NodeInfo,
  NodeState,
  Page,
  SpecConfig,
  Task,
} from "../models/types.ts";
import type { RerunResult, SubmitResult } from "../orchestrator/api.ts";

/** A job as a user writes it: the server fills in ID, State, Version and the times. */
export type JobSpec = Partial<Omit<Job, "Tasks">> & { Tasks: Task[] };

export type PutJobResponse = SubmitResult;
export type RerunJobResponse = RerunResult;

export interface GetJobResponse {
  Job: Job;
  History?: Page<JobHistory>;
  Executions?: Page<Execution>;
}

export interface StopJobResponse {
  EvaluationID: string;
}

export interface DiffJobResponse {
  Diff: string;
  Warnings: string[] | null;
}

export interface ListNodesResponse {
  Nodes: NodeState[];
  NextToken: string;
}

export interface GetNodeResponse {
  Node: NodeState;
}

export interface PutNodeResponse {
  Success: boolean;
}

export interface IsAliveResponse {
  Status: string;
}

export type GetVersionResponse = BuildVersionInfo;
export type AgentNodeResponse = NodeInfo;

export interface AgentConfigResponse {
  config: Record<string, unknown>;
}

export interface NamespaceQuery {
  namespace?: string;
}

export interface ListJobsQuery extends NamespaceQuery {
  limit?: number;
  nextToken?: string;
  orderBy?: string;
  reverse?: boolean;
  /** k8s-style label selectors, e.g. `bacalhau_canary != true`. */
  labels?: string[];
}

export interface GetJobQuery extends NamespaceQuery {
  include?: ("history" | "executions")[];
  jobVersion?: number;
  limit?: number;
}

export interface JobHistoryQuery extends NamespaceQuery {
  limit?: number;
  nextToken?: string;
  since?: number;
  eventType?: "all" | "job" | "execution";
  executionID?: string;
  jobVersion?: number;
  allJobVersions?: boolean;
}

export interface JobExecutionsQuery extends NamespaceQuery {
  limit?: number;
  orderBy?: string;
  reverse?: boolean;
  jobVersion?: number;
  allJobVersions?: boolean;
}

export interface ListNodesQuery {
  limit?: number;
  orderBy?: string;
  reverse?: boolean;
  labels?: string[];
  filterApproval?: string;
  filterStatus?: string;
}

export interface LogsQuery extends NamespaceQuery {
  executionID?: string;
  tail?: number;
  follow?: boolean;
  jobVersion?: number;
  allJobVersions?: boolean;
  signal?: AbortSignal;
}

export type JobResultsResponse = Page<SpecConfig>;
