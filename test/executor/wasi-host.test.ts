// The WASI host's functions called directly on a real memory and real files (no wasm module needed).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildJobPreopen } from "../../src/executor/wasm/job-fs.ts";
import { Errno, LookupFlags, OFlags, Rights } from "../../src/executor/wasm/wasi/constants.ts";
import { ProcExit } from "../../src/executor/wasm/wasi/errors.ts";
import { WasiHost } from "../../src/executor/wasm/wasi/host.ts";
import { nodeFsBackend } from "../../src/executor/wasm/wasi/node-backend.ts";
import { hostMount, type Preopen } from "../../src/executor/wasm/wasi/vfs.ts";
import { tempDir } from "./helpers.ts";

type Fn = (...args: Array<number | bigint>) => number;

/** A host plus helpers to put strings in memory and read results back. */
function harness(preopens: Preopen[], allowSymlinks = false) {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const stdout: Uint8Array[] = [];
  const host = new WasiHost({
    args: ["", "a1"], env: [["A", "1"], ["B", "two"]], preopens, fs: nodeFsBackend(),
    stdout: (c) => void stdout.push(c), stderr: () => {}, allowSymlinks,
  });
  const fns = host.imports(() => memory) as unknown as Record<string, Fn>;
  const view = () => new DataView(memory.buffer);
  let scratch = 4096;
  const str = (s: string): [number, number] => {
    const bytes = new TextEncoder().encode(s);
    const at = scratch;
    new Uint8Array(memory.buffer, at, bytes.length).set(bytes);
    scratch += bytes.length + 8;
    return [at, bytes.length];
  };
  const RW = Rights.FD_READ | Rights.FD_WRITE | Rights.FD_SEEK | Rights.FD_TELL;
  const open = (path: string, oflags = 0, rights = Rights.FD_READ, fdflags = 0, dirfd = 3): number | string => {
    const errno = fns.path_open(dirfd, LookupFlags.SYMLINK_FOLLOW, ...str(path), oflags, rights, 0n, fdflags, 0);
    return errno === 0 ? view().getUint32(0, true) : `errno ${errno}`;
  };
  return { fns, view, str, open, memory, stdout, RW, close: () => host.close() };
}

const errno = (n: number) => `errno ${n}`;

