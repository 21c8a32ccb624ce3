// Small pieces of the runner: the frame protocol, the memory section rewrite, params parsing.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { limitMemory, pageLimitFor } from "../../src/executor/wasm/memory-limit.ts";
import { parseWasmParams } from "../../src/executor/wasm/params.ts";
import { decodeMessage, encodeFrame, encodeMessage, FrameDecoder, FrameKind } from "../../src/executor/wasm/runner/protocol.ts";
import { moduleFile } from "./helpers.ts";

test("frames survive any split across chunks", () => {
  const stream = new Uint8Array([
    ...encodeMessage({ type: "ready" }),
    ...encodeFrame(FrameKind.Stdout, new TextEncoder().encode("out")),
    ...encodeFrame(FrameKind.Stderr, new Uint8Array(0)),
  ]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new FrameDecoder();
    const frames = [...decoder.push(stream.slice(0, cut)), ...decoder.push(stream.slice(cut))];
    assert.deepEqual(frames.map((f) => f.kind), [FrameKind.Message, FrameKind.Stdout, FrameKind.Stderr]);
    assert.deepEqual(decodeMessage(frames[0].payload), { type: "ready" });
    assert.equal(new TextDecoder().decode(frames[1].payload), "out");
  }
});

test("the memory rewrite caps growth at the page limit", () => {
  const bytes = limitMemory(readFileSync(moduleFile("easter")), 3);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  const memory = instance.exports.memory as WebAssembly.Memory;
  assert.equal(memory.grow(1), 2);
  assert.throws(() => memory.grow(1), RangeError);
  assert.throws(() => limitMemory(readFileSync(moduleFile("easter")), 1), /needs 2 memory pages/);
});

test("page limits from resource bytes", () => {
  assert.equal(pageLimitFor(0), undefined);
  assert.equal(pageLimitFor(512_000_000), 7813);
  assert.equal(pageLimitFor(4 * 1024 ** 3), 65536);
  assert.throws(() => pageLimitFor(4 * 1024 ** 3 + 1), /requested memory exceeds the wasm limit - 4\.00 GB > 4\.00 GB/);
});

test("wasm params: case-insensitive keys, defaults, and validation", () => {
  assert.deepEqual(parseWasmParams({ entrymodule: "m.wasm", ENTRYPOINT: "_start", Parameters: null }), {
    entryModule: "m.wasm", entrypoint: "_start", parameters: [], importModules: [],
  });
  assert.deepEqual(parseWasmParams({ EntryModule: "m.wasm", EntryPoint: "f", Parameters: ["a"], ImportModules: ["/l.wasm"] }), {
    entryModule: "m.wasm", entrypoint: "f", parameters: ["a"], importModules: ["/l.wasm"],
  });
  assert.throws(() => parseWasmParams({}), /target path cannot be empty/);
  assert.throws(() => parseWasmParams({ EntryModule: { Source: {} } }), /must be a path/);
  assert.throws(() => parseWasmParams({ EntryModule: "m", Parameters: [1] }), /list of strings/);
});
