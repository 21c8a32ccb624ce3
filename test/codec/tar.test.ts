import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { BacalhauError } from "../../src/models/errors.ts";
import {
  extractTarGz,
  packPathToTarGz,
  packPathToTarGzFile,
  packPathToTarGzStream,
} from "../../src/codec/tar/index.ts";
import { buildTarGz, snapshot, tempDir } from "../storage/helpers.ts";

const run = promisify(execFile);

/** A folder exercising what the codec must carry: nesting, long names, empty and binary files. */
async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, "a/b/c"), { recursive: true });
  await writeFile(join(root, "top.txt"), "hello\n");
  await writeFile(join(root, "a/empty"), "");
  const binary = new Uint8Array(70_000);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 31 + 7) % 256;
  await writeFile(join(root, "a/b/c/blob.bin"), binary);
  await writeFile(join(root, "a/run.sh"), "#!/bin/sh\necho hi\n");
  await chmod(join(root, "a/run.sh"), 0o755);
  // A single name over 100 bytes (needs pax) and a deep path over 255 bytes.
  await writeFile(join(root, "n".repeat(150) + ".txt"), "long name");
  let deep = root;
  for (let i = 0; i < 6; i++) deep = join(deep, `segment-${i}-${"x".repeat(40)}`);
  await mkdir(deep, { recursive: true });
  await writeFile(join(deep, "ü-ünïcode-file.txt"), "deep");
  await mkdir(join(root, "empty-dir"));
  await symlink("top.txt", join(root, "a/link-to-top"));
}

test("tar.gz round trip keeps folders, long names, empty and binary files, modes and inner links", async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, "src");
  await mkdir(src);
  await makeTree(src);

  const inMemory = join(dir, "mem");
  await extractTarGz(await packPathToTarGz(src), inMemory, { maxBytes: 1 << 20 });
  assert.deepEqual(await snapshot(inMemory), await snapshot(src));

  const file = join(dir, "out.tar.gz");
  await packPathToTarGzFile(src, file);
  const fromFile = join(dir, "file");
  await extractTarGz(file, fromFile);
  assert.deepEqual(await snapshot(fromFile), await snapshot(src));

  const fromStream = join(dir, "stream");
  await extractTarGz(packPathToTarGzStream(src), fromStream);
  assert.deepEqual(await snapshot(fromStream), await snapshot(src));
  assert.equal((await stat(join(fromStream, "a/run.sh"))).mode & 0o777, 0o755);
  assert.equal(await readlink(join(fromStream, "a/link-to-top")), "top.txt");
});

test("a single file packs as one entry named after it", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "main.wasm"), new Uint8Array([0, 97, 115, 109]));
  const out = join(dir, "out");
  await extractTarGz(await packPathToTarGz(join(dir, "main.wasm")), out);
  assert.deepEqual(Object.keys(await snapshot(out)), ["main.wasm"]);
  assert.deepEqual(new Uint8Array(await readFile(join(out, "main.wasm"))), new Uint8Array([0, 97, 115, 109]));
});

test("archives interoperate with the system tar in both directions", async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, "src");
  await mkdir(src);
  await makeTree(src);
  const ours = join(dir, "ours.tar.gz");
  await packPathToTarGzFile(src, ours);
  const byTar = join(dir, "by-tar");
  await mkdir(byTar);
  await run("tar", ["-xzf", ours, "-C", byTar]);
  assert.deepEqual(await snapshot(byTar), await snapshot(src));

  for (const format of ["gnu", "pax"]) {
    const theirs = join(dir, `${format}.tar.gz`);
    await run("tar", [`--format=${format}`, "-czf", theirs, "-C", src, "."]);
    const out = join(dir, `from-${format}`);
    await extractTarGz(theirs, out);
    assert.deepEqual(await snapshot(out), await snapshot(src), format);
  }
});

