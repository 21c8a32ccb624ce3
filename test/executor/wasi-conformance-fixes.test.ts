// Regression tests for WASI host bugs found by running the public wasi-testsuite, each checked
// against the preview1 / POSIX behaviour the suite expects. Host functions are called directly on
// a real memory and a real temp folder.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Errno } from "../../src/executor/wasm/wasi/constants.ts";
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
  return { fns, str, close: () => host.close() };
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
