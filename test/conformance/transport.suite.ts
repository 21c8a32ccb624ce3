/**
 * The checks every transport passes, written once against src/transport/transport.ts. A test file
 * calls `runTransportSuite` with a factory that builds one orchestrator side and N connected compute
 * sides (and registers their teardown); the suite attaches handlers and checks delivery, order,
 * replies, errors, log streams, result fetches and aborts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { BacalhauError } from "../../src/models/errors.ts";
import type { ExecutionLog, LogsRequest, Reply, ToCompute, ToOrchestrator } from "../../src/transport/messages.ts";
import type { ComputeHandler, ComputeTransport, OrchestratorTransport } from "../../src/transport/transport.ts";
import { noResults, runResultChecks } from "./transport-results.checks.ts";
import type { ResultBehaviour } from "./transport-results.checks.ts";

export interface TransportHarness {
  orchestrator: OrchestratorTransport;
  /** Connected compute sides, each with a distinct nodeID; messages can flow both ways at once. */
  computes: ComputeTransport[];
}

export interface TransportSuiteEnv {
  onCleanup(fn: () => unknown): void;
}

export type TransportFactory = (computeCount: number, env: TransportSuiteEnv) => Promise<TransportHarness>;

const COMPUTES = 3;
const MESSAGES = 40;

/** A compute handler whose behaviour each check swaps in. */
class ComputeBehaviour implements ComputeHandler, ResultBehaviour {
  received: ToCompute[] = [];
  onMessageImpl: (msg: ToCompute) => void | Promise<void> = () => undefined;
  logsImpl: (req: LogsRequest, signal: AbortSignal) => AsyncIterable<ExecutionLog> = async function* () {};
  resultImpl: (executionID: string, signal: AbortSignal) => AsyncIterable<Uint8Array> = noResults;

  onMessage(msg: ToCompute): void | Promise<void> {
    this.received.push(msg);
    return this.onMessageImpl(msg);
  }

  streamLogs(req: LogsRequest, signal: AbortSignal): AsyncIterable<ExecutionLog> {
    return this.logsImpl(req, signal);
  }

  readResult(executionID: string, signal: AbortSignal): AsyncIterable<Uint8Array> {
    return this.resultImpl(executionID, signal);
  }
}

const heartbeat = (nodeID: string, seq: number): ToOrchestrator => ({ type: "Heartbeat", nodeID, seq });

/** A message with awkward content: unicode, nesting, empty strings, big numbers. */
function richResult(i: number): ToOrchestrator {
  return {
    type: "RunResult",
    executionID: `e-${i}`,
    jobID: `j-${i}`,
    publishedResult: { Type: "local", Params: { URL: "http://127.0.0.1:6001/e.tgz", nested: { a: [1, 2, { b: "ç✓🐟" }] } } },
    runOutput: { Stdout: "line1\nline2\t\"quoted\"\u0000", StdoutTruncated: false, stderr: "", StderrTruncated: false, ExitCode: 2 ** 31 - 1, ErrorMsg: "" },
  };
}

function isCode(code: string) {
  return (err: unknown) => err instanceof BacalhauError && err.code === code;
}

