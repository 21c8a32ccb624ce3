// Starts the real API app on 127.0.0.1:0 over a real SQLite store, with a small hand-written
// orchestrator for the write paths, and builders for the rows tests seed.
import type { TestContext } from "node:test";
import { createApiApp } from "../../src/api/app.ts";
import type { ApiDeps } from "../../src/api/app.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { newEvaluationID, newExecutionID, newJobID } from "../../src/models/ids.ts";
import { nowNanos } from "../../src/models/time.ts";
import type { BuildVersionInfo, Execution, ExecutionLog, Job, NodeInfo, NodeState } from "../../src/models/types.ts";
import type { LogStreamRequest, OrchestratorAPI, ResultFetchRequest, SubmitOptions } from "../../src/orchestrator/api.ts";
import { startHttpServer } from "../../src/runtime/http.ts";
import { SqliteJobStore } from "../../src/store/sqlite/store.ts";

export const VERSION: BuildVersionInfo = {
  Major: "1", Minor: "9", GitVersion: "v1.9.3", GitCommit: "abc", BuildDate: "2026-01-01T00:00:00Z", GOOS: "linux", GOARCH: "amd64",
};

export const NODE_INFO: NodeInfo = {
  NodeID: "n-11111111-aaaa-bbbb-cccc-000000000001",
  NodeType: "Requester",
  Labels: {},
  SupportedProtocols: ["ncl/v1"],
  BacalhauVersion: VERSION,
};

/** Logs the fake orchestrator streams, per job ID; a job ID missing here yields an error. */
export type LogScript = Map<string, ExecutionLog[]>;

/** The minimum of orchestrator behaviour the API tests need; the real one is tested end to end elsewhere. */
export class FakeOrchestrator implements OrchestratorAPI {
  readonly store: SqliteJobStore;
  readonly logs: LogScript = new Map();
  readonly nodeUpdates: { nodeID: string; action: string; message: string }[] = [];
  readonly submitted: { job: Job; opts: SubmitOptions }[] = [];
  /** Resolved when a log stream's signal aborts (the client went away). */
  aborted = Promise.withResolvers<void>();
  /** When set, streams wait on it after the scripted lines (a "following" stream). */
  hold: Promise<void> | undefined;
  /** Result chunks per execution ID, or the error fetching it fails with; missing means NotFound. */
  readonly results = new Map<string, Uint8Array[] | BacalhauError>();

  constructor(store: SqliteJobStore) {
    this.store = store;
  }

  submitJob(job: Job, opts: SubmitOptions) {
    this.submitted.push({ job, opts });
    const now = nowNanos();
    const stored: Job = { ...job, ID: newJobID(), Name: job.Name || "", Version: 1, Revision: 1, CreateTime: now, ModifyTime: now,
      State: { StateType: "Pending" } };
    if (!stored.Name) stored.Name = stored.ID;
    this.store.createJob(stored);
    return { JobID: stored.ID, EvaluationID: newEvaluationID(), Warnings: opts.warnings?.length ? opts.warnings : null };
  }

  stopJob(idOrName: string, namespace: string, reason: string) {
    const job = this.store.findJob(idOrName, namespace);
    if (job.State.StateType === "Stopped") return { EvaluationID: "" };
    if (job.State.StateType === "Completed") {
      throw BacalhauError.badRequest(`cannot stop job in state Completed`, { component: "Orchestrator" });
    }
    this.store.updateJobState({ jobID: job.ID, newState: "Stopped", message: reason });
    return { EvaluationID: newEvaluationID() };
  }

  rerunJob(idOrName: string, namespace: string, version: number, _reason: string) {
    const job = this.store.findJob(idOrName, namespace);
    return { JobID: job.ID, JobVersion: version || job.Version, EvaluationID: newEvaluationID(), Warnings: null };
  }

  updateNode(nodeID: string, action: string, message: string): void {
    this.nodeUpdates.push({ nodeID, action, message });
  }

  async *streamLogs(req: LogStreamRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    signal.addEventListener("abort", () => this.aborted.resolve(), { once: true });
    const lines = this.logs.get(req.jobID);
    if (!lines) throw BacalhauError.notFound(`no executions found for job ${req.jobID}`, { component: "Orchestrator" });
    yield* lines.slice(req.tail ? -req.tail : 0);
    if (req.follow && this.hold) await this.hold;
  }

