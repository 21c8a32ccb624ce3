/**
 * A node's ID belongs to the libp2p peer that first joined with it, a node speaks only for itself,
 * a compute node answers only the requester it joined, and a requester can ask for a node token.
 * Real nodes (startNode) on a private swarm on 127.0.0.1; the other peers are real libp2p hosts
 * holding the swarm key, speaking the ncl protocol with the library's own compute transport.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { TestContext } from "node:test";
import type { NodeConfig } from "../../src/config/config.ts";
import { BacalhauError } from "../../src/models/errors.ts";
import { ExecutionStateType, JobStateType, NodeConnection } from "../../src/models/types.ts";
import type { Execution } from "../../src/models/types.ts";
import { startNode } from "../../src/node/node.ts";
import type { RunningNode } from "../../src/node/node.ts";
import { readSwarmKey } from "../../src/p2p/swarm-key.ts";
import { RefusedError } from "../../src/transport/libp2p/compute.ts";
import type { Libp2pComputeTransport } from "../../src/transport/libp2p/compute.ts";
import { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "../../src/transport/libp2p/protocols.ts";
import type { ToOrchestrator } from "../../src/transport/messages.ts";
import { submit, wasmJob } from "../helpers/jobs.ts";
import { testConfig } from "../helpers/node.ts";
import { computeOn, localHost } from "../transport/libp2p-harness.ts";
import type { Cleanup } from "../transport/libp2p-harness.ts";

const TERMINAL = [JobStateType.Completed, JobStateType.Failed, JobStateType.Stopped];

function cleanups(t: TestContext): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

interface Started {
  node: RunningNode;
  logs: string[];
}

async function start(onCleanup: Cleanup, edit: (cfg: NodeConfig) => void, dataDir?: string): Promise<Started> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "bacalhau-identity-"));
  if (dataDir === undefined) onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const logs: string[] = [];
  const cfg = testConfig(dir, (c) => {
    c.P2P.Enabled = true;
    c.P2P.ListenHost = "127.0.0.1";
    c.P2P.SwarmPort = 0;
    edit(c);
  });
  const node = await startNode(cfg, { log: (m) => logs.push(m) });
  onCleanup(() => node.stop());
  return { node, logs };
}

function startRequester(onCleanup: Cleanup, edit: (cfg: NodeConfig) => void = () => {}, dataDir?: string): Promise<Started> {
  return start(onCleanup, (c) => {
    c.Compute.Enabled = false;
    edit(c);
  }, dataDir);
}

function startCompute(onCleanup: Cleanup, requester: RunningNode, name: string, edit: (cfg: NodeConfig) => void = () => {}): Promise<Started> {
  return start(onCleanup, (c) => {
    c.Name = name;
    c.Orchestrator.Enabled = false;
    c.P2P.Peers = requester.p2p!.host.addresses().map(String);
    c.P2P.SwarmKeyFile = requester.p2p!.swarmKeyFile;
    edit(c);
  });
}

/** Waits for a state no event announces (the node manager's view), checking every 20 ms. */
async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Another swarm member: a real host holding the swarm key, joining the requester as `nodeID`. */
async function swarmPeer(onCleanup: Cleanup, requester: RunningNode, nodeID: string, token?: string) {
  const swarmKey = await readSwarmKey(requester.p2p!.swarmKeyFile);
  const host = await localHost(onCleanup, { swarmKey });
  const errors: unknown[] = [];
  let refused: (err: RefusedError) => void = () => {};
  const refusal = new Promise<RefusedError>((resolve) => (refused = resolve));
  const transport: Libp2pComputeTransport = await computeOn(host, onCleanup, {
    nodeID,
    token,
    orchestrator: requester.p2p!.host.addresses(),
    onError: (err) => {
      errors.push(err);
      if (err instanceof RefusedError) refused(err);
    },
  });
  transport.setHandler({ onMessage: () => undefined, streamLogs: async function* () {} });
  return { host, transport, refusal, errors };
}

/** Which of a refusal and a welcome comes first. */
function firstOf(peer: { transport: Libp2pComputeTransport; refusal: Promise<RefusedError> }): Promise<RefusedError | "welcomed"> {
  return Promise.race([peer.refusal, peer.transport.whenConnected().then(() => "welcomed" as const)]);
}

async function runJob(requester: RunningNode, module: string, args: string[] = []) {
  const { JobID } = await submit(requester.apiURL, wasmJob(module, { args }));
  return requester.orchestrator!.waitForJob(JobID, TERMINAL);
}

