import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { Stream } from "@libp2p/interface";
import { preSharedKey } from "@libp2p/pnet";
import { createSwarmKey } from "../../src/p2p/swarm-key.ts";
import { localHost, testSwarmKey } from "../transport/libp2p-harness.ts";
import type { Cleanup } from "../transport/libp2p-harness.ts";

const PING = "/bxp-test/echo/1.0.0";

async function echoOnce(stream: Stream): Promise<string> {
  stream.send(new TextEncoder().encode("hello"));
  await stream.close();
  let out = "";
  for await (const chunk of stream) out += new TextDecoder().decode(chunk.subarray());
  return out;
}

function serveEcho(handle: (p: string, h: (s: Stream) => void) => Promise<void>): Promise<void> {
  return handle(PING, (s) => {
    void (async () => {
      for await (const chunk of s) s.send(chunk);
      await s.close();
    })();
  });
}

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

test("peers with the same swarm key connect and talk", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const a = await localHost(onCleanup, { swarmKey: key });
  const b = await localHost(onCleanup, { swarmKey: key });
  await serveEcho((p, h) => a.libp2p.handle(p, h));
  const stream = await b.libp2p.dialProtocol(a.addresses(), PING);
  assert.equal(await echoOnce(stream), "hello");
});

test("a peer with another swarm key, or none, cannot connect (either way round)", async (t) => {
  const onCleanup = cleanups(t);
  const a = await localHost(onCleanup, { swarmKey: testSwarmKey() });
  const other = await localHost(onCleanup, { swarmKey: testSwarmKey() });
  const open = await localHost(onCleanup);
  await serveEcho((p, h) => a.libp2p.handle(p, h));
  await serveEcho((p, h) => open.libp2p.handle(p, h));
  const signal = () => AbortSignal.timeout(15_000);
  await assert.rejects(other.libp2p.dialProtocol(a.addresses(), PING, { signal: signal() }), "other key → keyed");
  await assert.rejects(open.libp2p.dialProtocol(a.addresses(), PING, { signal: signal() }), "no key → keyed");
  await assert.rejects(a.libp2p.dialProtocol(open.addresses(), PING, { signal: signal() }), "keyed → no key");
  assert.equal(a.libp2p.getConnections().length, 0);
});

test("the protector speaks the pnet wire protocol (interoperates with @libp2p/pnet)", async (t) => {
  const onCleanup = cleanups(t);
  const keyText = createSwarmKey();
  const { parseSwarmKey } = await import("../../src/p2p/swarm-key.ts");
  const ours = await localHost(onCleanup, { swarmKey: parseSwarmKey(keyText) });
  // A host built directly on @libp2p/pnet, with the same key.
  const { createLibp2p } = await import("libp2p");
  const { tcp } = await import("@libp2p/tcp");
  const { noise } = await import("@chainsafe/libp2p-noise");
  const { yamux } = await import("@chainsafe/libp2p-yamux");
  const theirs = await createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionProtector: preSharedKey({ psk: new TextEncoder().encode(keyText) }),
  });
  onCleanup(() => theirs.stop());
  await serveEcho((p, h) => theirs.handle(p, h));
  const stream = await ours.libp2p.dialProtocol(theirs.getMultiaddrs(), PING);
  assert.equal(await echoOnce(stream), "hello");
});

test("100 MiB cross a private connection intact", async (t) => {
  const onCleanup = cleanups(t);
  const key = testSwarmKey();
  const receiver = await localHost(onCleanup, { swarmKey: key });
  const sender = await localHost(onCleanup, { swarmKey: key });
  const TOTAL = 100 * 1024 * 1024;
  const received = Promise.withResolvers<{ bytes: number; sha: string }>();
  await receiver.libp2p.handle("/bxp-test/bulk/1.0.0", (s) => {
    void (async () => {
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const chunk of s) {
        const b = chunk.subarray();
        hash.update(b);
        bytes += b.byteLength;
      }
      await s.close();
      received.resolve({ bytes, sha: hash.digest("hex") });
    })().catch(received.reject);
  });

  const stream = await sender.libp2p.dialProtocol(receiver.addresses(), "/bxp-test/bulk/1.0.0");
  const pattern = new Uint8Array(2 * 1024 * 1024);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 2654435761) >>> 24;
  // Odd sizes, some over 576 KiB (where @libp2p/pnet's cipher broke), so blocks split everywhere.
  const sizes = [1 << 20, 63, 700 * 1024, 4096, 1, 333_333];
  const hash = createHash("sha256");
  let sent = 0;
  for (let i = 0; sent < TOTAL; i++) {
    const size = Math.min(sizes[i % sizes.length]!, TOTAL - sent);
    const start = (i * 7919) % (pattern.length - size);
    const chunk = pattern.slice(start, start + size);
    hash.update(chunk);
    sent += size;
    if (!stream.send(chunk)) await stream.onDrain();
  }
  await stream.close();
  const got = await received.promise;
  assert.equal(got.bytes, TOTAL);
  assert.equal(got.sha, hash.digest("hex"));
  assert.equal(sender.libp2p.getConnections(receiver.libp2p.peerId).length, 1, "the connection survived");
});
