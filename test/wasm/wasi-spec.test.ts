// The wasi-testsuite spec reader and checker used by scripts/conformance/run-wasi-testsuite.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutput, readSpec } from "../../scripts/conformance/wasi-spec.ts";
import { execArgs } from "../../scripts/conformance/run-wasi-testsuite.ts";

test("a test without a .json file gets the suite defaults", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wasi-spec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(readSpec(join(dir, "clock.wasm")), { args: [], env: {}, dirs: [], exitCode: 0 });
  assert.deepEqual(execArgs(dir, join(dir, "clock.wasm")), ["wasm", "exec", join(dir, "clock.wasm")]);
});

test("a spec's dirs, root, env and args become wasm exec flags", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wasi-spec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const wasm = join(dir, "lseek.wasm");
  writeFileSync(join(dir, "lseek.json"), JSON.stringify({
    args: ["a", "b"], env: { K: "v" }, dirs: ["fs-tests.dir"], root: "root.dir", exit_code: 3, stdout: "hi\n",
  }));
  const spec = readSpec(wasm);
  assert.deepEqual(spec, {
    args: ["a", "b"], env: { K: "v" }, dirs: ["fs-tests.dir"], root: "root.dir", exitCode: 3, stdout: "hi\n", stderr: undefined,
  });
  assert.deepEqual(execArgs(dir, wasm), [
    "wasm", "exec",
    "--dir", `${join(dir, "root.dir")}:/`,
    "--dir", `${join(dir, "fs-tests.dir")}:fs-tests.dir`,
    "--env", "K=v",
    wasm, "a", "b",
  ]);
});

test("checkOutput names every difference and passes a matching run", () => {
  const spec = { args: [], env: {}, dirs: [], exitCode: 0, stdout: "ok\n" };
  assert.deepEqual(checkOutput(spec, { exitCode: 0, stdout: "ok\n", stderr: "anything" }), []);
  const failures = checkOutput(spec, { exitCode: 1, stdout: "no\n", stderr: "", error: "timed out after 5 ms" });
  assert.equal(failures.length, 3);
  assert.match(failures.join("\n"), /timed out/);
  assert.match(failures.join("\n"), /exit code 1, want 0/);
  assert.match(failures.join("\n"), /stdout "no\\n", want "ok\\n"/);
});

test("a malformed spec is an error, not a silent default", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "wasi-spec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ args: "not-a-list" }));
  assert.throws(() => readSpec(join(dir, "bad.wasm")), /args must be a list of strings/);
});
