import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { PEER_INFO_PATH, peerIdFromRequesterAPI, peerInfoResponse } from "../../src/p2p/peer-info.ts";
import { Libp2pComputeTransport } from "../../src/transport/libp2p/compute.ts";
import { localHost, orchestratorOn, testSwarmKey } from "../transport/libp2p-harness.ts";
import type { Cleanup } from "../transport/libp2p-harness.ts";

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

async function serve(onCleanup: Cleanup, body: (path: string) => { status: number; json: unknown }): Promise<string> {
  const server = createServer((req, res) => {
    const { status, json } = body(req.url ?? "/");
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("a compute node finds the requester's PeerID through its API and connects", async (t) => {
  const onCleanup = cleanups(t);
  const swarmKey = testSwarmKey();
  const requester = await localHost(onCleanup, { swarmKey });
  const orch = await orchestratorOn(requester, onCleanup);
  const seen: string[] = [];
  orch.setHandler({ onMessage: (id) => void seen.push(id) });
  const api = await serve(onCleanup, (path) =>
    path === PEER_INFO_PATH ? { status: 200, json: peerInfoResponse(requester) } : { status: 404, json: { Message: "not found" } });

  const info = await peerIdFromRequesterAPI(api);
  assert.equal(info.ID, requester.peerId);
  assert.equal(info.Addrs[0], requester.printableAddress());
  assert.ok(info.Addrs.every((a) => a.endsWith(`/p2p/${requester.peerId}`)));

  const host = await localHost(onCleanup, { swarmKey });
  const compute = new Libp2pComputeTransport(host.libp2p, { nodeID: "n-api", orchestrator: info.Addrs });
  onCleanup(() => compute.close());
  await compute.start();
  await compute.send({ type: "Heartbeat", nodeID: "n-api", seq: 0 });
  assert.deepEqual(seen, ["n-api"]);
});

test("an API without the route, or no API at all, is ServiceUnavailable", async (t) => {
  const onCleanup = cleanups(t);
  const api = await serve(onCleanup, () => ({ status: 404, json: { Message: "not found" } }));
  const unavailable = (err: unknown) => err instanceof BacalhauError && err.code === "ServiceUnavailable";
  await assert.rejects(peerIdFromRequesterAPI(api), unavailable);
  const wrongShape = await serve(onCleanup, () => ({ status: 200, json: { id: 1 } }));
  await assert.rejects(peerIdFromRequesterAPI(`${wrongShape}/`), unavailable);
  // Port 1 on loopback: nothing listens there, the connection is refused.
  await assert.rejects(peerIdFromRequesterAPI("http://127.0.0.1:1"), unavailable);
});
