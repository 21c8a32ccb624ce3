import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { xsalsa20 } from "@noble/ciphers/salsa.js";
import { XSalsa20Stream } from "../../src/p2p/xsalsa20-stream.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));

test("matches the NaCl / libsodium stream3 known-answer vector", () => {
  const key = hex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
  const nonce = hex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
  const keystream = new XSalsa20Stream(nonce, key).xor(new Uint8Array(32));
  assert.equal(Buffer.from(keystream).toString("hex"), "eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880");
});

test("any chunking, alignment and API gives the same bytes as a one-shot reference", () => {
  const key = randomBytes(32);
  const nonce = randomBytes(24);
  const data = new Uint8Array(randomBytes(300_000));
  const reference = xsalsa20(key, nonce, data);
  // Sizes cross 64-byte blocks and the 4 KiB keystream batch; offsets 0–3 take word and byte paths.
  const sizes = [1, 3, 63, 64, 65, 4095, 4096, 4097, 65_536, 7];
  for (let trial = 0; trial < 8; trial++) {
    const stream = new XSalsa20Stream(nonce, key);
    const out = new Uint8Array(data.length);
    for (let at = 0, i = trial; at < data.length; i++) {
      const n = Math.min(sizes[i % sizes.length]!, data.length - at);
      const offset = (trial + i) % 4;
      const holder = new Uint8Array(n + offset);
      holder.set(data.subarray(at, at + n), offset);
      const chunk = holder.subarray(offset);
      if (i % 3 === 0) {
        const copy = stream.update(chunk);
        assert.deepEqual(chunk, data.subarray(at, at + n), "update leaves its input alone");
        out.set(copy, at);
      } else {
        out.set(stream.xor(chunk), at);
      }
      at += n;
    }
    assert.ok(Buffer.from(out).equals(Buffer.from(reference)), `trial ${trial}`);
  }
});

test("rejects a wrong key or nonce length", () => {
  assert.throws(() => new XSalsa20Stream(new Uint8Array(23), new Uint8Array(32)), RangeError);
  assert.throws(() => new XSalsa20Stream(new Uint8Array(24), new Uint8Array(31)), RangeError);
});
