// Regression tests for WASI host bugs found by running the public wasi-testsuite, each checked
// against the preview1 / POSIX behaviour the suite expects. Host functions are called directly on
// a real memory and a real temp folder.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Errno, FstFlags, OFlags, Rights } from "../../src/executor/wasm/wasi/constants.ts";
import { WasiHost } from "../../src/executor/wasm/wasi/host.ts";
import { nodeFsBackend } from "../../src/executor/wasm/wasi/node-backend.ts";
import { hostMount } from "../../src/executor/wasm/wasi/vfs.ts";
import { tempDir } from "./helpers.ts";

type Fn = (...args: Array<number | bigint>) => number;

/** A host whose fd 3 is `dir`, writable, plus a helper that puts a string in guest memory. */
function hostOn(dir: string) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const host = new WasiHost({
    args: [""], env: [], fs: nodeFsBackend(), stdout: () => {}, stderr: () => {}, allowSymlinks: true,
    preopens: [{ name: "fs-tests.dir", root: hostMount(nodeFsBackend(), dir, false), dotdotAtRoot: "deny" }],
  });
  const fns = host.imports(() => memory) as unknown as Record<string, Fn>;
  let next = 1024;
  const str = (s: string): [number, number] => {
    const bytes = new TextEncoder().encode(s);
    const at = next;
    new Uint8Array(memory.buffer, at, bytes.length).set(bytes);
    next += bytes.length + 8;
    return [at, bytes.length];
  };
  const u32 = (at: number) => new DataView(memory.buffer).getUint32(at, true);
  const u64 = (at: number) => new DataView(memory.buffer).getBigUint64(at, true);
  return { fns, str, u32, u64, close: () => host.close() };
}

// wasi-testsuite rust/unlink_file_trailing_slashes: "file/" names a directory, so unlinking a
// regular file through it must fail with ENOTDIR (as unlink(2) does) and leave the file alone.
test("path_unlink_file refuses a trailing slash on a file", (t) => {
  const dir = tempDir(t, "wasi-fixes-");
  writeFileSync(join(dir, "file"), "x");
  mkdirSync(join(dir, "sub"));
  const h = hostOn(dir);
  t.after(() => h.close());

  assert.equal(h.fns.path_unlink_file(3, ...h.str("file/")), Errno.NOTDIR);
  assert.ok(existsSync(join(dir, "file")), "the file must survive a refused unlink");
  assert.equal(h.fns.path_unlink_file(3, ...h.str("sub")), Errno.ISDIR);
  assert.equal(h.fns.path_unlink_file(3, ...h.str("sub/")), Errno.ISDIR);
  assert.equal(h.fns.path_unlink_file(3, ...h.str("file")), Errno.SUCCESS);
  assert.ok(!existsSync(join(dir, "file")));
});

const FD_OUT = 64; // where the tests let the host write a new fd
const STAT_OUT = 128; // where the tests let the host write a 64-byte filestat
const RW = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_TELL;

