import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { cleanups, startPeer, tempDir, testSwarmKey } from "./helpers.ts";

test("a restart on the same data dir keeps the identity and the pinned content", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const dataDir = await tempDir(onCleanup);
  const files = await tempDir(onCleanup);
  await mkdir(join(files, "results/outputs"), { recursive: true });
  await writeFile(join(files, "results/stdout"), "kept\n");
  await writeFile(join(files, "results/outputs/x.bin"), new Uint8Array([7, 8, 9]));

  const first = await startPeer(onCleanup, dataDir, key);
  const cid = await first.ipfs.add(join(files, "results"));
  const peerId = first.host.peerId;
  await first.stop();

  const second = await startPeer(onCleanup, dataDir, key);
  assert.equal(second.host.peerId, peerId);
  assert.equal(await second.ipfs.isPinned(cid), true);
  assert.equal(await second.ipfs.has(cid), true);
  // Served from disk alone: this node has no peers to ask.
  assert.equal(second.host.libp2p.getConnections().length, 0);
  await second.ipfs.get(cid, join(files, "copy"), { signal: AbortSignal.timeout(10_000) });
  assert.equal(await readFile(join(files, "copy/stdout"), "utf8"), "kept\n");
  assert.deepEqual(new Uint8Array(await readFile(join(files, "copy/outputs/x.bin"))), new Uint8Array([7, 8, 9]));

  // And a third node can still fetch it from the restarted one.
  const third = await startPeer(onCleanup, await tempDir(onCleanup), key);
  await third.host.libp2p.dial(second.host.addresses());
  await third.ipfs.get(cid, join(files, "third"), { signal: AbortSignal.timeout(30_000) });
  assert.equal(await readFile(join(files, "third/stdout"), "utf8"), "kept\n");
});

test("pin, unpin and has: local state only, and clear errors for bad CIDs", async (t) => {
  const onCleanup = cleanups(t);
  const peer = await startPeer(onCleanup, await tempDir(onCleanup), testSwarmKey());
  const files = await tempDir(onCleanup);
  await writeFile(join(files, "a.txt"), "a");
  const cid = await peer.ipfs.add(join(files, "a.txt"), { pin: false });
  assert.equal(await peer.ipfs.isPinned(cid), false);
  assert.equal(await peer.ipfs.has(cid), true);
  await peer.ipfs.pin(cid);
  await peer.ipfs.pin(cid); // idempotent
  assert.equal(await peer.ipfs.isPinned(cid), true);
  await peer.ipfs.unpin(cid);
  await peer.ipfs.unpin(cid);
  assert.equal(await peer.ipfs.isPinned(cid), false);
  // A CID nobody holds: has() answers from disk at once, without asking anyone.
  assert.equal(await peer.ipfs.has("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"), false);

  await assert.rejects(peer.ipfs.has("not-a-cid"), (err: unknown) => err instanceof BacalhauError && /not a valid CID/.test(err.message));
  await assert.rejects(peer.ipfs.add(join(files, "missing")), (err: unknown) => err instanceof BacalhauError && /no such file/.test(err.message));
  await peer.ipfs.stop();
  await peer.ipfs.stop();
  await assert.rejects(peer.ipfs.has(cid), BacalhauError);
});
