/**
 * The OpenAPI 3 document of this node's API, served at /api/v1/openapi.json. Hand-written; a test
 * checks that every registered route appears here, so a new route cannot ship undocumented.
 */

type Schema = Record<string, unknown>;
type Param = { name: string; in: "query" | "path"; schema: Schema; description?: string; required?: boolean };

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({ type: "object", properties, ...extra });
const page = (item: Schema): Schema => obj({ Items: { type: "array", items: item }, NextToken: str });

const q = (name: string, schema: Schema, description?: string): Param =>
  ({ name, in: "query", schema, ...(description ? { description } : {}) });
const idParam: Param = { name: "id", in: "path", required: true, schema: str, description: "job ID, short ID or name" };
const nodeIdParam: Param = { name: "id", in: "path", required: true, schema: str, description: "node ID or prefix" };
const namespace = q("namespace", str, "job namespace ('*' or empty: all, for lists)");

const open: Schema = { type: "object", additionalProperties: true };

const errorResponses = {
  "400": { description: "bad request", content: { "application/json": { schema: ref("APIError") } } },
  "404": { description: "not found", content: { "application/json": { schema: ref("APIError") } } },
  "500": { description: "server error", content: { "application/json": { schema: ref("APIError") } } },
};

function op(summary: string, params: Param[], response: Schema, body?: Schema, contentType = "application/json"): Schema {
  return {
    summary,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: { "application/json": { schema: body } } } } : {}),
    responses: { "200": { description: "OK", content: { [contentType]: { schema: response } } }, ...errorResponses },
  };
}

const redirect = (to: string): Schema => ({
  summary: `redirects to ${to}`,
  responses: { "301": { description: "Moved Permanently", headers: { Location: { schema: str } } } },
});

const putJob = op("submit or update a job", [], ref("PutJobResponse"), ref("PutJobRequest"));
const legacy = (summary: string, response: Schema, contentType = "application/json") => ({
  get: op(summary, [], response, undefined, contentType),
});
const legacyVersion = {
  post: op("legacy version exchange", [], obj({ build_version_info: ref("BuildVersionInfo") }), obj({ client_id: str })),
};

const resultParams: Param[] = [idParam, namespace,
  { name: "executionID", in: "path", required: true, schema: str, description: "execution ID, optionally ending in .tar.gz" }];
const resultResponses = {
  ...(op("", [], { type: "string", format: "binary" }, undefined, "application/gzip").responses as Schema),
  "503": { description: "the compute node holding the result is not connected", content: { "application/json": { schema: ref("APIError") } } },
};
const resultDownload = {
  get: {
    summary: "download a local-publisher result (tar.gz), streamed from the compute node that holds it",
    parameters: resultParams,
    responses: resultResponses,
  },
  head: { summary: "check that a local-publisher result can be downloaded", parameters: resultParams, responses: resultResponses },
};

const runExecution = obj({ ID: str, NodeID: str, PartitionIndex: int, State: str, Message: str });
const runPending = {
  JobID: str, State: str, Message: str, Executions: { type: "array", items: runExecution },
  EvaluationID: str, Warnings: { type: "array", items: str, nullable: true },
};
const runJob: Schema = {
  summary: "submit a job (checked as PUT /api/v1/orchestrator/jobs does) and wait for it to end. The body is a " +
    "PutJobRequest, a bare Job, or a legacy v0.3 job {APIVersion: V1beta1, Spec}. A Failed job is a 200 too; " +
    "a client that disconnects does not stop the job",
  parameters: [q("timeout", str, "how long to wait: a duration (30s, 5m, 1m30s) or seconds; default 4m, at most 30m")],
  requestBody: { required: true, content: { "application/json": { schema: { oneOf: [ref("PutJobRequest"), ref("Job"), open] } } } },
  responses: {
    "200": {
      description: "the job ended; the output is one execution's RunOutput (truncated as the compute node reports it)",
      content: { "application/json": { schema: obj({
        ...runPending, ExecutionID: str, CID: { ...str, description: "the result's CID when published to IPFS" },
        PublishedResults: { type: "array", items: ref("SpecConfig") },
        Stdout: str, StdoutTruncated: bool, Stderr: str, StderrTruncated: bool, ExitCode: { ...int, nullable: true }, ErrorMsg: str,
      }) } },
    },
    "202": {
      description: "still running after the timeout; follow it at the Location (GET /api/v1/orchestrator/jobs/{id})",
      headers: { Location: { schema: str } },
      content: { "application/json": { schema: obj(runPending) } },
    },
    ...errorResponses,
  },
};

