/**
 * Frame and stream limits on real libp2p streams: a peer that announces a frame larger than it may
 * send, or opens more streams than a protocol allows, gets its stream reset at once (before the
 * announced bytes are sent, so nothing waits for or buffers them), and the node goes on serving
 * the peers that behave.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Stream } from "@libp2p/interface";
import { MAX_FIRST_FRAME_BYTES, MAX_FRAME_BYTES } from "../../src/transport/libp2p/frames.ts";
import { Libp2pOrchestratorTransport, MAX_NCL_STREAMS_PER_CONNECTION } from "../../src/transport/libp2p/orchestrator.ts";
import type { Libp2pOrchestratorOptions } from "../../src/transport/libp2p/orchestrator.ts";
import { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "../../src/transport/libp2p/protocols.ts";
import type { ToCompute } from "../../src/transport/messages.ts";
import { computeOn, localHost, testSwarmKey } from "./libp2p-harness.ts";
import type { Cleanup } from "./libp2p-harness.ts";

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

function frame(value: unknown): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(value));
  const out = new Uint8Array(4 + json.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength);
  out.set(json, 4);
  return out;
}

/** A length prefix announcing `length` bytes, followed by only a few of them. */
function announce(length: number): Uint8Array {
  const out = new Uint8Array(4 + 16);
  new DataView(out.buffer).setUint32(0, length);
  return out;
}

/** Reads until the stream ends; resolves with how it ended and what came before. */
async function drain(stream: Stream): Promise<{ reset: boolean; frames: unknown[] }> {
  const bytes: number[] = [];
  let reset = false;
  try {
    for await (const chunk of stream) bytes.push(...chunk.subarray());
  } catch {
    reset = true;
  }
  const frames: unknown[] = [];
  const buf = Uint8Array.from(bytes);
  for (let at = 0; at + 4 <= buf.byteLength;) {
    const len = new DataView(buf.buffer, at, 4).getUint32(0);
    frames.push(JSON.parse(new TextDecoder().decode(buf.subarray(at + 4, at + 4 + len))));
    at += 4 + len;
  }
  return { reset: reset || stream.status === "reset" || stream.status === "aborted", frames };
}

async function network(t: { after(fn: () => unknown): void }, opts: Libp2pOrchestratorOptions = {}) {
  const onCleanup = cleanups(t);
  const swarmKey = testSwarmKey();
  const requester = await localHost(onCleanup, { swarmKey });
  const orchestrator = await Libp2pOrchestratorTransport.create(requester.libp2p, opts);
  onCleanup(() => orchestrator.close());
  const seen: string[] = [];
  orchestrator.setHandler({ onMessage: (nodeID, msg) => void seen.push(`${nodeID}:${msg.type}`) });
  const computeHost = await localHost(onCleanup, { swarmKey });
  const received: ToCompute[] = [];
  const compute = await computeOn(computeHost, onCleanup, { nodeID: "n-good", orchestrator: requester.addresses() });
  compute.setHandler({ onMessage: (msg) => void received.push(msg), streamLogs: async function* () {} });
  await compute.whenConnected();
  const peer = await localHost(onCleanup, { swarmKey });
  /** The node still serves its well-behaved peer both ways. */
  const stillServes = async () => {
    await orchestrator.send("n-good", { type: "BidAccepted", executionID: `e-${received.length}` });
    assert.equal(received.at(-1)?.type, "BidAccepted");
    await compute.send({ type: "Heartbeat", nodeID: "n-good", seq: seen.length });
    assert.equal(seen.at(-1), "n-good:Heartbeat");
  };
  return { requester, orchestrator, computeHost, compute, peer, stillServes, onCleanup };
}

