// A submission and the scheduling it causes are one commit: when the API answers, the job's first
// execution is already stored and no evaluation is left behind; reports from the compute node
// likewise carry their scheduling with them, so a finished job leaves no evaluation either.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TERMINAL_JOB_STATES } from "../../src/models/types.ts";
import { submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

test("scheduling joins the commit that caused it", async (t) => {
  const node = await startTestNode(t);
  const orchestrator = node.orchestrator!;
  const { JobID, EvaluationID } = await submit(node.apiURL, wasmJob("hello", { args: ["commit"] }));
  assert.ok(EvaluationID);

  const execs = orchestrator.store.getExecutions(JobID);
  assert.equal(execs.length, 1, "the first execution was stored with the job");
  assert.equal(execs[0]!.EvalID, EvaluationID);
  assert.deepEqual(orchestrator.store.listPendingEvaluations(), []);

  const job = await orchestrator.waitForJob(JobID, [...TERMINAL_JOB_STATES]);
  assert.equal(job.State.StateType, "Completed", job.State.Message);
  assert.deepEqual(orchestrator.store.listPendingEvaluations(), []);
  const topics = orchestrator.store.getJobHistory(JobID).map((h) => h.Event.Topic);
  for (const topic of ["Submission", "Scheduling", "Requesting Node", "Running Execution", "Downloading Inputs", "State Update"]) {
    assert.ok(topics.includes(topic), `history has a ${topic} event: ${topics.join(", ")}`);
  }
});
