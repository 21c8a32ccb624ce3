/**
 * Length-prefixed JSON frames over a libp2p stream: a 4-byte big-endian length, then UTF-8 JSON.
 * Writes are queued so frames never interleave and the stream's backpressure (drain) is respected.
 */
import type { Stream } from "@libp2p/interface";
import { chunkBytes, concatBytes, encodeFrame as frameOf, FrameBuffer } from "../../codec/frames.ts";
import { BacalhauError } from "../../models/errors.ts";

/** Large enough for an execution with an inline job spec; a bigger frame means a broken peer. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(value: unknown): Uint8Array {
  const json = encoder.encode(JSON.stringify(value));
  if (json.byteLength > MAX_FRAME_BYTES) {
    throw BacalhauError.badRequest(`message of ${json.byteLength} bytes is over the ${MAX_FRAME_BYTES}-byte limit`, {
      component: "Transport",
    });
  }
  return frameOf(4, (h) => h.setUint32(0, json.byteLength), json);
}

/** Before a peer has said who it is (a hello, a request), it gets no more room than this. */
export const MAX_FIRST_FRAME_BYTES = 64 * 1024;

export interface ReadFramesOptions {
  /** The largest frame accepted; a larger length prefix fails the read before its bytes are buffered. */
  maxBytes?: number;
  /** The largest first frame, when smaller than `maxBytes`. */
  firstMaxBytes?: number;
  /**
   * A frame begun but not finished within this time calls `onStall` (which resets the stream): a
   * peer that stops mid-frame would otherwise hold the reader, and everything queued behind it.
   */
  stallMs?: number;
  onStall?(): void;
}

/** Time for one frame to arrive once begun: a 64 MiB frame needs ~1 MB/s. */
export const FRAME_STALL_MS = 60_000;

/**
 * Reads whole frames from a stream's chunks, however they were split. Ends when the stream ends;
 * fails on a frame over the limit or one that is not JSON (the caller resets the stream).
 */
export async function* readFrames(
  stream: AsyncIterable<Uint8Array | { subarray(): Uint8Array }>,
  opts: ReadFramesOptions = {},
): AsyncGenerator<unknown> {
  const maxBytes = Math.min(opts.maxBytes ?? MAX_FRAME_BYTES, MAX_FRAME_BYTES);
  let limit = Math.min(opts.firstMaxBytes ?? maxBytes, maxBytes);
  const frames = new FrameBuffer();
  const lengthOf = (header: DataView) => {
    const len = header.getUint32(0);
    if (len > limit) throw new FrameLimitError(`frame of ${len} bytes is over the ${limit}-byte limit`);
    return len;
  };
  let stall: ReturnType<typeof setTimeout> | undefined;
  const { stallMs, onStall } = opts;
  try {
    for await (const chunk of stream) {
      frames.push(chunkBytes(chunk));
      for (let f = frames.next(4, lengthOf); f !== undefined; f = frames.next(4, lengthOf)) {
        const json = decoder.decode(f.body);
        limit = maxBytes;
        // Each frame gets its own time; the clock starts when its first bytes are here.
        clearTimeout(stall);
        stall = undefined;
        yield JSON.parse(json);
      }
      if (frames.buffered > 0 && stall === undefined && stallMs !== undefined && onStall) stall = setTimeout(onStall, stallMs);
    }
  } finally {
    clearTimeout(stall);
  }
}

/** A peer sent a frame larger than it may: the stream is reset, the node's memory is not spent on it. */
/**
 * The first frame of a request stream, read within `timeoutMs` and MAX_FIRST_FRAME_BYTES. A peer
 * that sends nothing in time, too much, or no JSON gets its stream reset and no answer (undefined):
 * it does not hold the stream open.
 */
export async function readFirstRequest(stream: Stream, timeoutMs: number): Promise<IteratorResult<unknown> | undefined> {
  const idle = setTimeout(() => stream.abort(new Error("no request in time")), timeoutMs);
  try {
    return await readFrames(stream, { maxBytes: MAX_FIRST_FRAME_BYTES }).next();
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    return undefined;
  } finally {
    clearTimeout(idle);
  }
}

export class FrameLimitError extends Error {
  override name = "FrameLimitError";
}

/**
 * Serialises writes of frames to one stream. Frames written in the same tick go out in one `send`,
 * which saves a muxer frame and a cipher pass per message when many are pipelined.
 */
export class FrameWriter {
  readonly #stream: Stream;
  #queue: Uint8Array[] = [];
  #flushing?: Promise<void>;

  constructor(stream: Stream) {
    this.#stream = stream;
  }

  /** Resolves once the frame is handed to the stream (not when the peer has read it). */
  write(value: unknown): Promise<void> {
    this.#queue.push(encodeFrame(value));
    this.#flushing ??= this.#flush();
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      // Let the rest of this tick's writes join the batch.
      await Promise.resolve();
      while (this.#queue.length > 0) {
        if (this.#stream.writableNeedsDrain) await this.#stream.onDrain();
        const batch = this.#queue;
        this.#queue = [];
        this.#stream.send(batch.length === 1 ? batch[0]! : concatBytes(batch));
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