test("a hello frame over the first-frame limit resets the ncl stream; the node keeps serving", async (t) => {
  const net = await network(t);
  const stream = await net.peer.libp2p.dialProtocol(net.requester.addresses(), NCL_PROTOCOL);
  stream.send(announce(MAX_FIRST_FRAME_BYTES + 1));
  const end = await drain(stream);
  assert.equal(end.reset, true);
  assert.deepEqual(end.frames, [], "no welcome for an oversized hello");
  await net.stillServes();
});

test("after the hello, a frame announcing more than the frame limit resets the session; the node keeps serving", async (t) => {
  const net = await network(t);
  const stream = await net.peer.libp2p.dialProtocol(net.requester.addresses(), NCL_PROTOCOL);
  stream.send(frame({ t: "hello", nodeID: "n-big" }));
  stream.send(announce(MAX_FRAME_BYTES + 1));
  const end = await drain(stream);
  assert.deepEqual(end.frames, [{ t: "welcome" }]);
  assert.equal(end.reset, true);
  assert.equal(net.orchestrator.connectedNodes().includes("n-big"), false, "the session ended with the reset");
  await net.stillServes();
});

test("a frame that is not JSON resets the session; the node keeps serving", async (t) => {
  const net = await network(t);
  const stream = await net.peer.libp2p.dialProtocol(net.requester.addresses(), NCL_PROTOCOL);
  stream.send(frame({ t: "hello", nodeID: "n-garbled" }));
  const garbage = new TextEncoder().encode("{not json");
  const bad = new Uint8Array(4 + garbage.byteLength);
  new DataView(bad.buffer).setUint32(0, garbage.byteLength);
  bad.set(garbage, 4);
  stream.send(bad);
  const end = await drain(stream);
  assert.equal(end.reset, true);
  await net.stillServes();
});

test("a frame left half-sent resets the session once the stall time is up; the node keeps serving", async (t) => {
  const net = await network(t, { frameStallMs: 100 });
  const stream = await net.peer.libp2p.dialProtocol(net.requester.addresses(), NCL_PROTOCOL);
  stream.send(frame({ t: "hello", nodeID: "n-stalled" }));
  // Announces 100 bytes, sends 10, and then nothing: without the stall limit this waits forever.
  stream.send(announce(100).subarray(0, 14));
  const end = await drain(stream);
  assert.deepEqual(end.frames, [{ t: "welcome" }]);
  assert.equal(end.reset, true);
  await net.stillServes();
});

test("oversized log and result requests from the requester reset their streams; the compute node keeps serving", async (t) => {
  const net = await network(t);
  for (const protocol of [LOGS_PROTOCOL, RESULTS_PROTOCOL]) {
    const stream = await net.requester.libp2p.dialProtocol(net.computeHost.addresses(), protocol);
    stream.send(announce(MAX_FIRST_FRAME_BYTES + 1));
    const end = await drain(stream);
    assert.equal(end.reset, true, `${protocol} was not reset`);
  }
  await net.stillServes();
});

test("a peer opening more ncl streams than allowed on one connection gets the extra ones reset", async (t) => {
  const net = await network(t);
  const conn = await net.peer.libp2p.dial(net.requester.addresses());
  const open: Stream[] = [];
  for (let i = 0; i < MAX_NCL_STREAMS_PER_CONNECTION; i++) {
    const s = await conn.newStream(NCL_PROTOCOL);
    s.send(frame({ t: "hello", nodeID: `n-many-${i}` }));
    open.push(s);
  }
  // Wait for each hello to be answered, so the count the requester holds is certain.
  for (const s of open) {
    const first = await s[Symbol.asyncIterator]().next();
    assert.equal(first.done, false);
  }
  await assert.rejects(async () => {
    const extra = await conn.newStream(NCL_PROTOCOL);
    extra.send(frame({ t: "hello", nodeID: "n-one-too-many" }));
    for await (const _ of extra) { /* the reset ends this */ }
  });
  assert.equal(net.orchestrator.connectedNodes().includes("n-one-too-many"), false);
  for (const s of open) s.abort(new Error("done"));
  await net.stillServes();
});
