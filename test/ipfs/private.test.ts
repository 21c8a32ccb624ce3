import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { cleanups, swarm, tempDir } from "./helpers.ts";
import type { Peer } from "./helpers.ts";

/** Every connection, discovery and dial-progress event a host sees from now on. */
function watch(peer: Peer) {
  const seen = { connections: [] as string[], discovered: [] as string[] };
  peer.host.libp2p.addEventListener("connection:open", (e) => seen.connections.push(`${e.detail.remotePeer} ${e.detail.remoteAddr}`));
  peer.host.libp2p.addEventListener("peer:discovery", (e) => seen.discovered.push(e.detail.id.toString()));
  return seen;
}

test("IPFS never reaches outside the private swarm: no DHT or delegated routing, no discovery, loopback peers only", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const ids = new Set([a!.host.peerId, b!.host.peerId]);
  const watchA = watch(a!);
  const watchB = watch(b!);

  // What IPFS was built with: bitswap only, and one router that asks connected swarm peers for
  // their IPFS peers (no DHT, no delegated HTTP routing, no gateways); the host has no services
  // beyond identify and ping.
  for (const peer of [a!, b!]) {
    const info = peer.ipfs.describe();
    assert.deepEqual(info.blockBrokers, ["bitswap"]);
    assert.deepEqual(info.routers, ["swarm-peers"]);
    assert.deepEqual(Object.keys(peer.host.libp2p.services).sort(), ["identify", "ping"]);
    assert.ok(peer.host.libp2p.getProtocols().includes("/ipfs/bitswap/1.2.0"));
  }

  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "data.txt"), "private data");
  const cid = await a!.ipfs.add(join(dir, "data.txt"));
  await b!.ipfs.get(cid, join(dir, "copy.txt"), { signal: AbortSignal.timeout(30_000) });
  // A CID nobody holds makes bitswap look for providers: it may only ask the peers it has.
  const missing = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
  await assert.rejects(b!.ipfs.get(missing, join(dir, "missing"), { signal: AbortSignal.timeout(1500) }));

  for (const peer of [a!, b!]) {
    const connections = peer.host.libp2p.getConnections();
    assert.ok(connections.length > 0);
    for (const c of connections) {
      assert.ok(ids.has(c.remotePeer.toString()), `connected to a stranger: ${c.remotePeer}`);
      assert.match(c.remoteAddr.toString(), /^\/ip4\/127\.0\.0\.1\/tcp\/\d+/, `non-loopback address ${c.remoteAddr}`);
    }
    // Anything discovered or dialled would have landed in the peer store.
    const known = (await peer.host.libp2p.peerStore.all()).map((p) => p.id.toString());
    for (const id of known) assert.ok(ids.has(id), `peer store holds a stranger: ${id}`);
  }
  // Identify may still report the other test peer; nothing else may be discovered.
  for (const id of [...watchA.discovered, ...watchB.discovered]) assert.ok(ids.has(id), `discovered a stranger: ${id}`);
  // Any connection opened since (the listening side may report the test's own dial late) joins a
  // test peer on loopback.
  for (const c of [...watchA.connections, ...watchB.connections]) {
    const [id, addr] = c.split(" ");
    assert.ok(ids.has(id!), `opened a connection to a stranger: ${c}`);
    assert.match(addr!, /^\/ip4\/127\.0\.0\.1\//, `opened a non-loopback connection: ${c}`);
  }
});

test("a node with another swarm key can neither connect nor fetch", async (t) => {
  const onCleanup = cleanups(t);
  const [a] = await swarm(onCleanup, 1);
  const [outsider] = await swarm(onCleanup, 1);
  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "secret.txt"), "for the swarm only");
  const cid = await a!.ipfs.add(join(dir, "secret.txt"));
  await assert.rejects(outsider!.host.libp2p.dial(a!.host.addresses(), { signal: AbortSignal.timeout(10_000) }));
  await assert.rejects(outsider!.ipfs.get(cid, join(dir, "stolen.txt"), { signal: AbortSignal.timeout(1500) }));
  assert.equal(await outsider!.ipfs.has(cid), false);
});
