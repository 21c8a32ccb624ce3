/**
 * blockstore-fs with one fix: it writes each block through a temp file named after the block, so
 * two concurrent puts of the same block (identical files in a folder, the empty-folder node that
 * every folder starts from) race on that temp file, and the loser retries its rename for up to a
 * second. Here a put of a block that is already being written waits for that write instead.
 */
import { FsBlockstore } from "blockstore-fs";
import type { CID } from "multiformats/cid";

type PutArgs = Parameters<FsBlockstore["put"]>;

export class DedupFsBlockstore extends FsBlockstore {
  readonly #writing = new Map<string, Promise<CID>>();

  override put(key: CID, val: PutArgs[1], options?: PutArgs[2]): Promise<CID> {
    // Files are named by multihash, so CIDs that differ only in version or codec share one file.
    const id = Buffer.from(key.multihash.bytes).toString("base64");
    const pending = this.#writing.get(id);
    if (pending) return pending.then(() => key);
    const write = super.put(key, val, options).finally(() => this.#writing.delete(id));
    this.#writing.set(id, write);
    return write;
  }
}
