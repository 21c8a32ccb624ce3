/**
 * A small real HTTP server (Hono on 127.0.0.1, port 0) answering the Bacalhau v1 routes with fixed,
 * Bacalhau-shaped JSON, plus the log WebSocket, for client and CLI tests. It records what it got.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { Execution, Job, JobHistory, NodeInfo, NodeState } from "../../src/models/types.ts";

export const JOB_ID = "j-0b7c6a5e-1111-4222-8333-444455556666";
export const EXEC_ID = "e-9f8e7d6c-1111-4222-8333-444455556666";
export const NODE_ID = "n-12345678-aaaa-4bbb-8ccc-dddddddddddd";
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5) * 1e6;

export function fixtureJob(over: Partial<Job> = {}): Job {
  return {
    ID: JOB_ID,
    Name: "hello",
    Namespace: "default",
    Type: "batch",
    Priority: 0,
    Count: 1,
    Constraints: [],
    Meta: {},
    Labels: {},
    Tasks: [{ Name: "main", Engine: { Type: "wasm", Params: { EntryModule: "main.wasm" } }, Publisher: { Type: "local" } }],
    State: { StateType: "Completed" },
    Version: 1,
    Revision: 3,
    CreateTime: T0,
    ModifyTime: T0 + 2e9,
    ...over,
  };
}

export const fixtureExecution: Execution = {
  ID: EXEC_ID,
  Namespace: "default",
  EvalID: "ev",
  Name: "hello",
  NodeID: NODE_ID,
  JobID: JOB_ID,
  JobVersion: 1,
  AllocatedResources: { Tasks: {} },
  DesiredState: { StateType: 2 },
  ComputeState: { StateType: 9, Message: "done" },
  PublishedResult: { Type: "urlDownload" },
  RunOutput: { Stdout: "hello world\n", StdoutTruncated: false, stderr: "", StderrTruncated: false, ExitCode: 0, ErrorMsg: "" },
  PreviousExecution: "",
  NextExecution: "",
  FollowupEvalID: "",
  Revision: 4,
  CreateTime: T0,
  ModifyTime: T0 + 1e9,
};

const history = (seq: number, type: JobHistory["Type"], topic: string, message: string, execID?: string): JobHistory => ({
  SeqNum: seq,
  Type: type,
  JobID: JOB_ID,
  JobVersion: 1,
  ...(execID ? { ExecutionID: execID } : {}),
  Event: { Topic: topic, Message: message, Timestamp: new Date(T0 / 1e6 + seq * 1000).toISOString() },
  Time: new Date(T0 / 1e6 + seq * 1000).toISOString(),
});

export const fixtureHistory: JobHistory[] = [
  history(1, "JobLevel", "Submission", "Job submitted"),
  history(2, "ExecutionLevel", "Scheduling", "Requested execution on n-123456", EXEC_ID),
  history(3, "ExecutionLevel", "Execution", "Completed successfully", EXEC_ID),
  history(4, "JobLevel", "State Update", "Completed"),
];

export const fixtureNodeInfo: NodeInfo = {
  NodeID: NODE_ID,
  NodeType: "Compute",
  Labels: { os_type: "linux" },
  SupportedProtocols: ["ncl/v1"],
  BacalhauVersion: { Major: "1", Minor: "9", GitVersion: "v1.9.3", GitCommit: "abc", BuildDate: "2025-01-01", GOOS: "linux", GOARCH: "amd64" },
};

export const fixtureNode: NodeState = {
  Info: fixtureNodeInfo,
  Membership: "APPROVED",
  Connection: "CONNECTED",
  ConnectionState: { Status: "CONNECTED", LastHeartbeat: "", ConnectedSince: "", DisconnectedSince: "" },
};

export interface Recorded {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface FixtureServer {
  url: string;
  port: number;
  requests: Recorded[];
  /** The state GET /jobs/{id} reports; tests flip it. */
  state: { job: Job; results: { Type: string; Params: Record<string, unknown> }[]; resultBytes?: Uint8Array; logFrames: string[] };
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: Recorded[] = [];
  const state: FixtureServer["state"] = { job: fixtureJob(), results: [], logFrames: [] };
  const app = new Hono();

  app.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    const text = c.req.method === "GET" ? "" : await c.req.text();
    requests.push({
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      headers: Object.fromEntries(c.req.raw.headers.entries()),
      body: text ? JSON.parse(text) : undefined,
    });
    await next();
  });

  const J = "/api/v1/orchestrator/jobs";
  app.get("/api/v1/agent/alive", (c) => c.json({ Status: "OK" }));
  app.get("/api/v1/agent/version", (c) => c.json(fixtureNodeInfo.BacalhauVersion));
  app.get("/api/v1/agent/node", (c) => c.json(fixtureNodeInfo));
  app.get("/api/v1/agent/config", (c) => c.json({ config: { API: { Port: 1234 } } }));
  app.put(J, (c) => c.json({ JobID: JOB_ID, EvaluationID: "ev-1", Warnings: ["job ID is ignored"] }));
  app.put(`${J}/diff`, (c) => c.json({ Diff: "", Warnings: null }));
  app.get(J, (c) => c.json({ Items: [state.job], NextToken: "next-1" }));
  app.get(`${J}/:id`, (c) => {
    if (c.req.param("id") === "missing") {
      return c.json({ Status: 404, Message: "job not found: missing", RequestID: "r", Code: "NotFound", Component: "JobStore", Hint: "check the ID" }, 404);
    }
    return c.json({ Job: state.job, History: { Items: fixtureHistory, NextToken: "" }, Executions: { Items: [fixtureExecution], NextToken: "" } });
  });
  app.delete(`${J}/:id`, (c) => c.json({ EvaluationID: "ev-stop" }));
  app.put(`${J}/:id/rerun`, (c) => c.json({ JobID: JOB_ID, JobVersion: 2, EvaluationID: "ev-rerun", Warnings: null }));
  app.get(`${J}/:id/history`, (c) => {
    // Two pages: everything, then an empty last page that ends the wait loop.
    const token = c.req.query("next_token");
    return token ? c.json({ Items: [], NextToken: "" }) : c.json({ Items: fixtureHistory, NextToken: "page-2" });
  });
  app.get(`${J}/:id/executions`, (c) => c.json({ Items: [fixtureExecution], NextToken: "" }));
  app.get(`${J}/:id/versions`, (c) => c.json({ Items: [state.job], NextToken: "" }));
  app.get(`${J}/:id/results`, (c) => c.json({ Items: state.results, NextToken: "" }));
  app.get("/results/:file", (c) =>
    state.resultBytes ? c.body(state.resultBytes.slice().buffer as ArrayBuffer, 200, { "Content-Type": "application/gzip" }) : c.notFound(),
  );
  app.get("/api/v1/orchestrator/nodes", (c) => c.json({ Nodes: [fixtureNode], NextToken: "" }));
  app.get("/api/v1/orchestrator/nodes/:id", (c) => c.json({ Node: fixtureNode }));
  app.put("/api/v1/orchestrator/nodes/:id", (c) => c.json({ Success: true }));

  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve({ server: s, port: info.port }));
  });
  const sockets = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    requests.push({ method: "WS", path: (req.url ?? "").split("?")[0] as string, query: "?" + ((req.url ?? "").split("?")[1] ?? ""), headers: {} });
    acceptWebSocket(req, socket, state.logFrames);
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A just-enough WebSocket server side: handshake, text frames, then a normal close. */
function acceptWebSocket(req: IncomingMessage, socket: Duplex, frames: string[]): void {
  const key = String(req.headers["sec-websocket-key"] ?? "");
  const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  for (const f of frames) socket.write(textFrame(f));
  socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
  socket.end();
}

function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const head =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}
