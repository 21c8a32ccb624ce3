import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePagingToken } from "../../src/models/paging.ts";
import { apiError, event, makeExecution, makeJob, startHarness } from "./harness.ts";

const JOBS = "/api/v1/orchestrator/jobs";

const wasmJob = (extra: Record<string, unknown> = {}) => ({
  Name: "hello",
  Type: "batch",
  Tasks: [{
    Name: "main",
    Engine: { Type: "wasm", Params: { EntryModule: "/app/main.wasm", Entrypoint: "_start" } },
    InputSources: [{ Target: "/app", Source: { Type: "urlDownload", Params: { URL: "http://example.org/main.wasm" } } }],
  }],
  ...extra,
});

test("PUT and POST /jobs submit a normalised job; Warnings null when none", async (t) => {
  const h = await startHarness(t);
  const res = await h.send("PUT", JOBS, { job: { name: "lower", type: "BATCH", tasks: [{ engine: { type: "WASM", params: { entrymodule: "/m.wasm", EntryPoint: "run" } } }] } });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.match(body.JobID, /^j-/);
  assert.equal(body.Warnings, null);
  const sent = h.orchestrator.submitted[0]?.job;
  assert.equal(sent?.Type, "batch");
  assert.deepEqual(sent?.Tasks[0]?.Engine, { Type: "wasm", Params: { EntryModule: "/m.wasm", Entrypoint: "run" } });
  const post = await h.send("POST", JOBS, { Job: wasmJob({ Name: "second" }) });
  assert.equal(post.status, 200);
});

test("submission warnings come back and sanitised fields are reset", async (t) => {
  const h = await startHarness(t);
  const res = await h.send("PUT", JOBS, { Job: wasmJob({ ID: "j-mine", Version: 3, Meta: { "bacalhau.org/x": "1", keep: "y" } }) });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.Warnings.length, 3);
  assert.ok(body.Warnings.some((w: string) => w.includes("job ID is ignored")));
  const sent = h.orchestrator.submitted[0];
  assert.equal(sent?.job.ID, "");
  assert.equal(sent?.job.Version, 0);
  assert.deepEqual(sent?.job.Meta, { keep: "y" });
  assert.deepEqual(sent?.opts.warnings, body.Warnings);
});

test("invalid submissions are 400s that name the field", async (t) => {
  const h = await startHarness(t);
  const noEntry = await apiError(await h.send("PUT", JOBS, { Job: { Type: "batch", Tasks: [{ Engine: { Type: "wasm" } }] } }), 400);
  assert.deepEqual(noEntry.Details, { field: "Tasks[0].Engine.Params.EntryModule" });
  assert.equal(noEntry.Component, "JobValidator");
  assert.ok(noEntry.Hint);
  const dupTargets = await apiError(await h.send("PUT", JOBS, {
    Job: wasmJob({ Tasks: [{ Engine: { Type: "wasm", Params: { EntryModule: "/inputs" } }, InputSources: [
      { Target: "/inputs", Source: { Type: "inline", Params: { URL: "data:,a" } } },
      { Target: "/inputs", Source: { Type: "inline", Params: { URL: "data:,b" } } },
    ] }] }),
  }), 400);
  assert.match(String(dupTargets.Message), /input source with target '\/inputs' already exists/);
  const badType = await apiError(await h.send("PUT", JOBS, { Job: wasmJob({ Count: "2" }) }), 400);
  assert.deepEqual(badType.Details, { field: "Count" });
  const noJob = await apiError(await h.send("PUT", JOBS, { Force: true }), 400);
  assert.deepEqual(noJob.Details, { field: "Job" });
  assert.equal(h.orchestrator.submitted.length, 0);
});

test("invalid JSON and empty bodies are 400 naming the problem", async (t) => {
  const h = await startHarness(t);
  const bad = await apiError(await h.send("PUT", JOBS, "{not json"), 400);
  assert.match(String(bad.Message), /invalid JSON body/);
  const empty = await apiError(await h.send("PUT", JOBS, ""), 400);
  assert.match(String(empty.Message), /empty/);
});

test("a body over 10 MB is refused with 413", async (t) => {
  const h = await startHarness(t);
  const big = JSON.stringify({ Job: wasmJob({ Meta: { pad: "x".repeat(10 * 1024 * 1024 + 10) } }) });
  const body = await apiError(await h.send("PUT", JOBS, big), 413);
  assert.match(String(body.Message), /request body is \d+, more than the limit of 10485760/);
});

test("submissions carrying X-Bacalhau-Job-ID are refused", async (t) => {
  const h = await startHarness(t);
  const body = await apiError(await h.send("PUT", JOBS, { Job: wasmJob() }, { "X-Bacalhau-Job-ID": "j-1" }), 400);
  assert.equal(body.Message, "rejecting job because HTTP header X-Bacalhau-Job-ID was set");
  assert.equal(h.orchestrator.submitted.length, 0);
});

