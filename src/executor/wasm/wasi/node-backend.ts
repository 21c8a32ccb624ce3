/**
 * The FsBackend over synchronous node:fs, which behaves the same on Node and Deno.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FsBackend, HostDirEntry, HostFileKind, HostOpenFlags, HostStat } from "./backend.ts";

const C = fs.constants;

function kindOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
  isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): HostFileKind {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "dir";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isCharacterDevice()) return "char";
  if (s.isBlockDevice()) return "block";
  if (s.isSocket()) return "socket";
  return "other";
}

function toStat(s: fs.BigIntStats): HostStat {
  return {
    kind: kindOf(s),
    dev: s.dev,
    ino: s.ino,
    nlink: s.nlink,
    size: s.size,
    atimNs: s.atimeNs,
    mtimNs: s.mtimeNs,
    ctimNs: s.ctimeNs,
  };
}

/** node:fs wants seconds as a number; sub-microsecond precision is lost, which WASI allows. */
const seconds = (ns: bigint): number => Number(ns) / 1e9;

export function nodeFsBackend(): FsBackend {
  return {
    realpath: (p) => fs.realpathSync(p),
    stat: (p) => toStat(fs.statSync(p, { bigint: true })),
    lstat: (p) => toStat(fs.lstatSync(p, { bigint: true })),
    fstat: (fd) => toStat(fs.fstatSync(fd, { bigint: true })),
    open(p: string, f: HostOpenFlags): number {
      let flags = f.write ? (f.read ? C.O_RDWR : C.O_WRONLY) : C.O_RDONLY;
      if (f.create) flags |= C.O_CREAT;
      if (f.exclusive) flags |= C.O_EXCL;
      if (f.truncate) flags |= C.O_TRUNC;
      if (f.noFollow) flags |= C.O_NOFOLLOW;
      return fs.openSync(p, flags, 0o644);
    },
    close: (fd) => fs.closeSync(fd),
    read: (fd, buf, pos) => fs.readSync(fd, buf, 0, buf.length, pos),
    write: (fd, buf, pos) => fs.writeSync(fd, buf, 0, buf.length, Number(pos)),
    readdir(p: string): HostDirEntry[] {
      return fs.readdirSync(p, { withFileTypes: true }).map((d) => ({ name: d.name, kind: kindOf(d) }));
    },
    readFile: (p) => fs.readFileSync(p),
    mkdir: (p) => fs.mkdirSync(p, 0o755),
    rmdir: (p) => fs.rmdirSync(p),
    unlink: (p) => fs.unlinkSync(p),
    rename: (a, b) => fs.renameSync(a, b),
    link: (a, b) => fs.linkSync(a, b),
    symlink: (target, p) => fs.symlinkSync(target, p),
    readlink: (p) => fs.readlinkSync(p),
    ftruncate: (fd, size) => fs.ftruncateSync(fd, Number(size)),
    futimes: (fd, a, m) => fs.futimesSync(fd, seconds(a), seconds(m)),
    utimes(p: string, a: bigint, m: bigint, follow: boolean): void {
      if (follow) fs.utimesSync(p, seconds(a), seconds(m));
      else fs.lutimesSync(p, seconds(a), seconds(m));
    },
    fsync: (fd) => fs.fsyncSync(fd),
    fdatasync: (fd) => fs.fdatasyncSync(fd),
    join: (base, ...names) => path.join(base, ...names),
    isInside: (root, p) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep),
  };
}
