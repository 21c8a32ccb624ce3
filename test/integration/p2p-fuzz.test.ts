/**
 * Fuzzes every libp2p protocol a node registers itself (identify, ping and bitswap are libraries'):
 * the ncl session on both ends, logs, results, and the embedded IPFS's pin, peers and dag. A seeded,
 * bounded run of malformed input from a real swarm peer: truncated and huge length prefixes, bytes
 * that are not JSON, JSON of the wrong shape, well-formed messages carrying hostile values, streams
 * left half-open. Afterwards nothing crashed, no promise was left rejected, memory stayed bounded,
 * and both nodes still do their work. Set BACALHAU_FUZZ_SEED to replay another seed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import type { Stream } from "@libp2p/interface";
import type { NodeConfig } from "../../src/config/config.ts";
import { DAG_PROTOCOL } from "../../src/ipfs/dag-transfer.ts";
import { PEERS_PROTOCOL } from "../../src/ipfs/peer-exchange.ts";
import { PIN_PROTOCOL } from "../../src/ipfs/pin-protocol.ts";
import { readLine } from "../../src/ipfs/stream-line.ts";
import { JobStateType } from "../../src/models/types.ts";
import type { ExecutionLog } from "../../src/models/types.ts";
import { startNode } from "../../src/node/node.ts";
import type { RunningNode } from "../../src/node/node.ts";
import { readSwarmKey } from "../../src/p2p/swarm-key.ts";
import { readFrames } from "../../src/transport/libp2p/frames.ts";
import { requestLogs } from "../../src/transport/libp2p/logs.ts";
import { LOGS_PROTOCOL, NCL_PROTOCOL, RESULTS_PROTOCOL } from "../../src/transport/libp2p/protocols.ts";
import { submit, wasmJob } from "../helpers/jobs.ts";
import { testConfig } from "../helpers/node.ts";
import { computeOn, localHost } from "../transport/libp2p-harness.ts";
import type { Cleanup } from "../transport/libp2p-harness.ts";

const SEED = Number(process.env.BACALHAU_FUZZ_SEED ?? 20261204) >>> 0;
/** Cases per protocol: enough to cover every mutation many times, few enough for ~20 s a runtime. */
const CASES = 30;
/** How long one case may leave its stream open before the fuzzer resets it itself. */
const CASE_WAIT_MS = 500;
/** Heap growth over the whole run that still counts as bounded (the fuzzer sends ~tens of MiB). */
const MAX_HEAP_GROWTH = 256 * 1024 * 1024;

/** mulberry32: small, fast, and the same sequence on every runtime for a seed. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

const enc = new TextEncoder();
const VALID_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

function hostileString(r: Rng): string {
  return r.pick([
    () => "",
    () => "x".repeat(1 + r.int(40_000)),
    () => "../../../etc/passwd",
    () => "__proto__",
    () => "constructor",
    () => "\u0000\u0001\u001f\u007f",
    () => "\ud800",
    () => "💥".repeat(1 + r.int(500)),
    () => "%s%n%x",
    () => VALID_CID,
    () => "n-" + r.int(1e9).toString(36),
  ])();
}

function hostileValue(r: Rng, depth = 0): unknown {
  const leaf = [
    () => null, () => true, () => false, () => 0, () => -1, () => 2 ** 53 + 1, () => -(2 ** 31), () => 1e308, () => 0.5,
    () => hostileString(r), () => [], () => ({}),
  ];
  const nested = [
    () => Array.from({ length: 1 + r.int(4) }, () => hostileValue(r, depth + 1)),
    () => Object.fromEntries(Array.from({ length: 1 + r.int(4) }, () => [r.pick(["__proto__", "ID", "Job", "NodeID", hostileString(r).slice(0, 20)]), hostileValue(r, depth + 1)])),
    // Deep nesting: JSON that is cheap to send and expensive to walk carelessly.
    () => JSON.parse("[".repeat(500) + "]".repeat(500)),
  ];
  return depth >= 3 || r.next() < 0.6 ? r.pick(leaf)() : r.pick(nested)();
}

/** A well-formed message of `type` with some fields replaced by hostile values or dropped. */
function hostileMessage(r: Rng, template: Record<string, unknown>): Record<string, unknown> {
  const msg: Record<string, unknown> = structuredClone(template);
  const keys = Object.keys(msg).filter((k) => k !== "type");
  for (let i = 0, n = r.int(3); i < n && keys.length > 0; i++) {
    const key = r.pick(keys);
    if (r.next() < 0.2) delete msg[key];
    else msg[key] = hostileValue(r);
  }
  return msg;
}

