/**
 * Data locality across processes: a requester and two compute nodes that each run their own IPFS and
 * take only jobs whose data they hold. A job on a CID held by one of them runs there; the other
 * one, if asked, refuses with the locality reason.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ExecutionStateType, type Execution } from "../../src/models/types.ts";
import { packPathToTarGz } from "../../src/codec/tar/index.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { connected, nodes, startCompute, startRequester, until } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";

const LOCAL_IPFS = ["--private-internal-ipfs", "--job-selection-data-locality", "local"];

test("a job goes to the compute node that holds its CID", async (t) => {
  const req = await startRequester(t);
  const [a, b] = await Promise.all([
    startCompute(t, req, { args: LOCAL_IPFS }),
    startCompute(t, req, { args: LOCAL_IPFS }),
  ]);
  await until("2 compute nodes", () => nodes(req.api), (n) => connected(n).length === 2);
  const apiOf = (s: { port: number }) => `http://127.0.0.1:${s.port}`;
  const idOf = async (s: { port: number }) => (await getJSON<{ NodeID: string }>(`${apiOf(s)}/api/v1/agent/node`)).NodeID;
  const [idA, idB] = await Promise.all([idOf(a), idOf(b)]);

  // The data goes into B's IPFS only, through B's own API.
  const dir = tempDir(t, "bacalhau-locality-");
  await mkdir(join(dir, "data"));
  await writeFile(join(dir, "data/only-on-b.txt"), "held by b\n");
  const added = await fetch(`${apiOf(b)}/api/v1/ipfs/add?kind=dir`, {
    method: "POST",
    headers: { "content-type": "application/gzip" },
    body: new Uint8Array(await packPathToTarGz(join(dir, "data"))),
  });
  assert.equal(added.status, 200);
  const { CID } = await added.json() as { CID: string };

  const job = wasmJob("cat", { args: ["/inputs/only-on-b.txt"] });
  (job.Tasks as Array<{ InputSources: unknown[] }>)[0]!.InputSources
    .push({ Target: "/inputs", Source: { Type: "ipfs", Params: { CID } } });
  const { JobID } = await submit(req.api, job);
  const done = await waitTerminal(req.api, JobID);
  assert.equal(done.State.StateType, "Completed", done.State.Message);

  const { Items } = await getJSON<{ Items: Execution[] }>(`${req.api}/api/v1/orchestrator/jobs/${JobID}/executions`);
  const ran = Items.filter((e) => e.ComputeState.StateType === ExecutionStateType.Completed);
  assert.deepEqual(ran.map((e) => e.NodeID), [idB]);
  assert.equal(ran[0]!.RunOutput?.Stdout, "held by b\n");
  // A may or may not have been asked first; if it was, it said no for the locality reason.
  for (const e of Items.filter((x) => x.NodeID === idA)) {
    assert.equal(e.ComputeState.StateType, ExecutionStateType.AskForBidRejected);
    assert.match(e.ComputeState.Message ?? "", /not on this node .*--job-selection-data-locality local/);
  }
});
