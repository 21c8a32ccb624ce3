import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeFrame, FrameBuffer } from "../../src/codec/frames.ts";

// Two of the layouts in use: a kind byte with a little-endian length (the runner), and two big-endian
// lengths ahead of two parts (the DAG transfer).
const kindLE = {
  header: 5,
  encode: (kind: number, body: Uint8Array) => encodeFrame(5, (h) => {
    h.setUint8(0, kind);
    h.setUint32(1, body.byteLength, true);
  }, body),
  length: (h: DataView) => h.getUint32(1, true),
};

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test("frames come back whole and in order however the stream is split", () => {
  const bodies = [0, 1, 4, 5, 1000, 70_000, 300_000, 3].map((n, i) => randomBytes(n, i + 7));
  const wire = new Uint8Array(bodies.reduce((sum, b) => sum + 5 + b.byteLength, 0));
  let at = 0;
  bodies.forEach((b, i) => {
    const f = kindLE.encode(i, b);
    wire.set(f, at);
    at += f.byteLength;
  });
  for (const seed of [1, 2, 3, 99]) {
    const buf = new FrameBuffer(16);
    const got: Array<{ kind: number; body: Uint8Array }> = [];
    const cuts = randomBytes(64, seed);
    let from = 0;
    for (let i = 0; from < wire.byteLength; i++) {
      // Chunks of 1 byte to ~64 KiB, so headers and bodies are cut at every kind of place.
      const size = i % 3 === 0 ? 1 + cuts[i % 64]! % 7 : 1 + cuts[i % 64]! * 256;
      buf.push(wire.subarray(from, from + size));
      from += size;
      for (let f = buf.next(kindLE.header, kindLE.length); f; f = buf.next(kindLE.header, kindLE.length)) {
        got.push({ kind: f.header.getUint8(0), body: f.body.slice() });
      }
    }
    assert.equal(got.length, bodies.length);
    got.forEach((g, i) => {
      assert.equal(g.kind, i);
      assert.deepEqual(g.body, bodies[i]);
    });
    assert.equal(buf.buffered, 0);
  }
});

test("a header can refuse a frame before its body is buffered, and a partial frame stays buffered", () => {
  const buf = new FrameBuffer();
  const big = new Uint8Array(5);
  new DataView(big.buffer).setUint32(1, 2 ** 31, true);
  buf.push(big);
  assert.throws(() => buf.next(5, (h) => {
    const n = h.getUint32(1, true);
    if (n > 1024) throw new Error(`frame of ${n} bytes is over the limit`);
    return n;
  }), /over the limit/);

  const partial = new FrameBuffer();
  const frame = kindLE.encode(9, randomBytes(100, 5));
  partial.push(frame.subarray(0, 50));
  assert.equal(partial.next(kindLE.header, kindLE.length), undefined);
  assert.equal(partial.buffered, 50);
  partial.push(frame.subarray(50));
  assert.deepEqual(partial.next(kindLE.header, kindLE.length)?.body, frame.subarray(5));
});

test("two-length headers work the same way", () => {
  const a = randomBytes(36, 1);
  const b = randomBytes(5000, 2);
  const frame = encodeFrame(8, (h) => {
    h.setUint32(0, a.byteLength);
    h.setUint32(4, b.byteLength);
  }, new Uint8Array([...a, ...b]));
  const buf = new FrameBuffer(8);
  for (let i = 0; i < frame.byteLength; i += 333) buf.push(frame.subarray(i, i + 333));
  const f = buf.next(8, (h) => h.getUint32(0) + h.getUint32(4));
  assert.ok(f);
  assert.deepEqual(f.body.subarray(0, f.header.getUint32(0)), a);
  assert.deepEqual(f.body.subarray(f.header.getUint32(0)), b);
});
