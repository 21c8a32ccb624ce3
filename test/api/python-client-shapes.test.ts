/**
 * The JSON facts Bacalhau's generated Python API client (swagger-codegen, bacalhau_apiclient) relies
 * on, checked against a real hybrid node running a real wasm job.
 *
 * That client maps JSON keys to model attributes by exact, case-sensitive name and silently
 * leaves an attribute empty when its key is missing; where it expects a nested model it tests
 * `key in value`, so a number in that place raises. It also sends a few parameters differently
 * from the Go CLI (the stop reason as a query parameter with a `{}` body, `filter_approval` with an
 * underscore) and reads the node routes' lower-case `nodes` / `node` keys.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

type Obj = Record<string, unknown>;
type Kind = "string" | "int" | "number" | "bool" | "object" | "array" | "string|null" | "array|null";
const TERMINAL = ["Completed", "Failed", "Stopped"];

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "number";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** Asserts each key is present with exactly this spelling and JSON kind; returns the object. */
function shape(value: unknown, want: Record<string, Kind>, where: string): Obj {
  assert.equal(kindOf(value), "object", `${where} must be a JSON object`);
  const obj = value as Obj;
  for (const [key, kind] of Object.entries(want)) {
    assert.ok(key in obj, `${where} lacks the exact key ${key} (has ${Object.keys(obj).join(", ")})`);
    const got = kindOf(obj[key]);
    const ok = kind.split("|").some((k) => k === got || (k === "number" && got === "int"));
    assert.ok(ok, `${where}.${key} should be ${kind}, is ${got}`);
  }
  return obj;
}

async function call(url: string, init?: RequestInit): Promise<Obj> {
  const res = await fetch(url, init);
  const body = await res.json();
  assert.equal(res.status, 200, `${init?.method ?? "GET"} ${url}: ${JSON.stringify(body)}`);
  return body as Obj;
}

test("responses carry the keys and types the generated Python client reads", async (t) => {
  const node = await startTestNode(t);
  const api = node.apiURL;
  const jobs = `${api}/api/v1/orchestrator/jobs`;

  // The client serialises only the attributes that are set, with their wire names.
  const put = await call(jobs, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Job: { ...wasmJob("hello", {
      args: ["Py"], name: "py-shapes", task: { Publisher: { Type: "local", Params: {} } },
    }), Namespace: "default" } }),
  });
  shape(put, { JobID: "string", EvaluationID: "string", Warnings: "array|null" }, "PutJobResponse");
  const jobID = put.JobID as string;
  await node.orchestrator!.waitForJob(jobID, TERMINAL);

  const got = await call(`${jobs}/${jobID}?include=executions,history`);
  shape(got, { Job: "object", Executions: "object", History: "object" }, "GetJobResponse");
  const job = shape(got.Job, {
    ID: "string", Name: "string", Namespace: "string", Type: "string", Count: "int", Priority: "int",
    Version: "int", Revision: "int", CreateTime: "int", ModifyTime: "int", State: "object", Tasks: "array",
  }, "Job");
  // StateType is a string on the wire; the client's enum model passes it through untouched.
  const state = shape(job.State, { StateType: "string" }, "Job.State");
  assert.equal(state.StateType, "Completed");
  const task = shape((job.Tasks as unknown[])[0], { Name: "string", Engine: "object", InputSources: "array" }, "Task");
  shape(task.Engine, { Type: "string", Params: "object" }, "Task.Engine");
  shape((task.InputSources as unknown[])[0], { Target: "string", Source: "object" }, "InputSource");

  const execList = shape(got.Executions, { Items: "array", NextToken: "string" }, "GetJobResponse.Executions");
  const exec = shape((execList.Items as unknown[])[0], {
    ID: "string", JobID: "string", NodeID: "string", Namespace: "string", EvalID: "string", Name: "string",
    ComputeState: "object", DesiredState: "object", RunOutput: "object", PublishedResult: "object",
    AllocatedResources: "object", Revision: "int", CreateTime: "int", ModifyTime: "int",
  }, "Execution");
  const out = shape(exec.RunOutput, {
    Stdout: "string", stderr: "string", ExitCode: "int", StdoutTruncated: "bool", StderrTruncated: "bool",
  }, "Execution.RunOutput");
  assert.equal(out.Stdout, "Hello, Py!\n");
  assert.ok(!("Stderr" in out), "stderr keeps Bacalhau's lower-case key only");
  shape(exec.ComputeState, { StateType: "int" }, "Execution.ComputeState");
  shape(exec.DesiredState, { StateType: "int" }, "Execution.DesiredState");
  const alloc = shape(exec.AllocatedResources, { Tasks: "object" }, "Execution.AllocatedResources");
  shape((alloc.Tasks as Obj).main, { CPU: "number", Memory: "int", Disk: "int", GPU: "int" }, "AllocatedResources.Tasks.main");
  const published = shape(exec.PublishedResult, { Type: "string", Params: "object" }, "Execution.PublishedResult");
  assert.equal(published.Type, "urlDownload");

  const history = shape(got.History, { Items: "array", NextToken: "string" }, "GetJobResponse.History");
  const items = history.Items as unknown[];
  assert.ok(items.length >= 2);
  for (const [i, h] of items.entries()) {
    const item = shape(h, { JobID: "string", Type: "string", Time: "string", Event: "object" }, `History[${i}]`);
    shape(item.Event, { Message: "string", Topic: "string", Timestamp: "string" }, `History[${i}].Event`);
  }
  assert.ok(items.some((h) => typeof (h as Obj).ExecutionID === "string"), "execution-level items name their ExecutionID");

  // The SDK sends empty strings for parameters it does not use.
  const execs = await call(`${jobs}/${jobID}/executions?namespace=&limit=5&next_token=&reverse=False&order_by=`);
  shape(execs, { Items: "array", NextToken: "string" }, "ListJobExecutionsResponse");
  const listed = await call(`${jobs}?namespace=default&limit=10&order_by=created_at&reverse=True`);
  shape(listed, { Items: "array", NextToken: "string" }, "ListJobsResponse");
  const results = await call(`${jobs}/${jobID}/results`);
  shape(results, { Items: "array", NextToken: "string" }, "ListJobResultsResponse");
  const result = shape((results.Items as unknown[])[0], { Type: "string", Params: "object" }, "ListJobResultsResponse.Items[0]");
  shape(result.Params, { URL: "string" }, "result Params");
  const versions = await call(`${jobs}/${jobID}/versions`);
  shape((versions.Items as unknown[])[0], { ID: "string", Version: "int" }, "ListJobVersionsResponse.Items[0]");
});

