/**
 * Wire types of the Bacalhau v1 API: the one place where the JSON shape of jobs, tasks, executions,
 * history events and nodes is written down. Field names are Go's exported names, exactly as
 * Bacalhau's clients send and expect them (including the odd lower-case `stderr` of RunOutput).
 *
 * Enum-like values are plain string/number constants (erasable syntax only: no `enum`).
 *
 * @example
 * ```ts
 * import { JobStateType, type Job } from "./types.ts";
 * const done = (job: Job) => job.State.StateType === JobStateType.Completed;
 * ```
 */

export type StringMap = Record<string, string>;

/** A typed, open-ended configuration: engine, publisher and input source specs all have this shape. */
export interface SpecConfig {
  Type: string;
  Params?: Record<string, unknown>;
}

export interface InputSource {
  Source: SpecConfig;
  Alias?: string;
  Target: string;
}

export interface ResultPath {
  Name: string;
  Path: string;
}

/** Resource requests as users write them: `500m`, `2`, `512Mb`, `1Gi`. */
export interface ResourcesConfig {
  CPU?: string;
  Memory?: string;
  Disk?: string;
  GPU?: string;
}

/** Parsed resources: CPU in cores, Memory/Disk in bytes, GPU count. */
export interface Resources {
  CPU: number;
  Memory: number;
  Disk: number;
  GPU: number;
}

export const NetworkType = {
  Default: "Default",
  None: "None",
  Host: "Host",
  Full: "Full",
  HTTP: "HTTP",
  Bridge: "Bridge",
} as const;
export type NetworkTypeName = (typeof NetworkType)[keyof typeof NetworkType];

export interface PortMapping {
  Name: string;
  Static?: number;
  Target?: number;
  HostNetwork?: string;
}

export interface NetworkConfig {
  Type: NetworkTypeName;
  Domains?: string[];
  Ports?: PortMapping[];
}

/** Seconds. 0 means "not set". */
export interface TimeoutConfig {
  ExecutionTimeout?: number;
  QueueTimeout?: number;
  TotalTimeout?: number;
}

export interface Task {
  Name: string;
  Engine: SpecConfig;
  Publisher?: SpecConfig;
  Env?: StringMap;
  Meta?: StringMap;
  InputSources?: InputSource[];
  ResultPaths?: ResultPath[];
  Resources?: ResourcesConfig;
  Network?: NetworkConfig;
  Timeouts?: TimeoutConfig;
}

export const JobType = {
  Batch: "batch",
  Ops: "ops",
  Daemon: "daemon",
  Service: "service",
} as const;
export type JobTypeName = (typeof JobType)[keyof typeof JobType];

export const JobStateType = {
  Undefined: "Undefined",
  Pending: "Pending",
  Queued: "Queued",
  Running: "Running",
  Completed: "Completed",
  Failed: "Failed",
  Stopped: "Stopped",
} as const;
export type JobStateTypeName = (typeof JobStateType)[keyof typeof JobStateType];

export const TERMINAL_JOB_STATES: ReadonlySet<string> = new Set([
  JobStateType.Completed,
  JobStateType.Failed,
  JobStateType.Stopped,
]);

export interface JobState {
  StateType: JobStateTypeName;
  Message?: string;
  Details?: StringMap;
}

export interface LabelConstraint {
  Key: string;
  Operator: string;
  Values?: string[];
}

export interface Job {
  ID: string;
  Name: string;
  Namespace: string;
  Type: JobTypeName;
  Priority: number;
  Count: number;
  Constraints: LabelConstraint[];
  Meta: StringMap;
  Labels: StringMap;
  Tasks: Task[];
  State: JobState;
  Version: number;
  Revision: number;
  /** Unix nanoseconds. */
  CreateTime: number;
  /** Unix nanoseconds. */
  ModifyTime: number;
}

/** Compute-side execution state, an integer on the wire. */
export const ExecutionStateType = {
  Undefined: 0,
  New: 1,
  AskForBid: 2,
  AskForBidAccepted: 3,
  AskForBidRejected: 4,
  BidAccepted: 5,
  Running: 6,
  Publishing: 7,
  BidRejected: 8,
  Completed: 9,
  Failed: 10,
  Cancelled: 11,
} as const;
export type ExecutionStateTypeValue = (typeof ExecutionStateType)[keyof typeof ExecutionStateType];

export const EXECUTION_STATE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ExecutionStateType).map(([k, v]) => [v, k]),
);

/** Executions in these states no longer hold a partition. */
export const DISCARDED_EXECUTION_STATES: ReadonlySet<number> = new Set([
  ExecutionStateType.AskForBidRejected,
  ExecutionStateType.BidRejected,
  ExecutionStateType.Cancelled,
  ExecutionStateType.Failed,
]);

export const TERMINAL_EXECUTION_STATES: ReadonlySet<number> = new Set([
  ExecutionStateType.AskForBidRejected,
  ExecutionStateType.BidRejected,
  ExecutionStateType.Completed,
  ExecutionStateType.Failed,
  ExecutionStateType.Cancelled,
]);

