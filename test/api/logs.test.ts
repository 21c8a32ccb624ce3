import { test } from "node:test";
import assert from "node:assert/strict";
import { apiError, makeJob, startHarness } from "./harness.ts";

interface Frame {
  value: { Type: number; Line: string };
  error?: Record<string, unknown>;
}

function collect(url: string, onFrame?: (f: Frame, ws: WebSocket) => void): Promise<{ frames: Frame[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Frame[] = [];
    ws.onmessage = (e) => {
      const f = JSON.parse(String(e.data)) as Frame;
      frames.push(f);
      onFrame?.(f, ws);
    };
    ws.onclose = (e) => resolve({ frames, code: e.code });
    ws.onerror = () => reject(new Error("websocket error"));
  });
}

const wsURL = (base: string, path: string) => base.replace(/^http/, "ws") + path;

test("logs stream as frames, then a normal close", async (t) => {
  const h = await startHarness(t);
  const job = makeJob({ Name: "logger" });
  h.store.createJob(job);
  h.orchestrator.logs.set(job.ID, [{ Type: 1, Line: "hello\n" }, { Type: 2, Line: "oops\n" }, { Type: 1, Line: "bye\n" }]);
  const got = await collect(wsURL(h.url, "/api/v1/orchestrator/jobs/logger/logs?follow=false"));
  assert.deepEqual(got.frames, [
    { value: { Type: 1, Line: "hello\n" } },
    { value: { Type: 2, Line: "oops\n" } },
    { value: { Type: 1, Line: "bye\n" } },
  ]);
  assert.equal(got.code, 1000);
  const tail = await collect(wsURL(h.url, `/api/v1/orchestrator/jobs/${job.ID}/logs?tail=1`));
  assert.deepEqual(tail.frames.map((f) => f.value.Line), ["bye\n"]);
});

test("lookup failures arrive as an error frame after the upgrade", async (t) => {
  const h = await startHarness(t);
  const missing = await collect(wsURL(h.url, "/api/v1/orchestrator/jobs/j-nothere/logs"));
  assert.equal(missing.code, 1000);
  assert.equal(missing.frames.length, 1);
  const f = missing.frames[0];
  assert.deepEqual(f?.value, { Type: 0, Line: "" });
  assert.equal(f?.error?.Cause, "job not found: j-nothere");
  assert.equal(f?.error?.HTTPStatusCode, 404);
  assert.equal(f?.error?.Code, "NotFound");

  const job = makeJob();
  h.store.createJob(job);
  const noExec = await collect(wsURL(h.url, `/api/v1/orchestrator/jobs/${job.ID}/logs`));
  assert.match(String(noExec.frames[0]?.error?.Cause), /no executions/);
});

test("closing the socket aborts a following stream", async (t) => {
  const h = await startHarness(t);
  const job = makeJob();
  h.store.createJob(job);
  h.orchestrator.logs.set(job.ID, [{ Type: 1, Line: "first\n" }]);
  const never = Promise.withResolvers<void>();
  t.after(() => never.resolve());
  h.orchestrator.hold = never.promise;
  await collect(wsURL(h.url, `/api/v1/orchestrator/jobs/${job.ID}/logs?follow=true`), (_f, ws) => ws.close(1000));
  await h.orchestrator.aborted.promise;
});

test("a plain GET of the logs route is a 400", async (t) => {
  const h = await startHarness(t);
  await apiError(await h.get("/api/v1/orchestrator/jobs/x/logs"), 400);
});