test("GET /jobs pages with tokens, orders, filters by labels and namespace", async (t) => {
  const h = await startHarness(t);
  const jobs = Array.from({ length: 5 }, (_, i) =>
    makeJob({ Name: `job-${i}`, Labels: { idx: String(i), parity: i % 2 ? "odd" : "even" }, ...(i === 4 ? { Namespace: "other" } : {}) }));
  for (const j of jobs) h.store.createJob(j);

  const first = await (await h.get(`${JOBS}?limit=2`)).json();
  assert.deepEqual(first.Items.map((j: { Name: string }) => j.Name), ["job-0", "job-1"]);
  assert.notEqual(first.NextToken, "");
  assert.deepEqual(decodePagingToken(first.NextToken), { sortBy: "created_at", reverse: false, limit: 2, offset: 2 });
  const second = await (await h.get(`${JOBS}?next_token=${first.NextToken}`)).json();
  assert.deepEqual(second.Items.map((j: { Name: string }) => j.Name), ["job-2", "job-3"]);
  const third = await (await h.get(`${JOBS}?next_token=${second.NextToken}`)).json();
  assert.deepEqual(third.Items.map((j: { Name: string }) => j.Name), ["job-4"]);
  assert.equal(third.NextToken, "");

  const reversed = await (await h.get(`${JOBS}?reverse=true&order_by=modified_at`)).json();
  assert.equal(reversed.Items[0].Name, "job-4");
  const ns = await (await h.get(`${JOBS}?namespace=other`)).json();
  assert.deepEqual(ns.Items.map((j: { Name: string }) => j.Name), ["job-4"]);
  const all = await (await h.get(`${JOBS}?namespace=*`)).json();
  assert.equal(all.Items.length, 5);
  const odd = await (await h.get(`${JOBS}?labels=${encodeURIComponent("parity=odd")}&labels=${encodeURIComponent("idx notin (3)")}`)).json();
  assert.deepEqual(odd.Items.map((j: { Name: string }) => j.Name), ["job-1"]);

  const badOrder = await apiError(await h.get(`${JOBS}?order_by=name`), 400);
  assert.deepEqual(badOrder.Details, { field: "order_by" });
  const badToken = await apiError(await h.get(`${JOBS}?next_token=!!!`), 400);
  assert.deepEqual(badToken.Details, { field: "next_token" });
  await apiError(await h.get(`${JOBS}?labels=${encodeURIComponent("a in (")}`), 400);
  await apiError(await h.get(`${JOBS}?limit=-1`), 400);
});

test("GET /jobs/{id} by full ID, short ID and name; include and job_version; 404 shape", async (t) => {
  const h = await startHarness(t);
  const job = makeJob({ Name: "named" });
  h.store.createJob(job);
  h.store.updateJob({ ...job, Version: 2, Labels: { v: "2" } });
  const exec = makeExecution({ ...job, Version: 2 });
  h.store.createExecution(exec);
  h.store.addJobHistory(job.ID, 2, event("Job submitted"));

  for (const id of [job.ID, job.ID.slice(0, 10), "named"]) {
    const body = await (await h.get(`${JOBS}/${id}`)).json();
    assert.equal(body.Job.ID, job.ID, `lookup by ${id}`);
    assert.equal(body.History, undefined);
  }
  const full = await (await h.get(`${JOBS}/named?include=history,executions`)).json();
  assert.equal(full.Job.Version, 2);
  assert.equal(full.History.Items.length, 1);
  assert.deepEqual(full.Executions.Items.map((e: { ID: string }) => e.ID), [exec.ID]);
  const v1 = await (await h.get(`${JOBS}/named?job_version=1`)).json();
  assert.equal(v1.Job.Version, 1);

  const missing = await apiError(await h.get(`${JOBS}/j-doesnotexist`), 404);
  assert.equal(missing.Message, "job not found: j-doesnotexist");
  assert.equal(missing.Component, "JobStore");
  assert.equal(missing.Code, "NotFound");
});

test("history paging continues while the job is not terminal", async (t) => {
  const h = await startHarness(t);
  const job = makeJob();
  h.store.createJob(job);
  for (let i = 0; i < 3; i++) h.store.addJobHistory(job.ID, 1, event(`e${i}`));

  const p1 = await (await h.get(`${JOBS}/${job.ID}/history?limit=2`)).json();
  assert.deepEqual(p1.Items.map((e: { Event: { Message: string } }) => e.Event.Message), ["e0", "e1"]);
  const p2 = await (await h.get(`${JOBS}/${job.ID}/history?next_token=${p1.NextToken}`)).json();
  assert.deepEqual(p2.Items.map((e: { Event: { Message: string } }) => e.Event.Message), ["e2"]);
  assert.notEqual(p2.NextToken, "", "running job: keep polling");
  const p3 = await (await h.get(`${JOBS}/${job.ID}/history?next_token=${p2.NextToken}`)).json();
  assert.deepEqual(p3.Items, []);
  assert.equal(p3.NextToken, p2.NextToken, "no new items: same offset");

  h.store.addJobHistory(job.ID, 1, event("e3"));
  h.store.updateJobState({ jobID: job.ID, newState: "Completed" });
  const p4 = await (await h.get(`${JOBS}/${job.ID}/history?next_token=${p3.NextToken}`)).json();
  assert.deepEqual(p4.Items.map((e: { Event: { Message: string } }) => e.Event.Message), ["e3"]);
  assert.equal(p4.NextToken, "", "terminal and nothing more");

  const bad = await apiError(await h.get(`${JOBS}/${job.ID}/history?event_type=bogus`), 400);
  assert.deepEqual(bad.Details, { field: "event_type" });
});

