// Limits and stopping: memory page cap, output cap, timeout and cancel of spinning modules.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { moduleFile, wasmRequest } from "./helpers.ts";

test("wasm executor: limits and stopping", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2, maxOutputBytes: 1 << 20 });
  t.after(() => executor.close());

  await t.test("a memory bomb stops at the job's page limit with a clear error", async () => {
    const run = wasmRequest(t, { module: moduleFile("membomb"), memory: 32 * 1024 * 1024 });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, 1);
    assert.match(result.errorMsg ?? "", /memory limit exceeded: \d+ of 512 pages in use/);
    assert.match(run.stderr(), /memory\.grow refused/);
  });

  await t.test("memory beyond the 4 GiB wasm limit is refused", async () => {
    const run = wasmRequest(t, { module: moduleFile("hello"), memory: 5 * 1024 ** 3 });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^requested memory exceeds the wasm limit - 5\.00 GB > 4\.00 GB/);
  });

  await t.test("a module needing more memory than allowed fails to load", async () => {
    const run = wasmRequest(t, { module: moduleFile("hello"), memory: 65536 });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module main\.wasm: .*limit is 1 pages/);
  });

  await t.test("output beyond the cap stops the module", async () => {
    const run = wasmRequest(t, { module: moduleFile("flood") });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /output limit exceeded/);
    assert.equal(run.stdout().length, 1 << 20);
    assert.ok(run.chunks() > 1, "output arrives as a stream of chunks");
  });

  await t.test("an infinite loop is killed by its timeout while another job runs on", async () => {
    const ctrl = new AbortController();
    const spin = wasmRequest(t, { module: moduleFile("spin"), signal: ctrl.signal });
    const spinning = executor.run(spin.req);
    await spin.firstStdout;
    const hello = wasmRequest(t, { module: moduleFile("hello"), args: ["meanwhile"] });
    assert.deepEqual(await executor.run(hello.req), { exitCode: 0 });
    assert.equal(hello.stdout(), "Hello, meanwhile!\n");
    ctrl.abort(new Error("Execution timed out after 5s"));
    assert.deepEqual(await spinning, { exitCode: -1, errorMsg: "Execution timed out after 5s" });
  });

  await t.test("a loop with no host calls at all is cancelled", async () => {
    const ctrl = new AbortController();
    const loop = wasmRequest(t, { module: moduleFile("loop"), signal: ctrl.signal });
    const running = executor.run(loop.req);
    ctrl.abort();
    assert.deepEqual(await running, { exitCode: -1, errorMsg: "execution cancelled" });
    const after = wasmRequest(t, { module: moduleFile("hello") });
    assert.deepEqual(await executor.run(after.req), { exitCode: 0 });
  });

  await t.test("aborting a finished job's signal leaves the runner's next job alone", async () => {
    const ctrl = new AbortController();
    const first = wasmRequest(t, { module: moduleFile("hello"), signal: ctrl.signal });
    assert.deepEqual(await executor.run(first.req), { exitCode: 0 });
    const next = wasmRequest(t, { module: moduleFile("hello"), args: ["next"] });
    const running = executor.run(next.req);
    ctrl.abort();
    assert.deepEqual(await running, { exitCode: 0 });
    assert.equal(next.stdout(), "Hello, next!\n");
  });
});
