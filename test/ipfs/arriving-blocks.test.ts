import assert from "node:assert/strict";
import { test } from "node:test";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { ArrivingBlocks } from "../../src/ipfs/arriving-blocks.ts";

const RAW_CODEC = 0x55;

async function block(text: string): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = new TextEncoder().encode(text);
  return { cid: CID.createV1(RAW_CODEC, await sha256.digest(bytes)), bytes };
}

/** A store that records which blocks were read from it. */
function recordingStore(content: Map<string, Uint8Array>) {
  const reads: string[] = [];
  const store = {
    has: async (cid: CID) => content.has(cid.toString()),
    put: async (cid: CID) => cid,
    async *get(cid: CID) {
      reads.push(cid.toString());
      const bytes = content.get(cid.toString());
      if (bytes === undefined) throw new Error(`not found ${cid}`);
      yield bytes;
    },
  };
  return { store, reads };
}

async function readAll(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new TextDecoder().decode(Buffer.concat(parts));
}

test("a read of a block still on its way waits for it and gets the arrived bytes, not the store's", async () => {
  const a = await block("first");
  const arriving = new ArrivingBlocks();
  const { store, reads } = recordingStore(new Map([[a.cid.toString(), a.bytes]]));
  const view = arriving.view(store as never);
  let settled = false;
  const read = readAll(view.get(a.cid)).finally(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false);
  arriving.stored(a.cid, a.bytes);
  assert.equal(await read, "first");
  assert.deepEqual(reads, []);
  // Kept bytes serve one read; the next goes to the store.
  assert.equal(await readAll(view.get(a.cid)), "first");
  assert.deepEqual(reads, [a.cid.toString()]);
});

test("when the stream ends, waiting and later reads go to the store (bitswap behind it)", async () => {
  const a = await block("never streamed");
  const arriving = new ArrivingBlocks();
  const { store, reads } = recordingStore(new Map([[a.cid.toString(), a.bytes]]));
  const view = arriving.view(store as never);
  const read = readAll(view.get(a.cid));
  arriving.ended();
  assert.equal(await read, "never streamed");
  assert.equal(await readAll(view.get(a.cid)), "never streamed");
  assert.deepEqual(reads, [a.cid.toString(), a.cid.toString()]);
});

test("a waiting read gives up when its signal aborts", async () => {
  const a = await block("slow");
  const arriving = new ArrivingBlocks();
  const { store } = recordingStore(new Map());
  const controller = new AbortController();
  const read = readAll(arriving.view(store as never).get(a.cid, { signal: controller.signal }));
  controller.abort(new Error("stop"));
  await assert.rejects(read, /stop/);
});
