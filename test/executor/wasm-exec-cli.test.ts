// `bacalhau wasm exec`, run in a child process of the same runtime, since it owns stdout/stderr.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import { moduleFile, tempDir } from "./helpers.ts";

const COMMAND = new URL("../../src/cli/wasm-exec.ts", import.meta.url).href;

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function wasmExec(dir: string, args: string[]): Promise<Exec> {
  const script = join(dir, "exec.ts");
  writeFileSync(script, `import { wasmExecCommand } from ${JSON.stringify(COMMAND)};\n` +
    "import process from \"node:process\";\nprocess.exitCode = await wasmExecCommand(process.argv.slice(2));\n");
  const runtimeArgs = "Deno" in globalThis ? ["run", "-A", "--no-lock", "--quiet", script] : [script];
  const child = spawn(process.execPath, [...runtimeArgs, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  child.stdout.on("data", (c: Uint8Array) => out.push(c));
  child.stderr.on("data", (c: Uint8Array) => err.push(c));
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

test("wasm exec", async (t) => {
  const dir = tempDir(t);
  const data = join(dir, "x");
  mkdirSync(data);
  writeFileSync(join(data, "in.txt"), "from host");

  await t.test("passes args and env, returns the exit code", async () => {
    assert.deepEqual(await wasmExec(dir, [moduleFile("hello"), "cli"]), { code: 0, stdout: "Hello, cli!\n", stderr: "" });
    const exit = await wasmExec(dir, ["--env", "EXIT_CODE=5", moduleFile("exit_code")]);
    assert.deepEqual(exit, { code: 5, stdout: "Exiting with 5\n", stderr: "" });
  });

  await t.test("a plain return is 0 here; a trap is 1 with the message on stderr", async () => {
    assert.equal((await wasmExec(dir, [moduleFile("noreturn")])).code, 0);
    const trap = await wasmExec(dir, ["--env=EXIT_CODE=x", moduleFile("exit_code")]);
    assert.equal(trap.code, 1);
    assert.match(trap.stderr, /wasm error: unreachable/);
  });

  await t.test("each --dir is a writable preopen named as given", async () => {
    const cat = await wasmExec(dir, ["--dir", `${data}:fs-tests.dir`, moduleFile("cat"), "fs-tests.dir/in.txt"]);
    assert.deepEqual(cat, { code: 0, stdout: "from host", stderr: "" });
    const outputs = await wasmExec(dir, ["--dir", `${data}:/outputs`, moduleFile("outputs"), "made"]);
    assert.equal(outputs.code, 0, outputs.stderr);
    assert.equal(readFileSync(join(data, "result.txt"), "utf8"), "made\n");
  });

  await t.test("imports resolve next to the module; bad usage is an error", async () => {
    copyFileSync(moduleFile("dynamic"), join(dir, "dynamic.wasm"));
    copyFileSync(moduleFile("easter"), join(dir, "input.wasm"));
    assert.deepEqual(await wasmExec(dir, [join(dir, "dynamic.wasm")]), { code: 0, stdout: "17\n", stderr: "" });
    const usage = await wasmExec(dir, ["--bogus"]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /unknown flag --bogus/);
    const entry = await wasmExec(dir, ["--entry-point", "nope", moduleFile("hello")]);
    assert.equal(entry.code, 1);
    assert.match(entry.stderr, /unable to find the entrypoint 'nope'/);
  });
});
