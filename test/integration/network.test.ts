/**
 * A private network of separate processes on 127.0.0.1, joined over libp2p with a swarm key: the
 * requester schedules on remote compute nodes, notices nodes that vanish, and survives its own restart.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Execution } from "../../src/models/types.ts";
import { createSwarmKey } from "../../src/p2p/index.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { connected, freePort, kill, nodes, startCompute, startRequester, until } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli } from "../helpers/spawn.ts";

const executions = (api: string, jobID: string) =>
  getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${jobID}/executions`).then((r) => r.Items);
const RUNNING = 6;
const COMPLETED = 9;
const FAILED = 10;

test("private network of processes", async (suite) => {
  await suite.test("batch runs remotely, ops on every node, a daemon also on a node that joins later", async (t) => {
    const req = await startRequester(t);
    const computes = await Promise.all([
      startCompute(t, req),
      startCompute(t, req),
      // Known only by its API address: the compute node asks it for its libp2p identity.
      startCompute(t, req, { peer: req.api }),
    ]);
    const joined = await until("3 compute nodes", () => nodes(req.api), (n) => connected(n).length === 3);
    const ids = new Set(joined.map((n) => n.Info.NodeID));
    assert.equal(computes.length, 3);

    const batch = await submit(req.api, wasmJob("hello", { args: ["remote"] }));
    assert.equal((await waitTerminal(req.api, batch.JobID)).State.StateType, "Completed");
    const [run] = await executions(req.api, batch.JobID);
    assert.ok(ids.has(run.NodeID), `ran on ${run.NodeID}`);
    assert.equal(run.RunOutput?.Stdout, "Hello, remote!\n");

    const ops = await submit(req.api, wasmJob("hello", { type: "ops", count: 0, args: ["ops"] }));
    assert.equal((await waitTerminal(req.api, ops.JobID)).State.StateType, "Completed");
    const opsRuns = await executions(req.api, ops.JobID);
    assert.deepEqual(new Set(opsRuns.map((e) => e.NodeID)), ids);
    assert.ok(opsRuns.every((e) => e.ComputeState.StateType === COMPLETED));

    const daemon = await submit(req.api, wasmJob("loop", { type: "daemon", count: 0 }));
    await until("daemon on 3 nodes", () => executions(req.api, daemon.JobID),
      (ex) => ex.filter((e) => e.ComputeState.StateType === RUNNING).length === 3);
    await startCompute(t, req);
    const all = await until("daemon on the late node", () => executions(req.api, daemon.JobID),
      (ex) => ex.filter((e) => e.ComputeState.StateType === RUNNING).length === 4);
    assert.equal(new Set(all.map((e) => e.NodeID)).size, 4);
    const stop = await fetch(`${req.api}/api/v1/orchestrator/jobs/${daemon.JobID}`, {
      method: "DELETE", headers: { "content-type": "application/json" }, body: "{}",
    });
    assert.equal(stop.status, 200);
    assert.equal((await waitTerminal(req.api, daemon.JobID)).State.StateType, "Stopped");
  });

  await suite.test("kill -9 of the compute node running a job: it is failed as gone and completes elsewhere", async (t) => {
    const req = await startRequester(t);
    const a = await startCompute(t, req);
    const b = await startCompute(t, req);
    await until("2 compute nodes", () => nodes(req.api), (n) => connected(n).length === 2);
    const { JobID } = await submit(req.api, wasmJob("cpu", { args: ["192"] }));
    const [running] = await until("the job running", () => executions(req.api, JobID),
      (ex) => ex.some((e) => e.ComputeState.StateType === RUNNING));
    const byNode = await nodes(req.api);
    const victimID = running.NodeID;
    // Which process is that node? Its API answers with its node ID.
    const victim = (await getJSON<{ NodeID: string }>(`http://127.0.0.1:${a.port}/api/v1/agent/node`)).NodeID === victimID ? a : b;
    assert.ok(byNode.some((n) => n.Info.NodeID === victimID));
    await kill(victim, "SIGKILL");

    const job = await waitTerminal(req.api, JobID);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const ex = await executions(req.api, JobID);
    const lost = ex.find((e) => e.NodeID === victimID)!;
    assert.equal(lost.ComputeState.StateType, FAILED);
    assert.match(lost.ComputeState.Message ?? "", /node has disappeared/);
    assert.ok(ex.some((e) => e.NodeID !== victimID && e.ComputeState.StateType === COMPLETED));
    const after = await nodes(req.api);
    assert.equal(after.find((n) => n.Info.NodeID === victimID)?.Connection, "DISCONNECTED");
  });

  await suite.test("a requester restart: the compute node reconnects and its running job still finishes", async (t) => {
    // The identity file is named after the swarm port, so the requester comes back on the same one.
    const first = await startRequester(t, { swarmPort: await freePort() });
    await startCompute(t, first);
    await until("1 compute node", () => nodes(first.api), (n) => connected(n).length === 1);
    const { JobID } = await submit(first.api, wasmJob("cpu", { args: ["128"] }));
    const [running] = await until("the job running", () => executions(first.api, JobID),
      (ex) => ex.some((e) => e.ComputeState.StateType === RUNNING));
    await kill(first, "SIGKILL");

    const again = await startRequester(t, { dataDir: first.dataDir, swarmPort: first.swarmPort });
    assert.equal(again.peer, first.peer, "same identity and address after the restart");
    const job = await waitTerminal(again.api, JobID);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const ex = await executions(again.api, JobID);
    assert.equal(ex.length, 1, "the running execution was kept, not retried");
    assert.equal(ex[0].ID, running.ID);
    assert.equal(ex[0].ComputeState.StateType, COMPLETED);
  });

  await suite.test("a compute node with another swarm key, or none, never joins", async (t) => {
    const req = await startRequester(t);
    const dir = tempDir(t);
    const wrongKey = join(dir, "other.key");
    writeFileSync(wrongKey, createSwarmKey(), { mode: 0o600 });
    const stranger = await startCompute(t, req, { swarmKey: wrongKey, args: ["-c", "Logging.Level=debug"] });
    await until("the stranger's failed dial", async () => stranger.output(), (out) => /requester connection:/.test(out));
    assert.equal((await nodes(req.api)).length, 0);

    const keyless = await runCli(["serve", "--node-type", "compute", "--peer", req.peer, "--host", "127.0.0.1",
      "--api-port", "0", "--swarm-port", "0", "--data-dir", tempDir(t)]);
    assert.equal(keyless.code, 1);
    assert.match(keyless.stderr, /Error: a compute node needs its requester's swarm key/);

    // A key path that does not exist is named, and a compute node never invents a key there.
    const missing = join(tempDir(t), "swarm.key");
    const misnamed = await runCli(["serve", "--node-type", "compute", "--peer", req.peer, "--swarm-key", missing,
      "--host", "127.0.0.1", "--api-port", "0", "--swarm-port", "0", "--data-dir", tempDir(t)]);
    assert.equal(misnamed.code, 1);
    assert.ok(misnamed.stderr.includes(`${missing} does not exist`), misnamed.stderr);
    assert.equal(existsSync(missing), false);
  });

  await suite.test("a compute node that dials out over WebSockets only", async (t) => {
    const req = await startRequester(t, { args: ["--websocket-port", "0"] });
    const info = await getJSON<{ ID: string; Addrs: string[] }>(`${req.api}/api/v1/peer`);
    const ws = info.Addrs.find((a) => a.includes("/ws/") && a.startsWith("/ip4/127.0.0.1/"));
    assert.ok(ws, info.Addrs.join(" "));
    await startCompute(t, req, { peer: ws });
    await until("the WebSockets node", () => nodes(req.api), (n) => connected(n).length === 1);
    const { JobID } = await submit(req.api, wasmJob("hello", { args: ["ws"] }));
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
  });

  await suite.test("a local-published result of a WebSockets-only compute node downloads through the requester", async (t) => {
    const req = await startRequester(t, { args: ["--websocket-port", "0"] });
    const info = await getJSON<{ ID: string; Addrs: string[] }>(`${req.api}/api/v1/peer`);
    const ws = info.Addrs.find((a) => a.includes("/ws/") && a.startsWith("/ip4/127.0.0.1/"));
    assert.ok(ws, info.Addrs.join(" "));
    await startCompute(t, req, { peer: ws });
    await until("the compute node", () => nodes(req.api), (n) => connected(n).length === 1);
    const { JobID } = await submit(req.api, wasmJob("hello", { args: ["published"], task: { Publisher: { Type: "local" } } }));
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");

    const [run] = await executions(req.api, JobID);
    const onCompute = new URL(String(run.PublishedResult.Params?.URL));
    const { Items: [listed] } = await getJSON<{ Items: { Type: string; Params: { URL: string } }[] }>(
      `${req.api}/api/v1/orchestrator/jobs/${JobID}/results`);
    const url = new URL(listed!.Params.URL);
    assert.equal(url.origin, req.api, "the result URL is the requester's API");
    assert.notEqual(url.port, onCompute.port, "not the compute node's own publisher port");
    assert.equal(url.pathname, `/api/v1/orchestrator/jobs/${JobID}/results/${run.ID}.tar.gz`);

    const out = join(tempDir(t), "out");
    const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(req.port) };
    const get = await runCli(["job", "get", JobID, "--output-dir", out], env);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /have been written to/);
    assert.equal(readFileSync(join(out, "stdout"), "utf8"), "Hello, published!\n");
  });

  await suite.test("a compute node on the other runtime joins this runtime's requester", async (t) => {
    const req = await startRequester(t);
    await startCompute(t, req, { otherRuntime: true });
    await until("the other runtime's node", () => nodes(req.api), (n) => connected(n).length === 1);
    const { JobID } = await submit(req.api, wasmJob("hello", { args: ["across"] }));
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
    const [run] = await executions(req.api, JobID);
    assert.equal(run.RunOutput?.Stdout, "Hello, across!\n");
  });

  await suite.test("with manual approval a new node waits as PENDING until `node approve`, then takes the queued job", async (t) => {
    const req = await startRequester(t, { args: ["-c", "Orchestrator.NodeManager.ManualApproval=true"] });
    await startCompute(t, req);
    const [pending] = await until("the pending node", () => nodes(req.api), (n) => n.length === 1);
    assert.equal(pending.Membership, "PENDING");
    const { JobID } = await submit(req.api, wasmJob("hello", { task: { Timeouts: { QueueTimeout: 120 } } }));
    await until("the job queued", () => getJSON<{ Job: { State: { StateType: string } } }>(`${req.api}/api/v1/orchestrator/jobs/${JobID}`),
      (r) => r.Job.State.StateType === "Queued");
    const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(req.port) };
    const approve = await runCli(["node", "approve", pending.Info.NodeID.slice(0, 10)], env);
    assert.equal(approve.code, 0, approve.stderr);
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
    assert.equal((await nodes(req.api))[0].Membership, "APPROVED");
  });
});
