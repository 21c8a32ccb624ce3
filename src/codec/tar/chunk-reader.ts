/**
 * Reads exact byte counts out of a stream of arbitrarily sized chunks, which is what a tar parser
 * needs on top of a decompressor's output.
 */

export class TruncatedArchiveError extends Error {}

export class ChunkReader {
  #it: AsyncIterator<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  #off = 0;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  async #fill(): Promise<boolean> {
    while (this.#off >= this.#buf.length) {
      if (this.#done) return false;
      const next = await this.#it.next();
      if (next.done) {
        this.#done = true;
        return false;
      }
      this.#buf = next.value;
      this.#off = 0;
    }
    return true;
  }

  /** Exactly `n` bytes; undefined at a clean end of stream; throws if the stream ends midway. */
  async readExact(n: number): Promise<Uint8Array | undefined> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (!(await this.#fill())) {
        if (got === 0) return undefined;
        throw new TruncatedArchiveError("archive ends in the middle of an entry");
      }
      const take = Math.min(n - got, this.#buf.length - this.#off);
      out.set(this.#buf.subarray(this.#off, this.#off + take), got);
      this.#off += take;
      got += take;
    }
    return out;
  }

  /** Yields the next `n` bytes in the chunks they arrive in (views, valid until the next call). */
  async *take(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (!(await this.#fill())) throw new TruncatedArchiveError("archive ends in the middle of an entry");
      const take = Math.min(left, this.#buf.length - this.#off);
      const view = this.#buf.subarray(this.#off, this.#off + take);
      this.#off += take;
      left -= take;
      yield view;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.take(n)) { /* discard */ }
  }

  /** Lets the source release its resources (e.g. after an early stop). */
  async close(): Promise<void> {
    await this.#it.return?.();
  }
}