test("WASI host", async (t) => {
  const fs = nodeFsBackend();
  const dir = tempDir(t);
  const input = join(dir, "input");
  const results = join(dir, "out");
  mkdirSync(join(input, "sub"), { recursive: true });
  mkdirSync(results);
  writeFileSync(join(input, "a.txt"), "alpha");
  writeFileSync(join(dir, "secret"), "secret");
  symlinkSync("../secret", join(input, "escape"));
  const jobRoot = () => buildJobPreopen(fs, [
    { target: "/inputs", hostPath: input, readOnly: true },
    { target: "/x/single.txt", hostPath: join(input, "a.txt"), readOnly: true },
    { target: "/outputs", hostPath: results, readOnly: false },
  ]);

  await t.test("args, env and the preopen name", () => {
    const h = harness([jobRoot()]);
    assert.equal(h.fns.args_sizes_get(0, 4), 0);
    assert.deepEqual([h.view().getUint32(0, true), h.view().getUint32(4, true)], [2, 4]);
    assert.equal(h.fns.environ_sizes_get(0, 4), 0);
    assert.deepEqual([h.view().getUint32(0, true), h.view().getUint32(4, true)], [2, 10]);
    assert.equal(h.fns.fd_prestat_get(3, 0), 0);
    assert.equal(h.view().getUint32(4, true), 1);
    assert.equal(h.fns.fd_prestat_dir_name(3, 100, 1), 0);
    assert.equal(new Uint8Array(h.memory.buffer)[100], "/".charCodeAt(0));
    assert.equal(h.fns.fd_prestat_get(4, 0), Errno.BADF);
  });

  await t.test("the root lists its mounts as a read-only virtual folder", () => {
    const h = harness([jobRoot()]);
    assert.equal(h.fns.fd_readdir(3, 1024, 1024, 0n, 0), 0);
    const used = h.view().getUint32(0, true);
    const names: string[] = [];
    for (let at = 1024; at < 1024 + used;) {
      const len = h.view().getUint32(at + 16, true);
      names.push(new TextDecoder().decode(new Uint8Array(h.memory.buffer, at + 24, len)));
      at += 24 + len;
    }
    assert.deepEqual(names, [".", "..", "inputs", "outputs", "x"]);
    assert.equal(h.open("new.txt", OFlags.CREAT, h.RW), errno(Errno.ROFS));
    assert.equal(h.fns.path_create_directory(3, ...h.str("x/newdir")), Errno.ROFS);
    assert.equal(h.fns.path_unlink_file(3, ...h.str("x/single.txt")), Errno.ROFS);
  });

  await t.test(".. stops at / in the job tree, and symlinks may not leave their mount", () => {
    const h = harness([jobRoot()]);
    assert.equal(typeof h.open("../../inputs/a.txt"), "number");
    assert.equal(h.open("../../secret"), errno(Errno.NOENT));
    assert.equal(h.open("inputs/escape"), errno(Errno.NOTCAPABLE));
    assert.equal(h.open("inputs/../../etc/passwd"), errno(Errno.NOENT));
  });

  await t.test("read-only mounts refuse writes; writable ones take them", () => {
    const h = harness([jobRoot()]);
    assert.equal(h.open("inputs/a.txt", 0, h.RW), errno(Errno.ROFS));
    assert.equal(h.open("inputs/new.txt", OFlags.CREAT, h.RW), errno(Errno.ROFS));
    assert.equal(h.fns.path_rename(3, ...h.str("inputs/a.txt"), 3, ...h.str("outputs/a.txt")), Errno.ROFS);
    assert.equal(h.fns.path_link(3, 0, ...h.str("inputs/a.txt"), 3, ...h.str("outputs/a.txt")), Errno.ROFS);
    assert.equal(h.fns.path_symlink(...h.str("/etc/passwd"), 3, ...h.str("outputs/l")), Errno.PERM);
    const fd = h.open("outputs/f.txt", OFlags.CREAT | OFlags.TRUNC, h.RW);
    assert.equal(typeof fd, "number");
    const [p, n] = h.str("hello");
    h.view().setUint32(200, p, true);
    h.view().setUint32(204, n, true);
    assert.equal(h.fns.fd_write(fd as number, 200, 1, 208), 0);
    assert.equal(h.view().getUint32(208, true), 5);
    assert.equal(h.fns.fd_seek(fd as number, 1n, 0, 216), 0);
    assert.equal(h.fns.fd_tell(fd as number, 216), 0);
    assert.equal(h.view().getBigUint64(216, true), 1n);
    h.view().setUint32(200, 300, true);
    h.view().setUint32(204, 3, true);
    assert.equal(h.fns.fd_read(fd as number, 200, 1, 208), 0);
    assert.equal(new TextDecoder().decode(new Uint8Array(h.memory.buffer, 300, 3)), "ell");
    assert.equal(h.fns.fd_close(fd as number), 0);
    assert.equal(readFileSync(join(results, "f.txt"), "utf8"), "hello");
    assert.equal(h.fns.path_link(3, 0, ...h.str("outputs/f.txt"), 3, ...h.str("outputs/g.txt")), 0);
    assert.equal(h.fns.path_rename(3, ...h.str("outputs/g.txt"), 3, ...h.str("outputs/h.txt")), 0);
    assert.equal(h.fns.path_unlink_file(3, ...h.str("outputs/h.txt")), 0);
    assert.equal(existsSync(join(results, "h.txt")), false);
  });

  await t.test("appends go to the end of the file", () => {
    writeFileSync(join(results, "log.txt"), "one\n");
    const h = harness([jobRoot()]);
    const fd = h.open("outputs/log.txt", 0, h.RW, 1 /* APPEND */) as number;
    const [p, n] = h.str("two\n");
    h.view().setUint32(200, p, true);
    h.view().setUint32(204, n, true);
    assert.equal(h.fns.fd_write(fd, 200, 1, 208), 0);
    h.close();
    assert.equal(readFileSync(join(results, "log.txt"), "utf8"), "one\ntwo\n");
  });

  await t.test("stdout gets one chunk per fd_write, iovecs joined", () => {
    const h = harness([jobRoot()]);
    const [p1, n1] = h.str("ab");
    const [p2, n2] = h.str("cd");
    const v = h.view();
    v.setUint32(200, p1, true);
    v.setUint32(204, n1, true);
    v.setUint32(208, p2, true);
    v.setUint32(212, n2, true);
    assert.equal(h.fns.fd_write(1, 200, 2, 220), 0);
    assert.deepEqual(h.stdout.map((c) => new TextDecoder().decode(c)), ["abcd"]);
  });

  await t.test("wasm exec preopens: .. above the root is refused, relative symlinks allowed but confined", () => {
    const play = join(dir, "play");
    mkdirSync(play);
    const h = harness([{ name: "play.dir", root: hostMount(fs, play, false), dotdotAtRoot: "deny" }], true);
    assert.equal(h.open("../secret"), errno(Errno.NOTCAPABLE));
    assert.equal(h.fns.path_symlink(...h.str("../secret"), 3, ...h.str("out")), 0);
    assert.equal(readlinkSync(join(play, "out")), "../secret");
    assert.equal(h.open("out"), errno(Errno.NOTCAPABLE));
    assert.equal(h.fns.path_symlink(...h.str("/etc/passwd"), 3, ...h.str("abs")), Errno.PERM);
    writeFileSync(join(play, "t.txt"), "t");
    assert.equal(h.fns.path_symlink(...h.str("t.txt"), 3, ...h.str("ok")), 0);
    assert.equal(typeof h.open("ok"), "number");
  });

  await t.test("clocks, poll_oneoff, random, sockets and proc_exit", () => {
    const h = harness([jobRoot()]);
    const v = h.view();
    assert.equal(h.fns.clock_time_get(1, 0n, 0), 0);
    const t0 = v.getBigUint64(0, true);
    assert.equal(h.fns.clock_time_get(1, 0n, 0), 0);
    assert.ok(v.getBigUint64(0, true) >= t0);
    assert.equal(h.fns.clock_time_get(0, 0n, 0), 0);
    assert.ok(v.getBigUint64(0, true) > 1_600_000_000_000_000_000n);
    assert.equal(h.fns.clock_time_get(9, 0n, 0), Errno.INVAL);
    // One relative clock subscription of 1 ms (userdata 42).
    new Uint8Array(h.memory.buffer, 512, 48).fill(0);
    v.setBigUint64(512, 42n, true);
    v.setUint8(520, 0);
    v.setUint32(528, 1, true);
    v.setBigUint64(536, 1_000_000n, true);
    assert.equal(h.fns.poll_oneoff(512, 600, 1, 700), 0);
    assert.equal(v.getUint32(700, true), 1);
    assert.equal(v.getBigUint64(600, true), 42n);
    new Uint8Array(h.memory.buffer, 800, 64).fill(0);
    assert.equal(h.fns.random_get(800, 64), 0);
    assert.ok(new Uint8Array(h.memory.buffer, 800, 64).some((b) => b !== 0));
    assert.equal(h.fns.sock_accept(3, 0, 0), Errno.NOTSOCK);
    assert.equal(h.fns.sock_shutdown(99, 0), Errno.BADF);
    assert.throws(() => h.fns.proc_exit(7), (err: unknown) => err instanceof ProcExit && err.code === 7);
  });
});
