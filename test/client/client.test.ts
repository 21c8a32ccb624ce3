import assert from "node:assert/strict";
import { test } from "node:test";
import { BacalhauClient } from "../../src/client/client.ts";
import { resolveEndpoint } from "../../src/client/endpoint.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import type { ExecutionLog } from "../../src/models/types.ts";
import { JOB_ID, startFixtureServer } from "./fixture-server.ts";

test("endpoint: flags beat env beat defaults, and 0.0.0.0 becomes loopback", () => {
  assert.equal(resolveEndpoint().baseUrl, "http://127.0.0.1:1234");
  assert.equal(resolveEndpoint({ env: { BACALHAU_API_HOST: "10.0.0.1", BACALHAU_API_PORT: "99" } }).baseUrl, "http://10.0.0.1:99");
  assert.equal(resolveEndpoint({ host: "h", port: 5, env: { BACALHAU_API_HOST: "x", BACALHAU_API_PORT: "9" } }).wsUrl, "ws://h:5");
  assert.throws(() => resolveEndpoint({ port: "abc" }), TypeError);
});

test("client: one method per route, with headers, queries and bodies as Bacalhau sends them", async (t) => {
  const srv = await startFixtureServer();
  t.after(() => srv.close());
  const client = new BacalhauClient({ host: "127.0.0.1", port: srv.port });

  assert.deepEqual(await client.alive(), { Status: "OK" });
  assert.equal((await client.version()).GitVersion, "v1.9.3");
  assert.equal((await client.agentNode()).NodeType, "Compute");
  assert.deepEqual(await client.agentConfig(), { config: { API: { Port: 1234 } } });
  const first = srv.requests[0];
  assert.equal(first?.headers["x-bacalhau-git-version"], "v1.9.3");
  assert.ok(first?.headers["x-bacalhau-instanceid"]);

  const put = await client.putJob({ Type: "batch", Tasks: [{ Name: "main", Engine: { Type: "wasm" } }] }, true);
  assert.equal(put.JobID, JOB_ID);
  assert.deepEqual(srv.requests.at(-1)?.body, { Job: { Type: "batch", Tasks: [{ Name: "main", Engine: { Type: "wasm" } }] }, Force: true });

  await client.listJobs({ limit: 10, nextToken: "t", orderBy: "created_at", reverse: true, labels: ["a=b", "c!=d"], namespace: "*" });
  const q = new URLSearchParams(srv.requests.at(-1)?.query);
  assert.equal(q.get("limit"), "10");
  assert.equal(q.get("next_token"), "t");
  assert.equal(q.get("reverse"), "true");
  assert.deepEqual(q.getAll("labels"), ["a=b", "c!=d"]);

  const got = await client.getJob("hello", { include: ["executions", "history"] });
  assert.equal(got.Job.ID, JOB_ID);
  assert.equal(new URLSearchParams(srv.requests.at(-1)?.query).get("include"), "executions,history");

  assert.deepEqual(await client.stopJob(JOB_ID), { EvaluationID: "ev-stop" });
  assert.deepEqual(srv.requests.at(-1)?.body, { reason: "Stopped at user request" });
  assert.equal((await client.rerunJob(JOB_ID, 1, "again")).JobVersion, 2);
  assert.deepEqual(srv.requests.at(-1)?.body, { JobVersion: 1, Reason: "again" });

  const hist = await client.jobHistory(JOB_ID, { eventType: "execution", executionID: "e-1", jobVersion: 1 });
  assert.equal(hist.Items.length, 4);
  assert.match(srv.requests.at(-1)?.query ?? "", /event_type=execution&execution_id=e-1&job_version=1/);
  assert.equal((await client.jobExecutions(JOB_ID)).Items.length, 1);
  assert.equal((await client.jobVersions(JOB_ID)).Items.length, 1);
  assert.deepEqual((await client.jobResults(JOB_ID)).Items, []);
  assert.equal((await client.diffJob({ Name: "x", Tasks: [] })).Diff, "");

  assert.equal((await client.listNodes({ filterApproval: "approved" })).Nodes.length, 1);
  assert.match(srv.requests.at(-1)?.query ?? "", /filter-approval=approved/);
  assert.equal((await client.getNode("n-1")).Node.Membership, "APPROVED");
  assert.deepEqual(await client.updateNode("n-1", "approve", "ok"), { Success: true });
  assert.deepEqual(srv.requests.at(-1)?.body, { NodeID: "n-1", Action: "approve", Message: "ok" });
});

test("client: a non-2xx APIError body becomes a BacalhauError with status, code, component and hint", async (t) => {
  const srv = await startFixtureServer();
  t.after(() => srv.close());
  const client = new BacalhauClient({ baseUrl: srv.url });
  const err = await client.getJob("missing").then(
    () => assert.fail("expected an error"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BacalhauError);
  assert.equal(err.message, "job not found: missing");
  assert.equal(err.status, 404);
  assert.equal(err.code, "NotFound");
  assert.equal(err.component, "JobStore");
  assert.equal(err.hint, "check the ID");
});

test("client: connection refused says the API is unreachable and how to fix it", async () => {
  const srv = await startFixtureServer();
  const port = srv.port;
  await srv.close();
  const client = new BacalhauClient({ host: "127.0.0.1", port });
  await assert.rejects(client.alive(), (e: unknown) => {
    assert.ok(e instanceof BacalhauError);
    assert.match(e.message, new RegExp(`the API at http://127\\.0\\.0\\.1:${port} is unreachable`));
    assert.match(e.hint ?? "", /bacalhau serve/);
    assert.match(e.hint ?? "", /BACALHAU_API_HOST/);
    return true;
  });
});

test("client: logs stream frames over the WebSocket until the server closes", async (t) => {
  const srv = await startFixtureServer();
  t.after(() => srv.close());
  srv.state.logFrames = [
    JSON.stringify({ value: { Type: 1, Line: "hello\n" } }),
    JSON.stringify({ value: { Type: 2, Line: "oops\n" } }),
  ];
  const client = new BacalhauClient({ baseUrl: srv.url });
  const got: ExecutionLog[] = [];
  for await (const log of client.logs(JOB_ID, { follow: true, tail: 5, executionID: "e-1" })) got.push(log);
  assert.deepEqual(got, [
    { Type: 1, Line: "hello\n" },
    { Type: 2, Line: "oops\n" },
  ]);
  const ws = srv.requests.find((r) => r.method === "WS");
  assert.equal(ws?.path, `/api/v1/orchestrator/jobs/${JOB_ID}/logs`);
  assert.match(ws?.query ?? "", /execution_id=e-1&tail=5&follow=true/);
});

test("client: an error frame on the log socket is thrown as a BacalhauError", async (t) => {
  const srv = await startFixtureServer();
  t.after(() => srv.close());
  srv.state.logFrames = [
    JSON.stringify({ value: { Type: 1, Line: "a\n" } }),
    JSON.stringify({ value: { Type: 0, Line: "" }, error: { Cause: "job not found: x", Code: "NotFound", Component: "JobStore", HTTPStatusCode: 404 } }),
  ];
  const client = new BacalhauClient({ baseUrl: srv.url });
  const lines: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const log of client.logs("x")) lines.push(log.Line);
    })(),
    (e: unknown) => e instanceof BacalhauError && e.message === "job not found: x" && e.status === 404,
  );
  assert.deepEqual(lines, ["a\n"]);
});
