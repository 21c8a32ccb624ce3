/**
 * The fd_* functions of WASI preview1: reading, writing, seeking and describing open descriptors.
 */
import { fileTypeOf, nowNs, virtualDirStat, writeFilestat } from "./context.ts";
import type { WasiContext, WasiFunction } from "./context.ts";
import { Errno, FdFlags, FileType, FstFlags, PREOPENTYPE_DIR, Rights, Whence } from "./constants.ts";
import { WasiErrno } from "./errors.ts";
import { requireRights, type DirEntry, type FdEntry, type FileEntry } from "./fd-table.ts";
import { encode, type GuestMemory } from "./memory.ts";
import { hostPathOf, locate } from "./vfs.ts";
import type { HostStat } from "./backend.ts";

function closeEntry(ctx: WasiContext, entry: FdEntry): void {
  if (entry.kind === "file") ctx.fs.close(entry.hostFd);
}

function requireWritable(entry: FileEntry): void {
  if (entry.mount.readOnly) throw new WasiErrno(Errno.ROFS);
  if (!entry.writable) throw new WasiErrno(Errno.BADF);
}

/** Asks the job's quota before the file behind `entry` may reach `end` bytes. */
function reserve(ctx: WasiContext, entry: FileEntry, end: bigint): void {
  const quota = ctx.opts.quota;
  if (!quota) return;
  const size = ctx.fs.fstat(entry.hostFd).size;
  if (end > size) quota.resize(size, end);
}

function writeFile(ctx: WasiContext, entry: FileEntry, chunks: Uint8Array[], at?: bigint): number {
  requireWritable(entry);
  let pos = at ?? (entry.append ? ctx.fs.fstat(entry.hostFd).size : entry.position);
  reserve(ctx, entry, pos + BigInt(chunks.reduce((n, c) => n + c.length, 0)));
  let total = 0;
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) {
      const n = ctx.fs.write(entry.hostFd, chunk.subarray(off), pos);
      if (n <= 0) break;
      off += n;
      pos += BigInt(n);
    }
    total += off;
  }
  if (at === undefined) entry.position = pos;
  return total;
}

function readFile(ctx: WasiContext, entry: FileEntry, bufs: Uint8Array[], at?: bigint): number {
  if (!entry.readable) throw new WasiErrno(Errno.BADF);
  let pos = at ?? entry.position;
  let total = 0;
  for (const buf of bufs) {
    const n = ctx.fs.read(entry.hostFd, buf, pos);
    total += n;
    pos += BigInt(n);
    if (n < buf.length) break;
  }
  if (at === undefined) entry.position = pos;
  return total;
}

function statOfDir(ctx: WasiContext, dir: DirEntry): HostStat {
  const loc = locate(dir.preopen, dir.path);
  if (loc.kind === "vdir") return virtualDirStat(loc.path);
  return ctx.fs.stat(hostPathOf(ctx.fs, loc.mount, loc.rel, true));
}

/** Lists a directory for fd_readdir, with `.` and `..` first and the rest sorted by name. */
function listDir(ctx: WasiContext, dir: DirEntry): Array<{ name: string; type: number; ino: bigint }> {
  const self = statOfDir(ctx, dir);
  const out = [
    { name: ".", type: FileType.DIRECTORY as number, ino: self.ino },
    { name: "..", type: FileType.DIRECTORY as number, ino: 0n },
  ];
  const loc = locate(dir.preopen, dir.path);
  if (loc.kind === "vdir") {
    for (const [name, node] of [...loc.node.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const isDir = node.kind === "vdir" || node.isDir;
      const ino = node.kind === "vdir" ? virtualDirStat([...loc.path, name]).ino : ctx.fs.stat(node.realRoot).ino;
      out.push({ name, type: isDir ? FileType.DIRECTORY : FileType.REGULAR_FILE, ino });
    }
    return out;
  }
  const hostDir = hostPathOf(ctx.fs, loc.mount, loc.rel, true);
  const names = ctx.fs.readdir(hostDir).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of names) {
    let ino = 0n;
    try {
      ino = ctx.fs.lstat(ctx.fs.join(hostDir, e.name)).ino;
    } catch { /* vanished meanwhile: keep it with inode 0 */ }
    out.push({ name: e.name, type: fileTypeOf(e.kind), ino });
  }
  return out;
}

/** The (atime, mtime) pair a set_times call asks for, keeping the current value of an unset one. */
export function timesFor(flags: number, atim: bigint, mtim: bigint, current: () => HostStat): [bigint, bigint] {
  if ((flags & FstFlags.ATIM && flags & FstFlags.ATIM_NOW) || (flags & FstFlags.MTIM && flags & FstFlags.MTIM_NOW)) {
    throw new WasiErrno(Errno.INVAL);
  }
  const now = nowNs();
  const keep = (flags & (FstFlags.ATIM | FstFlags.ATIM_NOW)) === 0 || (flags & (FstFlags.MTIM | FstFlags.MTIM_NOW)) === 0
    ? current()
    : undefined;
  const a = flags & FstFlags.ATIM_NOW ? now : flags & FstFlags.ATIM ? atim : keep!.atimNs;
  const m = flags & FstFlags.MTIM_NOW ? now : flags & FstFlags.MTIM ? mtim : keep!.mtimNs;
  return [a, m];
}

