// A job's memory limit bounds more than its linear memory: tables are capped (a grow past the cap
// is refused) and GC objects live in a runner whose V8 heap is sized from the limit. Either way the
// job fails with a memory error and the node's next job runs as usual.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { heapMbFor, limitMemory, TABLE_EXPORT_PREFIX, tableLimitFor } from "../../src/executor/wasm/memory-limit.ts";
import { moduleFile, wasmRequest } from "./helpers.ts";

const MEMORY = 8 * 1024 * 1024;

test("the table rewrite caps every defined table and exposes it to the host", () => {
  const bytes = limitMemory(readFileSync(moduleFile("tablebomb")), 128, 1000);
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const names = WebAssembly.Module.exports(module).map((e) => e.name);
  assert.deepEqual(names.sort(), ["_start", "memory", `${TABLE_EXPORT_PREFIX}0`].sort());
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: { fd_write: () => 0 } });
  const table = instance.exports[`${TABLE_EXPORT_PREFIX}0`] as WebAssembly.Table;
  assert.equal(table.grow(999), 1);
  assert.throws(() => table.grow(1), RangeError);
  assert.throws(() => limitMemory(readFileSync(moduleFile("tablebomb")), 128, 0), /needs 1 table elements but the job's limit is 0/);
});

test("heap classes: a few powers of two above the runner's own needs", () => {
  assert.equal(heapMbFor(0), undefined);
  assert.equal(heapMbFor(MEMORY), 64 + 8);
  assert.equal(heapMbFor(MEMORY + 1), 64 + 16);
  assert.equal(tableLimitFor(MEMORY), MEMORY / 16);
});

test("wasm executor: memory limits beyond linear memory", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2 });
  t.after(() => executor.close());

  await t.test("a table grown past the job's limit fails with a memory error", async () => {
    const run = wasmRequest(t, { module: moduleFile("tablebomb"), memory: MEMORY });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, 1);
    assert.match(result.errorMsg ?? "", /memory limit exceeded: a table holds \d+ of 524288 elements allowed/);
    assert.match(run.stderr(), /table\.grow refused/);
  });

  await t.test("GC arrays past the job's limit fail with a memory error", async () => {
    const run = wasmRequest(t, { module: moduleFile("gcbomb"), memory: MEMORY });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, 1);
    assert.match(result.errorMsg ?? "", /memory limit exceeded \(the job's objects outgrew the runner's 72 MiB heap\)/);
  });

  await t.test("the node keeps answering: the next jobs run", async () => {
    const limited = wasmRequest(t, { module: moduleFile("hello"), memory: MEMORY, args: ["again"] });
    assert.deepEqual(await executor.run(limited.req), { exitCode: 0 });
    assert.equal(limited.stdout(), "Hello, again!\n");
    const free = wasmRequest(t, { module: moduleFile("hello") });
    assert.deepEqual(await executor.run(free.req), { exitCode: 0 });
  });
});