const NODE_INFO = {
  NodeID: "", NodeType: "Compute", Labels: {}, SupportedProtocols: ["ncl/v1"],
  BacalhauVersion: { Major: "1", Minor: "0", GitVersion: "v1.0.0", GitCommit: "", BuildDate: "", GOOS: "linux", GOARCH: "amd64" },
};

function toOrchestratorTemplates(nodeID: string): Array<Record<string, unknown>> {
  const report = { executionID: "e-" + nodeID, jobID: "j-" + nodeID };
  return [
    { type: "Handshake", nodeInfo: { ...NODE_INFO, NodeID: nodeID }, activeExecutionIDs: [], bootID: "b" },
    { type: "Heartbeat", nodeID, seq: 1 },
    { type: "UpdateNodeInfo", nodeInfo: { ...NODE_INFO, NodeID: nodeID } },
    { type: "BidResult", ...report, accepted: true, reason: "" },
    { type: "ExecutionEvent", ...report, topic: "t", message: "m", newState: 6 },
    { type: "RunResult", ...report, publishedResult: { Type: "local", Params: {} }, runOutput: { Stdout: "", ExitCode: 0 } },
    { type: "ComputeError", ...report, message: "boom" },
    { type: "ShutdownNotice", nodeID, reason: "fuzz" },
    { type: hostileString(prng(1)).slice(0, 30) },
  ];
}

const TO_COMPUTE_TEMPLATES: Array<Record<string, unknown>> = [
  { type: "AskForBid", run: false, execution: { ID: "e-fuzz", JobID: "j-fuzz", NodeID: "n-fuzz-compute", Job: { ID: "j-fuzz", Tasks: [] } } },
  { type: "AskForBid", run: true, execution: { ID: "e-fuzz-run", JobID: "j-fuzz", Job: { Tasks: [{ Engine: { Type: "wasm", Params: {} } }] } } },
  { type: "BidAccepted", executionID: "e-fuzz" },
  { type: "BidRejected", executionID: "e-fuzz", reason: "no" },
  { type: "CancelExecution", executionID: "e-fuzz", reason: "fuzz" },
];

function frameOf(value: unknown): Uint8Array {
  const json = enc.encode(JSON.stringify(value));
  const out = new Uint8Array(4 + json.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength);
  out.set(json, 4);
  return out;
}

function lengthPrefix(len: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, len >>> 0);
  return out;
}

/**
 * One malformed (or hostile but well-formed) length-prefixed frame. `valid` builds a frame the
 * protocol expects, so mutations of it reach past the framing into the handlers.
 */
function fuzzFrame(r: Rng, valid: () => unknown): Uint8Array[] {
  switch (r.int(9)) {
    case 0: return [lengthPrefix(r.int(2 ** 32)).subarray(0, 1 + r.int(3))]; // truncated length prefix
    case 1: return [lengthPrefix(r.pick([2 ** 32 - 1, 2 ** 31, 64 * 1024 * 1024 + 1, 65 * 1024])), r.bytes(r.int(64))]; // huge length
    case 2: { const f = frameOf(valid()); return [f.subarray(0, 4 + r.int(Math.max(1, f.byteLength - 4)))]; } // cut short
    case 3: { const junk = r.bytes(1 + r.int(200)); return [lengthPrefix(junk.byteLength), junk]; } // not JSON
    case 4: return [frameOf(r.pick([42, "hello", [1, 2], null, true]))]; // JSON, not an object
    case 5: return [r.bytes(1 + r.int(512))]; // noise
    case 6: { const f = frameOf(valid()); return Array.from(f, (b) => Uint8Array.of(b)).slice(0, 200); } // dribbled byte by byte
    default: return [frameOf(valid())]; // well-formed frame, hostile content
  }
}

