/**
 * A real hybrid node (orchestrator + compute over the in-process transport, SQLite store, wasm
 * executor in warm runner processes, HTTP API) driven through its REST API.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Execution, Job, JobHistory } from "../../src/models/types.ts";
import { getJSON, submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

const TERMINAL = ["Completed", "Failed", "Stopped"];

test("hybrid node", async (suite) => {
  await suite.test("runs a wasm job end to end and reports its output, history and executions", async (t) => {
    const node = await startTestNode(t);
    const { JobID, Warnings } = await submit(node.apiURL, wasmJob("hello", { args: ["Alice"] }));
    assert.match(JobID, /^j-[0-9a-f-]{36}$/);
    assert.equal(Warnings, null);
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Completed", JSON.stringify(job.State));

    const got = await getJSON<{ Job: Job; Executions: { Items: Execution[] }; History: { Items: JobHistory[] } }>(
      `${node.apiURL}/api/v1/orchestrator/jobs/${JobID}?include=executions,history`,
    );
    assert.equal(got.Job.State.StateType, "Completed");
    const execs = got.Executions.Items;
    assert.equal(execs.length, 1);
    assert.equal(execs[0].ComputeState.StateType, 9);
    assert.equal(execs[0].RunOutput?.Stdout, "Hello, Alice!\n");
    assert.equal(execs[0].RunOutput?.ExitCode, 0);
    const topics = got.History.Items.map((h) => h.Event.Topic);
    assert.ok(topics.includes("Submission"), topics.join(","));
    assert.ok(topics.includes("Running Execution"), topics.join(","));
    const seq = got.History.Items.map((h) => h.SeqNum);
    assert.deepEqual(seq, [...seq].sort((a, b) => a - b));
  });

  await suite.test("fails a trapping job with the trap as the reason, after retrying it once on the only node", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("exit_code", { env: { EXIT_CODE: "not-a-number" } }));
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Failed");
    assert.match(job.State.Message ?? "", /unreachable/i, job.State.Message);
    assert.match(job.State.Message ?? "", /not enough nodes/);
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    assert.equal(execs.Items.length, 2);
    assert.ok(execs.Items.every((e) => e.ComputeState.StateType === 10));
  });

  await suite.test("completes a job whose module exits non-zero, keeping the exit code", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("exit_code", { env: { EXIT_CODE: "5" } }));
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Completed");
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    assert.equal(execs.Items[0].RunOutput?.ExitCode, 5);
    assert.equal(execs.Items[0].RunOutput?.Stdout, "Exiting with 5\n");
  });

  await suite.test("refuses an invalid job with a 400 naming the field, and stores nothing", async (t) => {
    const node = await startTestNode(t);
    const bad = wasmJob("hello");
    (bad.Tasks as Array<{ Engine: { Params: Record<string, unknown> } }>)[0].Engine.Params.EntryModule = "";
    const res = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: bad }),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.Message, /EntryModule/);
    const list = await getJSON<{ Items: Job[] }>(`${node.apiURL}/api/v1/orchestrator/jobs`);
    assert.equal(list.Items.length, 0);
  });

  await suite.test("runs Count partitions, each with its own BACALHAU_PARTITION_INDEX", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("env", { count: 3 }));
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    const completed = execs.Items.filter((e) => e.ComputeState.StateType === 9);
    assert.equal(completed.length, 3);
    const indexes = completed.map((e) => /BACALHAU_PARTITION_INDEX=(\d)/.exec(e.RunOutput?.Stdout ?? "")?.[1]).sort();
    assert.deepEqual(indexes, ["0", "1", "2"]);
    assert.ok(completed.every((e) => e.RunOutput?.ExitCode === -1), "env returns without proc_exit");
  });

  await suite.test("stops a running job: the execution is cancelled and the job is Stopped", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("loop"));
    await node.orchestrator!.waitForJob(JobID, ["Running"]);
    const res = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "test stop" }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Stopped");
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    assert.ok(execs.Items.every((e) => e.ComputeState.StateType === 11 || e.ComputeState.StateType === 8),
      JSON.stringify(execs.Items.map((e) => e.ComputeState)));
  });

  await suite.test("fails a job that runs past its timeout while the node keeps answering", async (t) => {
    const node = await startTestNode(t);
    const job = wasmJob("loop", { task: { Timeouts: { TotalTimeout: 1 } } });
    const { JobID } = await submit(node.apiURL, job);
    const alive = await getJSON(`${node.apiURL}/api/v1/agent/alive`);
    assert.equal(alive.Status, "OK");
    const done = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(done.State.StateType, "Failed");
    assert.match(done.State.Message ?? "", /timed out/i);
  });

  await suite.test("queues a job until capacity frees up when QueueTimeout allows it", async (t) => {
    const node = await startTestNode(t, (cfg) => {
      cfg.Compute.AllocatedCapacity.CPU = "1";
    });
    const blocker = await submit(node.apiURL, wasmJob("loop", { task: { Resources: { CPU: "1" } } }));
    await node.orchestrator!.waitForJob(blocker.JobID, ["Running"]);
    const queued = await submit(node.apiURL, wasmJob("hello", { task: { Resources: { CPU: "1" }, Timeouts: { QueueTimeout: 60 } } }));
    await fetch(`${node.apiURL}/api/v1/orchestrator/jobs/${blocker.JobID}`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const done = await node.orchestrator!.waitForJob(queued.JobID, TERMINAL);
    assert.equal(done.State.StateType, "Completed", done.State.Message);
  });

  await suite.test("runs an ops job once on every compute node", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("hello", { type: "ops", count: 0 }));
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    assert.equal(execs.Items.length, 1);
  });

  await suite.test("refuses a networked job unless the operator allows it, saying why", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("hello", { task: { Network: { Type: "HTTP", Domains: ["example.com"] } } }));
    const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
    assert.equal(job.State.StateType, "Failed");
    const history = await getJSON<{ Items: JobHistory[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/history`);
    assert.ok(history.Items.some((h) => /does not accept networked jobs/.test(h.Event.Message)),
      history.Items.map((h) => h.Event.Message).join("\n"));

    const open = await startTestNode(t, (cfg) => {
      cfg.JobAdmissionControl.RejectNetworkedJobs = false;
    });
    const ok = await submit(open.apiURL, wasmJob("hello", { task: { Network: { Type: "HTTP", Domains: ["example.com"] } } }));
    assert.equal((await open.orchestrator!.waitForJob(ok.JobID, TERMINAL)).State.StateType, "Completed");
  });

  await suite.test("resubmitting a job by name makes a new version; an unchanged spec needs Force", async (t) => {
    const node = await startTestNode(t);
    const first = await submit(node.apiURL, wasmJob("hello", { name: "greeter", args: ["v1"] }));
    await node.orchestrator!.waitForJob(first.JobID, TERMINAL);
    const again = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: wasmJob("hello", { name: "greeter", args: ["v1"] }) }),
    });
    assert.equal(again.status, 400);
    assert.match((await again.json()).Message, /no changes detected/);
    const second = await submit(node.apiURL, wasmJob("hello", { name: "greeter", args: ["v2"] }));
    assert.equal(second.JobID, first.JobID);
    const done = await node.orchestrator!.waitForJob(first.JobID, TERMINAL);
    assert.equal(done.Version, 2);
    const byName = await getJSON<{ Job: Job }>(`${node.apiURL}/api/v1/orchestrator/jobs/greeter?include=executions`);
    assert.equal(byName.Job.ID, first.JobID);
    const versions = await getJSON<{ Items: Job[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/greeter/versions`);
    assert.deepEqual(versions.Items.map((j) => j.Version), [1, 2]);
  });

  await suite.test("a rerun or a new version runs again on the only node that ran the last one", async (t) => {
    const node = await startTestNode(t);
    const first = await submit(node.apiURL, wasmJob("hello", { name: "again", args: ["v1"] }));
    assert.equal((await node.orchestrator!.waitForJob(first.JobID, TERMINAL)).State.StateType, "Completed");
    const rerun = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs/${first.JobID}/rerun`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Reason: "once more" }),
    });
    assert.equal(rerun.status, 200, await rerun.clone().text());
    const rerunDone = await node.orchestrator!.waitForJob(first.JobID, TERMINAL);
    assert.equal(rerunDone.Version, 2);
    assert.equal(rerunDone.State.StateType, "Completed", rerunDone.State.Message);
    const updated = await submit(node.apiURL, wasmJob("hello", { name: "again", args: ["v3"] }));
    const updatedDone = await node.orchestrator!.waitForJob(updated.JobID, TERMINAL);
    assert.equal(updatedDone.Version, 3);
    assert.equal(updatedDone.State.StateType, "Completed", updatedDone.State.Message);
    const execs = await getJSON<{ Items: Execution[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${first.JobID}/executions?all_versions=true`);
    const latest = execs.Items.filter((e) => e.JobVersion === 3);
    assert.equal(latest.length, 1);
    assert.equal(latest[0]!.RunOutput?.Stdout, "Hello, v3!\n");
  });

  await suite.test("streams a finished job's stored logs over the WebSocket, then closes", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("hello", { args: ["Logs"] }));
    await node.orchestrator!.waitForJob(JobID, TERMINAL);
    const ws = new WebSocket(`${node.apiURL.replace("http", "ws")}/api/v1/orchestrator/jobs/${JobID}/logs?follow=true`);
    const frames: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.onmessage = (e) => frames.push(String(e.data));
      ws.onclose = () => resolve();
      ws.onerror = () => reject(new Error("websocket error"));
    });
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [{ value: { Type: 1, Line: "Hello, Logs!\n" } }]);
  });

  await suite.test("a daemon job runs on the node and keeps running until stopped", async (t) => {
    const node = await startTestNode(t);
    const { JobID } = await submit(node.apiURL, wasmJob("loop", { type: "daemon", count: 0 }));
    const running = await node.orchestrator!.waitForJob(JobID, ["Running", ...TERMINAL]);
    assert.equal(running.State.StateType, "Running", running.State.Message);
    await fetch(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}`, { method: "DELETE", body: "{}", headers: { "content-type": "application/json" } });
    assert.equal((await node.orchestrator!.waitForJob(JobID, TERMINAL)).State.StateType, "Stopped");
  });
});
