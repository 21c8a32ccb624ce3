// Linking: auto-linked imports by path, ImportModules by exact name, folder entry modules, host modules.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { moduleFile, tempDir, wasmRequest } from "./helpers.ts";

test("wasm executor: linking", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 2 });
  t.after(() => executor.close());
  const dir = tempDir(t);
  const easter = { target: "input.wasm", hostPath: moduleFile("easter"), readOnly: true };

  await t.test("an import module-name is resolved as a path in the job filesystem", async () => {
    const run = wasmRequest(t, { module: moduleFile("dynamic"), inputs: [easter] });
    assert.deepEqual(await executor.run(run.req), { exitCode: -1 });
    assert.equal(run.stdout(), "17\n");
  });

  await t.test("without the imported module the load fails with unknown module", async () => {
    const run = wasmRequest(t, { module: moduleFile("dynamic") });
    assert.deepEqual(await executor.run(run.req), {
      exitCode: -1, errorMsg: 'failed to load entry module main.wasm: unknown module "input.wasm"',
    });
  });

  await t.test("ImportModules are instantiated first under their exact path", async () => {
    const inputs = [{ target: "/lib/easter.wasm", hostPath: moduleFile("easter"), readOnly: true }];
    const module = moduleFile("import_path");
    const linked = wasmRequest(t, {
      module, inputs,
      params: { EntryModule: "main.wasm", Entrypoint: "_start", ImportModules: ["/lib/easter.wasm"] },
    });
    assert.deepEqual(await executor.run(linked.req), { exitCode: 17 });
    // The same path also resolves on its own, since it is a file in the job filesystem.
    const auto = wasmRequest(t, { module, inputs });
    assert.deepEqual(await executor.run(auto.req), { exitCode: 17 });
    const missing = wasmRequest(t, { module });
    assert.match((await executor.run(missing.req)).errorMsg ?? "", /unknown module "\/lib\/easter\.wasm"/);
  });

  await t.test("every ImportModules entry is loaded, even one nothing imports", async () => {
    const text = join(dir, "junk.txt");
    writeFileSync(text, "not wasm");
    const run = wasmRequest(t, {
      module: moduleFile("hello"),
      inputs: [{ target: "/junk.wasm", hostPath: text, readOnly: true }],
      params: { EntryModule: "main.wasm", Entrypoint: "_start", ImportModules: ["/junk.wasm"] },
    });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module main\.wasm: module "\/junk\.wasm": /);
  });

  await t.test("inputs that are not referenced are never loaded as modules", async () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not wasm");
    const run = wasmRequest(t, {
      module: moduleFile("dynamic"),
      inputs: [easter, { target: "/notes.wasm", hostPath: text, readOnly: true }],
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: -1 });
  });

  await t.test("an EntryModule folder holding exactly one .wasm runs that module", async () => {
    const folder = join(dir, "one");
    mkdirSync(folder);
    copyFileSync(moduleFile("hello"), join(folder, "hello.wasm"));
    writeFileSync(join(folder, "README"), "docs");
    const run = wasmRequest(t, {
      inputs: [{ target: "/app", hostPath: folder, readOnly: true }],
      params: { EntryModule: "/app", Entrypoint: "_start", Parameters: ["dir"] },
    });
    assert.deepEqual(await executor.run(run.req), { exitCode: 0 });
    assert.equal(run.stdout(), "Hello, dir!\n");
  });

  await t.test("an EntryModule folder with two .wasm files fails to load", async () => {
    const folder = join(dir, "two");
    mkdirSync(folder);
    copyFileSync(moduleFile("hello"), join(folder, "a.wasm"));
    copyFileSync(moduleFile("hello"), join(folder, "b.wasm"));
    const run = wasmRequest(t, {
      inputs: [{ target: "/app", hostPath: folder, readOnly: true }],
      params: { EntryModule: "app", Entrypoint: "_start" },
    });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /^failed to load entry module app: expected exactly one \.wasm file/);
  });

  await t.test("the HTTP host module is not offered to a job without network", async () => {
    const run = wasmRequest(t, { module: moduleFile("http_import"), network: { Type: "None" } });
    const result = await executor.run(run.req);
    assert.equal(result.exitCode, -1);
    assert.match(result.errorMsg ?? "", /unknown module "wasi:http\/requests"/);
  });
});
