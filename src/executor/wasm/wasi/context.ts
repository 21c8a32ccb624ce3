/**
 * What every WASI function works on: the options a host was made with, its fd table and the
 * filesystem backend, plus small helpers shared by the fd_* and path_* functions.
 */
import type { FsBackend, HostFileKind, HostStat } from "./backend.ts";
import { Errno, FileType } from "./constants.ts";
import { WasiErrno } from "./errors.ts";
import { FdTable } from "./fd-table.ts";
import type { GuestMemory } from "./memory.ts";
import type { WriteQuota } from "./quota.ts";
import type { Location, Preopen } from "./vfs.ts";

export interface WasiOptions {
  args: string[];
  /** Written to the guest in this order (callers sort it when order matters). */
  env: Array<[string, string]>;
  preopens: Preopen[];
  fs: FsBackend;
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
  /** Fills `buf` from standard input; returns 0 at end of input. Absent: stdin is empty. */
  stdin?(buf: Uint8Array): number;
  /** Lets guests create symlinks (they are still confined when followed). Off for jobs. */
  allowSymlinks?: boolean;
  /** Bounds the bytes stored in writable mounts; absent: unbounded. */
  quota?: WriteQuota;
}

export interface WasiContext {
  opts: WasiOptions;
  fs: FsBackend;
  fds: FdTable;
}

export type WasiFunction = (...args: never[]) => number | void;

export function fileTypeOf(kind: HostFileKind): number {
  switch (kind) {
    case "file": return FileType.REGULAR_FILE;
    case "dir": return FileType.DIRECTORY;
    case "symlink": return FileType.SYMBOLIC_LINK;
    case "char": return FileType.CHARACTER_DEVICE;
    case "block": return FileType.BLOCK_DEVICE;
    case "socket": return FileType.SOCKET_STREAM;
    default: return FileType.UNKNOWN;
  }
}

/** A stable fake inode for virtual folders, so `find`-like walkers do not see loops. */
function virtualIno(path: readonly string[]): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of "/" + path.join("/")) {
    h ^= BigInt(ch.charCodeAt(0));
    h = BigInt.asUintN(64, h * 0x100000001b3n);
  }
  return h;
}

export function virtualDirStat(path: readonly string[]): HostStat {
  return { kind: "dir", dev: 0n, ino: virtualIno(path), nlink: 1n, size: 0n, atimNs: 0n, mtimNs: 0n, ctimNs: 0n };
}

/** Writes a 64-byte `filestat` record. */
export function writeFilestat(mem: GuestMemory, ptr: number, st: HostStat): void {
  mem.bytes(ptr, 64).fill(0);
  mem.setU64(ptr, st.dev);
  mem.setU64(ptr + 8, st.ino);
  mem.setU8(ptr + 16, fileTypeOf(st.kind));
  mem.setU64(ptr + 24, st.nlink);
  mem.setU64(ptr + 32, st.size);
  mem.setU64(ptr + 40, st.atimNs);
  mem.setU64(ptr + 48, st.mtimNs);
  mem.setU64(ptr + 56, st.ctimNs);
}

/** Refuses a change through a location that is virtual or mounted read-only. */
export function assertWritable(loc: Location): asserts loc is Extract<Location, { kind: "host" }> {
  if (loc.kind === "vdir" || loc.mount.readOnly) throw new WasiErrno(Errno.ROFS);
}

export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}
