import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BacalhauError } from "../../src/models/errors.ts";
import { createSwarmKey, parseSwarmKey, readSwarmKey, writeSwarmKey } from "../../src/p2p/swarm-key.ts";

test("createSwarmKey writes the standard swarm.key format with a fresh key", () => {
  const a = createSwarmKey();
  assert.match(a, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/);
  assert.notEqual(a, createSwarmKey());
  assert.equal(parseSwarmKey(a).byteLength, 32);
});

test("parseSwarmKey accepts CRLF and upper-case hex, and rejects anything else", () => {
  const hex = "AB".repeat(32);
  const key = parseSwarmKey(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${hex}`);
  assert.deepEqual([...key], Array(32).fill(0xab));
  for (const bad of [
    "",
    `/key/swarm/psk/2.0.0/\n/base16/\n${hex}\n`,
    `/key/swarm/psk/1.0.0/\n/base64/\n${hex}\n`,
    `/key/swarm/psk/1.0.0/\n/base16/\n${hex.slice(2)}\n`,
    `/key/swarm/psk/1.0.0/\n/base16/\n${"zz".repeat(32)}\n`,
  ]) {
    assert.throws(() => parseSwarmKey(bad), (err: unknown) => err instanceof BacalhauError && err.code === "BadRequest");
  }
});

test("a swarm key file round-trips and is readable by its owner only", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "bxp-psk-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "swarm.key");
  const text = createSwarmKey();
  await writeSwarmKey(path, text);
  assert.equal(await readFile(path, "utf8"), text);
  assert.deepEqual(await readSwarmKey(path), parseSwarmKey(text));
  if (process.platform !== "win32") assert.equal((await stat(path)).mode & 0o777, 0o600);
  await assert.rejects(writeSwarmKey(join(dir, "bad.key"), "nope"));
  // An existing key is never replaced; a missing folder is made.
  await assert.rejects(writeSwarmKey(path, createSwarmKey()), /EEXIST/);
  assert.equal(await readFile(path, "utf8"), text);
  const nested = join(dir, "etc", "bacalhau", "swarm.key");
  await writeSwarmKey(nested, text);
  assert.deepEqual(await readSwarmKey(nested), parseSwarmKey(text));
});