test("history of a terminal job with more rows keeps a token until the end", async (t) => {
  const h = await startHarness(t);
  const job = makeJob({ State: { StateType: "Failed" } });
  h.store.createJob(job);
  for (let i = 0; i < 3; i++) h.store.addJobHistory(job.ID, 1, event(`e${i}`));
  const p1 = await (await h.get(`${JOBS}/${job.ID}/history?limit=2`)).json();
  assert.notEqual(p1.NextToken, "");
  const p2 = await (await h.get(`${JOBS}/${job.ID}/history?next_token=${p1.NextToken}`)).json();
  assert.equal(p2.Items.length, 1);
  assert.equal(p2.NextToken, "");
});

test("executions, versions and results", async (t) => {
  const h = await startHarness(t);
  const job = makeJob();
  h.store.createJob(job);
  const done = makeExecution(job, { ComputeState: { StateType: 9 }, PublishedResult: { Type: "ipfs", Params: { CID: "bafy" } } });
  const failed = makeExecution(job, { ComputeState: { StateType: 10 }, PublishedResult: { Type: "ipfs", Params: { CID: "bad" } } });
  h.store.createExecution(done);
  h.store.createExecution(failed);

  const execs = await (await h.get(`${JOBS}/${job.ID}/executions`)).json();
  assert.deepEqual(execs.Items.map((e: { ID: string }) => e.ID), [done.ID, failed.ID]);
  assert.equal(execs.NextToken, "");
  const rev = await (await h.get(`${JOBS}/${job.ID}/executions?order_by=modify_time&reverse=true`)).json();
  assert.equal(rev.Items[0].ID, failed.ID);
  await apiError(await h.get(`${JOBS}/${job.ID}/executions?order_by=nope`), 400);

  const versions = await (await h.get(`${JOBS}/${job.ID}/versions`)).json();
  assert.deepEqual(versions.Items.map((j: { Version: number }) => j.Version), [1]);

  const results = await (await h.get(`${JOBS}/${job.ID}/results`)).json();
  assert.deepEqual(results, { Items: [{ Type: "ipfs", Params: { CID: "bafy" } }], NextToken: "" });

  const svc = makeJob({ Type: "service" });
  h.store.createJob(svc);
  await apiError(await h.get(`${JOBS}/${svc.ID}/results`), 500);
});

test("DELETE stops (reason from JSON body), rerun, and diff", async (t) => {
  const h = await startHarness(t);
  const job = makeJob({ Name: "stopme" });
  h.store.createJob(job);
  const stop = await h.send("DELETE", `${JOBS}/stopme`, { reason: "enough" });
  assert.equal(stop.status, 200);
  assert.match((await stop.json()).EvaluationID, /^[0-9a-f-]{36}$/);
  assert.equal(h.store.getJob(job.ID).State.Message, "enough");
  const again = await (await h.send("DELETE", `${JOBS}/stopme`, "")).json();
  assert.deepEqual(again, { EvaluationID: "" });

  const rerun = await (await h.send("PUT", `${JOBS}/${job.ID}/rerun`, { JobVersion: 1, Reason: "again" })).json();
  assert.equal(rerun.JobID, job.ID);
  assert.equal(rerun.JobVersion, 1);
  assert.equal(rerun.Warnings, null);

  const diffNew = await (await h.send("PUT", `${JOBS}/diff`, { Job: wasmJob({ Name: "fresh" }) })).json();
  assert.match(diffNew.Diff, /^\+ /m);
  assert.equal(diffNew.Warnings, null);
  const stored = (await (await h.send("PUT", JOBS, { Job: wasmJob({ Name: "d" }) })).json()).JobID;
  assert.ok(stored);
  const same = await (await h.send("PUT", `${JOBS}/diff`, { Job: wasmJob({ Name: "d" }) })).json();
  assert.equal(same.Diff, "");
  const changed = await (await h.send("PUT", `${JOBS}/diff`, { Job: wasmJob({ Name: "d", Count: 3 }) })).json();
  assert.match(changed.Diff, /^- {3}"Count": 1,$/m);
  assert.match(changed.Diff, /^\+ {3}"Count": 3,$/m);
  const noName = await apiError(await h.send("PUT", `${JOBS}/diff`, { Job: wasmJob({ Name: "" }) }), 400);
  assert.deepEqual(noName.Details, { field: "Job.Name" });
});
