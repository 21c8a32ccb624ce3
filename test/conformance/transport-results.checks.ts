/**
 * The result-fetch part of the transport suite: a big result streams intact, a missing one is
 * NotFound, and a reader that aborts or stops stops the compute side's producer.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { BacalhauError } from "../../src/models/errors.ts";
import type { OrchestratorTransport } from "../../src/transport/transport.ts";

/** What the checks need from a compute handler: a swappable result producer. */
export interface ResultBehaviour {
  resultImpl: (executionID: string, signal: AbortSignal) => AsyncIterable<Uint8Array>;
}

export const noResults = async function* (executionID: string): AsyncIterable<Uint8Array> {
  throw BacalhauError.notFound(`no published result for execution ${executionID}`, { component: "Compute" });
};

const MiB = 1024 * 1024;

function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65536)));
  return out;
}

/** Uneven pieces, including one larger than any single wire frame. */
function* pieces(bytes: Uint8Array): Generator<Uint8Array> {
  const sizes = [1, 7, 65536, 2 * MiB + 3, 100_000];
  let at = 0;
  for (let i = 0; at < bytes.byteLength; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of it) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const isCode = (code: string) => (err: unknown) => err instanceof BacalhauError && err.code === code;

/** An endless producer: only the reader going away can stop it. */
function endless(b: ResultBehaviour): Promise<void> {
  const stopped = Promise.withResolvers<void>();
  b.resultImpl = async function* (_id, signal) {
    try {
      while (!signal.aborted) {
        yield new Uint8Array(4096).fill(7);
        await nextTurn();
      }
    } finally {
      stopped.resolve();
    }
  };
  return stopped.promise;
}

export async function runResultChecks(
  t: TestContext,
  orchestrator: OrchestratorTransport,
  ids: string[],
  behaviours: ResultBehaviour[],
): Promise<void> {
  const signal = () => new AbortController().signal;

  await t.test("a 5 MiB result streams intact from the node that holds it", async () => {
    const bytes = randomBytes(5 * MiB);
    let asked: string | undefined;
    behaviours[1]!.resultImpl = async function* (executionID) {
      asked = executionID;
      yield* pieces(bytes);
    };
    try {
      const got = await collect(orchestrator.fetchResult(ids[1]!, "e-big", signal()));
      assert.equal(asked, "e-big");
      assert.equal(got.byteLength, bytes.byteLength);
      assert.ok(Buffer.from(got).equals(Buffer.from(bytes)), "the bytes are the same");
      behaviours[1]!.resultImpl = async function* () {};
      assert.equal((await collect(orchestrator.fetchResult(ids[1]!, "e-empty", signal()))).byteLength, 0);
    } finally {
      behaviours[1]!.resultImpl = noResults;
    }
  });

  await t.test("an unknown execution is NotFound; an unknown node is ServiceUnavailable", async () => {
    await assert.rejects(collect(orchestrator.fetchResult(ids[0]!, "e-nothere", signal())), (err: unknown) => {
      assert.ok(isCode("NotFound")(err), String(err));
      assert.match((err as Error).message, /e-nothere/);
      return true;
    });
    await assert.rejects(collect(orchestrator.fetchResult("n-unknown", "e", signal())), isCode("ServiceUnavailable"));
  });

  await t.test("a result's error after some bytes reaches the reader", async () => {
    behaviours[2]!.resultImpl = async function* () {
      yield new Uint8Array([1, 2, 3]);
      throw new BacalhauError("disk went away", { code: "InternalError", component: "Compute" });
    };
    try {
      const got: number[] = [];
      await assert.rejects(async () => {
        for await (const p of orchestrator.fetchResult(ids[2]!, "e-broken", signal())) got.push(...p);
      }, isCode("InternalError"));
      assert.deepEqual(got, [1, 2, 3]);
    } finally {
      behaviours[2]!.resultImpl = noResults;
    }
  });

  await t.test("aborting a result fetch ends the reader and stops the producer", async () => {
    const stopped = endless(behaviours[2]!);
    const ctrl = new AbortController();
    let n = 0;
    for await (const _ of orchestrator.fetchResult(ids[2]!, "e-abort", ctrl.signal)) {
      if (++n === 3) ctrl.abort();
    }
    assert.ok(n >= 3);
    await stopped;
    behaviours[2]!.resultImpl = noResults;
  });

  await t.test("a result reader that stops iterating stops the producer; the node serves again", async () => {
    const stopped = endless(behaviours[0]!);
    let n = 0;
    for await (const _ of orchestrator.fetchResult(ids[0]!, "e-break", signal())) {
      if (++n === 5) break;
    }
    await stopped;
    behaviours[0]!.resultImpl = async function* () {
      yield new Uint8Array([42]);
    };
    assert.deepEqual([...await collect(orchestrator.fetchResult(ids[0]!, "e", signal()))], [42]);
    behaviours[0]!.resultImpl = noResults;
  });
}
