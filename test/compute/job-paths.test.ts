// Issue 11 point 1: every name and path of a job is checked where it is submitted, and again on
// the compute node, which does not trust its orchestrator. Nothing is created outside the data dir.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { normalizeJob } from "../../src/models/normalize.ts";
import { ExecutionStateType, TERMINAL_JOB_STATES } from "../../src/models/types.ts";
import { wasmJob } from "../helpers/jobs.ts";
import { startTestNode, tempDir } from "../helpers/node.ts";
import { moduleFile, wasmRequest } from "../executor/helpers.ts";

const ESCAPE = "../../../../../escape";

/** Every path under `dir`, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

/** A node whose data dir is `<root>/data`, so whatever lands beside it shows up in `<root>`. */
async function nodeIn(t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t, "bacalhau-paths-");
  const node = await startTestNode(t, undefined, join(root, "data"));
  return { root, node };
}

const BAD: [string, Record<string, unknown>, string, RegExp][] = [
  ["a result name climbing with ../", { ResultPaths: [{ Name: ESCAPE, Path: "/outputs" }] }, "Tasks[0].ResultPaths[0].Name", /one folder name/],
  ["an absolute result name", { ResultPaths: [{ Name: "/etc", Path: "/outputs" }] }, "Tasks[0].ResultPaths[0].Name", /one folder name/],
  ["a result named stdout", { ResultPaths: [{ Name: "stdout", Path: "/outputs" }] }, "Tasks[0].ResultPaths[0].Name", /reserved/],
  ["a result named exitCode", { ResultPaths: [{ Name: "ExitCode", Path: "/outputs" }] }, "Tasks[0].ResultPaths[0].Name", /reserved/],
  ["two results of one name", { ResultPaths: [{ Name: "o", Path: "/a" }, { Name: "o", Path: "/b" }] }, "Tasks[0].ResultPaths[1].Name", /already exists/],
  ["a result path with ..", { ResultPaths: [{ Name: "o", Path: "/outputs/../etc" }] }, "Tasks[0].ResultPaths[0].Path", /'\.\.'/],
  ["a result path not normalised", { ResultPaths: [{ Name: "o", Path: "/outputs//x/" }] }, "Tasks[0].ResultPaths[0].Path", /normalised/],
  ["a relative result path", { ResultPaths: [{ Name: "o", Path: "outputs" }] }, "Tasks[0].ResultPaths[0].Path", /absolute/],
  ["a result path on an input", { ResultPaths: [{ Name: "o", Path: "/main.wasm" }] }, "Tasks[0].ResultPaths[0].Path", /overlaps input target/],
  ["an input target with ..", { InputSources: [{ Target: "/in/../../x", Source: { Type: "urlDownload", Params: { URL: "http://127.0.0.1:1/a" } } }] },
    "Tasks[0].InputSources[1].Target", /'\.\.'/],
  ["an input target of the root", { InputSources: [{ Target: "/", Source: { Type: "urlDownload", Params: { URL: "http://127.0.0.1:1/a" } } }] },
    "Tasks[0].InputSources[1].Target", /root/],
  ["two inputs at one target", { InputSources: [{ Target: "/main.wasm", Source: { Type: "urlDownload", Params: { URL: "http://127.0.0.1:1/a" } } }] },
    "Tasks[0].InputSources[1].Target", /already exists/],
  ["an entry module with ..", { Engine: { Type: "wasm", Params: { EntryModule: "../main.wasm" } } }, "Tasks[0].Engine.Params.EntryModule", /'\.\.'/],
  ["an import module with ..", { Engine: { Type: "wasm", Params: { EntryModule: "main.wasm", ImportModules: ["/lib/../../x.wasm"] } } },
    "Tasks[0].Engine.Params.ImportModules[0]", /'\.\.'/],
  ["a docker working dir with ..", { Engine: { Type: "docker", Params: { Image: "busybox", WorkingDirectory: "/app/../.." } } },
    "Tasks[0].Engine.Params.WorkingDirectory", /'\.\.'/],
  ["a docker env entry without a name", { Engine: { Type: "docker", Params: { Image: "busybox", EnvironmentVariables: ["=x"] } } },
    "Tasks[0].Engine.Params.EnvironmentVariables[0]", /invalid environment variable/],
  ["an env var name with a slash", { Env: { "A/B": "x" } }, "Tasks[0].Env.A/B", /invalid environment variable name/],
];

