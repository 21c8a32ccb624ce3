// The job filesystem: inputs at their targets (read-only), outputs at /<Name>, and the sandbox.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { moduleFile, tempDir, wasmRequest } from "./helpers.ts";

test("wasm executor: job filesystem and sandbox", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2 });
  t.after(() => executor.close());
  const dir = tempDir(t);
  const secret = join(dir, "secret.txt");
  writeFileSync(secret, "host secret\n");
  const data = join(dir, "data");
  mkdirSync(join(data, "sub"), { recursive: true });
  writeFileSync(join(data, "file.txt"), "hello world");
  writeFileSync(join(data, "sub", "inner.txt"), "inner");
  symlinkSync(secret, join(data, "out-abs"));
  symlinkSync("../secret.txt", join(data, "out-rel"));
  symlinkSync("sub", join(data, "in-dir"));
  symlinkSync("file.txt", join(data, "in-file"));

  await t.test("a file input is readable at its target", async () => {
    const run = wasmRequest(t, {
      module: moduleFile("cat"), args: ["/data/file.txt"],
      inputs: [{ target: "/data/file.txt", hostPath: join(data, "file.txt"), readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "hello world");
    assert.equal(run.stderr(), "");
  });

  await t.test("a folder input (target without a leading /) and relative paths from cwd /", async () => {
    const run = wasmRequest(t, {
      module: moduleFile("cat"), args: ["inputs/file.txt", "/inputs/sub/inner.txt", "inputs/in-dir/inner.txt", "inputs/in-file"],
      inputs: [{ target: "inputs", hostPath: data, readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "hello worldinnerinnerhello world");
  });

  await t.test("a missing input file is ENOENT to the guest", async () => {
    const run = wasmRequest(t, { module: moduleFile("cat"), args: ["/data/nothing.txt"] });
    assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
    assert.match(run.stderr(), /No such file or directory/);
  });

  await t.test("nested targets share virtual parent folders", async () => {
    const run = wasmRequest(t, {
      module: moduleFile("cat"), args: ["/a/x", "/a/y/inner.txt"],
      inputs: [
        { target: "/a/x", hostPath: join(data, "file.txt"), readOnly: true },
        { target: "/a/y", hostPath: join(data, "sub"), readOnly: true },
      ],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "hello worldinner");
  });

  await t.test("mounting inside another mount is an input configuration error", async () => {
    const run = wasmRequest(t, {
      module: moduleFile("cat"),
      inputs: [
        { target: "/inputs", hostPath: data, readOnly: true },
        { target: "/inputs/more", hostPath: join(data, "sub"), readOnly: true },
      ],
    });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^input configuration error/);
  });

  await t.test("outputs written to /<Name> land in <resultsDir>/<Name>", async () => {
    const resultsDir = tempDir(t, "wasm-results-");
    mkdirSync(join(resultsDir, "outputs"));
    const run = wasmRequest(t, {
      module: moduleFile("outputs"), args: ["a", "b"], resultsDir,
      outputs: [{ Name: "outputs", Path: "/outputs" }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(readFileSync(join(resultsDir, "outputs", "result.txt"), "utf8"), "a b\n");
    assert.equal(readFileSync(join(resultsDir, "outputs", "sub", "n.txt"), "utf8"), "2\n");
  });

  await t.test("without an output mount, writing under / fails (virtual folders are read-only)", async () => {
    const run = wasmRequest(t, { module: moduleFile("outputs") });
    assert.deepEqual(await executor.run(run.req), { exitCode: 1 });
    assert.match(run.stderr(), /\/outputs\/result\.txt: /);
  });

  await t.test("escapes through .., absolute paths and symlinks out of an input are blocked", async () => {
    const run = wasmRequest(t, {
      module: moduleFile("escape"),
      args: ["/inputs/out-abs", "/inputs/out-rel", "inputs/../../secret.txt", "/inputs/../../../etc/passwd"],
      inputs: [{ target: "/inputs", hostPath: data, readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    const lines = run.stdout().trim().split("\n");
    assert.ok(lines.length >= 9, run.stdout());
    for (const line of lines) assert.match(line, /^BLOCKED /);
  });

  await t.test("a read-only input cannot be written, truncated, renamed or unlinked", async () => {
    const target = join(dir, "ro.txt");
    writeFileSync(target, "original");
    const run = wasmRequest(t, {
      module: moduleFile("write_input"), args: ["/data/ro.txt"],
      inputs: [{ target: "/data/ro.txt", hostPath: target, readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), ["write", "truncate", "rename", "unlink"].map((h) => `BLOCKED ${h} /data/ro.txt\n`).join(""));
    assert.equal(readFileSync(target, "utf8"), "original");
  });

  await t.test("a file inside a read-only folder input cannot be changed either", async () => {
    const folder = join(dir, "ro-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "f.txt"), "original");
    const run = wasmRequest(t, {
      module: moduleFile("write_input"), args: ["/in/f.txt"],
      inputs: [{ target: "/in", hostPath: folder, readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.doesNotMatch(run.stdout(), /CHANGED/);
    assert.equal(readFileSync(join(folder, "f.txt"), "utf8"), "original");
    assert.ok(existsSync(join(folder, "f.txt")));
  });

  await t.test("an input the volume marks writable can be changed", async () => {
    const folder = join(dir, "rw-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "f.txt"), "original");
    const run = wasmRequest(t, {
      module: moduleFile("write_input"), args: ["/rw/f.txt"],
      inputs: [{ target: "/rw", hostPath: folder, readOnly: false }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.match(run.stdout(), /^CHANGED write \/rw\/f\.txt\n/);
    assert.match(run.stdout(), /CHANGED unlink \/rw\/f\.txt\n$/);
    assert.equal(existsSync(join(folder, "f.txt")), false);
  });
});
