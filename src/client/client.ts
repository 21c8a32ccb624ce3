/**
 * The typed REST client of the Bacalhau v1 API. The CLI, the web UI and the tests all talk to a
 * node through it: one method per route, errors as BacalhauError (with the server's hint).
 *
 * @example
 * ```ts
 * const client = new BacalhauClient({ host: "127.0.0.1", port: 1234 });
 * const { JobID } = await client.putJob(job);
 * for await (const log of client.logs(JobID, { follow: true })) console.log(log.Line);
 * ```
 */
import { BacalhauError } from "../models/errors.ts";
import type { Execution, ExecutionLog, Job, JobHistory, Page } from "../models/types.ts";
import type {
  AgentConfigResponse,
  AgentNodeResponse,
  DiffJobResponse,
  GetJobQuery,
  GetJobResponse,
  GetNodeResponse,
  GetVersionResponse,
  IsAliveResponse,
  JobExecutionsQuery,
  JobHistoryQuery,
  JobResultsResponse,
  JobSpec,
  ListJobsQuery,
  ListNodesQuery,
  ListNodesResponse,
  LogsQuery,
  NamespaceQuery,
  PutJobResponse,
  PutNodeResponse,
  RerunJobResponse,
  StopJobResponse,
} from "./api-types.ts";
import { endpointFromUrl, resolveEndpoint, type Endpoint, type EndpointOptions } from "./endpoint.ts";
import { authorizationFor, explainAuthFailure } from "./auth.ts";
import { errorFromResponse, unreachableError } from "./errors.ts";
import { openWithTls, streamLogs } from "./logs.ts";
import { tlsFetch, type TlsOptions } from "./tls-fetch.ts";
import { CLIENT_VERSION } from "./version.ts";

export type * from "./api-types.ts";

export interface ClientOptions extends EndpointOptions {
  /** A full base URL (e.g. `http://127.0.0.1:1234`); wins over host/port. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <key>`; defaults to env BACALHAU_API_KEY. */
  apiKey?: string;
  /** Basic auth; default env BACALHAU_API_USERNAME / BACALHAU_API_PASSWORD. */
  username?: string;
  password?: string;
  /** Skip TLS certificate checks (env BACALHAU_API_INSECURE or BACALHAU_API_TLS_INSECURE). */
  insecure?: boolean;
  /** PEM text of a CA to trust for HTTPS (the CLI reads --cacert / BACALHAU_API_CACERT into it). */
  caCert?: string;
  installationID?: string;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | string[] | undefined>;

const JOBS = "/api/v1/orchestrator/jobs";
const NODES = "/api/v1/orchestrator/nodes";
const AGENT = "/api/v1/agent";

export class BacalhauClient {
  readonly endpoint: Endpoint;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;
  readonly #authorization: string | undefined;
  readonly #customTls: TlsOptions | undefined;

  constructor(opts: ClientOptions = {}) {
    this.endpoint = opts.baseUrl ? endpointFromUrl(opts.baseUrl) : resolveEndpoint(opts);
    const tls: TlsOptions = {
      ...(opts.caCert ? { ca: opts.caCert } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
    };
    const custom = this.endpoint.baseUrl.startsWith("https:") && (tls.ca !== undefined || tls.insecure);
    this.#customTls = custom ? tls : undefined;
    this.#fetch = opts.fetch ?? (custom ? tlsFetch(tls) : (input, init) => fetch(input, init));
    this.#authorization = authorizationFor({ ...opts, env: opts.env ?? {} });
    this.#headers = {
      "X-Bacalhau-Git-Version": CLIENT_VERSION.GitVersion,
      "X-Bacalhau-Git-Commit": CLIENT_VERSION.GitCommit,
      "X-Bacalhau-Build-Date": CLIENT_VERSION.BuildDate,
      "X-Bacalhau-Build-OS": CLIENT_VERSION.GOOS,
      "X-Bacalhau-Arch": CLIENT_VERSION.GOARCH,
      "X-Bacalhau-InstanceID": crypto.randomUUID(),
      ...(opts.installationID ? { "X-Bacalhau-InstallationID": opts.installationID } : {}),
      ...(this.#authorization ? { Authorization: this.#authorization } : {}),
    };
  }

  /** The headers every request carries (version, credentials), for callers that stream raw requests. */
  get headers(): Record<string, string> {
    return { ...this.#headers };
  }

  /** The TLS settings beyond the system's trust store (`--cacert`, `--insecure`), if any. */
  get tls(): TlsOptions | undefined {
    return this.#customTls;
  }

  /** The fetch this client uses (it knows the TLS settings). */
  get fetch(): typeof fetch {
    return this.#fetch;
  }

  // ---- jobs ----

  putJob(job: JobSpec, force = false): Promise<PutJobResponse> {
    return this.#request("PUT", JOBS, { body: { Job: job, Force: force } });
  }

  diffJob(job: JobSpec): Promise<DiffJobResponse> {
    return this.#request("PUT", `${JOBS}/diff`, { body: { Job: job } });
  }

  getJob(id: string, q: GetJobQuery = {}): Promise<GetJobResponse> {
    return this.#request("GET", `${JOBS}/${enc(id)}`, {
      query: { include: q.include?.join(","), job_version: q.jobVersion, limit: q.limit, namespace: q.namespace },
    });
  }

