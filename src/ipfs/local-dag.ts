/**
 * Answers "is all of this CID on our disk?" without touching the network, for data locality: a
 * node that holds only a folder's root block does not hold the folder.
 */
import type { CodecLoader } from "helia";
import type { FsBlockstore } from "blockstore-fs";
import { createUnsafe } from "multiformats/block";
import type { CID } from "multiformats/cid";

export const RAW_CODEC = 0x55;
/** Identity CIDs carry their bytes inline and are never stored. */
export const IDENTITY_HASH = 0x00;

/** The CIDs a block links to (none for a raw leaf). */
export function linksOf(cid: CID, bytes: Uint8Array, codec: Awaited<ReturnType<CodecLoader>>): CID[] {
  if (cid.code === RAW_CODEC) return [];
  const out: CID[] = [];
  for (const [, link] of createUnsafe({ bytes, cid, codec }).links()) out.push(link);
  return out;
}

/** A stored block's bytes in one piece. */
export async function readBlock(store: FsBlockstore, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.get(cid, { signal })) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : new Uint8Array(Buffer.concat(chunks));
}

/** True when every block reachable from `root` is in `store`. */
export async function hasWholeDag(store: FsBlockstore, getCodec: CodecLoader, root: CID, signal?: AbortSignal): Promise<boolean> {
  const seen = new Set<string>();
  const queue: CID[] = [root];
  while (queue.length > 0) {
    signal?.throwIfAborted();
    const cid = queue.pop()!;
    const key = cid.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (cid.multihash.code === IDENTITY_HASH) continue;
    if (!(await store.has(cid, { signal }))) return false;
    if (cid.code === RAW_CODEC) continue;
    queue.push(...linksOf(cid, await readBlock(store, cid, signal), await getCodec(cid.code)));
  }
  return true;
}