test("bad names and paths are refused at submission with a 400 naming the field, and nothing is created", async (t) => {
  const { root, node } = await nodeIn(t);
  const before = tree(root);
  for (const [what, task, field, message] of BAD) {
    const res = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: wasmJob("hello", { task }) }),
    });
    const body = await res.json() as { Status: number; Message: string; Details: Record<string, string> };
    assert.equal(res.status, 400, `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.Details.field, field, `${what}: ${body.Message}`);
    assert.match(body.Message, message, what);
  }
  assert.equal(node.orchestrator!.store.listJobs({}).items.length, 0);
  assert.deepEqual(tree(root), before, "no file or folder appeared");
  assert.deepEqual(readdirSync(root), ["data"]);
});

test("a good job with a result folder still runs", async (t) => {
  const { node } = await nodeIn(t);
  const res = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Job: wasmJob("hello", { task: { ResultPaths: [{ Name: "outputs", Path: "/outputs" }] } }) }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const { JobID } = JSON.parse(text) as { JobID: string };
  const job = await node.orchestrator!.waitForJob(JobID, [...TERMINAL_JOB_STATES]);
  assert.equal(job.State.StateType, "Completed", job.State.Message);
});

test("a hostile orchestrator's job fails its execution on the compute node and creates nothing outside its folder", async (t) => {
  const { root, node } = await nodeIn(t);
  const orchestrator = node.orchestrator!;
  const hostile: [string, Record<string, unknown>, RegExp][] = [
    ["climbing result name", { ResultPaths: [{ Name: ESCAPE, Path: "/outputs" }] }, /Tasks\[0\]\.ResultPaths\[0\]\.Name.*one folder name/],
    ["absolute result name", { ResultPaths: [{ Name: join(root, "abs"), Path: "/outputs" }] }, /Tasks\[0\]\.ResultPaths\[0\]\.Name/],
    ["result named stdout", { ResultPaths: [{ Name: "stdout", Path: "/outputs" }] }, /Tasks\[0\]\.ResultPaths\[0\]\.Name.*reserved/],
    ["climbing input target", {
      InputSources: [{ Target: "../../../../../escape-in", Source: { Type: "inline", Params: { URL: "data:text/plain;base64,aGk=" } } }],
    }, /Tasks\[0\]\.InputSources\[1\]\.Target/],
  ];
  for (const [what, task, message] of hostile) {
    // Straight to the orchestrator's submit, past the API's validation, as a hostile orchestrator would send it.
    const { JobID } = orchestrator.submitJob(normalizeJob(wasmJob("hello", { task })), { force: false });
    const job = await orchestrator.waitForJob(JobID, [...TERMINAL_JOB_STATES]);
    assert.equal(job.State.StateType, "Failed", `${what}: ${job.State.Message}`);
    const [exec] = orchestrator.store.getExecutions(JobID);
    assert.equal(exec?.ComputeState.StateType, ExecutionStateType.Failed, what);
    assert.match(exec?.RunOutput?.ErrorMsg ?? "", message, what);
    assert.match(job.State.Message ?? "", /invalid job/, what);
  }
  assert.deepEqual(readdirSync(root), ["data"], "nothing beside the data dir");
  assert.ok(!tree(root).some((p) => /escape|abs/.test(p)), tree(root).join("\n"));
});

test("the wasm executor itself maps a result name only to a folder of its results dir", async (t) => {
  const root = tempDir(t, "bacalhau-paths-");
  const resultsDir = join(root, "results");
  mkdirSync(resultsDir);
  const executor = new WasmExecutor({ maxRunners: 1 });
  t.after(() => executor.close());
  const run = wasmRequest(t, { module: moduleFile("hello"), resultsDir, outputs: [{ Name: "../escape", Path: "/outputs" }] });
  const result = await executor.run(run.req);
  assert.equal(result.exitCode, -1);
  assert.match(result.errorMsg ?? "", /leaves the execution's folder/);
  assert.deepEqual(tree(root), ["results"]);
});