test("a hello claiming a connected node's ID from another peer is refused; the real node keeps its session and runs jobs", async (t) => {
  const onCleanup = cleanups(t);
  const { node: requester, logs } = await startRequester(onCleanup);
  const { node: real } = await startCompute(onCleanup, requester, "n-real");
  const nodes = requester.orchestrator!.nodes;
  await eventually("n-real connected", () => nodes.isConnected("n-real"));

  const impostor = await swarmPeer(onCleanup, requester, "n-real");
  const outcome = await firstOf(impostor);
  assert.ok(outcome instanceof RefusedError, "the impostor must be refused, not welcomed");
  assert.match(outcome.message, /refused node n-real: node ID n-real belongs to another peer/);
  assert.ok(logs.some((l) => l.includes(`refused node n-real from peer ${impostor.host.peerId}`)), logs.join("\n"));

  assert.equal(nodes.isConnected("n-real"), true);
  const job = await runJob(requester, "hello", ["owner"]);
  assert.equal(job.State.StateType, JobStateType.Completed);
  const [exec] = requester.orchestrator!.store.getExecutions(job.ID);
  assert.equal(exec!.NodeID, "n-real");
  assert.equal(exec!.RunOutput?.Stdout, "Hello, owner!\n");
  assert.equal(real.compute!.nodeID, "n-real");
});

test("a node's messages naming another node or its executions are refused or dropped, and logged", async (t) => {
  const onCleanup = cleanups(t);
  const { node: requester, logs } = await startRequester(onCleanup);
  await startCompute(onCleanup, requester, "n-victim");
  const orch = requester.orchestrator!;
  await eventually("n-victim connected", () => orch.nodes.isConnected("n-victim"));
  const victimInfo = orch.nodes.get("n-victim")!.Info;

  // A job that runs until stopped, so its execution is live while the other node lies about it.
  const { JobID } = await submit(requester.apiURL, wasmJob("loop"));
  await orch.waitForJob(JobID, [JobStateType.Running]);
  let exec: Execution | undefined;
  const live = (e: Execution) => e.ComputeState.StateType === ExecutionStateType.BidAccepted || e.ComputeState.StateType === ExecutionStateType.Running;
  await eventually("the loop started", () => {
    exec = orch.store.getExecutions(JobID).find(live);
    return exec !== undefined;
  });

  // The liar joins under its own name (that is allowed) and then speaks for the victim.
  const liar = await swarmPeer(onCleanup, requester, "n-liar");
  assert.equal(await firstOf(liar), "welcomed");
  const refusedSend = async (msg: ToOrchestrator) => {
    const err = await liar.transport.send(msg).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof BacalhauError, `${msg.type} naming another node must be refused`);
    assert.match(err.message, new RegExp(`a ${msg.type} from node n-liar must name that node`));
  };
  await refusedSend({ type: "ShutdownNotice", nodeID: "n-victim", reason: "taken over" });
  await refusedSend({ type: "Heartbeat", nodeID: "n-victim", seq: 1 });
  await refusedSend({ type: "Handshake", nodeInfo: { ...victimInfo, Labels: { owner: "liar" } }, activeExecutionIDs: [], bootID: "liar" });
  await refusedSend({ type: "UpdateNodeInfo", nodeInfo: { ...victimInfo, Labels: { owner: "liar" } } });
  // A report about the victim's execution is dropped (answered, not applied).
  await liar.transport.send({
    type: "RunResult", executionID: exec!.ID, jobID: JobID,
    publishedResult: { Type: "noop", Params: {} }, runOutput: { Stdout: "forged", StdoutTruncated: false, stderr: "", StderrTruncated: false, ExitCode: 0, ErrorMsg: "" },
  });

  assert.equal(orch.nodes.get("n-victim")!.Connection, NodeConnection.Connected);
  assert.deepEqual(orch.nodes.get("n-victim")!.Info.Labels, victimInfo.Labels);
  assert.equal(orch.nodes.get("n-liar"), undefined, "the liar never handshook as itself");
  const after = orch.store.getExecution(exec!.ID);
  assert.ok(live(after), "the victim's execution is still running");
  assert.equal(after.RunOutput?.Stdout, undefined);
  assert.ok(logs.some((l) => l.includes(`ignoring RunResult for ${exec!.ID} from n-liar: it belongs to n-victim`)), logs.join("\n"));
  assert.ok(logs.some((l) => l.includes("ignoring ShutdownNotice from node n-liar: it names node n-victim")), logs.join("\n"));

  orch.stopJob(JobID, "default", "test over");
  await orch.waitForJob(JobID, TERMINAL);
});

