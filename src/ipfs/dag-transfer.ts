/**
 * A whole DAG over one stream, between members of the private swarm: the fetching node names a
 * root CID and the holder streams every block of it it has, so a big file moves at the speed of
 * the stream instead of bitswap's round of wants, a fresh stream and a protobuf message per few
 * blocks. It only ever adds blocks to the local store, checked against their CID: whatever it did
 * not bring (a peer without the content, a partial copy, an unusual hash, an error) is fetched by
 * bitswap afterwards as before, so blocks, CIDs and interoperability with other IPFS nodes are
 * unchanged.
 *
 * Wire format: the request is one JSON line `{"CID": "bafy…"}\n`; the answer is a run of frames
 * `u32 cidLength, u32 blockLength (big-endian), CID bytes, block bytes`, in breadth-first order
 * from the root, ended by closing the stream. A holder without the root closes at once. Any member
 * of the private swarm may ask, as for bitswap: the swarm key is the trust boundary.
 */
import type { Connection, Libp2p, ServiceMap, Stream } from "@libp2p/interface";
import type { FsBlockstore } from "blockstore-fs";
import type { CodecLoader } from "helia";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { Uint8ArrayList } from "uint8arraylist";
import { blockKey, tryParseCid } from "./cid.ts";
import { IDENTITY_HASH, linksOf, readBlock } from "./local-dag.ts";
import { readLine, REQUEST_TIMEOUT_MS } from "./stream-line.ts";

export const DAG_PROTOCOL = "/bacalhau-edge/ipfs/dag/1.0.0";
const MAX_LINE_BYTES = 16 * 1024;
const HEADER_BYTES = 8;
/** Larger than any block IPFS tools make (bitswap refuses messages over 4 MiB). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
const MAX_CID_BYTES = 256;
/** Disk reads kept ahead of the stream on the holder, and writes kept behind it on the fetcher:
 *  enough to overlap disk and network, few enough to bound memory to some MiB. */
const READ_AHEAD = 8;
const WRITES_IN_FLIGHT = 16;
/** Peers asked in turn before leaving the rest to bitswap. */
const MAX_PEERS_ASKED = 8;
/** DAGs one peer may be fetching from us at once (a fetcher asks one root at a time per input). */
export const MAX_DAGS_PER_CONNECTION = 32;

const SHA2_256 = 0x12;

async function sendAll(stream: Stream, data: Uint8Array): Promise<void> {
  if (!stream.send(data)) await stream.onDrain();
}

/** Streams every block of `root` that `store` holds, until one is missing. */
async function sendDag(stream: Stream, store: FsBlockstore, getCodec: CodecLoader, root: CID, signal: AbortSignal): Promise<void> {
  if (!(await store.has(root, { signal }))) return;
  const queue: CID[] = [root];
  const seen = new Set<string>([blockKey(root)]);
  const reads: Array<Promise<{ cid: CID; bytes: Uint8Array } | undefined>> = [];
  const read = async (cid: CID) => {
    if (!(await store.has(cid, { signal }))) return undefined;
    return { cid, bytes: await readBlock(store, cid, signal) };
  };
  for (;;) {
    while (reads.length < READ_AHEAD && queue.length > 0) reads.push(read(queue.shift()!));
    const next = reads.shift();
    if (next === undefined) return;
    const block = await next;
    if (block === undefined) return;
    const cidBytes = block.cid.bytes;
    const header = new Uint8Array(HEADER_BYTES + cidBytes.byteLength);
    const view = new DataView(header.buffer);
    view.setUint32(0, cidBytes.byteLength);
    view.setUint32(4, block.bytes.byteLength);
    header.set(cidBytes, HEADER_BYTES);
    await sendAll(stream, header);
    await sendAll(stream, block.bytes);
    for (const link of linksOf(block.cid, block.bytes, await getCodec(block.cid.code))) {
      const key = blockKey(link);
      if (link.multihash.code === IDENTITY_HASH || seen.has(key)) continue;
      seen.add(key);
      queue.push(link);
    }
  }
}

/** Answers DAG_PROTOCOL on `libp2p` from `store`. Returns the function that stops answering. */
export async function serveDags(libp2p: Libp2p<ServiceMap>, store: FsBlockstore, getCodec: CodecLoader): Promise<() => Promise<void>> {
  await libp2p.handle(DAG_PROTOCOL, async (stream) => {
    const controller = new AbortController();
    const onClose = () => controller.abort(new Error("the fetcher went away"));
    stream.addEventListener("close", onClose, { once: true });
    try {
      const request = JSON.parse(await readLine(stream, MAX_LINE_BYTES, REQUEST_TIMEOUT_MS)) as { CID?: unknown } | null;
      const cid = typeof request?.CID === "string" ? tryParseCid(request.CID) : "no CID";
      if (typeof cid !== "string") await sendDag(stream, store, getCodec, cid, controller.signal);
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    } finally {
      stream.removeEventListener("close", onClose);
    }
  }, { maxInboundStreams: MAX_DAGS_PER_CONNECTION });
  return () => libp2p.unhandle(DAG_PROTOCOL).catch(() => undefined);
}

