import { test } from "node:test";
import assert from "node:assert/strict";
import { apiError, NODE_INFO, startHarness, VERSION } from "./harness.ts";

test("agent routes", async (t) => {
  const h = await startHarness(t);
  assert.deepEqual(await (await h.get("/api/v1/agent/alive")).json(), { Status: "OK" });
  assert.deepEqual(await (await h.get("/api/v1/agent/version")).json(), VERSION);
  assert.deepEqual(await (await h.get("/api/v1/agent/node")).json(), NODE_INFO);
  assert.deepEqual(await (await h.get("/api/v1/agent/debug")).json(), { store: { open: true } });
  assert.deepEqual(await (await h.get("/api/v1/agent/config")).json(), { config: { API: { Port: 1234 } } });
  assert.deepEqual(await (await h.get("/api/v1/agent/authconfig")).json(), { Version: "1.0.0", Config: {} });
  assert.deepEqual(await (await h.get("/api/v1/auth")).json(), { Methods: {} });
  await apiError(await h.get("/api/v1/auth/password"), 404);
});

test("redirects and legacy probes", async (t) => {
  const h = await startHarness(t);
  for (const [path, to] of [["/", "/api/v1/agent/version"], ["/version", "/api/v1/agent/version"], ["/livez", "/api/v1/agent/alive"]]) {
    const res = await h.get(path as string);
    assert.equal(res.status, 301, path);
    assert.equal(res.headers.get("location"), to);
    await res.body?.cancel();
  }
  assert.equal(await (await h.get("/api/v1/livez")).text(), "OK");
  assert.equal(await (await h.get("/api/v1/id")).text(), NODE_INFO.NodeID);
  assert.equal(await (await h.get("/id")).text(), NODE_INFO.NodeID);
  assert.deepEqual(await (await h.get("/api/v1/peers")).json(), []);
  assert.deepEqual(await (await h.get("/node_info")).json(), NODE_INFO);
  assert.equal((await h.get("/api/v1/healthz")).status, 200);
  assert.equal(await (await h.get("/readyz")).text(), "OK");
  const v = await (await h.send("POST", "/api/v1/version", { client_id: "x" })).json();
  assert.deepEqual(v, { build_version_info: VERSION });
});

test("unknown routes answer the APIServer 404 body with a request ID", async (t) => {
  const h = await startHarness(t);
  const res = await h.get("/api/v1/nope", { "X-Request-Id": "req-123" });
  const body = await apiError(res, 404);
  assert.equal(body.Message, "The requested resource/URL was not found.");
  assert.equal(body.Component, "APIServer");
  assert.equal(body.Code, "NotFound");
  assert.equal(body.RequestID, "req-123");
  assert.equal(res.headers.get("x-request-id"), "req-123");
  const generated = await apiError(await h.get("/missing"), 404);
  assert.match(String(generated.RequestID), /^[0-9a-f-]{36}$/);
});

test("server version headers, CORS and the client version gate", async (t) => {
  const h = await startHarness(t, { allowedOrigins: ["http://ui.example"] });
  const res = await h.get("/api/v1/agent/alive", { Origin: "http://ui.example" });
  assert.equal(res.headers.get("x-bacalhau-git-version"), VERSION.GitVersion);
  assert.equal(res.headers.get("x-bacalhau-arch"), VERSION.GOARCH);
  // Only configured origins (and the node's own) are granted; no wildcard.
  assert.equal(res.headers.get("access-control-allow-origin"), "http://ui.example");
  await res.body?.cancel();

  const old = await h.get("/api/v1/agent/alive", { "X-Bacalhau-Git-Version": "v1.3.2" });
  assert.equal(old.status, 403);
  assert.deepEqual(await old.json(), {
    Error: "Client version is outdated. Update your client",
    MinVersion: "v1.4.0",
    ClientVersion: "v1.3.2",
    ServerVersion: VERSION.GitVersion,
  });
  const invalid = await h.get("/api/v1/agent/alive", { "X-Bacalhau-Git-Version": "banana" });
  assert.equal(invalid.status, 400);
  assert.match((await invalid.json()).Error, /Invalid client version banana/);
  for (const ok of ["v1.4.0", "v1.9.3", "v0.0.0-dev"]) {
    const r = await h.get("/api/v1/agent/alive", { "X-Bacalhau-Git-Version": ok });
    assert.equal(r.status, 200, ok);
    await r.body?.cancel();
  }
});

test("a compute-only node (no orchestrator) answers orchestrator routes with 501", async (t) => {
  const h = await startHarness(t, { orchestrator: undefined });
  const body = await apiError(await h.get("/api/v1/orchestrator/jobs"), 501);
  assert.equal(body.Code, "NotImplemented");
  assert.equal((await h.get("/api/v1/agent/alive")).status, 200);
});
