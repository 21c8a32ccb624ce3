/**
 * A node whose DOCKER_HOST names a socket with no engine behind it: it starts anyway, says docker
 * is unavailable, does not advertise the engine, and a docker job sent to it fails naming the engine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cliAt, getJob, IMAGE, jobIDOf } from "../helpers/docker.ts";
import { kill } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { startServe } from "../helpers/spawn.ts";

test("a node without a reachable Docker engine", async (t) => {
  const dataDir = tempDir(t, "bacalhau-nodocker-");
  const node = await startServe([
    "--node-type", "requester,compute", "--host", "127.0.0.1", "--api-port", "0", "--no-p2p",
    "--local-publisher-port", "0", "--data-dir", dataDir,
  ], { DOCKER_HOST: `unix://${join(dataDir, "no-engine.sock")}` });
  t.after(() => kill(node, "SIGTERM"));
  const cli = cliAt(node.port);

  assert.match(node.output(), /^Engines: wasm, noop \(no Docker engine reachable: docker jobs go to other nodes\)$/m);

  const list = await cli("node", "list", "--wide");
  assert.equal(list.code, 0, list.stderr);
  const row = list.stdout.split("\n").find((l) => /\bCompute\b/.test(l)) ?? "";
  assert.match(row, /\bwasm noop\b/);
  assert.doesNotMatch(row, /docker/);

  const run = await cli("docker", "run", IMAGE, "echo", "hi");
  assert.equal(run.code, 1, run.stdout);
  assert.match(run.stderr, /Error: job failed: .*\n.*does not support engine docker, only \[wasm, noop\]/);
  assert.equal((await getJob(`http://127.0.0.1:${node.port}`, jobIDOf(run))).State.StateType, "Failed");
});
