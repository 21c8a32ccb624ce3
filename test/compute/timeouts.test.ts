// Issue 11 point 6 (execution timeouts): the node's default execution timeout
// (JobDefaults.Batch.Task.Timeouts.ExecutionTimeout) fills in jobs that set none, its maximum
// (Compute.JobTimeouts.MaxJobExecutionTimeout) refuses longer ones at submission, and the compute
// node enforces both itself, whatever its orchestrator sent.
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizeJob } from "../../src/models/normalize.ts";
import { ExecutionStateType, TERMINAL_JOB_STATES, type Job } from "../../src/models/types.ts";
import { getJSON, submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

const ENDED = [...TERMINAL_JOB_STATES];

async function put(api: string, job: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}/api/v1/orchestrator/jobs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Job: job }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

test("the node's default execution timeout fills in batch and ops jobs that set none", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.JobDefaults.Batch.Task.Timeouts.ExecutionTimeout = "90s";
    cfg.JobDefaults.Ops.Task.Timeouts.ExecutionTimeout = "2m";
  });
  const timeoutsOf = async (jobID: string) =>
    (await getJSON<{ Job: Job }>(`${node.apiURL}/api/v1/orchestrator/jobs/${jobID}`)).Job.Tasks[0]!.Timeouts;
  const plain = await submit(node.apiURL, wasmJob("hello"));
  assert.equal((await timeoutsOf(plain.JobID))?.ExecutionTimeout, 90);
  const ops = await submit(node.apiURL, wasmJob("hello", { type: "ops" }));
  assert.equal((await timeoutsOf(ops.JobID))?.ExecutionTimeout, 120);
  // A job's own timeouts are kept; a TotalTimeout alone already bounds the execution.
  const own = await submit(node.apiURL, wasmJob("hello", { task: { Timeouts: { ExecutionTimeout: 5 } } }));
  assert.equal((await timeoutsOf(own.JobID))?.ExecutionTimeout, 5);
  const total = await submit(node.apiURL, wasmJob("hello", { task: { Timeouts: { TotalTimeout: 30 } } }));
  assert.deepEqual(await timeoutsOf(total.JobID), { ExecutionTimeout: 0, QueueTimeout: 0, TotalTimeout: 30 });
  // Daemon jobs run until stopped: no default for them.
  const daemon = await submit(node.apiURL, wasmJob("hello", { type: "daemon" }));
  assert.equal((await timeoutsOf(daemon.JobID))?.ExecutionTimeout, 0);
});

test("a timeout over the node's maximum is a 400 naming the field and the key that raises it", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.Compute.JobTimeouts.MaxJobExecutionTimeout = "1m";
  });
  const over = await put(node.apiURL, wasmJob("hello", { task: { Timeouts: { ExecutionTimeout: 61 } } }));
  assert.equal(over.status, 400, JSON.stringify(over.body));
  assert.match(String(over.body.Message), /job timeout 61s exceeds the maximum possible value 60s/);
  assert.deepEqual(over.body.Details, {
    field: "Tasks[0].Timeouts.ExecutionTimeout", limit: "60", configKey: "Compute.JobTimeouts.MaxJobExecutionTimeout",
  });
  const total = await put(node.apiURL, wasmJob("hello", { task: { Timeouts: { TotalTimeout: 120 } } }));
  assert.equal(total.status, 400);
  assert.equal((total.body.Details as Record<string, string>).field, "Tasks[0].Timeouts.TotalTimeout");
  const atMax = await put(node.apiURL, wasmJob("hello", { task: { Timeouts: { ExecutionTimeout: 60 } } }));
  assert.equal(atMax.status, 200, JSON.stringify(atMax.body));
});

test("the compute node times out an execution that came without a timeout, by its own default", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.JobDefaults.Batch.Task.Timeouts.ExecutionTimeout = "1s";
  });
  // Past the API (which would have filled the default in), as an older or hostile orchestrator sends it.
  const { JobID } = node.orchestrator!.submitJob(normalizeJob(wasmJob("loop")), { force: false });
  const job = await node.orchestrator!.waitForJob(JobID, ENDED);
  assert.equal(job.State.StateType, "Failed");
  const [exec] = node.orchestrator!.store.getExecutions(JobID);
  assert.equal(exec?.ComputeState.StateType, ExecutionStateType.Failed);
  assert.match(exec?.RunOutput?.ErrorMsg ?? "", /Execution timed out after 1s/);
});

test("the compute node holds executions to its maximum: longer ones are refused, none runs longer", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.JobDefaults.Batch.Task.Timeouts.ExecutionTimeout = "";
    cfg.Compute.JobTimeouts.MaxJobExecutionTimeout = "1s";
  });
  const orchestrator = node.orchestrator!;
  const long = orchestrator.submitJob(normalizeJob(wasmJob("loop", { task: { Timeouts: { ExecutionTimeout: 3600 } } })), { force: false });
  const refused = await orchestrator.waitForJob(long.JobID, ENDED);
  assert.equal(refused.State.StateType, "Failed");
  const [bid] = orchestrator.store.getExecutions(long.JobID);
  assert.equal(bid?.ComputeState.StateType, ExecutionStateType.AskForBidRejected);
  assert.match(bid?.ComputeState.Message ?? "", /job timeout 3600s exceeds the maximum possible value 1s/);

  const unbounded = orchestrator.submitJob(normalizeJob(wasmJob("loop")), { force: false });
  const cut = await orchestrator.waitForJob(unbounded.JobID, ENDED);
  assert.equal(cut.State.StateType, "Failed");
  const [exec] = orchestrator.store.getExecutions(unbounded.JobID);
  assert.match(exec?.RunOutput?.ErrorMsg ?? "", /Execution timed out after 1s/);
});
