import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { DedupFsBlockstore } from "../../src/ipfs/blockstore.ts";
import { cleanups, tempDir } from "./helpers.ts";

async function read(store: DedupFsBlockstore, cid: CID): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.get(cid)) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

test("concurrent puts of one block all succeed and store it once", async (t) => {
  const onCleanup = cleanups(t);
  const store = new DedupFsBlockstore(join(await tempDir(onCleanup), "blocks"));
  await store.open();
  onCleanup(() => store.close());
  const bytes = new TextEncoder().encode("the same block, many times");
  const cid = CID.createV1(raw.code, await sha256.digest(bytes));
  const puts = await Promise.all(Array.from({ length: 20 }, () => store.put(cid, bytes)));
  assert.ok(puts.every((c) => c.equals(cid)));
  assert.deepEqual(await read(store, cid), bytes);
  // Later puts (nothing in flight) write again without trouble.
  await store.put(cid, bytes);
  assert.equal(await store.has(cid), true);
});