test("a compute node takes orchestration and serves logs and results only to the requester it joined", async (t) => {
  const onCleanup = cleanups(t);
  const { node: requester } = await startRequester(onCleanup);
  const { node: compute } = await startCompute(onCleanup, requester, "n-guarded");
  await eventually("n-guarded connected", () => requester.orchestrator!.nodes.isConnected("n-guarded"));
  const job = await runJob(requester, "hello", ["guarded"]);
  assert.equal(job.State.StateType, JobStateType.Completed);
  const [exec] = requester.orchestrator!.store.getExecutions(job.ID);

  const stranger = await localHost(onCleanup, { swarmKey: await readSwarmKey(requester.p2p!.swarmKeyFile) });
  const target = compute.p2p!.host.addresses();
  // No ncl endpoint to push an AskForBid into: the compute node dials its requester itself.
  await assert.rejects(stranger.libp2p.dialProtocol(target, NCL_PROTOCOL));
  // Logs and results are reset before the request is read: nothing comes back.
  for (const protocol of [LOGS_PROTOCOL, RESULTS_PROTOCOL]) {
    const stream = await stranger.libp2p.dialProtocol(target, protocol);
    const body = JSON.stringify(protocol === LOGS_PROTOCOL
      ? { t: "logs", req: { executionID: exec!.ID, follow: false } }
      : { t: "result", executionID: exec!.ID });
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setUint32(0, body.length);
    frame.set(new TextEncoder().encode(body), 4);
    let received = 0;
    // The reset may come before the request is even written; either way the stream fails.
    await assert.rejects(async () => {
      stream.send(frame);
      for await (const chunk of stream) received += chunk.byteLength;
    });
    assert.equal(received, 0, `${protocol} answered a stranger`);
  }

  // The requester it joined still gets them.
  const logLines: string[] = [];
  for await (const log of requester.orchestrator!.streamLogs({ jobID: job.ID, executionID: exec!.ID, follow: false }, AbortSignal.timeout(10_000))) {
    logLines.push(log.Line);
  }
  assert.deepEqual(logLines.join(""), "Hello, guarded!\n");
});

test("with Orchestrator.Auth.Token set, a node without the token or with a wrong one is refused at hello (reason on both sides); the right one joins and runs jobs", async (t) => {
  const onCleanup = cleanups(t);
  const { node: requester, logs } = await startRequester(onCleanup, (c) => (c.Orchestrator.Auth.Token = "correct horse battery staple"));

  const none = await swarmPeer(onCleanup, requester, "n-no-token");
  const refusedNone = await firstOf(none);
  assert.ok(refusedNone instanceof RefusedError);
  assert.match(refusedNone.message, /refused node n-no-token: this requester requires a node token and none was sent/);

  const wrong = await swarmPeer(onCleanup, requester, "n-wrong-token", "correct horse battery stapler");
  const refusedWrong = await firstOf(wrong);
  assert.ok(refusedWrong instanceof RefusedError);
  assert.match(refusedWrong.message, /refused node n-wrong-token: the node token does not match/);

  assert.ok(logs.some((l) => /refused node n-no-token from peer \S+: this requester requires a node token/.test(l)), logs.join("\n"));
  assert.ok(logs.some((l) => /refused node n-wrong-token from peer \S+: the node token does not match/.test(l)), logs.join("\n"));
  assert.equal(requester.orchestrator!.nodes.get("n-no-token"), undefined);
  assert.equal(requester.orchestrator!.nodes.get("n-wrong-token"), undefined);

  await startCompute(onCleanup, requester, "n-token", (c) => (c.Compute.Auth.Token = "correct horse battery staple"));
  await eventually("n-token connected", () => requester.orchestrator!.nodes.isConnected("n-token"));
  const job = await runJob(requester, "hello", ["token"]);
  assert.equal(job.State.StateType, JobStateType.Completed);

  // The API shows that a token is set, never the token.
  const config = await (await fetch(`${requester.apiURL}/api/v1/agent/config`)).text();
  assert.ok(!config.includes("correct horse"), "the token leaked through the config API");
});

test("a node's name stays its own while it is away; once the operator deletes the node, a new peer may take the name", async (t) => {
  const onCleanup = cleanups(t);
  const { node: requester } = await startRequester(onCleanup);
  const { node: away } = await startCompute(onCleanup, requester, "n-away");
  const nodes = requester.orchestrator!.nodes;
  await eventually("n-away connected", () => nodes.isConnected("n-away"));
  await away.stop();
  await eventually("n-away disconnected", () => !nodes.isConnected("n-away"));

  const early = await swarmPeer(onCleanup, requester, "n-away");
  const refused = await firstOf(early);
  assert.ok(refused instanceof RefusedError, "the name of a node that is only away must not be taken");
  assert.match(refused.message, /belongs to another peer/);
  await early.transport.close();

  requester.orchestrator!.updateNode("n-away", "delete", "");
  const successor = await swarmPeer(onCleanup, requester, "n-away");
  assert.equal(await firstOf(successor), "welcomed");
});

test("which peer owns a node ID survives a requester restart", async (t) => {
  const onCleanup = cleanups(t);
  const dir = mkdtempSync(join(tmpdir(), "bacalhau-identity-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const { node: first } = await startRequester(onCleanup, () => {}, dir);
  const { node: kept } = await startCompute(onCleanup, first, "n-kept");
  await eventually("n-kept connected", () => first.orchestrator!.nodes.isConnected("n-kept"));
  await kept.stop();
  await first.stop();

  const { node: second } = await startRequester(onCleanup, () => {}, dir);
  assert.equal(second.orchestrator!.nodes.isConnected("n-kept"), false);
  const impostor = await swarmPeer(onCleanup, second, "n-kept");
  const refused = await firstOf(impostor);
  assert.ok(refused instanceof RefusedError, "a restarted requester must still know whose name n-kept is");
  assert.match(refused.message, /node ID n-kept belongs to another peer/);
});
