import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cleanups, startPeer, tempDir, testSwarmKey } from "./helpers.ts";

test("a block is found two hops away: C asks B (its only peer) for B's peers and fetches from A", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const a = await startPeer(onCleanup, await tempDir(onCleanup), key);
  const b = await startPeer(onCleanup, await tempDir(onCleanup), key);
  const c = await startPeer(onCleanup, await tempDir(onCleanup), key);
  // Like compute nodes that each dial only their requester.
  await a.host.libp2p.dial(b.host.addresses());
  await c.host.libp2p.dial(b.host.addresses());
  const connectedTo = (p: typeof a) => new Set(p.host.libp2p.getConnections().map((x) => x.remotePeer.toString()));
  assert.equal(connectedTo(c).has(a.host.peerId), false);

  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "result.txt"), "published on A");
  const cid = await a.ipfs.add(join(dir, "result.txt"));
  await c.ipfs.get(cid, join(dir, "copy.txt"), { signal: AbortSignal.timeout(30_000) });
  assert.equal(await readFile(join(dir, "copy.txt"), "utf8"), "published on A");
  assert.equal(connectedTo(c).has(a.host.peerId), true);
  // B only passed on an address; it holds none of the content.
  assert.equal(await b.ipfs.has(cid), false);
});
