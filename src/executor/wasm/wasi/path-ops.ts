/**
 * The path_* functions of WASI preview1. Each one turns (dir fd, guest path) into a location in the
 * virtual tree, refuses changes to virtual folders and read-only mounts, and only then calls the
 * host with a path proven to lie inside its mount.
 */
import type { HostStat } from "./backend.ts";
import { assertWritable, virtualDirStat, writeFilestat } from "./context.ts";
import type { WasiContext, WasiFunction } from "./context.ts";
import { Errno, FdFlags, LookupFlags, OFlags, Rights, RIGHTS } from "./constants.ts";
import { errnoOf, WasiErrno } from "./errors.ts";
import type { DirEntry } from "./fd-table.ts";
import { timesFor } from "./fd-ops.ts";
import { encode, type GuestMemory } from "./memory.ts";
import { hostPathOf, locate, normalize, type Location } from "./vfs.ts";

interface Target {
  dir: DirEntry;
  loc: Location;
}

/** POSIX: a path ending in `/` names a directory (normalize() drops the slash itself). */
const endsWithSlash = (guestPath: string): boolean => guestPath.length > 1 && guestPath.endsWith("/");

function tryStat(ctx: WasiContext, path: string, follow: boolean): HostStat | undefined {
  try {
    return follow ? ctx.fs.stat(path) : ctx.fs.lstat(path);
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === Errno.NOENT) return undefined;
    throw new WasiErrno(errno);
  }
}