  async *fetchResult(req: ResultFetchRequest, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const job = this.store.findJob(req.jobID, req.namespace);
    const exec = this.store.getExecution(req.executionID);
    const result = exec.JobID === job.ID ? this.results.get(exec.ID) : undefined;
    if (result === undefined) throw BacalhauError.notFound(`no result for ${req.executionID}`, { component: "Orchestrator" });
    if (result instanceof BacalhauError) throw result;
    for (const chunk of result) {
      if (signal.aborted) return;
      yield chunk;
    }
  }

  /** The fake's jobs change only when a test changes them, so an unmet wait lasts until aborted. */
  waitForJob(jobID: string, states: readonly string[], signal?: AbortSignal): Promise<Job> {
    const job = this.store.getJob(jobID);
    if (states.includes(job.State.StateType)) return Promise.resolve(job);
    return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
  }

  nodeInfo(): NodeInfo {
    return NODE_INFO;
  }
}

export interface Harness {
  url: string;
  store: SqliteJobStore;
  orchestrator: FakeOrchestrator;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  send(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Starts a server; everything is stopped by t.after even when the test fails. */
export async function startHarness(t: TestContext, overrides: Partial<ApiDeps> = {}): Promise<Harness> {
  const store = SqliteJobStore.open(":memory:");
  t.after(() => store.close());
  const orchestrator = new FakeOrchestrator(store);
  const app = createApiApp({
    store,
    orchestrator,
    nodeInfo: () => NODE_INFO,
    version: VERSION,
    config: () => ({ API: { Port: 1234 } }),
    debug: () => ({ store: { open: true } }),
    ...overrides,
  });
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return {
    url: server.url,
    store,
    orchestrator,
    get: (path, headers = {}) => fetch(server.url + path, { headers, redirect: "manual" }),
    send: (method, path, body, headers = {}) =>
      fetch(server.url + path, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}

export function makeJob(overrides: Partial<Job> = {}): Job {
  const id = overrides.ID ?? newJobID();
  const now = nowNanos();
  return {
    ID: id, Name: id, Namespace: "default", Type: "batch", Priority: 0, Count: 1, Constraints: [], Meta: {}, Labels: {},
    Tasks: [{ Name: "main", Engine: { Type: "wasm", Params: { EntryModule: "/app/main.wasm", Entrypoint: "_start" } } }],
    State: { StateType: "Pending" }, Version: 1, Revision: 1, CreateTime: now, ModifyTime: now,
    ...overrides,
  };
}

export function makeExecution(job: Job, overrides: Partial<Execution> = {}): Execution {
  const now = nowNanos();
  return {
    ID: newExecutionID(), Namespace: job.Namespace, EvalID: newEvaluationID(), Name: job.Name, NodeID: "n-node-1",
    JobID: job.ID, JobVersion: job.Version, AllocatedResources: { Tasks: {} },
    DesiredState: { StateType: 1 }, ComputeState: { StateType: 6 }, PublishedResult: { Type: "" },
    PreviousExecution: "", NextExecution: "", FollowupEvalID: "", Revision: 1, CreateTime: now, ModifyTime: now,
    ...overrides,
  };
}

export function makeNode(id: string, overrides: Partial<NodeState> = {}, labels: Record<string, string> = {}): NodeState {
  return {
    Info: { NodeID: id, NodeType: "Compute", Labels: labels, SupportedProtocols: ["ncl/v1"], BacalhauVersion: VERSION },
    Membership: "APPROVED",
    Connection: "CONNECTED",
    ConnectionState: {
      Status: "CONNECTED", LastHeartbeat: "2026-01-01T00:00:00Z", ConnectedSince: "2026-01-01T00:00:00Z",
      DisconnectedSince: "0001-01-01T00:00:00Z",
    },
    ...overrides,
  };
}

export const event = (message: string) => ({ Message: message, Topic: "State Update", Timestamp: new Date().toISOString() });

/** Asserts the APIError shape and returns the body. */
export async function apiError(res: Response, status: number): Promise<Record<string, unknown>> {
  const body = await res.json() as Record<string, unknown>;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  for (const k of ["Status", "Message", "RequestID", "Code", "Component"]) {
    if (!(k in body)) throw new Error(`APIError body lacks ${k}: ${JSON.stringify(body)}`);
  }
  if (body.Status !== status) throw new Error(`Status field ${String(body.Status)} != ${status}`);
  return body;
}
