// POST /api/v1/run against a real hybrid node with its embedded IPFS: real wasm jobs, real SQLite,
// the IPFS publisher and input source, and the IPFS download route.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { extractTarGz } from "../../src/codec/tar/index.ts";
import { moduleDataURL, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

type Body = Record<string, unknown> & {
  JobID: string;
  State: string;
  Message?: string;
  CID?: string;
  Stdout?: string;
  Stderr?: string;
  ExitCode?: number | null;
  ExecutionID?: string;
  PublishedResults?: Array<{ Type: string; Params?: Record<string, unknown> }>;
  Executions: Array<{ ID: string; State: string; Message?: string }>;
};

/** The ID of the job named `name`, once the server has stored it (the run request is still open). */
async function submittedID(api: string, name: string): Promise<string> {
  for (;;) {
    const res = await fetch(`${api}/api/v1/orchestrator/jobs/${name}`);
    if (res.ok) return ((await res.json()) as { Job: { ID: string } }).Job.ID;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 20)); // a client's poll: nothing announces a new job
  }
}

const outputsJob = (args: string[]) =>
  wasmJob("outputs", { args, task: { Publisher: { Type: "ipfs" }, ResultPaths: [{ Name: "outputs", Path: "/outputs" }] } });

test("POST /api/v1/run on a hybrid node with embedded IPFS", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.IPFS.PrivateInternal = true;
    cfg.P2P.ListenHost = "127.0.0.1";
    cfg.P2P.SwarmPort = 0;
  });
  const work = await mkdtemp(join(tmpdir(), "bacalhau-run-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const run = async (body: unknown, query = "", headers: Record<string, string> = {}) => {
    const res = await fetch(`${node.apiURL}/api/v1/run${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, location: res.headers.get("location"), body: await res.json() as Body };
  };

  await t.test("a completed job answers with its CID and stdout, and the CID is downloadable", async () => {
    const { status, body } = await run({ Job: outputsJob(["made", "by", "run"]) });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.State, "Completed");
    assert.match(body.JobID, /^j-/);
    assert.equal(body.Executions.length, 1);
    assert.equal(body.ExecutionID, body.Executions[0]!.ID);
    assert.equal(body.Executions[0]!.State, "Completed");
    assert.equal(body.ExitCode, 0);
    assert.match(body.Stdout ?? "", /wrote \/outputs\/result\.txt/);
    assert.ok(body.CID, "a CID for the IPFS-published result");
    assert.deepEqual(body.PublishedResults, [{ Type: "ipfs", Params: { CID: body.CID } }]);

    const res = await fetch(`${node.apiURL}/api/v1/ipfs/get/${body.CID}`);
    assert.equal(res.status, 200);
    const out = join(work, "result");
    await extractTarGz(res.body!, out);
    assert.equal(await readFile(join(out, "outputs/result.txt"), "utf8"), "made by run\n");
    assert.equal(await readFile(join(out, "stdout"), "utf8"), body.Stdout);
  });

  await t.test("a bare Job is accepted too, and its input can come from IPFS", async () => {
    await mkdir(join(work, "data"));
    await writeFile(join(work, "data/greeting.txt"), "hello from ipfs\n");
    const cid = await node.ipfs!.add(join(work, "data"));
    const job = wasmJob("cat", { args: ["/inputs/greeting.txt"] });
    (job.Tasks as Array<{ InputSources: unknown[] }>)[0]!.InputSources
      .push({ Target: "/inputs", Source: { Type: "ipfs", Params: { CID: cid } } });
    const { status, body } = await run(job);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.State, "Completed");
    assert.equal(body.Stdout, "hello from ipfs\n");
    assert.equal(body.CID, undefined, "no publisher, no CID");
    assert.deepEqual(body.PublishedResults, []);
  });

  await t.test("a failed job is a 200 carrying the Failed state and why", async () => {
    // A non-integer EXIT_CODE makes the module trap: the execution fails (and its retry too).
    const { status, body } = await run({ Job: wasmJob("exit_code", { env: { EXIT_CODE: "nope" } }) });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.State, "Failed");
    assert.ok(body.Message, "the job's failure message");
    assert.match(body.Stderr ?? "", /Must be an integer: nope/);
    assert.ok(body.Executions.every((e) => e.State === "Failed"));
    assert.ok(body.ErrorMsg);
  });

  await t.test("a job that outlives ?timeout= answers 202 and keeps running", async () => {
    const { status, body, location } = await run({ Job: wasmJob("loop") }, "?timeout=300ms");
    assert.equal(status, 202, JSON.stringify(body));
    assert.ok(["Pending", "Queued", "Running"].includes(body.State), body.State);
    assert.equal(location, `/api/v1/orchestrator/jobs/${body.JobID}`);
    const followed = await fetch(`${node.apiURL}${location}`);
    assert.equal(followed.status, 200);
    const { Job } = await followed.json() as { Job: { State: { StateType: string } } };
    assert.notEqual(Job.State.StateType, "Completed");
    node.orchestrator!.stopJob(body.JobID, "", "test over");
    assert.equal((await node.orchestrator!.waitForJob(body.JobID, ["Stopped"])).State.StateType, "Stopped");
  });

  await t.test("a client that hangs up does not cancel the job", async () => {
    const ctl = new AbortController();
    // Long enough to still be running when the client goes (128 MiB of SHA-256), short enough to end.
    const pending = fetch(`${node.apiURL}/api/v1/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ Job: wasmJob("cpu", { args: ["128"], name: "hang-up" }) }),
      signal: ctl.signal,
    });
    const jobID = await submittedID(node.apiURL, "hang-up");
    await node.orchestrator!.waitForJob(jobID, ["Running", "Completed", "Failed", "Stopped"]);
    ctl.abort();
    await assert.rejects(pending);
    // Had the hang-up stopped the job, it would end Stopped.
    const done = await node.orchestrator!.waitForJob(jobID, ["Completed", "Failed", "Stopped"]);
    assert.equal(done.State.StateType, "Completed");
  });

  await t.test("an invalid job is a 400 naming the field, as PUT answers it", async () => {
    const job = wasmJob("hello");
    (job.Tasks as Array<Record<string, unknown>>)[0]!.Env = { lower: "x" };
    const { status, body } = await run({ Job: job });
    assert.equal(status, 400);
    assert.equal((body.Details as { field: string }).field, "Tasks[0].Env.lower");
    const put = await fetch(`${node.apiURL}/api/v1/orchestrator/jobs`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ Job: job }),
    });
    assert.equal(put.status, 400);
    assert.equal(((await put.json()) as { Message: string }).Message, body.Message);

    const typed = await run({ Job: { ...wasmJob("hello"), Count: "one" } });
    assert.equal(typed.status, 400);
    assert.equal((typed.body.Details as { field: string }).field, "Count");
    const empty = await run({ Hello: 1 });
    assert.equal(empty.status, 400);
    assert.equal((empty.body.Details as { field: string }).field, "Job");
    const badTimeout = await run({ Job: wasmJob("hello") }, "?timeout=soon");
    assert.equal(badTimeout.status, 400);
    assert.equal((badTimeout.body.Details as { field: string }).field, "timeout");
    const fromJob = await run({ Job: wasmJob("hello") }, "", { "X-Bacalhau-Job-ID": "j-1" });
    assert.equal(fromJob.status, 400);
    assert.match(String(fromJob.body.Message), /X-Bacalhau-Job-ID/);
  });

  await t.test("a legacy v0.3 spec runs: IPFS input, wasm entry module, IPFS publisher", async () => {
    await mkdir(join(work, "legacy"));
    await writeFile(join(work, "legacy/lines.txt"), "ab\nabc\n");
    const cid = await node.ipfs!.add(join(work, "legacy"));
    const { status, body } = await run({
      APIVersion: "V1beta1",
      Spec: {
        Engine: "Wasm",
        Verifier: "Noop",
        Publisher: "IPFS",
        Wasm: {
          EntryModule: { StorageSource: "Inline", URL: moduleDataURL("lines") },
          EntryPoint: "_start",
          Parameters: ["/inputs/lines.txt"],
        },
        inputs: [{ StorageSource: "IPFS", Name: "data", CID: cid, path: "/inputs" }],
        outputs: [{ StorageSource: "IPFS", Name: "outputs", path: "/outputs" }],
        Deal: { Concurrency: 1 },
      },
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.State, "Completed");
    assert.equal(body.Stdout, "ab\n");
    assert.equal(body.Stderr, "abc\n");
    assert.ok(body.CID);
    const stored = node.orchestrator!.store.getJob(body.JobID);
    assert.equal(stored.Tasks[0]!.Engine.Params?.EntryModule, "/wasm/entry.wasm");
  });
});