export function runTransportSuite(name: string, factory: TransportFactory): void {
  test(`${name}: transport conformance`, async (t) => {
    const cleanups: Array<() => unknown> = [];
    t.after(async () => {
      for (const fn of cleanups.reverse()) await fn();
    });
    const h = await factory(COMPUTES, { onCleanup: (fn) => cleanups.push(fn) });
    assert.equal(h.computes.length, COMPUTES);
    const ids = h.computes.map((c) => c.nodeID);
    assert.equal(new Set(ids).size, COMPUTES, "compute nodeIDs are distinct");

    const got: Array<{ nodeID: string; msg: ToOrchestrator }> = [];
    let onOrch: (nodeID: string, msg: ToOrchestrator) => Reply | void | Promise<Reply | void> = () => undefined;
    h.orchestrator.setHandler({
      onMessage(nodeID, msg) {
        got.push({ nodeID, msg });
        return onOrch(nodeID, msg);
      },
    });
    const behaviours = h.computes.map((c) => {
      const b = new ComputeBehaviour();
      c.setHandler(b);
      return b;
    });

    await t.test("compute → orchestrator: every message arrives intact, named by its sender, in order", async () => {
      got.length = 0;
      // Sent without waiting, so only the transport keeps them in order.
      await Promise.all(h.computes.flatMap((c) => Array.from({ length: MESSAGES }, (_, i) => c.send(heartbeat(c.nodeID, i)))));
      for (const id of ids) {
        const seqs = got.filter((g) => g.nodeID === id).map((g) => (g.msg as { seq: number }).seq);
        assert.deepEqual(seqs, Array.from({ length: MESSAGES }, (_, i) => i), `order from ${id}`);
        for (const g of got.filter((x) => x.nodeID === id)) assert.deepEqual(g.msg, heartbeat(id, (g.msg as { seq: number }).seq));
      }
      got.length = 0;
      await h.computes[0]!.send(richResult(7));
      assert.deepEqual(got[0]!.msg, richResult(7));
    });

    await t.test("compute → orchestrator: replies come back; no reply is undefined", async () => {
      onOrch = (_id, msg) => (msg.type === "Heartbeat" && msg.seq % 2 === 1 ? { reconnect: true } : undefined);
      try {
        const replies = await Promise.all([0, 1, 2, 3].map((i) => h.computes[1]!.send(heartbeat(ids[1]!, i))));
        assert.deepEqual(replies.map((r) => r?.reconnect === true), [false, true, false, true]);
        assert.equal(replies[0], undefined);
      } finally {
        onOrch = () => undefined;
      }
    });

    await t.test("compute → orchestrator: a handler's error reaches the sender with its code", async () => {
      onOrch = () => {
        throw BacalhauError.notFound("no such execution", { component: "Orchestrator" });
      };
      try {
        await assert.rejects(h.computes[0]!.send(heartbeat(ids[0]!, 0)), (err: unknown) => {
          assert.ok(err instanceof BacalhauError);
          assert.equal(err.code, "NotFound");
          assert.match(err.message, /no such execution/);
          return true;
        });
      } finally {
        onOrch = () => undefined;
      }
    });

    await t.test("orchestrator → compute: messages reach the right node, intact and in order", async () => {
      for (const b of behaviours) b.received = [];
      const sent = new Map<string, ToCompute[]>();
      const sends: Promise<void>[] = [];
      for (const [n, id] of ids.entries()) {
        const msgs: ToCompute[] = Array.from({ length: MESSAGES }, (_, i) =>
          i % 2 === 0
            ? { type: "BidAccepted", executionID: `${id}-e${i}` }
            : { type: "CancelExecution", executionID: `${id}-e${i}`, reason: `stop ✓ ${n}` });
        sent.set(id, msgs);
        for (const m of msgs) sends.push(h.orchestrator.send(id, m));
      }
      await Promise.all(sends);
      for (const [n, id] of ids.entries()) assert.deepEqual(behaviours[n]!.received, sent.get(id));
    });

    await t.test("orchestrator → compute: send waits for the handler and carries its error", async () => {
      let handled = false;
      behaviours[2]!.onMessageImpl = async () => {
        await nextTurn();
        handled = true;
      };
      await h.orchestrator.send(ids[2]!, { type: "BidRejected", executionID: "x", reason: "r" });
      assert.equal(handled, true);
      behaviours[2]!.onMessageImpl = () => {
        throw new BacalhauError("queue full", { code: "ResourceExhausted", component: "Compute" });
      };
      await assert.rejects(h.orchestrator.send(ids[2]!, { type: "BidAccepted", executionID: "y" }), isCode("ResourceExhausted"));
      behaviours[2]!.onMessageImpl = () => undefined;
    });

    await t.test("sending to an unknown node fails with ServiceUnavailable", async () => {
      await assert.rejects(h.orchestrator.send("n-unknown", { type: "BidAccepted", executionID: "z" }), isCode("ServiceUnavailable"));
      const logs = h.orchestrator.streamLogs("n-unknown", { executionID: "z", follow: false }, new AbortController().signal);
      await assert.rejects(async () => {
        for await (const _ of logs) assert.fail("no log expected");
      }, isCode("ServiceUnavailable"));
    });

    await t.test("a log stream delivers every frame, in order, and ends", async () => {
      const lines = Array.from({ length: 500 }, (_, i): ExecutionLog => ({ Type: i % 3 === 0 ? 2 : 1, Line: `line ${i} ✓\n` }));
      let seenReq: LogsRequest | undefined;
      behaviours[1]!.logsImpl = async function* (req) {
        seenReq = req;
        yield* lines;
      };
      const out: ExecutionLog[] = [];
      const req: LogsRequest = { executionID: "e-logs", tail: 10, follow: true };
      for await (const l of h.orchestrator.streamLogs(ids[1]!, req, new AbortController().signal)) out.push(l);
      assert.deepEqual(out, lines);
      assert.deepEqual(seenReq, req);
      behaviours[1]!.logsImpl = async function* () {};
      const empty: ExecutionLog[] = [];
      for await (const l of h.orchestrator.streamLogs(ids[1]!, req, new AbortController().signal)) empty.push(l);
      assert.deepEqual(empty, []);
    });

    await t.test("a log stream's error reaches the reader", async () => {
      behaviours[0]!.logsImpl = async function* () {
        yield { Type: 1, Line: "before\n" };
        throw BacalhauError.notFound("execution e-gone not found", { component: "Compute" });
      };
      const out: ExecutionLog[] = [];
      await assert.rejects(async () => {
        for await (const l of h.orchestrator.streamLogs(ids[0]!, { executionID: "e-gone", follow: false }, new AbortController().signal)) out.push(l);
      }, isCode("NotFound"));
      assert.deepEqual(out, [{ Type: 1, Line: "before\n" }]);
    });

    // An endless follow-mode producer: only the reader going away can stop it.
    function endless(b: ComputeBehaviour): Promise<void> {
      const stopped = Promise.withResolvers<void>();
      b.logsImpl = async function* (_req, signal) {
        try {
          for (let i = 0; !signal.aborted; i++) {
            yield { Type: 1, Line: `tick ${i}\n` };
            await nextTurn();
          }
        } finally {
          stopped.resolve();
        }
      };
      return stopped.promise;
    }

    await t.test("aborting a log stream ends the reader and stops the producer", async () => {
      const stopped = endless(behaviours[2]!);
      const ctrl = new AbortController();
      const out: ExecutionLog[] = [];
      for await (const l of h.orchestrator.streamLogs(ids[2]!, { executionID: "e-follow", follow: true }, ctrl.signal)) {
        out.push(l);
        if (out.length === 3) ctrl.abort();
      }
      assert.deepEqual(out.slice(0, 3).map((l) => l.Line), ["tick 0\n", "tick 1\n", "tick 2\n"]);
      await stopped;
    });

    await t.test("a reader that stops iterating stops the producer", async () => {
      const stopped = endless(behaviours[0]!);
      let n = 0;
      for await (const _ of h.orchestrator.streamLogs(ids[0]!, { executionID: "e-break", follow: true }, new AbortController().signal)) {
        if (++n === 5) break;
      }
      await stopped;
      // The node still serves messages and new log streams afterwards.
      behaviours[0]!.logsImpl = async function* () {
        yield { Type: 1, Line: "again\n" };
      };
      const again: ExecutionLog[] = [];
      for await (const l of h.orchestrator.streamLogs(ids[0]!, { executionID: "e", follow: false }, new AbortController().signal)) again.push(l);
      assert.equal(again.length, 1);
      await h.orchestrator.send(ids[0]!, { type: "BidAccepted", executionID: "after" });
    });

    await runResultChecks(t, h.orchestrator, ids, behaviours);
  });
}
