import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPair } from "@libp2p/crypto/keys";
import { BacalhauError } from "../../src/models/errors.ts";
import type { ToOrchestrator } from "../../src/transport/messages.ts";
import { Libp2pOrchestratorTransport } from "../../src/transport/libp2p/orchestrator.ts";
import { computeOn, localHost, orchestratorOn, testSwarmKey } from "./libp2p-harness.ts";
import type { Cleanup } from "./libp2p-harness.ts";

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

/** A queue of events a test can await one by one. */
class Events<T> {
  readonly #items: T[] = [];
  readonly #waiters: Array<(v: T) => void> = [];
  push(v: T): void {
    const w = this.#waiters.shift();
    if (w) w(v);
    else this.#items.push(v);
  }
  next(): Promise<T> {
    const v = this.#items.shift();
    if (v !== undefined) return Promise.resolve(v);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

const handshake = (nodeID: string): ToOrchestrator => ({
  type: "Handshake",
  activeExecutionIDs: [], bootID: "test-boot",
  nodeInfo: { NodeID: nodeID, NodeType: "Compute", Labels: {}, SupportedProtocols: [], BacalhauVersion: { Major: "1", Minor: "0", GitVersion: "v1.0.0", GitCommit: "", BuildDate: "", GOOS: "linux", GOARCH: "amd64" } },
});

test("a compute node reconnects and handshakes again after the requester restarts on the same port and key", async (t) => {
  const onCleanup = cleanups(t);
  const swarmKey = testSwarmKey();
  const requesterKey = await generateKeyPair("Ed25519");
  const handshakes = new Events<string>();
  const disconnects = new Events<true>();

  const startRequester = async (swarmPort: number) => {
    const host = await localHost(onCleanup, { swarmKey, privateKey: requesterKey, swarmPort });
    const orch = await Libp2pOrchestratorTransport.create(host.libp2p);
    onCleanup(() => orch.close());
    orch.setHandler({
      onMessage(nodeID, msg) {
        if (msg.type === "Handshake") handshakes.push(nodeID);
      },
    });
    return { host, orch };
  };

  const first = await startRequester(0);
  const port = first.host.tcpPort();
  assert.ok(port !== undefined && port > 0);
  const computeHost = await localHost(onCleanup, { swarmKey });
  const compute = await computeOn(computeHost, onCleanup, {
    nodeID: "n-reconnect",
    orchestrator: first.host.addresses(),
    onConnected: async () => {
      await compute.send(handshake("n-reconnect"));
    },
    onDisconnected: () => disconnects.push(true),
  });
  compute.setHandler({ onMessage: () => undefined, streamLogs: async function* () {} });
  assert.equal(await handshakes.next(), "n-reconnect");
  await first.orch.send("n-reconnect", { type: "BidAccepted", executionID: "e1" });

  await first.orch.close();
  await first.host.stop();
  await disconnects.next();
  assert.equal(compute.isConnected, false);

  const second = await startRequester(port);
  assert.equal(second.host.peerId, first.host.peerId);
  assert.equal(await handshakes.next(), "n-reconnect", "handshake sent again after the reconnect");
  assert.equal(compute.connections, 2);
  const got: string[] = [];
  compute.setHandler({ onMessage: (m) => void got.push(m.type), streamLogs: async function* () {} });
  await second.orch.send("n-reconnect", { type: "BidAccepted", executionID: "e2" });
  assert.deepEqual(got, ["BidAccepted"]);
  await compute.send({ type: "Heartbeat", nodeID: "n-reconnect", seq: 1 });
});

test("the orchestrator forgets a compute node that leaves; both sides then fail with ServiceUnavailable", async (t) => {
  const onCleanup = cleanups(t);
  const swarmKey = testSwarmKey();
  const requester = await localHost(onCleanup, { swarmKey });
  const left = new Events<string>();
  const joined = new Events<string>();
  const orch = await Libp2pOrchestratorTransport.create(requester.libp2p, {
    onNodeConnected: (id) => joined.push(id),
    onNodeDisconnected: (id) => left.push(id),
  });
  onCleanup(() => orch.close());
  orch.setHandler({ onMessage: () => undefined });
  const host = await localHost(onCleanup, { swarmKey });
  const compute = await computeOn(host, onCleanup, { nodeID: "n-leaving", orchestrator: requester.addresses() });
  assert.equal(await joined.next(), "n-leaving");
  assert.equal(orch.peerOf("n-leaving"), host.peerId);
  assert.deepEqual(orch.connectedNodes(), ["n-leaving"]);

  await compute.close();
  assert.equal(await left.next(), "n-leaving");
  const unavailable = (err: unknown) => err instanceof BacalhauError && err.code === "ServiceUnavailable";
  await assert.rejects(orch.send("n-leaving", { type: "BidAccepted", executionID: "e" }), unavailable);
  await assert.rejects(compute.send({ type: "Heartbeat", nodeID: "n-leaving", seq: 0 }), unavailable);
});

test("send waits for the first connection, and gives up with ServiceUnavailable when none comes", async (t) => {
  const onCleanup = cleanups(t);
  const swarmKey = testSwarmKey();
  const requester = await localHost(onCleanup, { swarmKey });
  const addrs = requester.addresses();
  const host = await localHost(onCleanup, { swarmKey });
  // Nothing handles the ncl protocol yet: the compute side keeps retrying.
  const errors = new Events<unknown>();
  const compute = await computeOn(host, onCleanup, {
    nodeID: "n-early",
    orchestrator: addrs,
    sendWaitMs: 50,
    onError: (e) => errors.push(e),
  });
  await errors.next();
  await assert.rejects(compute.send({ type: "Heartbeat", nodeID: "n-early", seq: 0 }), (err: unknown) => err instanceof BacalhauError && err.code === "ServiceUnavailable");

  const received = new Events<string>();
  const orch = await orchestratorOn(requester, onCleanup);
  orch.setHandler({ onMessage: (id, msg) => void received.push(`${id}:${msg.type}`) });
  await compute.whenConnected();
  await compute.send({ type: "Heartbeat", nodeID: "n-early", seq: 1 });
  assert.equal(await received.next(), "n-early:Heartbeat");
});