async function assertRefused(
  t: { after(fn: () => unknown): void },
  archive: Uint8Array,
  pattern: RegExp,
  opts = {},
): Promise<string> {
  const dir = await tempDir(t);
  const dest = join(dir, "dest");
  await assert.rejects(extractTarGz(archive, dest, opts), (err: unknown) => {
    assert.ok(err instanceof BacalhauError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
  return dir;
}

test("malicious archives are refused and write nothing outside the destination", async (t) => {
  const outsideProbe = async (dir: string, name: string) =>
    assert.equal(await lstat(join(dir, name)).catch(() => undefined), undefined, `${name} escaped`);

  let dir = await assertRefused(t, buildTarGz([{ name: "../evil.txt", content: "x" }]), /escapes/);
  await outsideProbe(dir, "evil.txt");
  dir = await assertRefused(t, buildTarGz([{ name: "ok/../../evil.txt", content: "x" }]), /escapes/);
  await outsideProbe(dir, "evil.txt");
  await assertRefused(t, buildTarGz([{ name: "/tmp/abs-evil.txt", content: "x" }]), /absolute/);
  // A long name smuggled in a pax header gets the same checks.
  await assertRefused(t, buildTarGz([{ name: "../" + "p".repeat(120), content: "x" }]), /escapes/);

  dir = await assertRefused(
    t,
    buildTarGz([
      { name: "link", type: "symlink", linkname: ".." },
      { name: "link/evil.txt", content: "x" },
    ]),
    /symlink link points outside/,
  );
  await outsideProbe(dir, "evil.txt");
  await assertRefused(t, buildTarGz([{ name: "etc", type: "symlink", linkname: "/etc" }]), /outside/);
  await assertRefused(t, buildTarGz([{ name: "pw", type: "hardlink", linkname: "/etc/passwd" }]), /hardlink/);
  await assertRefused(t, buildTarGz([{ name: "pw", type: "hardlink", linkname: "../x" }]), /hardlink/);
  await assertRefused(t, buildTarGz([{ name: "pw", type: "hardlink", linkname: "missing" }]), /not an earlier file/);
});

test("links that could chain their way out are skipped, safe links and hardlinks are kept", async (t) => {
  const dir = await tempDir(t);
  const dest = join(dir, "dest");
  const summary = await extractTarGz(
    buildTarGz([
      { name: "b", type: "symlink", linkname: "." },
      { name: "a", type: "symlink", linkname: "b/.." },
      { name: "sub/file", content: "data" },
      { name: "sub/hard", type: "hardlink", linkname: "sub/file" },
      { name: "down", type: "symlink", linkname: "sub/file" },
    ]),
    dest,
  );
  assert.deepEqual(summary.skipped, ["a"]);
  assert.equal(await lstat(join(dest, "a")).catch(() => undefined), undefined);
  assert.equal(await readFile(join(dest, "sub/hard"), "utf8"), "data");
  assert.equal(await readFile(join(dest, "down"), "utf8"), "data");
});

test("size and entry caps stop oversized archives, including highly compressible ones", async (t) => {
  const zeros = new Uint8Array(11 * 1024 * 1024);
  await assertRefused(t, buildTarGz([{ name: "bomb", content: zeros }]), /exceeds the 10485760-byte limit/);
  await assertRefused(t, buildTarGz([{ name: "a", content: "123456" }]), /limit/, { maxBytes: 5 });
  const many = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, content: "" }));
  await assertRefused(t, buildTarGz(many), /more than 3 entries/, { maxEntries: 3 });
});

test("corrupt input is refused with a clear message", async (t) => {
  await assertRefused(t, new TextEncoder().encode("definitely not gzip"), /gzip/);
  const good = buildTarGz([{ name: "f", content: "x".repeat(2000) }]);
  const { gunzipSync, gzipSync } = await import("node:zlib");
  const truncated = new Uint8Array(gzipSync(gunzipSync(good).subarray(0, 1000)));
  await assertRefused(t, truncated, /ends in the middle/);
});

test("an aborted extraction rejects", async (t) => {
  const dir = await tempDir(t);
  const controller = new AbortController();
  controller.abort(new Error("stop now"));
  await assert.rejects(
    extractTarGz(buildTarGz([{ name: "f", content: "x" }]), join(dir, "d"), { signal: controller.signal }),
    /stop now/,
  );
});