const paths: Record<string, Schema> = {
  "/": { get: redirect("/api/v1/agent/version") },
  "/version": { get: redirect("/api/v1/agent/version"), ...legacyVersion },
  "/livez": { get: redirect("/api/v1/agent/alive") },
  "/api/v1/agent/alive": { get: op("liveness", [], obj({ Status: str })) },
  "/api/v1/agent/version": { get: op("server version", [], ref("BuildVersionInfo")) },
  "/api/v1/agent/node": { get: op("this node's info", [], ref("NodeInfo")) },
  "/api/v1/agent/debug": { get: op("debug info per component", [], { type: "object" }) },
  "/api/v1/agent/config": { get: op("effective config (redacted)", [], obj({ config: { type: "object" } })) },
  "/api/v1/agent/authconfig": { get: op("auth config", [], obj({ Version: str, Config: { type: "object" } })) },
  "/api/v1/auth": { get: op("authentication methods (none: anonymous access)", [], obj({ Methods: { type: "object" } })) },
  "/api/v1/auth/{method}": {
    get: op("authentication method requirement", [{ name: "method", in: "path", required: true, schema: str }], { type: "object" }),
    post: op("authenticate", [{ name: "method", in: "path", required: true, schema: str }], { type: "object" }, obj({ Name: str, MethodData: {} })),
  },
  "/api/v1/orchestrator/jobs": {
    get: op("list jobs", [
      namespace, q("limit", int), q("next_token", str), q("order_by", { type: "string", enum: ["created_at", "modified_at"] }),
      q("reverse", bool), q("labels", str, "Kubernetes label selector; repeatable"),
    ], page(ref("Job"))),
    put: putJob,
    post: putJob,
  },
  "/api/v1/orchestrator/jobs/diff": {
    put: op("diff a job spec against the stored job of the same name", [], obj({ Diff: str, Warnings: { type: "array", items: str, nullable: true } }), obj({ Job: ref("Job") })),
  },
  "/api/v1/orchestrator/jobs/{id}": {
    get: op("get a job", [idParam, namespace, q("include", str, "comma list of history, executions"), q("job_version", int), q("limit", int)],
      obj({ Job: ref("Job"), History: page(ref("JobHistory")), Executions: page(ref("Execution")) })),
    delete: op("stop a job (JSON body {reason})", [idParam, namespace], obj({ EvaluationID: str })),
  },
  "/api/v1/orchestrator/jobs/{id}/rerun": {
    put: op("rerun a job version", [idParam, namespace], obj({ EvaluationID: str, JobID: str, JobVersion: int, Warnings: { type: "array", items: str, nullable: true } }),
      obj({ JobVersion: int, Reason: str })),
  },
  "/api/v1/orchestrator/jobs/{id}/history": {
    get: op("job history; NextToken stays set while the job can still change", [
      idParam, namespace, q("limit", int), q("next_token", str), q("since", int, "unix seconds"),
      q("event_type", { type: "string", enum: ["all", "job", "execution"] }), q("execution_id", str),
      q("job_version", int), q("all_job_versions", bool),
    ], page(ref("JobHistory"))),
  },
  "/api/v1/orchestrator/jobs/{id}/executions": {
    get: op("job executions", [idParam, namespace, q("limit", int), q("order_by", str), q("reverse", bool), q("job_version", int), q("all_job_versions", bool)],
      page(ref("Execution"))),
  },
  "/api/v1/orchestrator/jobs/{id}/versions": { get: op("all versions of a job", [idParam, namespace], page(ref("Job"))) },
  "/api/v1/orchestrator/jobs/{id}/results": {
    get: op("published results of the latest version; local-publisher results point at the route below on this API",
      [idParam, namespace], page(ref("SpecConfig"))),
  },
  "/api/v1/orchestrator/jobs/{id}/results/{executionID}": resultDownload,
  "/api/v1/orchestrator/jobs/{id}/logs": {
    get: {
      summary: "log stream over a WebSocket; frames {value:{Type,Line}} and on failure {value,error} then close 1000",
      parameters: [idParam, namespace, q("execution_id", str), q("tail", int), q("follow", bool), q("job_version", int), q("all_job_versions", bool)],
      responses: { "101": { description: "Switching Protocols" }, ...errorResponses },
    },
  },
  "/api/v1/orchestrator/nodes": {
    get: op("list nodes (no paging)", [
      q("limit", int), q("order_by", str), q("reverse", bool), q("labels", str),
      q("filter-approval", { type: "string", enum: ["PENDING", "APPROVED", "REJECTED"] }),
      q("filter-status", { type: "string", enum: ["CONNECTED", "DISCONNECTED"] }),
    ], obj({
      Nodes: { type: "array", items: ref("NodeState") },
      NextToken: str,
      nodes: { type: "array", items: ref("NodeState"), description: "same as Nodes, for the generated Python client" },
    })),
  },
  "/api/v1/orchestrator/nodes/{id}": {
    get: op("get a node", [nodeIdParam], obj({
      Node: ref("NodeState"),
      node: ref("NodeState"), // same as Node, for the generated Python client
    })),
    put: op("approve, reject or delete a node", [nodeIdParam], obj({ Success: bool }),
      obj({ Action: { type: "string", enum: ["approve", "reject", "delete"] }, Message: str, NodeID: str })),
  },
  "/api/v1/run": { post: runJob },
  "/api/v1/openapi.json": { get: op("this document", [], { type: "object" }) },
};

