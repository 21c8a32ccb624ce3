/**
 * Asking a swarm peer to keep a CID: a client that added content to its own short-lived IPFS node
 * asks a node of the network to pin it, the node fetches every block from the client by bitswap,
 * pins it, and answers. The client exits only after the answer, so nothing it added is lost.
 *
 * Wire format (one request and one answer per stream, each a JSON line):
 * `{"CID": "bafy…"}\n` → `{"OK": true}\n` or `{"OK": false, "Error": "…"}\n`.
 * Any member of the private swarm may ask: the swarm key is the trust boundary, as for bitswap.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Libp2p, PeerId, ServiceMap, Stream } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import { BacalhauError } from "../models/errors.ts";
import { tryParseCid } from "./cid.ts";
import type { IpfsNode } from "./node.ts";
import { readLine, REQUEST_TIMEOUT_MS } from "./stream-line.ts";

export const PIN_PROTOCOL = "/bacalhau-edge/ipfs/pin/1.0.0";
const MAX_LINE_BYTES = 16 * 1024;
const COMPONENT = "IPFSPin";
/** Pins one peer may have running at once; more are reset by libp2p. */
export const MAX_PINS_PER_CONNECTION = 16;

interface PinAnswer {
  OK: boolean;
  Error?: string;
}

const line = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value)}\n`);

export interface PinServiceOptions {
  /** Where folders are staged while their blocks are fetched. Default: the system temp dir. */
  tmpDir?: string;
}

/**
 * Pinning walks a DAG one block at a time, a network round trip each: thousands of small files take
 * minutes. Exporting a folder fetches its blocks many at a time, so folders are fetched that way
 * first (into a staging folder, removed after) and the pin then walks blocks already on disk. A
 * single file's walk is faster than exporting it, so files are pinned directly.
 */
async function prefetchFolder(ipfs: IpfsNode, cid: string, opts: PinServiceOptions, signal: AbortSignal): Promise<void> {
  if ((await ipfs.stat(cid, { signal })).type !== "directory") return;
  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), "bacalhau-ipfs-pin-"));
  try {
    await ipfs.get(cid, join(dir, "content"), { signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function answerPin(ipfs: IpfsNode, stream: Stream, opts: PinServiceOptions): Promise<PinAnswer> {
  let request: unknown;
  try {
    request = JSON.parse(await readLine(stream, MAX_LINE_BYTES, REQUEST_TIMEOUT_MS));
  } catch (err) {
    return { OK: false, Error: `bad pin request: ${(err as Error).message}` };
  }
  const raw = (request as { CID?: unknown } | null)?.CID;
  const cid = typeof raw === "string" ? tryParseCid(raw) : "the request needs a CID";
  if (typeof cid === "string") return { OK: false, Error: cid };
  // The client disconnecting ends the wait for its blocks.
  const controller = new AbortController();
  const onClose = () => controller.abort(new Error("the client went away"));
  stream.addEventListener("close", onClose, { once: true });
  try {
    await prefetchFolder(ipfs, cid.toString(), opts, controller.signal);
    await ipfs.pin(cid.toString(), { signal: controller.signal });
    return { OK: true };
  } catch (err) {
    return { OK: false, Error: (err as Error).message };
  } finally {
    stream.removeEventListener("close", onClose);
  }
}

/** Answers PIN_PROTOCOL on `libp2p` with `ipfs`. Returns the function that stops answering. */
export async function servePinRequests(
  libp2p: Libp2p<ServiceMap>,
  ipfs: IpfsNode,
  opts: PinServiceOptions = {},
): Promise<() => Promise<void>> {
  await libp2p.handle(PIN_PROTOCOL, async (stream) => {
    try {
      const answer = await answerPin(ipfs, stream, opts);
      stream.send(line(answer));
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }, { maxInboundStreams: MAX_PINS_PER_CONNECTION });
  return () => libp2p.unhandle(PIN_PROTOCOL).catch(() => undefined);
}

/**
 * Asks `peer` to pin `cid` and resolves once it has (every block fetched and kept). The caller's
 * IPFS node must stay up and connected until then: the peer fetches the blocks from it.
 */
export async function requestPin(
  libp2p: Libp2p<ServiceMap>,
  peer: PeerId | Multiaddr,
  cid: string,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  let stream: Stream;
  try {
    stream = await libp2p.dialProtocol(peer, PIN_PROTOCOL, { signal: opts.signal });
  } catch (err) {
    opts.signal?.throwIfAborted();
    throw new BacalhauError(`cannot ask ${peer.toString()} to pin ${cid}: ${(err as Error).message}`, {
      code: "ServiceUnavailable",
      component: COMPONENT,
      hint: "is that peer a bacalhau-edge node started with --private-internal-ipfs?",
      cause: err,
    });
  }
  let answer: PinAnswer;
  try {
    stream.send(line({ CID: cid }));
    const onAbort = () => stream.abort(new Error("aborted"));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      answer = JSON.parse(await readLine(stream, MAX_LINE_BYTES)) as PinAnswer;
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
    }
  } catch (err) {
    opts.signal?.throwIfAborted();
    throw new BacalhauError(`${peer.toString()} did not answer the pin request for ${cid}: ${(err as Error).message}`, {
      code: "ServiceUnavailable",
      component: COMPONENT,
      cause: err,
    });
  } finally {
    await stream.close().catch(() => stream.abort(new Error("done")));
  }
  if (answer?.OK !== true) {
    throw new BacalhauError(`${peer.toString()} could not pin ${cid}: ${answer?.Error ?? "no reason given"}`, { component: COMPONENT });
  }
}
