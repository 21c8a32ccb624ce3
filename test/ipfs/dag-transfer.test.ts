import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { Libp2p, ServiceMap } from "@libp2p/interface";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { DedupFsBlockstore } from "../../src/ipfs/blockstore.ts";
import { DAG_PROTOCOL, fetchDag } from "../../src/ipfs/dag-transfer.ts";
import { hasWholeDag } from "../../src/ipfs/local-dag.ts";
import { createP2PHost } from "../../src/p2p/index.ts";
import type { P2PHost } from "../../src/p2p/index.ts";
import { cleanups, startPeer, tempDir, testSwarmKey } from "./helpers.ts";

const RAW_CODEC = 0x55;

/** A bare host on the swarm with its own blockstore: it fetches with fetchDag and nothing else. */
async function fetcher(onCleanup: (fn: () => unknown) => void, swarmKey: Uint8Array) {
  const dir = await tempDir(onCleanup, "bxi-fetcher-");
  const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: dir, swarmKey });
  onCleanup(() => host.stop());
  const store = new DedupFsBlockstore(join(dir, "blocks"));
  await store.open();
  onCleanup(() => store.close());
  // Helia's codec loader, without starting Helia.
  const { getCodec } = createHeliaLight({ blockstore: store, datastore: new FsDatastore(join(dir, "datastore")) });
  return { host, store, getCodec };
}

/** Waits until identify has told `host` that `peer` speaks the DAG protocol (no deadline: the test's own). */
async function identified(host: P2PHost, peer: Libp2p<ServiceMap>): Promise<void> {
  for (;;) {
    const known = await host.libp2p.peerStore.get(peer.peerId).catch(() => undefined);
    if (known?.protocols.includes(DAG_PROTOCOL)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rawBlock(bytes: Uint8Array): Promise<CID> {
  return CID.createV1(RAW_CODEC, await sha256.digest(bytes));
}

/** A swarm member that answers the DAG protocol with one frame of its choosing. */
async function forger(onCleanup: (fn: () => unknown) => void, swarmKey: Uint8Array, cid: CID, bytes: Uint8Array): Promise<P2PHost> {
  const dir = await tempDir(onCleanup, "bxi-forger-");
  const host = await createP2PHost({ swarmPort: 0, listenHost: "127.0.0.1", keyDir: dir, swarmKey });
  onCleanup(() => host.stop());
  await host.libp2p.handle(DAG_PROTOCOL, async (stream) => {
    const header = new Uint8Array(8 + cid.bytes.byteLength);
    new DataView(header.buffer).setUint32(0, cid.bytes.byteLength);
    new DataView(header.buffer).setUint32(4, bytes.byteLength);
    header.set(cid.bytes, 8);
    stream.send(header);
    stream.send(bytes);
    await stream.close();
  });
  return host;
}

test("a multi-block file is fetched whole over one stream and every block is stored", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const holder = await startPeer(onCleanup, await tempDir(onCleanup, "bxi-holder-"), key);
  const dir = await tempDir(onCleanup);
  // Several chunks, so the DAG has a root and leaves.
  const content = randomBytes(3 * 1024 * 1024 + 12345);
  await writeFile(join(dir, "big.bin"), content);
  const cid = CID.parse(await holder.ipfs.add(join(dir, "big.bin")));

  const f = await fetcher(onCleanup, key);
  await f.host.libp2p.dial(holder.host.addresses());
  await identified(f.host, holder.host.libp2p);
  const stored = await fetchDag(f.host.libp2p, f.store, f.getCodec, cid, { signal: AbortSignal.timeout(30_000) });
  assert.ok(stored >= 4, `stored ${stored} blocks`);
  assert.equal(await hasWholeDag(f.store, f.getCodec, cid), true);
});

test("a node gets a file from a peer: the DAG stream and the export agree on the bytes", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const a = await startPeer(onCleanup, await tempDir(onCleanup, "bxi-a-"), key);
  const b = await startPeer(onCleanup, await tempDir(onCleanup, "bxi-b-"), key);
  await b.host.libp2p.dial(a.host.addresses());
  await identified(b.host, a.host.libp2p);
  const dir = await tempDir(onCleanup);
  const content = randomBytes(2 * 1024 * 1024 + 7);
  await writeFile(join(dir, "f.bin"), content);
  const cid = await a.ipfs.add(join(dir, "f.bin"));
  assert.equal(await b.ipfs.get(cid, join(dir, "copy.bin"), { signal: AbortSignal.timeout(30_000) }), "file");
  assert.deepEqual(await readFile(join(dir, "copy.bin")), content);
  assert.equal(await b.ipfs.has(cid), true);
});

test("a block that does not match its CID is refused and not stored", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const genuine = randomBytes(1000);
  const cid = await rawBlock(genuine);
  const bad = await forger(onCleanup, key, cid, randomBytes(1000));
  const f = await fetcher(onCleanup, key);
  await f.host.libp2p.dial(bad.addresses());
  await identified(f.host, bad.libp2p);
  const errors: unknown[] = [];
  const stored = await fetchDag(f.host.libp2p, f.store, f.getCodec, cid, { onPeerError: (_, err) => errors.push(err) });
  assert.equal(stored, 0);
  assert.match(String(errors[0]), /does not match its hash/);
  assert.equal(await f.store.has(cid), false);
});