/** Reads frames from one holder into `store`; resolves with the number of blocks stored. */
async function receiveDag(
  stream: Stream,
  store: FsBlockstore,
  getCodec: CodecLoader,
  root: CID,
  signal: AbortSignal,
  onStored?: (cid: CID, bytes: Uint8Array) => void,
): Promise<number> {
  // Only blocks of this DAG are taken: each must be the root or linked from a block already checked.
  const expected = new Set<string>([blockKey(root)]);
  const writes: Array<Promise<unknown>> = [];
  const buffered = new Uint8ArrayList();
  let stored = 0;
  const onAbort = () => stream.abort(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      buffered.append(chunk);
      while (buffered.byteLength >= HEADER_BYTES) {
        const cidLength = buffered.getUint32(0);
        const blockLength = buffered.getUint32(4);
        if (cidLength > MAX_CID_BYTES || blockLength > MAX_BLOCK_BYTES) throw new Error("oversized frame");
        const end = HEADER_BYTES + cidLength + blockLength;
        if (buffered.byteLength < end) break;
        const cid = CID.decode(buffered.subarray(HEADER_BYTES, HEADER_BYTES + cidLength));
        const bytes = buffered.subarray(HEADER_BYTES + cidLength, end);
        buffered.consume(end);
        const key = blockKey(cid);
        if (!expected.delete(key)) throw new Error(`unasked-for block ${cid}`);
        // Blocks hashed otherwise are left to bitswap, which knows every hasher helia does.
        if (cid.multihash.code !== SHA2_256) return stored;
        const digest = await sha256.digest(bytes);
        if (Buffer.compare(digest.digest, cid.multihash.digest) !== 0) throw new Error(`block ${cid} does not match its hash`);
        for (const link of linksOf(cid, bytes, await getCodec(cid.code))) {
          if (link.multihash.code !== IDENTITY_HASH) expected.add(blockKey(link));
        }
        writes.push(store.put(cid, bytes, { signal }).then(() => onStored?.(cid, bytes)));
        stored++;
        if (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
      }
    }
    if (buffered.byteLength > 0) throw new Error("the stream ended mid-block");
    return stored;
  } finally {
    signal.removeEventListener("abort", onAbort);
    await Promise.allSettled(writes);
  }
}

export interface FetchDagOptions {
  signal?: AbortSignal;
  /** Told about each holder that failed (a bad block, a broken stream); the fetch goes on without it. */
  onPeerError?: (peer: string, err: unknown) => void;
  /** Told about each block once it is in the store. */
  onStored?: (cid: CID, bytes: Uint8Array) => void;
}

/**
 * Asks connected peers that speak DAG_PROTOCOL, one after the other, for every block of `root`,
 * and stores what the first holder sends. Only existing connections are used: it never dials.
 * Resolves with the number of blocks stored (0 when no connected peer has the root).
 */
export async function fetchDag(
  libp2p: Libp2p<ServiceMap>,
  store: FsBlockstore,
  getCodec: CodecLoader,
  root: CID,
  opts: FetchDagOptions = {},
): Promise<number> {
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const candidates: Connection[] = [];
  const seen = new Set<string>();
  for (const conn of libp2p.getConnections()) {
    const id = conn.remotePeer.toString();
    if (seen.has(id) || conn.status !== "open") continue;
    seen.add(id);
    // Peers not yet identified are skipped rather than probed: bitswap reaches them anyway.
    const peer = await libp2p.peerStore.get(conn.remotePeer).catch(() => undefined);
    if (peer?.protocols.includes(DAG_PROTOCOL)) candidates.push(conn);
    if (candidates.length >= MAX_PEERS_ASKED) break;
  }
  try {
    for (const conn of candidates) {
      signal.throwIfAborted();
      let stream: Stream | undefined;
      try {
        stream = await conn.newStream(DAG_PROTOCOL, { signal });
        stream.send(new TextEncoder().encode(`${JSON.stringify({ CID: root.toString() })}\n`));
        const stored = await receiveDag(stream, store, getCodec, root, signal, opts.onStored);
        await stream.close().catch(() => undefined);
        if (stored > 0) return stored;
      } catch (err) {
        stream?.abort(err as Error);
        signal.throwIfAborted();
        opts.onPeerError?.(conn.remotePeer.toString(), err);
      }
    }
    return 0;
  } finally {
    controller.abort();
  }
}
