/**
 * The guest's file descriptors: 0-2 are the standard streams, preopens follow from 3, and every
 * other number is a host file or a directory named by its guest path (directories hold no host
 * descriptor, so every lookup through them is resolved and checked again).
 */
import { Errno } from "./constants.ts";
import { WasiErrno } from "./errors.ts";
import type { HostMount, Preopen } from "./vfs.ts";

export interface StdioEntry {
  kind: "stdio";
  stream: 0 | 1 | 2;
  rightsBase: bigint;
  fdflags: number;
}

export interface FileEntry {
  kind: "file";
  hostFd: number;
  mount: HostMount;
  readable: boolean;
  writable: boolean;
  append: boolean;
  position: bigint;
  rightsBase: bigint;
  rightsInheriting: bigint;
  fdflags: number;
}

export interface DirEntry {
  kind: "dir";
  preopen: Preopen;
  /** Guest path components from the preopen's root. */
  path: string[];
  /** Set only on the preopened fds themselves, which fd_prestat_get reports. */
  isPreopen: boolean;
  rightsBase: bigint;
  rightsInheriting: bigint;
  fdflags: number;
}

export type FdEntry = StdioEntry | FileEntry | DirEntry;

/** Rights are checked after the kind of descriptor, so a wrong kind keeps its own errno. */
export function requireRights(entry: FdEntry, rights: bigint): void {
  if ((entry.rightsBase & rights) !== rights) throw new WasiErrno(Errno.NOTCAPABLE);
}

export class FdTable {
  readonly #entries = new Map<number, FdEntry>();
  #next = 0;

  add(entry: FdEntry): number {
    while (this.#entries.has(this.#next)) this.#next++;
    const fd = this.#next;
    this.#entries.set(fd, entry);
    return fd;
  }

  /** The entry of `fd`, which must hold every right in `rights` (its base rights, as WASI says). */
  get(fd: number, rights = 0n): FdEntry {
    const entry = this.#entries.get(fd);
    if (!entry) throw new WasiErrno(Errno.BADF);
    requireRights(entry, rights);
    return entry;
  }

  file(fd: number, rights = 0n): FileEntry {
    const entry = this.get(fd);
    if (entry.kind === "dir") throw new WasiErrno(Errno.ISDIR);
    if (entry.kind !== "file") throw new WasiErrno(Errno.BADF);
    requireRights(entry, rights);
    return entry;
  }

  dir(fd: number, rights = 0n): DirEntry {
    const entry = this.get(fd);
    if (entry.kind !== "dir") throw new WasiErrno(Errno.NOTDIR);
    requireRights(entry, rights);
    return entry;
  }

  remove(fd: number): FdEntry {
    const entry = this.get(fd);
    this.#entries.delete(fd);
    if (fd < this.#next) this.#next = fd;
    return entry;
  }

  /** Moves `from` onto `to`, returning whatever `to` held so the caller can close it. */
  renumber(from: number, to: number): FdEntry | undefined {
    const entry = this.get(from);
    const previous = this.#entries.get(to);
    if (previous === undefined) throw new WasiErrno(Errno.BADF);
    this.#entries.delete(from);
    this.#entries.set(to, entry);
    if (from < this.#next) this.#next = from;
    return previous;
  }

  entries(): IterableIterator<[number, FdEntry]> {
    return this.#entries.entries();
  }
}