test("a valid block that was not asked for is refused and not stored", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const wanted = await rawBlock(randomBytes(1000));
  const other = randomBytes(1000);
  const otherCid = await rawBlock(other);
  const bad = await forger(onCleanup, key, otherCid, other);
  const f = await fetcher(onCleanup, key);
  await f.host.libp2p.dial(bad.addresses());
  await identified(f.host, bad.libp2p);
  const errors: unknown[] = [];
  const stored = await fetchDag(f.host.libp2p, f.store, f.getCodec, wanted, { onPeerError: (_, err) => errors.push(err) });
  assert.equal(stored, 0);
  assert.match(String(errors[0]), /unasked-for block/);
  assert.equal(await f.store.has(otherCid), false);
});

test("only connected peers are asked: a known but unconnected holder is never dialled", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const holder = await startPeer(onCleanup, await tempDir(onCleanup, "bxi-holder-"), key);
  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "x.txt"), "held elsewhere");
  const cid = CID.parse(await holder.ipfs.add(join(dir, "x.txt")));
  const f = await fetcher(onCleanup, key);
  await f.host.libp2p.dial(holder.host.addresses());
  await identified(f.host, holder.host.libp2p);
  await f.host.libp2p.hangUp(holder.host.libp2p.peerId);
  // The peer store still knows the holder and its protocols.
  const opened: string[] = [];
  f.host.libp2p.addEventListener("connection:open", (e) => opened.push(e.detail.remotePeer.toString()));
  assert.equal(await fetchDag(f.host.libp2p, f.store, f.getCodec, cid), 0);
  assert.deepEqual(opened, []);
  assert.equal(await f.store.has(cid), false);
});

test("a peer with another swarm key cannot fetch a DAG", async (t) => {
  const onCleanup = cleanups(t);
  const holder = await startPeer(onCleanup, await tempDir(onCleanup, "bxi-holder-"), testSwarmKey());
  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "secret.txt"), "for the swarm only");
  const cid = CID.parse(await holder.ipfs.add(join(dir, "secret.txt")));
  const outsider = await fetcher(onCleanup, testSwarmKey());
  await assert.rejects(outsider.host.libp2p.dialProtocol(holder.host.addresses(), DAG_PROTOCOL, { signal: AbortSignal.timeout(10_000) }));
  assert.equal(await fetchDag(outsider.host.libp2p, outsider.store, outsider.getCodec, cid), 0);
  assert.equal(await outsider.store.has(cid), false);
});
