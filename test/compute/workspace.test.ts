// An execution's folders on the compute node: inputs are removed once it ends while its results
// stay, and an execution cancelled while it waits in the queue leaves nothing behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TERMINAL_JOB_STATES } from "../../src/models/types.ts";
import { submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode, tempDir } from "../helpers/node.ts";

const ENDED = [...TERMINAL_JOB_STATES];

test("execution folders", async (t) => {
  await t.test("results stay, inputs go", async (t) => {
    const dataDir = tempDir(t);
    const node = await startTestNode(t, undefined, dataDir);
    const { JobID } = await submit(node.apiURL, wasmJob("hello", { args: ["dirs"] }));
    const job = await node.orchestrator!.waitForJob(JobID, ENDED);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const [exec] = node.orchestrator!.store.getExecutions(JobID);
    await node.stop(); // waits for the clean-up that outlives the execution
    const dir = join(dataDir, "compute", "executions", exec!.ID);
    assert.equal(readFileSync(join(dir, "results", "stdout"), "utf8"), "Hello, dirs!\n");
    assert.equal(readFileSync(join(dir, "results", "exitCode"), "utf8"), "0");
    assert.ok(existsSync(join(dir, "logs.jsonl")));
    assert.equal(existsSync(join(dir, "input-0")), false);
    assert.equal(exec!.RunOutput?.Stdout, "Hello, dirs!\n");
  });

  await t.test("a job stopped while queued leaves no folder", async (t) => {
    const dataDir = tempDir(t);
    // Room for one 1-CPU job: the second one waits in the compute node's queue.
    const node = await startTestNode(t, (cfg) => {
      cfg.Compute.AllocatedCapacity.CPU = "1";
    }, dataDir);
    const orchestrator = node.orchestrator!;
    const busy = await submit(node.apiURL, wasmJob("cpu", { args: ["512"], task: { Resources: { CPU: "1" } } }));
    const queued = await submit(node.apiURL, wasmJob("hello", { task: { Resources: { CPU: "1" } } }));
    // Running: its bid was accepted, in the same commit, and the node was told after it.
    await orchestrator.waitForJob(queued.JobID, ["Running"]);
    orchestrator.stopJob(queued.JobID, "", "not needed");
    orchestrator.stopJob(busy.JobID, "", "done testing");
    await orchestrator.waitForJob(busy.JobID, ENDED);
    const [exec] = orchestrator.store.getExecutions(queued.JobID);
    await node.stop();
    assert.equal(existsSync(join(dataDir, "compute", "executions", exec!.ID)), false);
  });

  await t.test("a node stopped with a job still queued leaves no folder for it", async (t) => {
    const dataDir = tempDir(t);
    const node = await startTestNode(t, (cfg) => {
      cfg.Compute.AllocatedCapacity.CPU = "1";
    }, dataDir);
    const orchestrator = node.orchestrator!;
    await submit(node.apiURL, wasmJob("cpu", { args: ["512"], task: { Resources: { CPU: "1" } } }));
    const queued = await submit(node.apiURL, wasmJob("hello", { task: { Resources: { CPU: "1" } } }));
    await orchestrator.waitForJob(queued.JobID, ["Running"]);
    const [exec] = orchestrator.store.getExecutions(queued.JobID);
    await node.stop();
    assert.equal(existsSync(join(dataDir, "compute", "executions", exec!.ID)), false);
  });
});
