// A job's outputs are bounded by its Disk resource at every call that can grow a file: a 1 TiB
// size change, a write at 1 TiB, an allocation, plain writes, hard links; removing or truncating
// files gives room back.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { resultLimitFor, WasmExecutor } from "../../src/executor/wasm/executor.ts";
import { assertResultBound } from "../../src/compute/results.ts";
import { moduleFile, tempDir, wasmRequest } from "./helpers.ts";

const LIMIT = 1 << 20;

test("result bound: the Disk resource, else the node default", () => {
  assert.equal(resultLimitFor(5000, 1 << 30), 5000);
  assert.equal(resultLimitFor(0, 1 << 30), 1 << 30);
  assert.equal(resultLimitFor(0, 0), undefined);
});

test("a job cannot grow its outputs past its Disk resource", async (t) => {
  const executor = new WasmExecutor({ maxRunners: 1 });
  t.after(() => executor.close());
  const run = wasmRequest(t, { module: moduleFile("bigfile"), args: ["/outputs"],
    outputs: [{ Name: "outputs", Path: "/outputs" }] });
  run.req.resources.Disk = LIMIT;
  assert.deepEqual(await executor.run(run.req), { exitCode: 0 }, run.stderr());
  const lines = Object.fromEntries(run.stdout().trim().split("\n").map((l) => {
    const [what, ...rest] = l.split(" ");
    return [what, rest];
  }));
  assert.equal(lines.set_size_1tib[0], "EFBIG");
  // Refused before any filesystem work: far below what even a sparse 1 TiB file would cost.
  assert.ok(Number.parseInt(lines.set_size_1tib[1]) < 1_000_000, lines.set_size_1tib[1]);
  assert.deepEqual(lines.pwrite_1tib, ["EFBIG"]);
  assert.deepEqual(lines.allocate_1tib, ["EFBIG"]);
  const filled = Number(lines.fill[1]);
  // One file alone would pass the bound: EFBIG, as for a file size limit.
  assert.equal(lines.fill[0], "EFBIG");
  assert.ok(filled <= LIMIT && filled > LIMIT - 65536, `filled ${filled}`);
  assert.deepEqual(lines.link, ["ENOSPC"]);
  assert.deepEqual(lines["unlink+write"], ["EFBIG", String(filled)]);
  assert.deepEqual(lines["trunc+write"], ["EFBIG", String(filled)]);
  const dir = join(run.req.resultsDir, "outputs");
  const stored = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  assert.ok(stored <= LIMIT, `stored ${stored}`);
});

test("the publisher's check refuses results past the bound, sparse files by their size", async (t) => {
  const results = tempDir(t, "wasm-results-bound-");
  writeFileSync(join(results, "stdout"), new Uint8Array(3 * LIMIT)); // bounded by MaxOutputBytes instead
  mkdirSync(join(results, "outputs", "sub"), { recursive: true });
  writeFileSync(join(results, "outputs", "sub", "big"), "");
  truncateSync(join(results, "outputs", "sub", "big"), 2 * LIMIT); // no blocks, 2 MiB of size
  await assertResultBound(results, 3 * LIMIT);
  await assertResultBound(results, undefined);
  await assert.rejects(assertResultBound(results, LIMIT), /the results hold 2097152 bytes, more than the 1048576 bytes allowed/);
});
