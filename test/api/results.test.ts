import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { BacalhauError } from "../../src/models/errors.ts";
import type { Execution } from "../../src/models/types.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { startTestNode } from "../helpers/node.ts";
import { apiError, makeExecution, makeJob, startHarness } from "./harness.ts";

const JOBS = "/api/v1/orchestrator/jobs";
const COMPLETED = 9;

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

test("the results listing points local results at this API, as the client addressed it", async (t) => {
  const h = await startHarness(t);
  const local = makeJob({ Tasks: [{ ...makeJob().Tasks[0]!, Publisher: { Type: "local" } }] });
  const ipfs = makeJob({ Tasks: [{ ...makeJob().Tasks[0]!, Publisher: { Type: "ipfs" } }] });
  h.store.createJob(local);
  h.store.createJob(ipfs);
  const onCompute = { Type: "urlDownload", Params: { URL: "http://10.0.0.7:6001/x.tar.gz" } };
  const e1 = makeExecution(local, { ComputeState: { StateType: COMPLETED }, PublishedResult: onCompute });
  const e2 = makeExecution(ipfs, { ComputeState: { StateType: COMPLETED }, PublishedResult: { Type: "ipfs", Params: { CID: "bafy" } } });
  h.store.createExecution(e1);
  h.store.createExecution(e2);

  const plain = await (await h.get(`${JOBS}/${local.ID}/results`)).json();
  assert.deepEqual(plain, {
    Items: [{ Type: "urlDownload", Params: { URL: `${h.url}${JOBS}/${local.ID}/results/${e1.ID}.tar.gz` } }],
    NextToken: "",
  });
  const proxied = await (await h.get(`${JOBS}/${local.ID}/results`, { "x-forwarded-proto": "https, http" })).json();
  assert.equal(proxied.Items[0].Params.URL, `${h.url.replace(/^http:/, "https:")}${JOBS}/${local.ID}/results/${e1.ID}.tar.gz`);
  const named = await getWithHost(`${h.url}${JOBS}/${local.ID}/results`, "requester.example:8443");
  assert.equal(named.status, 200);
  assert.equal(JSON.parse(named.body).Items[0].Params.URL, `http://requester.example:8443${JOBS}/${local.ID}/results/${e1.ID}.tar.gz`);
  // Results other publishers wrote are left as they are.
  assert.deepEqual((await (await h.get(`${JOBS}/${ipfs.ID}/results`)).json()).Items, [{ Type: "ipfs", Params: { CID: "bafy" } }]);
});

test("a result downloads (GET) and is checked (HEAD) through the requester; lookups fail as API errors", async (t) => {
  const h = await startHarness(t);
  const job = makeJob();
  const other = makeJob();
  h.store.createJob(job);
  h.store.createJob(other);
  const exec = makeExecution(job, { ComputeState: { StateType: COMPLETED } });
  const elsewhere = makeExecution(other, { ComputeState: { StateType: COMPLETED } });
  h.store.createExecution(exec);
  h.store.createExecution(elsewhere);
  h.orchestrator.results.set(exec.ID, [new Uint8Array([0x1f, 0x8b, 1]), new Uint8Array([2, 3])]);
  h.orchestrator.results.set(elsewhere.ID, [new Uint8Array([9])]);

  for (const name of [exec.ID, `${exec.ID}.tar.gz`]) {
    const res = await h.get(`${JOBS}/${job.ID}/results/${name}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/gzip");
    assert.match(res.headers.get("content-disposition") ?? "", new RegExp(`filename="${exec.ID}\\.tar\\.gz"`));
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0x1f, 0x8b, 1, 2, 3]);
  }
  const head = await fetch(`${h.url}${JOBS}/${job.ID}/results/${exec.ID}`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-type"), "application/gzip");
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  // An execution of another job, an unknown one, an unknown job.
  await apiError(await h.get(`${JOBS}/${job.ID}/results/${elsewhere.ID}`), 404);
  await apiError(await h.get(`${JOBS}/${job.ID}/results/e-nothere`), 404);
  await apiError(await h.get(`${JOBS}/j-nothere/results/${exec.ID}`), 404);
  const headMissing = await fetch(`${h.url}${JOBS}/${job.ID}/results/e-nothere`, { method: "HEAD" });
  assert.equal(headMissing.status, 404);
  await headMissing.arrayBuffer();

  h.orchestrator.results.set(exec.ID, new BacalhauError("node n-1 is not connected", { code: "ServiceUnavailable", component: "Orchestrator" }));
  const down = await apiError(await h.get(`${JOBS}/${job.ID}/results/${exec.ID}`), 503);
  assert.match(String(down.Message), /not connected/);
});

test("a hybrid node serves its own local-published result through its API", async (t) => {
  const node = await startTestNode(t);
  const { JobID } = await submit(node.apiURL, wasmJob("hello", { args: ["results"], task: { Publisher: { Type: "local" } } }));
  assert.equal((await waitTerminal(node.apiURL, JobID)).State.StateType, "Completed");
  const { Items: [exec] } = await getJSON<{ Items: Execution[] }>(`${node.apiURL}${JOBS}/${JobID}/executions`);
  const { Items: [result] } = await getJSON<{ Items: { Type: string; Params: { URL: string } }[] }>(`${node.apiURL}${JOBS}/${JobID}/results`);
  assert.ok(exec && result);
  assert.equal(result.Params.URL, `${node.apiURL}${JOBS}/${JobID}/results/${exec.ID}.tar.gz`);

  const viaAPI = new Uint8Array(await (await fetch(result.Params.URL)).arrayBuffer());
  // The same bytes the compute node's own publisher serves.
  const direct = new Uint8Array(await (await fetch(String(exec.PublishedResult.Params?.URL))).arrayBuffer());
  assert.ok(direct.byteLength > 0);
  assert.deepEqual(viaAPI, direct);
  assert.deepEqual([...viaAPI.subarray(0, 2)], [0x1f, 0x8b], "gzip");
});
