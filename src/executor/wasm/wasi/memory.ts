/**
 * Typed access to the guest's linear memory. Views are made per call because memory.grow
 * detaches the old ArrayBuffer.
 */
import { Errno } from "./constants.ts";
import { WasiErrno } from "./errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export class GuestMemory {
  readonly #get: () => WebAssembly.Memory | undefined;

  constructor(get: () => WebAssembly.Memory | undefined) {
    this.#get = get;
  }

  get buffer(): ArrayBuffer {
    const mem = this.#get();
    if (!mem) throw new WasiErrno(Errno.FAULT, "guest memory is not available");
    return mem.buffer as ArrayBuffer;
  }

  view(): DataView {
    return new DataView(this.buffer);
  }

  bytes(ptr: number, len: number): Uint8Array {
    const buf = this.buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) throw new WasiErrno(Errno.FAULT);
    return new Uint8Array(buf, ptr, len);
  }

  u32(ptr: number): number {
    return this.view().getUint32(ptr, true);
  }

  setU8(ptr: number, v: number): void {
    this.view().setUint8(ptr, v);
  }

  setU16(ptr: number, v: number): void {
    this.view().setUint16(ptr, v, true);
  }

  setU32(ptr: number, v: number): void {
    this.view().setUint32(ptr, v, true);
  }

  setU64(ptr: number, v: bigint): void {
    this.view().setBigUint64(ptr, BigInt.asUintN(64, v), true);
  }

  string(ptr: number, len: number): string {
    try {
      return decoder.decode(this.bytes(ptr, len));
    } catch (err) {
      if (err instanceof WasiErrno) throw err;
      throw new WasiErrno(Errno.INVAL);
    }
  }

  /** Reads an array of (ptr, len) pairs: the guest's iovec or ciovec list. */
  iovecs(ptr: number, count: number): Uint8Array[] {
    const view = this.view();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const base = view.getUint32(ptr + i * 8, true);
      const len = view.getUint32(ptr + i * 8 + 4, true);
      out.push(this.bytes(base, len));
    }
    return out;
  }
}

export function encode(s: string): Uint8Array {
  return encoder.encode(s);
}