/** One request line for the IPFS protocols: hostile JSON, no newline, too long, or binary. */
function fuzzLine(r: Rng): Uint8Array[] {
  switch (r.int(6)) {
    case 0: return [enc.encode(`${JSON.stringify({ CID: hostileValue(r) })}\n`)];
    case 1: return [enc.encode(JSON.stringify({ CID: hostileString(r) }))]; // no newline, then closed
    case 2: return [enc.encode("{".repeat(17 * 1024 + r.int(300 * 1024)))]; // over the line limit
    case 3: return [r.bytes(1 + r.int(512)), Uint8Array.of(0x0a)];
    case 4: return [enc.encode(`${JSON.stringify(hostileValue(r))}\n`)];
    default: return [enc.encode(`{"CID": ${JSON.stringify(hostileString(r))}}\n{"CID": "${VALID_CID}"}\n`)];
  }
}

/**
 * Sends `chunks`, maybe closes the write side, then reads until the node ends the stream, resetting
 * it ourselves after CASE_WAIT_MS (a hostile request may legitimately wait, e.g. a pin of content
 * nobody has). What the node answers is not the point; that it survives is.
 */
async function play(stream: Stream, chunks: Uint8Array[], closeWrite: boolean): Promise<number> {
  let received = 0;
  const timer = setTimeout(() => stream.abort(new Error("fuzz case over")), CASE_WAIT_MS);
  try {
    for (const c of chunks) {
      if (stream.status !== "open") break;
      if (!stream.send(c)) await stream.onDrain();
    }
    // Closing our side completes only when the node closes its side too: not awaited here.
    if (closeWrite && stream.status === "open") void stream.close().catch(() => undefined);
    for await (const chunk of stream) received += chunk.byteLength;
  } catch {
    // Reset by the node (or by us): expected for most cases.
  } finally {
    clearTimeout(timer);
    if (stream.status === "open") stream.abort(new Error("fuzz case over"));
  }
  return received;
}

function cleanups(t: { after(fn: () => unknown): void }): Cleanup {
  const fns: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of fns.reverse()) await fn();
  });
  return (fn) => fns.push(fn);
}

async function start(onCleanup: Cleanup, edit: (cfg: NodeConfig) => void): Promise<RunningNode> {
  const dir = mkdtempSync(join(tmpdir(), "bacalhau-fuzz-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const node = await startNode(testConfig(dir, (c) => {
    c.P2P.Enabled = true;
    c.P2P.ListenHost = "127.0.0.1";
    c.P2P.SwarmPort = 0;
    edit(c);
  }));
  onCleanup(() => node.stop());
  return node;
}

