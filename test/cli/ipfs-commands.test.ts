/**
 * `bacalhau ipfs add|get` and `job get` of IPFS results, run in-process against a real hybrid node
 * with its embedded IPFS: through the API and straight from the swarm (a short-lived client node).
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { Hono } from "hono";
import type { ApiEnv } from "../../src/api/deps.ts";
import { notFoundResponse } from "../../src/api/errors.ts";
import { main } from "../../src/cli/main.ts";
import type { RunningNode } from "../../src/node/node.ts";
import { startHttpServer } from "../../src/runtime/http.ts";
import { fixtureJob, JOB_ID } from "../client/fixture-server.ts";
import { submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { startTestNode, tempDir } from "../helpers/node.ts";
import { captureIO } from "./capture.ts";

async function cli(args: string[], cwd: string, env: Record<string, string>) {
  const cap = captureIO({ cwd, env });
  const code = await main(args, cap.io);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}

const apiEnv = (node: RunningNode) => ({ BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(node.apiPort) });

async function ipfsNode(t: { after(fn: () => unknown): void }): Promise<RunningNode> {
  return startTestNode(t, (cfg) => {
    cfg.IPFS.PrivateInternal = true;
    cfg.P2P.ListenHost = "127.0.0.1";
    cfg.P2P.SwarmPort = 0;
  });
}

async function tree(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, await tree(root, r));
    else out[r] = await readFile(join(root, r), "utf8");
  }
  return out;
}

test("ipfs add and get, through the API and straight from the swarm", async (t) => {
  const node = await ipfsNode(t);
  const dir = tempDir(t, "cli-ipfs-");
  await mkdir(join(dir, "data/sub"), { recursive: true });
  await writeFile(join(dir, "data/a.txt"), "A");
  await writeFile(join(dir, "data/sub/b.txt"), "B");
  const env = apiEnv(node);
  const swarm = {
    ...env,
    BACALHAU_IPFS_SWARM_ADDRESSES: node.p2p!.host.printableAddress()!,
    BACALHAU_SWARM_KEY: node.p2p!.swarmKeyFile,
  };

  await t.test("add through the API and through the swarm give one CID, pinned on the node", async () => {
    const viaApi = await cli(["ipfs", "add", "data"], dir, env);
    assert.equal(viaApi.code, 0, viaApi.stderr);
    const viaSwarm = await cli(["ipfs", "add", "data"], dir, swarm);
    assert.equal(viaSwarm.code, 0, viaSwarm.stderr);
    assert.equal(viaSwarm.stdout, viaApi.stdout);
    assert.equal(await node.ipfs!.isPinned(viaApi.stdout.trim()), true);
  });

  await t.test("a file added from the swarm is kept by the node after the client is gone", async () => {
    await writeFile(join(dir, "only-here.txt"), "added by a client that has exited");
    const added = await cli(["ipfs", "add", "only-here.txt", "--ipfs-swarm-addrs", swarm.BACALHAU_IPFS_SWARM_ADDRESSES,
      "--swarm-key", swarm.BACALHAU_SWARM_KEY], dir, env);
    assert.equal(added.code, 0, added.stderr);
    const cid = added.stdout.trim();
    assert.equal(await node.ipfs!.has(cid), true);
    const got = await cli(["ipfs", "get", cid, "-o", "copy.txt"], dir, env);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await readFile(join(dir, "copy.txt"), "utf8"), "added by a client that has exited");
  });

  await t.test("get a folder through the API and through the swarm", async () => {
    const cid = (await cli(["ipfs", "add", "data"], dir, env)).stdout.trim();
    const viaApi = await cli(["ipfs", "get", cid, "--output", "from-api"], dir, env);
    assert.equal(viaApi.code, 0, viaApi.stderr);
    assert.match(viaApi.stdout, new RegExp(`^Saved ${cid} to .*from-api\n$`));
    const viaSwarm = await cli(["ipfs", "get", cid, "--output", "from-swarm"], dir, swarm);
    assert.equal(viaSwarm.code, 0, viaSwarm.stderr);
    const expected = { "a.txt": "A", "sub/b.txt": "B" };
    assert.deepEqual(await tree(join(dir, "from-api")), expected);
    assert.deepEqual(await tree(join(dir, "from-swarm")), expected);
    const again = await cli(["ipfs", "get", cid, "--output", "from-api"], dir, env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });

  await t.test("job get of an ipfs result: merged, raw, and from the swarm", async () => {
    const { JobID } = await submit(node.apiURL, wasmJob("hello", { args: ["IPFS"], task: { Publisher: { Type: "ipfs" } } }));
    assert.equal((await waitTerminal(node.apiURL, JobID)).State.StateType, "Completed");
    const merged = await cli(["job", "get", JobID, "--output-dir", "merged"], dir, env);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /have been written to\.\.\.\n.*merged\n$/);
    assert.deepEqual(await tree(join(dir, "merged")), { exitCode: "0", stderr: "", stdout: "Hello, IPFS!\n" });

    const raw = await cli(["job", "get", JobID, "--raw", "--output-dir", "raw"], dir, env);
    assert.equal(raw.code, 0, raw.stderr);
    const [cidDir, ...more] = await readdir(join(dir, "raw"));
    assert.equal(more.length, 0);
    assert.match(cidDir!, /^baf/);
    assert.equal(await readFile(join(dir, "raw", cidDir!, "stdout"), "utf8"), "Hello, IPFS!\n");

    const direct = await cli(["job", "get", JobID, "--output-dir", "direct"], dir, swarm);
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual(await tree(join(dir, "direct")), await tree(join(dir, "merged")));
  });

  await t.test("swarm addresses without a swarm key: the error says where to find one", async () => {
    const r = await cli(["ipfs", "add", "data", "--data-dir", join(dir, "no-such-dir")], dir, {
      ...env,
      BACALHAU_IPFS_SWARM_ADDRESSES: swarm.BACALHAU_IPFS_SWARM_ADDRESSES,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: cannot join the private IPFS swarm at .*: no swarm key at .*no-such-dir\/swarm\.key/);
    assert.match(r.stderr, /Hint: .*--swarm-key FILE.*BACALHAU_SWARM_KEY.*unset BACALHAU_IPFS_SWARM_ADDRESSES/);
  });
});

/** A requester API without IPFS routes whose one job published an IPFS result elsewhere. */
async function apiWithoutIpfs(t: { after(fn: () => unknown): void }): Promise<number> {
  const app = new Hono<ApiEnv>();
  const jobs = "/api/v1/orchestrator/jobs";
  app.get(`${jobs}/:id`, (c) => c.json({ Job: fixtureJob() }));
  app.get(`${jobs}/:id/results`, (c) =>
    c.json({ Items: [{ Type: "ipfs", Params: { CID: "bafybeid2niko3tosc3f4gmvjmgnlnodaq5p6akhnld74zg3fbgzmdscw3e" } }], NextToken: "" }));
  app.notFound(notFoundResponse);
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return server.port;
}

test("a requester without IPFS: job get and ipfs add say how to fix it", async (t) => {
  const port = await apiWithoutIpfs(t);
  const dir = tempDir(t, "cli-ipfs-none-");
  const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(port) };
  const get = await cli(["job", "get", JOB_ID], dir, env);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /Error: cannot fetch bafybeid2niko3tosc3f4gmvjmgnlnodaq5p6akhnld74zg3fbgzmdscw3e: the node at http:\/\/127\.0\.0\.1:\d+ does not run IPFS/);
  assert.match(get.stderr, /Hint: start the requester with --private-internal-ipfs, or use the swarm directly: --ipfs-swarm-addrs/);

  const plain = await startTestNode(t);
  await writeFile(join(dir, "x.txt"), "x");
  const add = await cli(["ipfs", "add", "x.txt"], dir, apiEnv(plain));
  assert.equal(add.code, 1);
  assert.match(add.stderr, /does not run IPFS/);
});
