/**
 * A blockstore view for reading a DAG while it streams in (dag-transfer.ts): a read of a block not
 * stored yet waits until the stream has stored it or has ended, and only then goes to the node's
 * blockstore, which asks bitswap for whatever is still missing. Without it the file could only be
 * written after the last block arrived, or each read would race the stream with a bitswap want
 * for the same block. Blocks that arrived are also handed to their first read from memory, which
 * spares reading back from disk what was just written.
 */
import type { unixfs } from "@helia/unixfs";
import type { CID } from "multiformats/cid";
import { blockKey } from "./cid.ts";

type Blocks = Parameters<typeof unixfs>[0]["blockstore"];

/** Arrived bytes kept for their first read, at most: past it, reads go to disk (a slow writer
 *  must not let the whole DAG pile up in memory). */
const MAX_KEPT_BYTES = 32 * 1024 * 1024;

export class ArrivingBlocks {
  readonly #stored = new Set<string>();
  readonly #kept = new Map<string, Uint8Array>();
  #keptBytes = 0;
  readonly #waiting = new Map<string, Array<() => void>>();
  #ended = false;

  /** Call for each block the stream has put in the store. */
  stored(cid: CID, bytes?: Uint8Array): void {
    const key = blockKey(cid);
    this.#stored.add(key);
    if (bytes !== undefined && this.#keptBytes + bytes.byteLength <= MAX_KEPT_BYTES && !this.#kept.has(key)) {
      this.#kept.set(key, bytes);
      this.#keptBytes += bytes.byteLength;
    }
    const waiters = this.#waiting.get(key);
    if (waiters === undefined) return;
    this.#waiting.delete(key);
    for (const wake of waiters) wake();
  }

  /** Call once the stream is over, however it ended: every waiting read goes on to `inner`. */
  ended(): void {
    this.#ended = true;
    for (const waiters of this.#waiting.values()) for (const wake of waiters) wake();
    this.#waiting.clear();
  }

  #arrival(cid: CID, signal?: AbortSignal): Promise<void> | undefined {
    const key = blockKey(cid);
    if (this.#ended || this.#stored.has(key)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const list = this.#waiting.get(key);
      if (list) list.push(wake);
      else this.#waiting.set(key, [wake]);
    });
  }

  #take(cid: CID): Uint8Array | undefined {
    const key = blockKey(cid);
    const bytes = this.#kept.get(key);
    if (bytes === undefined) return undefined;
    this.#kept.delete(key);
    this.#keptBytes -= bytes.byteLength;
    return bytes;
  }

  /** `inner`, with reads that first wait for the stream. */
  view(inner: Blocks): Blocks {
    const arrival = (cid: CID, signal?: AbortSignal) => this.#arrival(cid, signal);
    const take = (cid: CID) => this.#take(cid);
    return {
      has: (cid, options) => inner.has(cid, options),
      put: (cid, block, options) => inner.put(cid, block, options),
      async *get(cid, options) {
        await arrival(cid, options?.signal);
        const kept = take(cid);
        if (kept !== undefined) yield kept;
        else yield* inner.get(cid, options);
      },
    } as Blocks;
  }
}
