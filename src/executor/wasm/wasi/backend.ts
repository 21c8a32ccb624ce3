/**
 * The small, synchronous filesystem interface the WASI host runs on. The host never touches a
 * filesystem API directly, so another backend (e.g. an in-memory or browser one) can replace the
 * node:fs one without changing the sandbox logic.
 */

export type HostFileKind = "file" | "dir" | "symlink" | "char" | "block" | "socket" | "other";

export interface HostStat {
  kind: HostFileKind;
  dev: bigint;
  ino: bigint;
  nlink: bigint;
  size: bigint;
  atimNs: bigint;
  mtimNs: bigint;
  ctimNs: bigint;
}

export interface HostOpenFlags {
  read: boolean;
  write: boolean;
  create: boolean;
  exclusive: boolean;
  truncate: boolean;
  /** Fail with ELOOP when the last component is a symlink. */
  noFollow: boolean;
}

export interface HostDirEntry {
  name: string;
  kind: HostFileKind;
}

/** Every method throws an Error carrying a POSIX `code` (ENOENT, EEXIST, ...) on failure. */
export interface FsBackend {
  realpath(path: string): string;
  stat(path: string): HostStat;
  lstat(path: string): HostStat;
  fstat(fd: number): HostStat;
  open(path: string, flags: HostOpenFlags): number;
  close(fd: number): void;
  /** Reads at `position`; returns bytes read (0 at end of file). */
  read(fd: number, buf: Uint8Array, position: bigint): number;
  write(fd: number, buf: Uint8Array, position: bigint): number;
  readdir(path: string): HostDirEntry[];
  readFile(path: string): Uint8Array;
  mkdir(path: string): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  rename(from: string, to: string): void;
  link(existing: string, newPath: string): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
  ftruncate(fd: number, size: bigint): void;
  /** Times in nanoseconds since the epoch. */
  futimes(fd: number, atimNs: bigint, mtimNs: bigint): void;
  utimes(path: string, atimNs: bigint, mtimNs: bigint, followSymlink: boolean): void;
  fsync(fd: number): void;
  fdatasync(fd: number): void;
  join(base: string, ...names: string[]): string;
  /** True when `path` is `root` or below it (both already resolved with realpath). */
  isInside(root: string, path: string): boolean;
}
