// Bacalhau's exit rules, argv, env and params, through the real executor and runner processes.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { moduleFile, tempDir, wasmRequest } from "./helpers.ts";

test("wasm executor: exit codes, argv, env and params", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2 });
  t.after(() => executor.close());
  const dir = tempDir(t);

  await t.test("proc_exit(0) after printing argv[1]", async () => {
    const run = wasmRequest(t, { module: moduleFile("hello"), args: ["bob"] });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "Hello, bob!\n");
  });

  await t.test("argv[0] is empty, so no argument means the default greeting", async () => {
    const run = wasmRequest(t, { module: moduleFile("hello") });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "Hello, world!\n");
  });

  await t.test("a return from _start without proc_exit gives exit code -1 and no error", async () => {
    const run = wasmRequest(t, { module: moduleFile("noreturn") });
    assert.deepEqual(await executor.run(run.req), { exitCode: -1 });
    assert.equal(run.stdout(), "returning without proc_exit\n");
  });

  await t.test("proc_exit(5) is the exit code, not a failure", async () => {
    const run = wasmRequest(t, { module: moduleFile("exit_code"), env: { EXIT_CODE: "5" } });
    assert.deepEqual(await executor.run(run.req), { exitCode: 5 });
    assert.equal(run.stdout(), "Exiting with 5\n");
  });

  await t.test("a trap gives exit code 1 and the trap as the error", async () => {
    const run = wasmRequest(t, { module: moduleFile("exit_code"), env: { EXIT_CODE: "nope" } });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, 1);
    assert.match(result.errorMsg ?? "", /^wasm error: unreachable/);
    assert.notEqual(run.stderr(), "");
  });

  await t.test("env reaches the guest in sorted key order, BACALHAU_* included", async () => {
    const env = {
      TEST: "yes", AWESOME: "definitely", BACALHAU_JOB_ID: "j-1", BACALHAU_EXECUTION_ID: "e-1",
      BACALHAU_JOB_TYPE: "batch", BACALHAU_PARTITION_INDEX: "0", BACALHAU_PARTITION_COUNT: "1",
    };
    const run = wasmRequest(t, { module: moduleFile("env"), env });
    assert.deepEqual(await executor.run(run.req), { exitCode: -1 });
    assert.equal(run.stdout(), [
      "AWESOME=definitely", "BACALHAU_EXECUTION_ID=e-1", "BACALHAU_JOB_ID=j-1", "BACALHAU_JOB_TYPE=batch",
      "BACALHAU_PARTITION_COUNT=1", "BACALHAU_PARTITION_INDEX=0", "TEST=yes", "",
    ].join("\n"));
  });

  await t.test("param keys are case-insensitive and the legacy EntryPoint spelling works", async () => {
    const module = moduleFile("returns");
    const legacy = wasmRequest(t, { module, params: { entrymodule: "/main.wasm", EntryPoint: "other" } });
    assert.deepEqual(await executor.run(legacy.req), { exitCode: 4 });
    const modern = wasmRequest(t, { module, params: { EntryModule: "main.wasm", Entrypoint: "_start" } });
    assert.deepEqual(await executor.run(modern.req), { exitCode: 3 });
  });

  await t.test("a missing entrypoint fails with Bacalhau's message", async () => {
    const run = wasmRequest(t, { module: moduleFile("hello"), params: { EntryModule: "main.wasm", Entrypoint: "main2" } });
    assert.deepEqual(await executor.run(run.req), {
      exitCode: -1, errorMsg: "unable to find the entrypoint 'main2' in the WASM module",
    });
  });

  await t.test("a module that does not load fails with exit code -1", async () => {
    const bad = join(dir, "bad.wasm");
    writeFileSync(bad, "this is not wasm");
    const run = wasmRequest(t, { module: bad });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module main\.wasm: /);
  });

  await t.test("a missing entry module fails to load", async () => {
    const run = wasmRequest(t, { params: { EntryModule: "nowhere.wasm", Entrypoint: "_start" } });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module nowhere\.wasm: /);
  });

  await t.test("an empty EntryModule is refused without running anything", async () => {
    const run = wasmRequest(t, { params: { EntryModule: "", Entrypoint: "_start" } });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /target path cannot be empty/);
    assert.match(await executor.checkBid({ Type: "wasm", Params: {} }) ?? "", /target path cannot be empty/);
    assert.equal(await executor.checkBid({ Type: "wasm", Params: { EntryModule: "a.wasm" } }), undefined);
  });
});
