/**
 * Blocking writes to a file descriptor that survive a pipe someone made non-blocking: wasm output
 * is produced synchronously, so the writer must wait rather than drop bytes.
 */
import * as fs from "node:fs";

const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeAllSync(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += fs.writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      if ((err as { code?: string }).code !== "EAGAIN") throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** Reads what is available on `fd` into `buf`; 0 means end of input (or no readable input). */
export function readSomeSync(fd: number, buf: Uint8Array): number {
  for (;;) {
    try {
      return fs.readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === "EOF") return 0;
      throw err;
    }
  }
}
