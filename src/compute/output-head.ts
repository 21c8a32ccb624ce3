/**
 * The first bytes of a stream as it is written, for RunOutput: the runner keeps them while the
 * job prints instead of reading its stdout and stderr files back when it ends.
 */
export class OutputHead {
  readonly #limit: number;
  readonly #buf: Uint8Array;
  #size = 0;
  #truncated = false;

  constructor(limit: number) {
    this.#limit = limit;
    this.#buf = new Uint8Array(limit);
  }

  add(chunk: Uint8Array): void {
    const room = this.#limit - this.#size;
    if (chunk.length > room) this.#truncated = true;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#buf.set(part, this.#size);
    this.#size += part.length;
  }

  /** The kept bytes as text (a character cut at the limit decodes as U+FFFD, as a file read would). */
  result(): { text: string; truncated: boolean } {
    return { text: new TextDecoder().decode(this.#buf.subarray(0, this.#size)), truncated: this.#truncated };
  }
}