// wasi-testsuite rust/fd_fdstat_set_rights: rights that were dropped are enforced on every call.
test("fd rights: a dropped right refuses its call, and cannot be granted back", (t) => {
  const h = hostOn(tempDir(t, "wasi-fixes-"));
  t.after(() => h.close());
  assert.equal(h.fns.path_open(3, 0, ...h.str("f"), OFlags.CREAT, RW, 0n, 0, FD_OUT), Errno.SUCCESS);
  const fd = h.u32(FD_OUT);
  assert.equal(h.fns.fd_write(fd, 0, 0, 96), Errno.SUCCESS);
  assert.equal(h.fns.fd_fdstat_set_rights(fd, Rights.FD_SEEK | Rights.FD_TELL, 0n), Errno.SUCCESS);
  assert.equal(h.fns.fd_read(fd, 0, 0, 96), Errno.NOTCAPABLE);
  assert.equal(h.fns.fd_write(fd, 0, 0, 96), Errno.NOTCAPABLE);
  assert.equal(h.fns.fd_filestat_set_size(fd, 0n), Errno.NOTCAPABLE);
  assert.equal(h.fns.fd_fdstat_set_rights(fd, RW, 0n), Errno.NOTCAPABLE);
  // A file opened through a folder gets no right that the folder does not hand down.
  assert.equal(h.fns.fd_fdstat_set_rights(3, Rights.PATH_OPEN, Rights.FD_READ), Errno.SUCCESS);
  assert.equal(h.fns.path_open(3, 0, ...h.str("f"), 0, RW, 0n, 0, FD_OUT), Errno.SUCCESS);
  const narrow = h.u32(FD_OUT);
  assert.equal(h.fns.fd_read(narrow, 0, 0, 96), Errno.SUCCESS);
  assert.equal(h.fns.fd_write(narrow, 0, 0, 96), Errno.NOTCAPABLE);
  // Without path rights, the folder's path calls are refused.
  assert.equal(h.fns.path_create_directory(3, ...h.str("d")), Errno.NOTCAPABLE);
  assert.equal(h.fns.path_unlink_file(3, ...h.str("f")), Errno.NOTCAPABLE);
});

// wasi-testsuite rust/truncation_rights: O_TRUNC needs path_filestat_set_size on the folder.
test("path_open with O_TRUNC needs the folder's path_filestat_set_size right", (t) => {
  const dir = tempDir(t, "wasi-fixes-");
  writeFileSync(join(dir, "file"), "keep me");
  const h = hostOn(dir);
  t.after(() => h.close());
  const all = (1n << 30n) - 1n;
  assert.equal(h.fns.fd_fdstat_set_rights(3, all & ~Rights.PATH_FILESTAT_SET_SIZE & ~Rights.FD_READ & ~Rights.FD_WRITE &
    ~Rights.FD_SEEK & ~Rights.FD_TELL & ~Rights.FD_ALLOCATE & ~Rights.FD_ADVISE & ~Rights.FD_FILESTAT_SET_SIZE &
    ~Rights.POLL_FD_READWRITE & ~Rights.SOCK_SHUTDOWN & ~Rights.SOCK_ACCEPT, all), Errno.SUCCESS);
  assert.equal(h.fns.path_open(3, 0, ...h.str("file"), OFlags.TRUNC, 0n, 0n, 0, FD_OUT), Errno.PERM);
  assert.equal(readFileSync(join(dir, "file"), "utf8"), "keep me");
});

// wasi-testsuite rust/interesting_paths: a directory descriptor is a capability; an absolute
// path or a `..` above it is refused, even when the result would still lie inside the preopen.
test("paths are relative to their directory descriptor and cannot climb above it", (t) => {
  const dir = tempDir(t, "wasi-fixes-");
  mkdirSync(join(dir, "sub", "nested"), { recursive: true });
  writeFileSync(join(dir, "sub", "nested", "file"), "x");
  writeFileSync(join(dir, "outside-sub"), "x");
  const h = hostOn(dir);
  t.after(() => h.close());
  assert.equal(h.fns.path_open(3, 0, ...h.str("sub"), OFlags.DIRECTORY, Rights.PATH_OPEN | Rights.PATH_FILESTAT_GET, Rights.FD_READ, 0, FD_OUT), Errno.SUCCESS);
  const sub = h.u32(FD_OUT);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("/sub/nested/file"), 0, 0n, 0n, 0, FD_OUT), Errno.PERM);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("../outside-sub"), 0, 0n, 0n, 0, FD_OUT), Errno.NOTCAPABLE);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("nested/../../sub/nested/file"), 0, 0n, 0n, 0, FD_OUT), Errno.NOTCAPABLE);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("nested/.//../nested///./file"), 0, 0n, 0n, 0, FD_OUT), Errno.SUCCESS);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("nested/file/"), 0, 0n, 0n, 0, FD_OUT), Errno.NOTDIR);
  assert.equal(h.fns.path_open(sub, 0, ...h.str("nested///"), 0, 0n, 0n, 0, FD_OUT), Errno.SUCCESS);
  assert.equal(h.fns.path_filestat_get(sub, 0, ...h.str("nested/file/"), STAT_OUT), Errno.NOTDIR);
});