/** A queue of incoming streams a test awaits one by one. */
class Incoming {
  readonly #items: Stream[] = [];
  readonly #waiters: Array<(s: Stream) => void> = [];
  push(s: Stream): void {
    const w = this.#waiters.shift();
    if (w) w(s);
    else this.#items.push(s);
  }
  next(): Promise<Stream> {
    const s = this.#items.shift();
    return s ? Promise.resolve(s) : new Promise((resolve) => this.#waiters.push(resolve));
  }
}

test(`fuzzing every node protocol over a real swarm (seed ${SEED}) leaves both nodes up and serving`, async (t) => {
  const onCleanup = cleanups(t);
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  onCleanup(() => process.off("unhandledRejection", onRejection));
  const r = prng(SEED);

  // The requester (hybrid, with the embedded IPFS): ncl, pin, peers and dag.
  const requester = await start(onCleanup, (c) => {
    c.IPFS.PrivateInternal = true;
    c.Labels = { fuzz: "home" };
  });
  const swarmKey = await readSwarmKey(requester.p2p!.swarmKeyFile);
  const fuzzer = await localHost(onCleanup, { swarmKey });
  const reqAddrs = requester.p2p!.host.addresses();

  // The fuzzer is also the requester of a compute-only node, so it can reach that node's side of
  // ncl and the logs and results protocols that only the joined requester may use.
  const nclSessions = new Incoming();
  await fuzzer.libp2p.handle(NCL_PROTOCOL, (stream) => nclSessions.push(stream), { maxInboundStreams: 64 });
  const computeStarting = start(onCleanup, (c) => {
    c.Name = "n-fuzz-compute";
    c.Orchestrator.Enabled = false;
    c.P2P.Peers = fuzzer.addresses().map(String);
    c.P2P.SwarmKeyFile = requester.p2p!.swarmKeyFile;
  });
  /** Welcomes the compute node's session and answers its requests, as a requester would. */
  const welcome = async (stream: Stream) => {
    const frames = readFrames(stream);
    const hello = (await frames.next()).value as { t: string; nodeID: string };
    assert.equal(hello.t, "hello");
    stream.send(frameOf({ t: "welcome" }));
    const first = Promise.withResolvers<{ type?: string; nodeInfo?: { NodeID?: string } }>();
    void (async () => {
      try {
        for await (const f of frames) {
          const req = f as { t?: string; id?: number; msg?: { type?: string } };
          if (req.t !== "req") continue;
          first.resolve(req.msg ?? {});
          if (stream.status === "open") stream.send(frameOf({ t: "res", id: req.id }));
        }
      } catch { /* the fuzz case reset it */ }
    })();
    return { hello, firstRequest: first.promise };
  };
  let session = await nclSessions.next();
  await welcome(session);
  const compute = await computeStarting;
  const heapBefore = process.memoryUsage().heapUsed;

  const nodeIDs = (i: number) => `n-fuzz-${i}`;
  const counts: Record<string, number> = {};
  const count = (p: string) => void (counts[p] = (counts[p] ?? 0) + 1);

  // The requester's ncl: a hello (sometimes hostile), then fuzzed frames.
  for (let i = 0; i < CASES; i++) {
    const stream = await fuzzer.libp2p.dialProtocol(reqAddrs, NCL_PROTOCOL);
    const id = nodeIDs(i);
    const hello = r.next() < 0.25 ? { t: "hello", nodeID: hostileValue(r), token: hostileValue(r) } : { t: "hello", nodeID: id };
    const chunks = [frameOf(hello)];
    for (let k = 0, n = 1 + r.int(4); k < n; k++) {
      chunks.push(...fuzzFrame(r, () => ({ t: r.pick(["req", "req", "res", "welcome", "hello"]), id: r.pick([1, -1, 0.5, "1", 2 ** 60]), msg: hostileMessage(r, r.pick(toOrchestratorTemplates(id))) })));
    }
    await play(stream, chunks, r.next() < 0.7);
    count("ncl (requester)");
  }

  // The compute node's ncl: fuzzed frames down the session it opened to us.
  for (let i = 0; i < CASES / 2; i++) {
    const chunks: Uint8Array[] = [];
    for (let k = 0, n = 1 + r.int(3); k < n; k++) {
      chunks.push(...fuzzFrame(r, () => ({ t: "req", id: 1000 + i * 10 + k, msg: hostileMessage(r, r.pick(TO_COMPUTE_TEMPLATES)) })));
    }
    for (const c of chunks) if (session.status === "open") session.send(c);
    // A frame the compute node cannot read ends its session; it dials again and handshakes.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (session.status !== "open") {
      session = await nclSessions.next();
      await welcome(session);
    }
    count("ncl (compute)");
  }

  // Logs and results on the compute node, as its requester.
  const computeAddrs = compute.p2p!.host.addresses();
  const executionID = () => r.pick(["e-fuzz", "e-fuzz-run", hostileString(r)]);
  const streamCases: Array<[string, () => Uint8Array[]]> = [
    [LOGS_PROTOCOL, () => fuzzFrame(r, () => ({ t: r.pick(["logs", "log", "end"]), req: r.next() < 0.5 ? hostileValue(r) : { executionID: executionID(), follow: r.next() < 0.5, tail: hostileValue(r) } }))],
    [RESULTS_PROTOCOL, () => fuzzFrame(r, () => ({ t: r.pick(["result", "results"]), executionID: r.next() < 0.7 ? executionID() : hostileValue(r) }))],
    [PIN_PROTOCOL, () => fuzzLine(r)],
    [DAG_PROTOCOL, () => fuzzLine(r)],
    [PEERS_PROTOCOL, () => (r.next() < 0.5 ? fuzzLine(r) : [])],
  ];
  for (const [protocol, make] of streamCases) {
    const target = protocol === LOGS_PROTOCOL || protocol === RESULTS_PROTOCOL ? computeAddrs : reqAddrs;
    // Eight at a time, within every protocol's per-connection stream limit.
    // Drawn up front, so a seed always means the same cases whatever the timing.
    const cases = Array.from({ length: CASES }, () => ({ chunks: make(), closeWrite: r.next() < 0.7 }));
    for (let i = 0; i < CASES; i += 8) {
      await Promise.all(cases.slice(i, i + 8).map(async ({ chunks, closeWrite }) => {
        const stream = await fuzzer.libp2p.dialProtocol(target, protocol);
        await play(stream, chunks, closeWrite);
        count(protocol);
      }));
    }
  }
  t.diagnostic(`cases: ${JSON.stringify(counts)}`);

  // Nothing escaped, memory is bounded.
  assert.deepEqual(rejections, [], "unhandled rejections during the fuzz");
  const growth = process.memoryUsage().heapUsed - heapBefore;
  t.diagnostic(`heap growth: ${(growth / 1024 / 1024).toFixed(1)} MiB`);
  assert.ok(growth < MAX_HEAP_GROWTH, `heap grew by ${growth} bytes`);

  // The requester still answers its API, runs jobs, welcomes a well-behaved node and answers IPFS asks.
  const alive = await fetch(`${requester.apiURL}/api/v1/agent/alive`);
  assert.equal(alive.status, 200);
  await alive.body?.cancel();
  const { JobID } = await submit(requester.apiURL, {
    ...wasmJob("hello", { args: ["after fuzz"] }),
    Constraints: [{ Key: "fuzz", Operator: "=", Values: ["home"] }],
  });
  const job = await requester.orchestrator!.waitForJob(JobID, [JobStateType.Completed, JobStateType.Failed, JobStateType.Stopped]);
  assert.equal(job.State.StateType, JobStateType.Completed, JSON.stringify(job.State));
  const good = await computeOn(await localHost(onCleanup, { swarmKey }), onCleanup, { nodeID: "n-well-behaved", orchestrator: reqAddrs });
  good.setHandler({ onMessage: () => undefined, streamLogs: async function* () {} });
  await good.whenConnected();
  await good.send({ type: "Handshake", nodeInfo: { ...NODE_INFO, NodeID: "n-well-behaved" }, activeExecutionIDs: [], bootID: "b" });
  assert.equal(requester.orchestrator!.nodes.isConnected("n-well-behaved"), true);
  const peers = await fuzzer.libp2p.dialProtocol(reqAddrs, PEERS_PROTOCOL);
  const line = await readLine(peers, 256 * 1024);
  peers.abort(new Error("read"));
  const list = JSON.parse(line) as Array<{ id: string }>;
  assert.ok(Array.isArray(list));

  // The compute node still answers its requester: a logs request gets a proper answer.
  const lines: ExecutionLog[] = [];
  for await (const l of requestLogs(fuzzer.libp2p, compute.p2p!.host.libp2p.peerId, { executionID: "e-unknown", follow: false }, AbortSignal.timeout(10_000))) {
    lines.push(l);
  }
  assert.deepEqual(lines, [], "an execution the node never held has no logs");
  // And its ncl session comes back: dropped by us (a fuzz frame may have left it mid-frame), the
  // compute node dials again and handshakes as itself.
  session.abort(new Error("fuzz over"));
  const again = await welcome(await nclSessions.next().then(async (s) => (s.status === "open" ? s : nclSessions.next())));
  assert.equal(again.hello.nodeID, "n-fuzz-compute");
  const handshake = await again.firstRequest;
  assert.equal(handshake.type, "Handshake");
  assert.equal(handshake.nodeInfo?.NodeID, "n-fuzz-compute");
  assert.deepEqual(rejections, [], "unhandled rejections after the fuzz");
});
