/**
 * The bound on what a job may store in its writable mounts (its outputs). Every call that can make
 * a file bigger asks first, so a job cannot create a 1 TiB (sparse) file with one call: a file
 * counts by its size, whether its blocks exist or not, and a hard link counts its file once more.
 * Calls that shrink or remove files give room back.
 */
import { Errno } from "./constants.ts";
import { WasiErrno } from "./errors.ts";

export class WriteQuota {
  readonly limit: bigint;
  #used: bigint;

  /** `used`: what the writable mounts already hold when the job starts. */
  constructor(limit: number | bigint, used: number | bigint = 0n) {
    this.limit = BigInt(limit);
    this.#used = BigInt(used);
  }

  get used(): bigint {
    return this.#used;
  }

  /**
   * Takes a file from `oldSize` to `newSize` bytes, or throws EFBIG (the file alone would pass the
   * bound) or ENOSPC (the job's files together would), leaving everything as it was.
   */
  resize(oldSize: bigint, newSize: bigint): void {
    const delta = newSize - oldSize;
    if (delta > 0n) {
      if (newSize > this.limit) throw new WasiErrno(Errno.FBIG);
      if (this.#used + delta > this.limit) throw new WasiErrno(Errno.NOSPC);
    }
    this.#used += delta;
    if (this.#used < 0n) this.#used = 0n;
  }

  /** A new name for `size` existing bytes (a hard link). */
  add(size: bigint): void {
    if (size > 0n && this.#used + size > this.limit) throw new WasiErrno(Errno.NOSPC);
    this.#used += size;
  }
}