export function pathFunctions(ctx: WasiContext, mem: GuestMemory): Record<string, WasiFunction> {
  const { fds, fs } = ctx;

  /** Resolves a guest path; `loc` is undefined for a missing name directly in a virtual folder. */
  function lookup(fd: number, ptr: number, len: number, rights: bigint): { dir: DirEntry; loc: Location | undefined } {
    const dir = fds.dir(fd, rights);
    const comps = normalize(dir.preopen, dir.path, mem.string(ptr, len), true);
    try {
      return { dir, loc: locate(dir.preopen, comps) };
    } catch (err) {
      if (err instanceof WasiErrno && err.errno === Errno.NOENT && comps.length > 0 &&
        locate(dir.preopen, comps.slice(0, -1)).kind === "vdir") {
        return { dir, loc: undefined };
      }
      throw err;
    }
  }

  function target(fd: number, ptr: number, len: number, rights: bigint): Target {
    const { dir, loc } = lookup(fd, ptr, len, rights);
    if (!loc) throw new WasiErrno(Errno.NOENT);
    return { dir, loc };
  }

  /** For calls that create or remove a name: the parent must be a writable mount. */
  function changeTarget(fd: number, ptr: number, len: number, rights: bigint): Extract<Location, { kind: "host" }> {
    const { loc } = lookup(fd, ptr, len, rights);
    if (!loc) throw new WasiErrno(Errno.ROFS); // virtual folders are read-only
    assertWritable(loc);
    if (loc.rel.length === 0) throw new WasiErrno(Errno.BUSY); // a mount point itself stays put
    return loc;
  }

  function statOf(loc: Location, follow: boolean): HostStat {
    if (loc.kind === "vdir") return virtualDirStat(loc.path);
    return follow ? fs.stat(hostPathOf(fs, loc.mount, loc.rel, true)) : fs.lstat(hostPathOf(fs, loc.mount, loc.rel, false));
  }

  return {
    path_open(dirfd: number, dirflags: number, ptr: number, len: number, oflags: number,
      rightsBase: bigint, rightsInheriting: bigint, fdflags: number, fdPtr: number) {
      const trailingSlash = endsWithSlash(mem.string(ptr, len));
      const follow = (dirflags & LookupFlags.SYMLINK_FOLLOW) !== 0 || trailingSlash;
      const create = (oflags & OFlags.CREAT) !== 0;
      const truncate = (oflags & OFlags.TRUNC) !== 0;
      const wantsWrite = (rightsBase & RIGHTS.WRITE) !== 0n || truncate || (fdflags & FdFlags.APPEND) !== 0;
      const { dir, loc } = lookup(dirfd, ptr, len, Rights.PATH_OPEN | (create ? Rights.PATH_CREATE_FILE : 0n));
      if (truncate && (dir.rightsBase & Rights.PATH_FILESTAT_SET_SIZE) === 0n) throw new WasiErrno(Errno.PERM);
      if (!loc) throw new WasiErrno(create ? Errno.ROFS : Errno.NOENT);
      // A descriptor never holds more than its directory lets it inherit.
      const inherited = (rights: bigint, mask: bigint) => rights & dir.rightsInheriting & mask;
      const openDir = (): void => {
        if (create && oflags & OFlags.EXCL) throw new WasiErrno(Errno.EXIST);
        if (wantsWrite || create) throw new WasiErrno(Errno.ISDIR);
        const fd = fds.add({
          kind: "dir", preopen: dir.preopen, path: loc.path, isPreopen: false,
          rightsBase: inherited(rightsBase, RIGHTS.DIR_BASE),
          rightsInheriting: inherited(rightsInheriting, RIGHTS.DIR_INHERITING), fdflags,
        });
        mem.setU32(fdPtr, fd);
      };
      if (loc.kind === "vdir") return openDir();
      const hostPath = hostPathOf(fs, loc.mount, loc.rel, follow);
      const st = tryStat(ctx, hostPath, follow);
      if (st?.kind === "dir") return openDir();
      if (trailingSlash) throw new WasiErrno(st ? Errno.NOTDIR : create ? Errno.ISDIR : Errno.NOENT);
      if (oflags & OFlags.DIRECTORY) throw new WasiErrno(st ? Errno.NOTDIR : Errno.NOENT);
      if (loc.mount.readOnly && (wantsWrite || (create && !st))) throw new WasiErrno(Errno.ROFS);
      if (st && create && oflags & OFlags.EXCL) throw new WasiErrno(Errno.EXIST);
      const readable = (rightsBase & RIGHTS.READ) !== 0n || !wantsWrite;
      const writable = wantsWrite || (create && (rightsBase & RIGHTS.WRITE) !== 0n);
      // Truncating gives the file's bytes back to the job's quota.
      const truncates = (oflags & OFlags.TRUNC) !== 0 && st?.kind === "file" && !loc.mount.readOnly;
      const hostFd = fs.open(hostPath, {
        read: readable, write: writable, create, exclusive: (oflags & OFlags.EXCL) !== 0,
        truncate: (oflags & OFlags.TRUNC) !== 0, noFollow: !follow,
      });
      if (truncates && st) ctx.opts.quota?.resize(st.size, 0n);
      const fd = fds.add({
        kind: "file", hostFd, mount: loc.mount, readable, writable,
        append: (fdflags & FdFlags.APPEND) !== 0, position: 0n,
        rightsBase: inherited(rightsBase, RIGHTS.FILE_BASE),
        rightsInheriting: inherited(rightsInheriting, RIGHTS.FILE_BASE), fdflags,
      });
      mem.setU32(fdPtr, fd);
    },
    path_create_directory(fd: number, ptr: number, len: number) {
      const loc = changeTarget(fd, ptr, len, Rights.PATH_CREATE_DIRECTORY);
      fs.mkdir(hostPathOf(fs, loc.mount, loc.rel, false));
    },
    path_filestat_get(fd: number, flags: number, ptr: number, len: number, buf: number) {
      const trailingSlash = endsWithSlash(mem.string(ptr, len));
      const st = statOf(target(fd, ptr, len, Rights.PATH_FILESTAT_GET).loc,
        (flags & LookupFlags.SYMLINK_FOLLOW) !== 0 || trailingSlash);
      if (trailingSlash && st.kind !== "dir") throw new WasiErrno(Errno.NOTDIR);
      writeFilestat(mem, buf, st);
    },
    path_filestat_set_times(fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) {
      const { loc } = target(fd, ptr, len, Rights.PATH_FILESTAT_SET_TIMES);
      assertWritable(loc);
      const follow = (flags & LookupFlags.SYMLINK_FOLLOW) !== 0;
      const p = hostPathOf(fs, loc.mount, loc.rel, follow);
      const [a, m] = timesFor(fst, atim, mtim, () => (follow ? fs.stat(p) : fs.lstat(p)));
      fs.utimes(p, a, m, follow);
    },
    path_link(oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      // Following the source would let a link escape the confinement that symlinks are checked for.
      if (oldFlags & LookupFlags.SYMLINK_FOLLOW) throw new WasiErrno(Errno.INVAL);
      const from = target(oldFd, oldPtr, oldLen, Rights.PATH_LINK_SOURCE).loc;
      const to = changeTarget(newFd, newPtr, newLen, Rights.PATH_LINK_TARGET);
      assertWritable(from);
      // A hard link from a read-only input into a writable mount would make the input writable.
      if (from.mount !== to.mount) throw new WasiErrno(Errno.XDEV);
      const src = hostPathOf(fs, from.mount, from.rel, false);
      const dest = hostPathOf(fs, to.mount, to.rel, false);
      if (endsWithSlash(mem.string(oldPtr, oldLen)) && fs.lstat(src).kind !== "dir") throw new WasiErrno(Errno.NOTDIR);
      // A hard link is never a directory, so "name/" can only be refused.
      if (endsWithSlash(mem.string(newPtr, newLen))) throw new WasiErrno(tryStat(ctx, dest, false) ? Errno.EXIST : Errno.NOENT);
      const size = fs.lstat(src).size;
      ctx.opts.quota?.add(size);
      try {
        fs.link(src, dest);
      } catch (err) {
        ctx.opts.quota?.resize(size, 0n);
        throw err;
      }
    },
    path_readlink(fd: number, ptr: number, len: number, buf: number, bufLen: number, usedPtr: number) {
      const { loc } = target(fd, ptr, len, Rights.PATH_READLINK);
      if (loc.kind === "vdir" || loc.rel.length === 0) throw new WasiErrno(Errno.INVAL);
      const text = encode(fs.readlink(hostPathOf(fs, loc.mount, loc.rel, false)));
      const n = Math.min(text.length, bufLen);
      mem.bytes(buf, n).set(text.subarray(0, n));
      mem.setU32(usedPtr, n);
    },
    path_remove_directory(fd: number, ptr: number, len: number) {
      const loc = changeTarget(fd, ptr, len, Rights.PATH_REMOVE_DIRECTORY);
      fs.rmdir(hostPathOf(fs, loc.mount, loc.rel, false));
    },
    path_rename(oldFd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) {
      const from = changeTarget(oldFd, oldPtr, oldLen, Rights.PATH_RENAME_SOURCE);
      const to = changeTarget(newFd, newPtr, newLen, Rights.PATH_RENAME_TARGET);
      if (from.mount !== to.mount) throw new WasiErrno(Errno.XDEV);
      const dest = hostPathOf(fs, to.mount, to.rel, false);
      const replaced = ctx.opts.quota ? tryStat(ctx, dest, false) : undefined;
      fs.rename(hostPathOf(fs, from.mount, from.rel, false), dest);
      if (replaced?.kind === "file") ctx.opts.quota?.resize(replaced.size, 0n);
    },
    path_symlink(oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) {
      if (!ctx.opts.allowSymlinks) throw new WasiErrno(Errno.PERM);
      const linkTarget = mem.string(oldPtr, oldLen);
      if (linkTarget.startsWith("/")) throw new WasiErrno(Errno.PERM);
      const loc = changeTarget(fd, newPtr, newLen, Rights.PATH_SYMLINK);
      const linkPath = hostPathOf(fs, loc.mount, loc.rel, false);
      if (endsWithSlash(mem.string(newPtr, newLen))) {
        // symlink(2) on "name/": nothing there → ENOENT, a folder → EEXIST, anything else → ENOTDIR.
        const st = tryStat(ctx, linkPath, false);
        throw new WasiErrno(!st ? Errno.NOENT : st.kind === "dir" ? Errno.EXIST : Errno.NOTDIR);
      }
      const bytes = BigInt(encode(linkTarget).length);
      ctx.opts.quota?.add(bytes);
      try {
        fs.symlink(linkTarget, linkPath);
      } catch (err) {
        ctx.opts.quota?.resize(bytes, 0n);
        throw err;
      }
    },
    path_unlink_file(fd: number, ptr: number, len: number) {
      const loc = changeTarget(fd, ptr, len, Rights.PATH_UNLINK_FILE);
      const p = hostPathOf(fs, loc.mount, loc.rel, false);
      const st = fs.lstat(p);
      const kind = st.kind;
      if (kind === "dir") throw new WasiErrno(Errno.ISDIR);
      // normalize() drops a trailing slash, but POSIX says "name/" must be a directory: unlinking
      // "file/" has to fail with ENOTDIR, as unlink(2) does, instead of removing the file.
      if (endsWithSlash(mem.string(ptr, len))) throw new WasiErrno(Errno.NOTDIR);
      fs.unlink(p);
      ctx.opts.quota?.resize(st.size, 0n);
    },
  };
}