export function fdFunctions(ctx: WasiContext, mem: GuestMemory): Record<string, WasiFunction> {
  const { fds, fs, opts } = ctx;
  return {
    fd_advise: (fd: number) => void fds.file(fd, Rights.FD_ADVISE),
    fd_allocate(fd: number, offset: bigint, len: bigint) {
      const entry = fds.file(fd, Rights.FD_ALLOCATE);
      requireWritable(entry);
      reserve(ctx, entry, offset + len);
      if (fs.fstat(entry.hostFd).size < offset + len) fs.ftruncate(entry.hostFd, offset + len);
    },
    fd_close(fd: number) {
      closeEntry(ctx, fds.remove(fd));
    },
    fd_datasync(fd: number) {
      fs.fdatasync(fds.file(fd, Rights.FD_DATASYNC).hostFd);
    },
    fd_sync(fd: number) {
      const entry = fds.get(fd, Rights.FD_SYNC);
      if (entry.kind === "file") fs.fsync(entry.hostFd);
    },
    fd_fdstat_get(fd: number, ptr: number) {
      const entry = fds.get(fd);
      mem.bytes(ptr, 24).fill(0);
      const type = entry.kind === "stdio" ? FileType.CHARACTER_DEVICE
        : entry.kind === "dir" ? FileType.DIRECTORY
        : fileTypeOf(fs.fstat(entry.hostFd).kind);
      mem.setU8(ptr, type);
      mem.setU16(ptr + 2, entry.fdflags);
      mem.setU64(ptr + 8, entry.rightsBase);
      mem.setU64(ptr + 16, entry.kind === "stdio" ? 0n : entry.rightsInheriting);
    },
    fd_fdstat_set_flags(fd: number, flags: number) {
      const entry = fds.get(fd, Rights.FD_FDSTAT_SET_FLAGS);
      if (entry.kind === "file") entry.append = (flags & FdFlags.APPEND) !== 0;
      entry.fdflags = flags;
    },
    fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint) {
      const entry = fds.get(fd);
      if ((base & ~entry.rightsBase) !== 0n) throw new WasiErrno(Errno.NOTCAPABLE);
      entry.rightsBase = base;
      if (entry.kind !== "stdio") entry.rightsInheriting = inheriting & entry.rightsInheriting;
    },
    fd_filestat_get(fd: number, ptr: number) {
      const entry = fds.get(fd, Rights.FD_FILESTAT_GET);
      let st: HostStat;
      if (entry.kind === "file") st = fs.fstat(entry.hostFd);
      else if (entry.kind === "dir") st = statOfDir(ctx, entry);
      else st = { kind: "char", dev: 0n, ino: 0n, nlink: 1n, size: 0n, atimNs: 0n, mtimNs: 0n, ctimNs: 0n };
      writeFilestat(mem, ptr, st);
    },
    fd_filestat_set_size(fd: number, size: bigint) {
      const entry = fds.file(fd, Rights.FD_FILESTAT_SET_SIZE);
      requireWritable(entry);
      ctx.opts.quota?.resize(fs.fstat(entry.hostFd).size, size);
      fs.ftruncate(entry.hostFd, size);
    },
    fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number) {
      const entry = fds.get(fd);
      if (entry.kind === "stdio") return;
      requireRights(entry, Rights.FD_FILESTAT_SET_TIMES);
      if (entry.kind === "dir") {
        const loc = locate(entry.preopen, entry.path);
        if (loc.kind === "vdir" || loc.mount.readOnly) throw new WasiErrno(Errno.ROFS);
        const p = hostPathOf(fs, loc.mount, loc.rel, true);
        const [a, m] = timesFor(flags, atim, mtim, () => fs.stat(p));
        fs.utimes(p, a, m, true);
        return;
      }
      if (entry.mount.readOnly) throw new WasiErrno(Errno.ROFS);
      const [a, m] = timesFor(flags, atim, mtim, () => fs.fstat(entry.hostFd));
      fs.futimes(entry.hostFd, a, m);
    },
    fd_pread(fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number) {
      mem.setU32(nreadPtr, readFile(ctx, fds.file(fd, Rights.FD_READ | Rights.FD_SEEK), mem.iovecs(iovs, count), offset));
    },
    fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number) {
      mem.setU32(nwrittenPtr, writeFile(ctx, fds.file(fd, Rights.FD_WRITE | Rights.FD_SEEK), mem.iovecs(iovs, count), offset));
    },
    fd_prestat_get(fd: number, ptr: number) {
      const entry = fds.get(fd);
      if (entry.kind !== "dir" || !entry.isPreopen) throw new WasiErrno(Errno.BADF);
      mem.setU32(ptr, PREOPENTYPE_DIR);
      mem.setU32(ptr + 4, encode(entry.preopen.name).length);
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number) {
      const entry = fds.get(fd);
      if (entry.kind !== "dir" || !entry.isPreopen) throw new WasiErrno(Errno.BADF);
      const name = encode(entry.preopen.name);
      if (len < name.length) throw new WasiErrno(Errno.NAMETOOLONG);
      mem.bytes(ptr, name.length).set(name);
    },
    fd_read(fd: number, iovs: number, count: number, nreadPtr: number) {
      const entry = fds.get(fd);
      if (entry.kind === "dir") throw new WasiErrno(Errno.ISDIR);
      requireRights(entry, Rights.FD_READ);
      if (entry.kind === "stdio") {
        if (entry.stream !== 0) throw new WasiErrno(Errno.BADF);
        let total = 0;
        for (const buf of mem.iovecs(iovs, count)) {
          if (buf.length === 0) continue;
          const n = opts.stdin ? opts.stdin(buf) : 0;
          total += n;
          if (n < buf.length) break;
        }
        mem.setU32(nreadPtr, total);
        return;
      }
      mem.setU32(nreadPtr, readFile(ctx, entry, mem.iovecs(iovs, count)));
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number) {
      const entry = fds.get(fd);
      if (entry.kind === "dir") throw new WasiErrno(Errno.ISDIR);
      requireRights(entry, Rights.FD_WRITE);
      const chunks = mem.iovecs(iovs, count);
      if (entry.kind === "stdio") {
        if (entry.stream === 0) throw new WasiErrno(Errno.BADF);
        const sink = entry.stream === 1 ? opts.stdout : opts.stderr;
        const total = chunks.reduce((n, c) => n + c.length, 0);
        if (total > 0) {
          // One copied chunk per call: the guest reuses its buffers, and one write is one log chunk.
          const joined = new Uint8Array(total);
          let at = 0;
          for (const c of chunks) {
            joined.set(c, at);
            at += c.length;
          }
          sink(joined);
        }
        mem.setU32(nwrittenPtr, total);
        return;
      }
      mem.setU32(nwrittenPtr, writeFile(ctx, entry, chunks));
    },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, bufusedPtr: number) {
      const dir = fds.dir(fd, Rights.FD_READDIR);
      const entries = listDir(ctx, dir);
      const out = mem.bytes(buf, bufLen);
      let used = 0;
      for (let i = Number(cookie); i < entries.length && used < bufLen; i++) {
        const e = entries[i];
        const name = encode(e.name);
        const record = new Uint8Array(24 + name.length);
        const view = new DataView(record.buffer);
        view.setBigUint64(0, BigInt(i + 1), true);
        view.setBigUint64(8, e.ino, true);
        view.setUint32(16, name.length, true);
        view.setUint8(20, e.type);
        record.set(name, 24);
        const n = Math.min(record.length, bufLen - used);
        out.set(record.subarray(0, n), used); // a cut record tells libc to retry with a bigger buffer
        used += n;
      }
      mem.setU32(bufusedPtr, used);
    },
    fd_renumber(from: number, to: number) {
      if (from === to) return void fds.get(from);
      const previous = fds.renumber(from, to);
      if (previous) closeEntry(ctx, previous);
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number) {
      const entry = fds.get(fd);
      if (entry.kind === "stdio") throw new WasiErrno(Errno.SPIPE);
      if (entry.kind === "dir") throw new WasiErrno(Errno.BADF);
      // Asking where one is (offset 0 from the current position) is what the tell right covers.
      requireRights(entry, offset === 0n && whence === Whence.CUR ? Rights.FD_TELL : Rights.FD_SEEK);
      let base: bigint;
      if (whence === Whence.SET) base = 0n;
      else if (whence === Whence.CUR) base = entry.position;
      else if (whence === Whence.END) base = fs.fstat(entry.hostFd).size;
      else throw new WasiErrno(Errno.INVAL);
      const next = base + offset;
      if (next < 0n) throw new WasiErrno(Errno.INVAL);
      entry.position = next;
      mem.setU64(newOffsetPtr, next);
    },
    fd_tell(fd: number, ptr: number) {
      const entry = fds.get(fd);
      if (entry.kind === "stdio") throw new WasiErrno(Errno.SPIPE);
      if (entry.kind === "dir") throw new WasiErrno(Errno.BADF);
      requireRights(entry, Rights.FD_TELL);
      mem.setU64(ptr, entry.position);
    },
  };
}

