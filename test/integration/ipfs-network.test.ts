/**
 * The embedded IPFS across processes on 127.0.0.1: one requester and two compute nodes, each with
 * --private-internal-ipfs, joined by a swarm key. Content added on one node is read on another,
 * published results come back by CID and through `job get` (API and swarm-direct), large and
 * many-file content keeps its bytes, and a restarted publisher still serves what it pinned.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Execution } from "../../src/models/types.ts";
import { fileDigest, treeDigest, writeManyFiles, writeRandomFile } from "../helpers/content.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { connected, kill, nodes, startCompute, startRequester, until } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli, type ServeProcess } from "../helpers/spawn.ts";

const IPFS = "--private-internal-ipfs";
const MiB = 1024 * 1024;

const apiEnv = (port: number) => ({ BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(port) });

async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const r = await runCli(args, env);
  assert.equal(r.code, 0, `bacalhau ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const onNode = (name: string) => ({ Constraints: [{ Key: "name", Operator: "=", Values: [name] }] });

async function nodeID(s: ServeProcess): Promise<string> {
  return (await getJSON<{ NodeID: string }>(`http://127.0.0.1:${s.port}/api/v1/agent/node`)).NodeID;
}

async function execution(api: string, jobID: string): Promise<Execution> {
  const { Items } = await getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${jobID}/executions`);
  assert.equal(Items.length, 1);
  return Items[0]!;
}

async function publishedCid(api: string, jobID: string): Promise<string> {
  const { Items } = await getJSON<{ Items: Array<{ Type: string; Params: { CID: string } }> }>(
    `${api}/api/v1/orchestrator/jobs/${jobID}/results`,
  );
  assert.equal(Items.length, 1);
  assert.equal(Items[0]!.Type, "ipfs");
  return Items[0]!.Params.CID;
}

test("embedded IPFS on a private network of processes", async (t) => {
  const req = await startRequester(t, { args: [IPFS] });
  const swarmAddr = /export BACALHAU_IPFS_SWARM_ADDRESSES=(\S+)/.exec(req.output())?.[1];
  assert.ok(swarmAddr, `no swarm address printed:\n${req.output()}`);
  const aDir = tempDir(t, "bacalhau-compute-a-");
  const computeArgs = (name: string) => [IPFS, "--labels", `name=${name}`];
  let a = await startCompute(t, req, { dataDir: aDir, args: computeArgs("a") });
  const b = await startCompute(t, req, { args: computeArgs("b") });
  await until("2 compute nodes", () => nodes(req.api), (n) => connected(n).length === 2);
  const [aID, bID] = [await nodeID(a), await nodeID(b)];
  const dir = tempDir(t, "bacalhau-ipfs-net-");
  const reqEnv = apiEnv(req.port);
  const swarmFlags = ["--ipfs-swarm-addrs", swarmAddr, "--swarm-key", req.swarmKey];

  await t.test("a file added through one node's API is the input of a job on the other", async () => {
    await writeFile(join(dir, "x.txt"), "read from IPFS on another node\n");
    const cid = (await cli(["ipfs", "add", join(dir, "x.txt")], apiEnv(a.port))).trim();
    const { JobID } = await submit(req.api, {
      ...wasmJob("cat", {
        args: ["/inputs/x"],
        task: { InputSources: [{ Alias: "x", Target: "/inputs/x", Source: { Type: "ipfs", Params: { CID: cid } } }] },
      }),
      ...onNode("b"),
    });
    const job = await waitTerminal(req.api, JobID);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const run = await execution(req.api, JobID);
    assert.equal(run.NodeID, bID);
    assert.equal(run.RunOutput?.Stdout, "read from IPFS on another node\n");
  });

  await t.test("published results: by CID on a third node, by job get through the API and from the swarm", async () => {
    const { JobID } = await submit(req.api, {
      ...wasmJob("outputs", {
        args: ["published", "on", "a"],
        task: { Publisher: { Type: "ipfs" }, ResultPaths: [{ Name: "outputs", Path: "/outputs" }] },
      }),
      ...onNode("a"),
    });
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
    assert.equal((await execution(req.api, JobID)).NodeID, aID);
    const cid = await publishedCid(req.api, JobID);

    const byCid = join(dir, "by-cid");
    await cli(["ipfs", "get", cid, "-o", byCid], apiEnv(b.port));
    const viaApi = join(dir, "job-get-api");
    const out = await cli(["job", "get", JobID, "--output-dir", viaApi], reqEnv);
    assert.match(out, /have been written to\.\.\./);
    const viaSwarm = join(dir, "job-get-swarm");
    await cli(["job", "get", JobID, "--output-dir", viaSwarm, ...swarmFlags], reqEnv);

    assert.equal(await readFile(join(viaApi, "outputs", "result.txt"), "utf8"), "published on a\n");
    const expected = await treeDigest(byCid);
    assert.ok(expected.files >= 4, `${expected.files} files`);
    assert.deepEqual(await treeDigest(viaApi), expected);
    assert.deepEqual(await treeDigest(viaSwarm), expected);
  });

  await t.test("100 MiB through node APIs and 2000 small files through the swarm keep their bytes", async () => {
    const big = join(dir, "big.bin");
    await writeRandomFile(big, 100 * MiB);
    const bigCid = (await cli(["ipfs", "add", big], apiEnv(a.port))).trim();
    const bigCopy = join(dir, "big-copy.bin");
    await cli(["ipfs", "get", bigCid, "-o", bigCopy, "--download-timeout-secs", "120"], apiEnv(b.port));
    assert.equal(await fileDigest(bigCopy), await fileDigest(big));

    const many = join(dir, "many");
    await writeManyFiles(many, 2000);
    // Added by a short-lived client node; the requester pins it before the command returns.
    const manyCid = (await cli(["ipfs", "add", many, ...swarmFlags], reqEnv)).trim();
    const manyCopy = join(dir, "many-copy");
    await cli(["ipfs", "get", manyCid, "-o", manyCopy], apiEnv(a.port));
    const expected = await treeDigest(many);
    assert.equal(expected.files, 2000);
    assert.deepEqual(await treeDigest(manyCopy), expected);
  });

  await t.test("swarm-direct ipfs add, a job reading it, swarm-direct job get", async () => {
    await writeFile(join(dir, "direct.txt"), "added without an API\n");
    const cid = (await cli(["ipfs", "add", join(dir, "direct.txt"), ...swarmFlags], reqEnv)).trim();
    const { JobID } = await submit(req.api, {
      ...wasmJob("cat", {
        args: ["/inputs/direct.txt"],
        task: {
          InputSources: [{ Alias: "d", Target: "/inputs/direct.txt", Source: { Type: "ipfs", Params: { CID: cid } } }],
          Publisher: { Type: "ipfs" },
        },
      }),
      ...onNode("a"),
    });
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
    const out = join(dir, "direct-get");
    await cli(["job", "get", JobID, "--output-dir", out, ...swarmFlags], reqEnv);
    assert.equal(await readFile(join(out, "stdout"), "utf8"), "added without an API\n");
  });

  await t.test("a restarted compute node still serves the results it pinned", async () => {
    const { JobID } = await submit(req.api, {
      ...wasmJob("hello", { args: ["restart"], task: { Publisher: { Type: "ipfs" } } }),
      ...onNode("a"),
    });
    assert.equal((await waitTerminal(req.api, JobID)).State.StateType, "Completed");
    // Nobody has fetched these blocks yet: after the restart only node a can send them.
    await kill(a, "SIGKILL");
    a = await startCompute(t, req, { dataDir: aDir, args: computeArgs("a") });
    assert.equal(await nodeID(a), aID);
    const out = join(dir, "after-restart");
    await cli(["job", "get", JobID, "--output-dir", out], reqEnv);
    assert.equal(await readFile(join(out, "stdout"), "utf8"), "Hello, restart!\n");
  });
});
