// Data locality (`--job-selection-data-locality local`) on a real hybrid node with its embedded
// IPFS: the compute role bids only when every input is already on the node, and says why not.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { InputSource, JobHistory } from "../../src/models/types.ts";
import type { RunningNode } from "../../src/node/node.ts";
import { getJSON, submit, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";

const ENDED = ["Completed", "Failed", "Stopped"];
/** A well-formed CID of content no node of this test holds. */
const ABSENT_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

function catJob(path: string, input?: InputSource): Record<string, unknown> {
  const job = wasmJob("cat", { args: [path] });
  if (input) (job.Tasks as Array<{ InputSources: unknown[] }>)[0]!.InputSources.push(input);
  return job;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function runToEnd(node: RunningNode, job: Record<string, unknown>) {
  const { JobID } = await submit(node.apiURL, job);
  const done = await node.orchestrator!.waitForJob(JobID, ENDED);
  const history = await getJSON<{ Items: JobHistory[] }>(`${node.apiURL}/api/v1/orchestrator/jobs/${JobID}/history`);
  const executions = node.orchestrator!.store.getExecutions(JobID);
  return { job: done, history: history.Items.map((h) => h.Event.Message), executions };
}

test("data locality: local", async (t) => {
  const node = await startTestNode(t, (cfg) => {
    cfg.IPFS.PrivateInternal = true;
    cfg.P2P.ListenHost = "127.0.0.1";
    cfg.P2P.SwarmPort = 0;
    cfg.JobAdmissionControl.Locality = "local";
  });
  const work = await mkdtemp(join(tmpdir(), "bacalhau-locality-"));
  t.after(() => rm(work, { recursive: true, force: true }));

  await t.test("refuses a job whose CID it does not hold, and the reason reaches the history", async () => {
    const { job, history, executions } = await runToEnd(node,
      catJob("/inputs/x", { Target: "/inputs", Source: { Type: "ipfs", Params: { CID: ABSENT_CID } } }));
    assert.equal(job.State.StateType, "Failed");
    assert.ok(
      history.some((m) => /Node rejected the job: input \/inputs is not on this node .*--job-selection-data-locality local/.test(m)),
      history.join("\n"),
    );
    assert.ok(executions.every((e) => e.RunOutput === undefined), "nothing ran");
  });

  await t.test("takes a job whose CID it holds", async () => {
    await mkdir(join(work, "held"));
    await writeFile(join(work, "held/data.txt"), "local data\n");
    const cid = await node.ipfs!.add(join(work, "held"));
    const { job, executions } = await runToEnd(node,
      catJob("/inputs/data.txt", { Target: "/inputs", Source: { Type: "ipfs", Params: { CID: cid } } }));
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    assert.equal(executions[0]?.RunOutput?.Stdout, "local data\n");
  });

  await t.test("inline inputs count as local", async () => {
    // The wasm module itself is an inline input of every job here.
    const { job, executions } = await runToEnd(node, wasmJob("hello", { args: ["inline"] }));
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    assert.equal(executions[0]?.RunOutput?.Stdout, "Hello, inline!\n");
  });

  await t.test("URL inputs do not count as local, and are not fetched to find out", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end("remote data\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => closeServer(server));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.txt`;
    const { job, history } = await runToEnd(node,
      catJob("/inputs/data.txt", { Target: "/inputs", Source: { Type: "urlDownload", Params: { URL: url } } }));
    assert.equal(job.State.StateType, "Failed");
    assert.ok(history.some((m) => /input \/inputs is not on this node/.test(m)), history.join("\n"));
    assert.equal(requests, 0);
  });
});

test("data locality: anywhere (the default) takes the same URL job", async (t) => {
  const node = await startTestNode(t);
  const server = createServer((_req, res) => res.end("remote data\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => closeServer(server));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.txt`;
  const { job, executions } = await runToEnd(node,
    catJob("/inputs/data.txt", { Target: "/inputs", Source: { Type: "urlDownload", Params: { URL: url } } }));
  assert.equal(job.State.StateType, "Completed", job.State.Message);
  assert.equal(executions[0]?.RunOutput?.Stdout, "remote data\n");
});