// Seed-era probes, at the root and under /api/v1.
for (const base of ["", "/api/v1"]) {
  paths[`${base}/id`] = legacy("node ID (legacy)", str, "text/plain");
  paths[`${base}/node_info`] = legacy("node info (legacy)", ref("NodeInfo"));
  paths[`${base}/peers`] = legacy("peers (legacy, always empty)", { type: "array", items: str });
  paths[`${base}/healthz`] = legacy("health (legacy)", obj({ Status: str }));
  paths[`${base}/readyz`] = legacy("readiness (legacy)", str, "text/plain");
}
paths["/api/v1/version"] = legacyVersion;
paths["/api/v1/livez"] = legacy("liveness (legacy)", str, "text/plain");
paths["/api/v1/peer"] = {
  get: op("this requester's libp2p identity and dialable addresses (404 when it is not on a libp2p network)", [],
    obj({ ID: str, Addrs: { type: "array", items: str } })),
};

export const OPENAPI_DOCUMENT = {
  openapi: "3.0.3",
  info: {
    title: "bacalhau-edge API",
    version: "1.0.0",
    description: "Bacalhau v1 compatible REST API. Errors are APIError bodies. Field names are Go's exported names.",
  },
  paths,
  // Either scheme, or none from loopback / on an open node; open routes ignore credentials.
  security: [{ apiKey: [] }, { basic: [] }, {}],
  components: {
    securitySchemes: {
      apiKey: { type: "http", scheme: "bearer", description: "BACALHAU_API_KEY; a node with no users makes one (<data-dir>/api.key)" },
      basic: { type: "http", scheme: "basic", description: "BACALHAU_API_USERNAME and BACALHAU_API_PASSWORD of an API.Auth.Users entry" },
    },
    schemas: {
      APIError: obj({ Status: int, Message: str, RequestID: str, Code: str, Component: str, Hint: str, Details: open }),
      BuildVersionInfo: obj({ Major: str, Minor: str, GitVersion: str, GitCommit: str, BuildDate: str, GOOS: str, GOARCH: str }),
      SpecConfig: obj({ Type: str, Params: open }),
      Job: obj({
        ID: str, Name: str, Namespace: str, Type: { type: "string", enum: ["batch", "ops", "daemon", "service"] },
        Priority: int, Count: int, Constraints: { type: "array", items: obj({ Key: str, Operator: str, Values: { type: "array", items: str } }) },
        Meta: open, Labels: open, Tasks: { type: "array", items: open }, State: obj({ StateType: str, Message: str, Details: open }),
        Version: int, Revision: int, CreateTime: int, ModifyTime: int,
      }),
      PutJobRequest: obj({ Job: ref("Job"), Force: bool }),
      PutJobResponse: obj({ JobID: str, EvaluationID: str, Warnings: { type: "array", items: str, nullable: true } }),
      JobHistory: open,
      Execution: open,
      NodeInfo: open,
      NodeState: obj({ Info: ref("NodeInfo"), Membership: str, Connection: str, ConnectionState: open }),
    },
  },
} as const;