/** Orchestrator-side desired state, an integer on the wire. */
export const ExecutionDesiredStateType = {
  Pending: 0,
  Running: 1,
  Stopped: 2,
} as const;
export type ExecutionDesiredStateValue =
  (typeof ExecutionDesiredStateType)[keyof typeof ExecutionDesiredStateType];

export interface State<T> {
  StateType: T;
  Message?: string;
  Details?: StringMap;
}

/** What a run produced, as the API shows it. Note the lower-case `stderr` key: that is Bacalhau's wire name. */
export interface RunCommandResult {
  Stdout: string;
  StdoutTruncated: boolean;
  stderr: string;
  StderrTruncated: boolean;
  ExitCode: number;
  ErrorMsg: string;
}

export interface AllocatedResources {
  Tasks: Record<string, Resources>;
}

export interface Execution {
  ID: string;
  Namespace: string;
  EvalID: string;
  Name: string;
  NodeID: string;
  JobID: string;
  Job?: Job;
  JobVersion: number;
  AllocatedResources: AllocatedResources;
  DesiredState: State<ExecutionDesiredStateValue>;
  ComputeState: State<ExecutionStateTypeValue>;
  PublishedResult: SpecConfig;
  RunOutput?: RunCommandResult;
  PreviousExecution: string;
  NextExecution: string;
  FollowupEvalID: string;
  PartitionIndex?: number;
  Revision: number;
  CreateTime: number;
  ModifyTime: number;
}

export const EvaluationStatus = {
  Pending: "pending",
  Complete: "complete",
  Failed: "failed",
  Cancelled: "canceled",
} as const;

export const EvaluationTrigger = {
  JobRegister: "job-register",
  JobUpdate: "job-update",
  JobRerun: "job-rerun",
  JobStop: "job-stop",
  ExecutionUpdate: "exec-update",
  ExecutionTimeout: "exec-timeout",
  JobTimeout: "job-timeout",
  NodeJoin: "node-join",
  NodeLeave: "node-leave",
  JobQueue: "job-queue",
} as const;

export interface Evaluation {
  ID: string;
  Namespace: string;
  JobID: string;
  TriggeredBy: string;
  Priority: number;
  Type: JobTypeName;
  Status: string;
  Comment: string;
  /** Unix nanoseconds; 0 = run now. Delayed evaluations (queue backoff) wait until this time. */
  WaitUntil: number;
  CreateTime: number;
  ModifyTime: number;
}

export const JobHistoryType = {
  JobLevel: "JobLevel",
  ExecutionLevel: "ExecutionLevel",
} as const;

export interface HistoryEvent {
  Message: string;
  Topic: string;
  /** RFC 3339 time, as Go marshals time.Time. */
  Timestamp: string;
  Details?: StringMap;
}

export interface JobHistory {
  SeqNum: number;
  Type: (typeof JobHistoryType)[keyof typeof JobHistoryType];
  JobID: string;
  JobVersion: number;
  ExecutionID?: string;
  Event: HistoryEvent;
  /** RFC 3339 time. */
  Time: string;
  JobState?: { Previous: JobStateTypeName; New: JobStateTypeName };
  ExecutionState?: { Previous: ExecutionStateTypeValue; New: ExecutionStateTypeValue };
}

export const NodeType = { Requester: "Requester", Compute: "Compute" } as const;
export const NodeMembership = { Pending: "PENDING", Approved: "APPROVED", Rejected: "REJECTED" } as const;
export const NodeConnection = { Connected: "CONNECTED", Disconnected: "DISCONNECTED" } as const;

export interface BuildVersionInfo {
  Major: string;
  Minor: string;
  GitVersion: string;
  GitCommit: string;
  BuildDate: string;
  GOOS: string;
  GOARCH: string;
}

export interface ComputeNodeInfo {
  ExecutionEngines: string[];
  Publishers: string[];
  StorageSources: string[];
  MaxCapacity: Resources;
  QueueCapacity: Resources;
  AvailableCapacity: Resources;
  MaxJobRequirements: Resources;
  RunningExecutions: number;
  EnqueuedExecutions: number;
  address?: string;
}

export interface NodeInfo {
  NodeID: string;
  NodeType: string;
  Labels: StringMap;
  SupportedProtocols: string[];
  ComputeNodeInfo?: ComputeNodeInfo;
  BacalhauVersion: BuildVersionInfo;
}

export interface ConnectionState {
  Status: string;
  /** RFC 3339 times, as Go marshals them. */
  LastHeartbeat: string;
  ConnectedSince: string;
  DisconnectedSince: string;
  LastError?: string;
}

export interface NodeState {
  Info: NodeInfo;
  Membership: string;
  Connection: string;
  ConnectionState: ConnectionState;
}

/** One frame of the WebSocket log stream: Type 1 = stdout, 2 = stderr. */
export interface ExecutionLog {
  Type: 1 | 2;
  Line: string;
}

/** A page of results as every list endpoint returns it. */
export interface Page<T> {
  Items: T[];
  NextToken: string;
}
