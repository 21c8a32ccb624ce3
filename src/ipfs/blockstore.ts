/**
 * blockstore-fs with two fixes. It writes each block through a temp file named after the block, so
 * two concurrent puts of the same block (identical files in a folder, the empty-folder node that
 * every folder starts from) race on that temp file, and the loser retries its rename for up to a
 * second: here a put of a block that is already being written waits for that write instead. And it
 * reads a block as a stream of 64 KiB pieces that every reader then joins again: here a block is
 * read in one piece (the same files, found the same way).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import type { CID } from "multiformats/cid";
import { blockKey } from "./cid.ts";

type PutArgs = Parameters<FsBlockstore["put"]>;
type GetArgs = Parameters<FsBlockstore["get"]>;

export class DedupFsBlockstore extends FsBlockstore {
  readonly #writing = new Map<string, Promise<CID>>();
  readonly #sharding: NextToLast;

  constructor(location: string) {
    // The store's own default layout, kept here so that reads can find a block's file.
    const sharding = new NextToLast();
    super(location, { shardingStrategy: sharding });
    this.#sharding = sharding;
  }

  override async *get(key: GetArgs[0], options?: GetArgs[1]): AsyncGenerator<Uint8Array> {
    const { dir, file } = this.#sharding.encode(key);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.path, dir, file), { signal: options?.signal });
    } catch {
      options?.signal?.throwIfAborted();
      // The parent's read turns a missing block into the error callers expect.
      yield* super.get(key, options);
      return;
    }
    yield bytes;
  }

  override put(key: CID, val: PutArgs[1], options?: PutArgs[2]): Promise<CID> {
    // Files are named by multihash, so CIDs that differ only in version or codec share one file.
    const id = blockKey(key);
    const pending = this.#writing.get(id);
    if (pending) return pending.then(() => key);
    const write = super.put(key, val, options).finally(() => this.#writing.delete(id));
    this.#writing.set(id, write);
    return write;
  }
}
