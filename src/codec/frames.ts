/**
 * Length-prefixed frames: the one place that turns a byte stream, however it was split into chunks,
 * back into whole frames. Each protocol keeps its own header (a kind byte, one or two lengths, either
 * byte order: they are wire formats that must not change); what they share is the buffering.
 */

/**
 * A growable buffer with a read and a write index. A frame arriving in many chunks is copied O(n)
 * times in all, not once per chunk, and a frame that arrived in one chunk is handed out in place.
 */
export class FrameBuffer {
  #store: Uint8Array;
  #start = 0;
  #end = 0;

  constructor(initialBytes = 64 * 1024) {
    this.#store = new Uint8Array(initialBytes);
  }

  /** Bytes received and not yet taken as a frame. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  push(chunk: Uint8Array): void {
    if (this.#end + chunk.byteLength > this.#store.byteLength) {
      const live = this.#end - this.#start;
      const need = live + chunk.byteLength;
      // Grow by doubling, so a big frame in small chunks does not reallocate per chunk.
      const next = need > this.#store.byteLength / 2 ? new Uint8Array(Math.max(need, this.#store.byteLength * 2)) : this.#store;
      next.set(this.#store.subarray(this.#start, this.#end), 0);
      this.#store = next;
      this.#start = 0;
      this.#end = live;
    }
    this.#store.set(chunk, this.#end);
    this.#end += chunk.byteLength;
  }

  /**
   * The next whole frame, or undefined until more bytes arrive. `bodyBytes` reads the header (a view
   * of exactly `headerBytes`) and answers the body's length; it throws to refuse a frame, before its
   * body is buffered. The frame is a view into the buffer, valid until the next `push`: copy what you keep.
   */
  next(headerBytes: number, bodyBytes: (header: DataView) => number): { header: DataView; body: Uint8Array } | undefined {
    if (this.#end - this.#start < headerBytes) return undefined;
    const header = new DataView(this.#store.buffer, this.#store.byteOffset + this.#start, headerBytes);
    const length = bodyBytes(header);
    if (this.#end - this.#start - headerBytes < length) return undefined;
    const bodyStart = this.#start + headerBytes;
    const body = this.#store.subarray(bodyStart, bodyStart + length);
    this.#start = bodyStart + length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { header, body };
  }
}

/** A frame: `headerBytes` written by `writeHeader`, then the body. */
export function encodeFrame(headerBytes: number, writeHeader: (header: DataView) => void, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(headerBytes + body.byteLength);
  writeHeader(new DataView(frame.buffer, 0, headerBytes));
  frame.set(body, headerBytes);
  return frame;
}

/** The bytes of a stream chunk: libp2p streams yield Uint8Array or Uint8ArrayList. */
export function chunkBytes(chunk: Uint8Array | { subarray(): Uint8Array }): Uint8Array {
  return chunk instanceof Uint8Array ? chunk : chunk.subarray();
}

/** One array holding `parts` back to back. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}
