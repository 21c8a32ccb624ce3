/**
 * Bounds-checked access to a guest's linear memory: every read and write says whether it fitted
 * instead of throwing, so the host function can answer with its own return codes.
 */
export class GuestMemory {
  readonly #memory: WebAssembly.Memory;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
  }

  get size(): number {
    return this.#memory.buffer.byteLength;
  }

  #fits(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.size;
  }

  /** A copy of `len` bytes at `ptr`, or undefined when out of bounds. */
  read(ptr: number, len: number): Uint8Array | undefined {
    if (!this.#fits(ptr, len)) return undefined;
    return new Uint8Array(this.#memory.buffer, ptr, len).slice();
  }

  readU32(ptr: number): number | undefined {
    if (!this.#fits(ptr, 4)) return undefined;
    return new DataView(this.#memory.buffer).getUint32(ptr, true);
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.#fits(ptr, 4)) return false;
    new DataView(this.#memory.buffer).setUint32(ptr, value, true);
    return true;
  }

  write(ptr: number, bytes: Uint8Array): boolean {
    if (!this.#fits(ptr, bytes.length)) return false;
    new Uint8Array(this.#memory.buffer, ptr, bytes.length).set(bytes);
    return true;
  }
}
