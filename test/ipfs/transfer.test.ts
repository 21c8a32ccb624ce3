import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { test } from "node:test";
import { cleanups, swarm, tempDir } from "./helpers.ts";

async function tree(root: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out[`${r}/`] = "dir";
      Object.assign(out, await tree(root, r));
    } else out[r] = createHash("sha256").update(await readFile(join(root, r))).digest("hex");
  }
  return out;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest("hex");
}

/** Deterministic pseudo-random bytes, written in 1 MiB pieces so the test never holds the file. */
async function writeRandomFile(path: string, bytes: number): Promise<void> {
  let seed = 0x9e3779b9;
  async function* pieces() {
    for (let left = bytes; left > 0; left -= 1 << 20) {
      const piece = new Uint8Array(Math.min(left, 1 << 20));
      const words = new Uint32Array(piece.buffer, 0, piece.length >>> 2);
      for (let i = 0; i < words.length; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        words[i] = seed >>> 0;
      }
      yield piece;
    }
  }
  await pipeline(pieces, createWriteStream(path));
}

test("a file added on node A is fetched on node B", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const dir = await tempDir(onCleanup);
  await writeFile(join(dir, "hello.txt"), "hello from A\n");
  const cid = await a!.ipfs.add(join(dir, "hello.txt"));
  assert.equal(await a!.ipfs.isPinned(cid), true);
  assert.equal(await b!.ipfs.has(cid), false);

  const kind = await b!.ipfs.get(cid, join(dir, "copy.txt"), { signal: AbortSignal.timeout(30_000) });
  assert.equal(kind, "file");
  assert.equal(await readFile(join(dir, "copy.txt"), "utf8"), "hello from A\n");
  // What B fetched stays in its blockstore: B can now serve it too, and count it for data locality.
  assert.equal(await b!.ipfs.has(cid), true);

  let text = "";
  for await (const chunk of b!.ipfs.cat(cid)) text += new TextDecoder().decode(chunk);
  assert.equal(text, "hello from A\n");
});

test("a folder with many small files, nested and empty folders, round-trips with identical bytes", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b, c] = await swarm(onCleanup, 3);
  const dir = await tempDir(onCleanup);
  const src = join(dir, "src");
  for (let d = 0; d < 10; d++) {
    await mkdir(join(src, `d${d}/inner`), { recursive: true });
    for (let f = 0; f < 50; f++) await writeFile(join(src, `d${d}`, `f${f}.txt`), `file ${d}/${f} `.repeat(f));
    await writeFile(join(src, `d${d}/inner/bin`), new Uint8Array([d, 0, 255, 10, 13]));
  }
  await mkdir(join(src, "empty"));
  await writeFile(join(src, "top.txt"), "");

  const cid = await a!.ipfs.add(src);
  assert.equal(await a!.ipfs.stat(cid).then((s) => s.type), "directory");
  // Adding the same folder again gives the same CID.
  assert.equal(await a!.ipfs.add(src), cid);

  const kind = await b!.ipfs.get(cid, join(dir, "out-b"), { signal: AbortSignal.timeout(60_000) });
  assert.equal(kind, "directory");
  const expected = await tree(src);
  assert.equal(Object.keys(expected).length, 10 * 53 + 2);
  assert.deepEqual(await tree(join(dir, "out-b")), expected);
  assert.equal(await b!.ipfs.has(cid), true);

  // C can get it from either peer; stop A so only B, which fetched it, can answer.
  await a!.stop();
  await c!.ipfs.get(cid, join(dir, "out-c"), { signal: AbortSignal.timeout(60_000) });
  assert.deepEqual(await tree(join(dir, "out-c")), expected);
});

test("a 100 MiB file round-trips between two nodes (sha256 compared)", async (t) => {
  const onCleanup = cleanups(t);
  const [a, b] = await swarm(onCleanup, 2);
  const dir = await tempDir(onCleanup);
  const size = 100 * 1024 * 1024;
  await writeRandomFile(join(dir, "big.bin"), size);

  let started = performance.now();
  const cid = await a!.ipfs.add(join(dir, "big.bin"));
  const addMs = performance.now() - started;

  started = performance.now();
  await b!.ipfs.get(cid, join(dir, "big.copy"), { signal: AbortSignal.timeout(300_000) });
  const fetchMs = performance.now() - started;

  assert.equal((await stat(join(dir, "big.copy"))).size, size);
  assert.equal(await sha256File(join(dir, "big.copy")), await sha256File(join(dir, "big.bin")));
  const mbps = (ms: number) => (size / 1e6 / (ms / 1000)).toFixed(1);
  t.diagnostic(`add 100 MiB: ${addMs.toFixed(0)} ms (${mbps(addMs)} MB/s); node-to-node fetch: ${fetchMs.toFixed(0)} ms (${mbps(fetchMs)} MB/s)`);
});