  listJobs(q: ListJobsQuery = {}): Promise<Page<Job>> {
    return this.#request("GET", JOBS, {
      query: {
        namespace: q.namespace,
        limit: q.limit,
        next_token: q.nextToken,
        order_by: q.orderBy,
        reverse: q.reverse,
        labels: q.labels,
      },
    });
  }

  stopJob(id: string, reason = "Stopped at user request", q: NamespaceQuery = {}): Promise<StopJobResponse> {
    return this.#request("DELETE", `${JOBS}/${enc(id)}`, { query: { namespace: q.namespace }, body: { reason } });
  }

  rerunJob(id: string, jobVersion = 0, reason = "", q: NamespaceQuery = {}): Promise<RerunJobResponse> {
    return this.#request("PUT", `${JOBS}/${enc(id)}/rerun`, {
      query: { namespace: q.namespace },
      body: { JobVersion: jobVersion, Reason: reason },
    });
  }

  jobHistory(id: string, q: JobHistoryQuery = {}): Promise<Page<JobHistory>> {
    return this.#request("GET", `${JOBS}/${enc(id)}/history`, {
      query: {
        namespace: q.namespace,
        limit: q.limit,
        next_token: q.nextToken,
        since: q.since,
        event_type: q.eventType,
        execution_id: q.executionID,
        job_version: q.jobVersion,
        all_job_versions: q.allJobVersions,
      },
    });
  }

  jobExecutions(id: string, q: JobExecutionsQuery = {}): Promise<Page<Execution>> {
    return this.#request("GET", `${JOBS}/${enc(id)}/executions`, {
      query: {
        namespace: q.namespace,
        limit: q.limit,
        order_by: q.orderBy,
        reverse: q.reverse,
        job_version: q.jobVersion,
        all_job_versions: q.allJobVersions,
      },
    });
  }

  jobVersions(id: string, q: NamespaceQuery = {}): Promise<Page<Job>> {
    return this.#request("GET", `${JOBS}/${enc(id)}/versions`, { query: { namespace: q.namespace } });
  }

  jobResults(id: string, q: NamespaceQuery = {}): Promise<JobResultsResponse> {
    return this.#request("GET", `${JOBS}/${enc(id)}/results`, { query: { namespace: q.namespace } });
  }

  /** Streams the job's logs over the WebSocket; ends when the server closes the stream. */
  logs(jobID: string, q: LogsQuery = {}): AsyncIterable<ExecutionLog> {
    const query = buildQuery({
      namespace: q.namespace,
      execution_id: q.executionID,
      tail: q.tail,
      follow: q.follow ?? false,
      job_version: q.jobVersion,
      all_job_versions: q.allJobVersions,
    });
    const headers: Record<string, string> = this.#authorization ? { Authorization: this.#authorization } : {};
    const probe = async (url: string) => {
      const res = await this.#fetch(url, { headers });
      await res.body?.cancel();
      return res.status;
    };
    return streamLogs(`${this.endpoint.wsUrl}${JOBS}/${enc(jobID)}/logs${query}`, this.endpoint.baseUrl, {
      ...(q.signal ? { signal: q.signal } : {}),
      headers,
      probe,
      ...(this.#customTls ? { open: openWithTls(this.#customTls) } : {}),
    });
  }

  // ---- nodes ----

  listNodes(q: ListNodesQuery = {}): Promise<ListNodesResponse> {
    return this.#request("GET", NODES, {
      query: {
        limit: q.limit,
        order_by: q.orderBy,
        reverse: q.reverse,
        labels: q.labels,
        "filter-approval": q.filterApproval,
        "filter-status": q.filterStatus,
      },
    });
  }

  getNode(id: string): Promise<GetNodeResponse> {
    return this.#request("GET", `${NODES}/${enc(id)}`);
  }

  /** action: approve | reject | delete. */
  updateNode(id: string, action: string, message = ""): Promise<PutNodeResponse> {
    return this.#request("PUT", `${NODES}/${enc(id)}`, { body: { NodeID: id, Action: action, Message: message } });
  }

  // ---- agent ----

  alive(): Promise<IsAliveResponse> {
    return this.#request("GET", `${AGENT}/alive`);
  }

  version(): Promise<GetVersionResponse> {
    return this.#request("GET", `${AGENT}/version`);
  }

  agentNode(): Promise<AgentNodeResponse> {
    return this.#request("GET", `${AGENT}/node`);
  }

  agentConfig(): Promise<AgentConfigResponse> {
    return this.#request("GET", `${AGENT}/config`);
  }

  async #request<T>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const url = this.endpoint.baseUrl + path + buildQuery(opts.query ?? {});
    const headers: Record<string, string> = { ...this.#headers, Accept: "application/json" };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (err) {
      throw unreachableError(this.endpoint.baseUrl, err);
    }
    const text = await res.text();
    if (!res.ok) throw explainAuthFailure(errorFromResponse(res.status, text), this.#authorization !== undefined);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch (err) {
      throw new BacalhauError(`invalid JSON from ${method} ${path}: ${text.slice(0, 200)}`, {
        component: "APIClient",
        cause: err,
      });
    }
  }
}

const enc = encodeURIComponent;

function buildQuery(q: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === "") continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
