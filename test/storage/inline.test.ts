import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import type { InputSource } from "../../src/models/types.ts";
import { createInlineSource } from "../../src/storage/inline/index.ts";
import { packPathToTarGz } from "../../src/codec/tar/index.ts";
import { runStorageSourceSuite } from "../conformance/storage.suite.ts";
import { snapshot, tempDir } from "./helpers.ts";

const inline = (url: unknown, target = "/inputs/data.txt"): InputSource => ({
  Source: { Type: "inline", Params: { URL: url } },
  Target: target,
});
const b64 = (data: Uint8Array | string) => Buffer.from(data).toString("base64");

const invalid = () => [
  { Source: { Type: "inline" }, Target: "/x" },
  inline(42),
  inline("https://example.org/file.txt"),
  inline("data:text/plain;base64"),
  inline("data:text/plain;base64,@@not base64@@"),
];

runStorageSourceSuite(
  "inline (plain file)",
  () => createInlineSource(),
  () => ({ input: inline(`data:text/plain;base64,${b64("hello world\n")}`), expect: { file: "hello world\n" } }),
  invalid,
);

runStorageSourceSuite(
  "inline (gzipped folder)",
  () => createInlineSource(),
  async (env) => {
    const src = join(env.tmpDir, "folder");
    await mkdir(join(src, "sub"), { recursive: true });
    await writeFile(join(src, "a.txt"), "A");
    await writeFile(join(src, "sub/b.bin"), new Uint8Array([0, 255, 1]));
    return {
      input: inline(`data:application/gzip;base64,${b64(await packPathToTarGz(src))}`, "/inputs"),
      expect: { dir: { "a.txt": "A", "sub/b.bin": new Uint8Array([0, 255, 1]) } },
    };
  },
  invalid,
);

const ctx = (workDir: string) => ({ jobID: "j-1", executionID: "e-1", workDir, signal: new AbortController().signal });

test("inline: a percent-encoded payload without base64 is written as is", async (t) => {
  const dir = await tempDir(t);
  const vol = await createInlineSource().prepare(inline("data:,hello%20w%C3%B6rld"), ctx(dir));
  assert.equal(await readFile(vol.hostPath, "utf8"), "hello wörld");
  assert.equal(vol.readOnly, true);
});

test("inline: application/x-gzip is extracted too, and a single-file archive gives a folder holding it", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "main.wasm"), new Uint8Array(600).fill(7));
  const url = `data:application/x-gzip;base64,${b64(await packPathToTarGz(join(dir, "main.wasm")))}`;
  const vol = await createInlineSource().prepare(inline(url, "/wasm"), ctx(dir));
  assert.deepEqual(Object.keys(await snapshot(vol.hostPath)), ["main.wasm"]);
});

test("inline: a gzipped payload over the size cap is refused", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "big"), new Uint8Array(4096));
  const url = `data:application/gzip;base64,${b64(await packPathToTarGz(join(dir, "big")))}`;
  await assert.rejects(
    createInlineSource({ maxExtractBytes: 1000 }).prepare(inline(url, "/in"), ctx(dir)),
    (err: unknown) => err instanceof BacalhauError && /1000-byte limit/.test(err.message),
  );
});

test("inline: size() reports a plain payload's decoded size", async () => {
  const source = createInlineSource();
  assert.equal(await source.size!(inline(`data:text/plain;base64,${b64("12345")}`)), 5);
});
