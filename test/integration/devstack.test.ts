/** devstack: a private libp2p network in one process, and `bacalhau id` matching a requester's identity. */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { startDevstack } from "../../src/cli/devstack.ts";
import type { Execution } from "../../src/models/types.ts";
import { getJSON, submit, wasmJob } from "../helpers/jobs.ts";
import { freePort, startRequester } from "../helpers/network.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli } from "../helpers/spawn.ts";

test("devstack and identity", async (suite) => {
  await suite.test("devstack joins an orchestrator and three compute nodes over libp2p; an ops job runs on each", async (t) => {
    const stack = await startDevstack({ computes: 3, orchestrators: 1, hybrids: 0, apiPort: 0, dir: tempDir(t) });
    t.after(() => stack.stop());
    const orch = stack.entry.orchestrator!;
    const computeIDs = stack.nodes.filter((n) => !n.orchestrator).map((n) => n.nodeID).sort();
    assert.deepEqual(orch.nodes.list().filter((n) => n.Connection === "CONNECTED").map((n) => n.Info.NodeID).sort(), computeIDs);
    assert.ok(stack.nodes.filter((n) => !n.orchestrator).every((n) => n.p2p?.host.libp2p.getConnections().length));

    const { JobID } = await submit(stack.entry.apiURL, wasmJob("hello", { type: "ops", count: 0 }));
    assert.equal((await orch.waitForJob(JobID, ["Completed", "Failed"])).State.StateType, "Completed");
    const ex = await getJSON<{ Items: Execution[] }>(`${stack.entry.apiURL}/api/v1/orchestrator/jobs/${JobID}/executions`);
    assert.deepEqual(ex.Items.map((e) => e.NodeID).sort(), computeIDs);
  });

  await suite.test("bacalhau id prints the requester's peer ID and a stable client ID, keys kept private", async (t) => {
    const port = await freePort();
    const req = await startRequester(t, { swarmPort: port });
    const peerID = req.peer.split("/p2p/")[1];
    const first = await runCli(["id", "--data-dir", req.dataDir, "--swarm-port", String(port)]);
    assert.equal(first.code, 0, first.stderr);
    const id = JSON.parse(first.stdout);
    assert.equal(id.ID, peerID);
    assert.match(id.ClientID, /^[0-9a-f]{64}$/);
    const again = JSON.parse((await runCli(["id", "--data-dir", req.dataDir, "--swarm-port", String(port)])).stdout);
    assert.deepEqual(again, id);
    for (const f of [`private_key.${port}`, "user_id.pem"]) {
      assert.equal(statSync(join(req.dataDir, f)).mode & 0o777, 0o600, f);
    }
  });
});