test("node and agent routes answer in the shapes the generated Python client reads", async (t) => {
  const node = await startTestNode(t);
  const nodes = `${node.apiURL}/api/v1/orchestrator/nodes`;

  // Its swagger spells these keys in lower case; Go clients decode either spelling.
  const list = await call(`${nodes}?filter_approval=APPROVED&filter-status=CONNECTED`);
  shape(list, { nodes: "array", Nodes: "array", NextToken: "string" }, "ListNodesResponse");
  assert.deepEqual(list.nodes, list.Nodes);
  assert.equal((list.nodes as unknown[]).length, 1);
  const rejected = await call(`${nodes}?filter_approval=REJECTED`);
  assert.deepEqual(rejected.nodes, []);

  const one = await call(`${nodes}/${node.nodeID}`);
  shape(one, { node: "object", Node: "object" }, "GetNodeResponse");
  assert.deepEqual(one.node, one.Node);
  const info = shape((one.node as Obj).Info, {
    NodeID: "string", NodeType: "string", Labels: "object", ComputeNodeInfo: "object", BacalhauVersion: "object",
  }, "NodeState.Info");
  const compute = shape(info.ComputeNodeInfo, {
    ExecutionEngines: "array", Publishers: "array", StorageSources: "array", MaxCapacity: "object",
    AvailableCapacity: "object", QueueCapacity: "object", MaxJobRequirements: "object",
    RunningExecutions: "int", EnqueuedExecutions: "int",
  }, "ComputeNodeInfo");
  assert.ok((compute.ExecutionEngines as string[]).includes("wasm"));
  shape(compute.MaxCapacity, { CPU: "number", Memory: "int", Disk: "int", GPU: "int" }, "ComputeNodeInfo.MaxCapacity");

  const version = await call(`${node.apiURL}/api/v1/agent/version`);
  shape(version, {
    Major: "string", Minor: "string", GitVersion: "string", GitCommit: "string", BuildDate: "string", GOOS: "string", GOARCH: "string",
  }, "GetVersionResponse (flat)");
  const agentNode = await call(`${node.apiURL}/api/v1/agent/node`);
  const self = shape(agentNode, { NodeID: "string", Labels: "object", BacalhauVersion: "object" }, "agent NodeInfo (flat)");
  shape(self.BacalhauVersion, { GitVersion: "string", Major: "string", Minor: "string" }, "NodeInfo.BacalhauVersion");
  // Declared as text/plain returning a string: the client only needs a 200.
  const alive = await fetch(`${node.apiURL}/api/v1/agent/alive`, { headers: { accept: "text/plain" } });
  assert.equal(alive.status, 200);
  await alive.body?.cancel();
});

test("stop takes the reason from the query string when the body is the client's empty {}", async (t) => {
  const node = await startTestNode(t);
  const { JobID } = await submit(node.apiURL, wasmJob("loop", { name: "py-stop" }));
  const url = `${node.apiURL}/api/v1/orchestrator/jobs/${JobID}?reason=${encodeURIComponent("stopped from python")}`;
  const stopped = await call(url, { method: "DELETE", headers: { "content-type": "application/json" }, body: "{}" });
  shape(stopped, { EvaluationID: "string" }, "StopJobResponse");
  const job = await node.orchestrator!.waitForJob(JobID, TERMINAL);
  assert.equal(job.State.StateType, "Stopped");
  assert.match(job.State.Message ?? "", /stopped from python/);
});