// wasi-testsuite rust/path_symlink_trailing_slashes and rust/path_link: "name/" can only name a
// folder, so a link or symlink cannot be created there, with the errno symlink(2)/link(2) give.
test("links and symlinks refuse a destination ending with a slash", (t) => {
  const dir = tempDir(t, "wasi-fixes-");
  writeFileSync(join(dir, "file"), "x");
  mkdirSync(join(dir, "folder"));
  const h = hostOn(dir);
  t.after(() => h.close());
  assert.equal(h.fns.path_symlink(...h.str("source"), 3, ...h.str("target/")), Errno.NOENT);
  assert.equal(h.fns.path_symlink(...h.str("source"), 3, ...h.str("folder/")), Errno.EXIST);
  assert.equal(h.fns.path_symlink(...h.str("source"), 3, ...h.str("file/")), Errno.NOTDIR);
  assert.ok(!existsSync(join(dir, "target")));
  assert.equal(h.fns.path_link(3, 0, ...h.str("file"), 3, ...h.str("link/")), Errno.NOENT);
  assert.equal(h.fns.path_link(3, 0, ...h.str("file"), 3, ...h.str("folder/")), Errno.EXIST);
  assert.ok(!existsSync(join(dir, "link")));
  assert.equal(h.fns.path_link(3, 1, ...h.str("file"), 3, ...h.str("link")), Errno.INVAL);
  assert.equal(h.fns.path_link(3, 0, ...h.str("file"), 3, ...h.str("link")), Errno.SUCCESS);
});

// wasi-testsuite rust/path_filestat, fd_filestat_set and symlink_filestat: times set by a guest
// read back to the nanosecond, though node:fs stores them through a number of seconds.
test("timestamps set by the guest read back exactly, for files and symlinks", (t) => {
  const dir = tempDir(t, "wasi-fixes-");
  writeFileSync(join(dir, "file"), "x");
  const h = hostOn(dir);
  t.after(() => h.close());
  const mtime = () => {
    assert.equal(h.fns.path_filestat_get(3, 0, ...h.str("file"), STAT_OUT), Errno.SUCCESS);
    return h.u64(STAT_OUT + 48);
  };
  const wanted = mtime() - 100n;
  assert.equal(h.fns.path_filestat_set_times(3, 0, ...h.str("file"), 0n, wanted, FstFlags.MTIM), Errno.SUCCESS);
  assert.equal(mtime(), wanted);
  assert.equal(h.fns.path_symlink(...h.str("file"), 3, ...h.str("link")), Errno.SUCCESS);
  const linkWanted = wanted - 12_345n;
  assert.equal(h.fns.path_filestat_set_times(3, 0, ...h.str("link"), 0n, linkWanted, FstFlags.MTIM), Errno.SUCCESS);
  assert.equal(h.fns.path_filestat_get(3, 0, ...h.str("link"), STAT_OUT), Errno.SUCCESS);
  assert.equal(h.u64(STAT_OUT + 48), linkWanted);
  assert.equal(mtime(), wanted, "setting the link's time leaves its target alone");
  // A later write moves the time on: the remembered value no longer applies.
  assert.equal(h.fns.path_open(3, 0, ...h.str("file"), 0, RW | Rights.FD_FILESTAT_SET_SIZE, 0n, 0, FD_OUT), Errno.SUCCESS);
  const fd = h.u32(FD_OUT);
  assert.equal(h.fns.fd_filestat_set_size(fd, 10n), Errno.SUCCESS);
  assert.notEqual(mtime(), wanted);
});
