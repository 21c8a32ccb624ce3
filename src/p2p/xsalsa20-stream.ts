/**
 * A running XSalsa20 keystream: each call XORs the next bytes of the stream into the data, however
 * the data is chunked. It is the cipher of the libp2p private-network (pnet) protocol, so its output
 * must stay bit-for-bit XSalsa20. It is written for throughput on a bulk connection: the keystream is
 * made in 4 KiB batches into a buffer the stream keeps, XORed a 32-bit word at a time whatever the
 * data's alignment, and nothing is allocated per call unless a copy is asked for.
 */

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;
const BLOCK_WORDS = 16;
/** Keystream made per refill: big enough to amortise the call, small enough to stay in L1. */
const BATCH_BLOCKS = 64;
const BATCH_BYTES = BATCH_BLOCKS * 64;

/** Salsa20 is little-endian; the word path reads words in the platform's order, so it needs LE. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function readWords(bytes: Uint8Array, from: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const o = from + 4 * i;
    out.push((bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0);
  }
  return out;
}

/**
 * The 20-round Salsa20 permutation of `s` written to `out[o..o+16)`; with `addInput` it is the
 * Salsa20 block (input added back), without it the HSalsa20 core.
 */
function salsa20(s: Uint32Array, out: Uint32Array, o: number, addInput: boolean): void {
  const j0 = s[0]!, j1 = s[1]!, j2 = s[2]!, j3 = s[3]!, j4 = s[4]!, j5 = s[5]!, j6 = s[6]!, j7 = s[7]!;
  const j8 = s[8]!, j9 = s[9]!, j10 = s[10]!, j11 = s[11]!, j12 = s[12]!, j13 = s[13]!, j14 = s[14]!, j15 = s[15]!;
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  let u: number;
  for (let i = 0; i < 20; i += 2) {
    // Column round.
    u = (x0 + x12) | 0; x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0; x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0; x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0; x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0; x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0; x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0; x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0; x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0; x15 ^= (u << 18) | (u >>> 14);
    // Row round.
    u = (x0 + x3) | 0; x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0; x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0; x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0; x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0; x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0; x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0; x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0; x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0; x15 ^= (u << 18) | (u >>> 14);
  }
  if (addInput) {
    out[o] = x0 + j0; out[o + 1] = x1 + j1; out[o + 2] = x2 + j2; out[o + 3] = x3 + j3;
    out[o + 4] = x4 + j4; out[o + 5] = x5 + j5; out[o + 6] = x6 + j6; out[o + 7] = x7 + j7;
    out[o + 8] = x8 + j8; out[o + 9] = x9 + j9; out[o + 10] = x10 + j10; out[o + 11] = x11 + j11;
    out[o + 12] = x12 + j12; out[o + 13] = x13 + j13; out[o + 14] = x14 + j14; out[o + 15] = x15 + j15;
  } else {
    out[o] = x0; out[o + 1] = x1; out[o + 2] = x2; out[o + 3] = x3; out[o + 4] = x4; out[o + 5] = x5;
    out[o + 6] = x6; out[o + 7] = x7; out[o + 8] = x8; out[o + 9] = x9; out[o + 10] = x10; out[o + 11] = x11;
    out[o + 12] = x12; out[o + 13] = x13; out[o + 14] = x14; out[o + 15] = x15;
  }
}

/** The Salsa20 input block for `key` (8 words) and two 32-bit input words at positions 6 and 7. */
function initialState(key: readonly number[], n0: number, n1: number): Uint32Array {
  return Uint32Array.of(
    SIGMA[0], key[0]!, key[1]!, key[2]!, key[3]!, SIGMA[1], n0, n1,
    0, 0, SIGMA[2], key[4]!, key[5]!, key[6]!, key[7]!, SIGMA[3],
  );
}

export class XSalsa20Stream {
  /** The Salsa20 input block under the HSalsa20 subkey; words 8 and 9 are the block counter. */
  readonly #state: Uint32Array;
  readonly #ks = new Uint32Array(BATCH_BLOCKS * BLOCK_WORDS);
  readonly #ks8 = new Uint8Array(this.#ks.buffer);
  /** Bytes of `#ks` already used; BATCH_BYTES means it must be refilled. */
  #used = BATCH_BYTES;

  constructor(nonce: Uint8Array, key: Uint8Array) {
    if (nonce.byteLength !== 24) throw new RangeError("XSalsa20 nonce must be 24 bytes");
    if (key.byteLength !== 32) throw new RangeError("XSalsa20 key must be 32 bytes");
    // XSalsa20 = Salsa20 keyed by HSalsa20(key, nonce[0..16)), with nonce[16..24) as its nonce.
    const n = readWords(nonce, 0, 6);
    const h = initialState(readWords(key, 0, 8), n[0]!, n[1]!);
    h[8] = n[2]!;
    h[9] = n[3]!;
    const core = new Uint32Array(BLOCK_WORDS);
    salsa20(h, core, 0, false);
    const subkey = [core[0]!, core[5]!, core[10]!, core[15]!, core[6]!, core[7]!, core[8]!, core[9]!];
    this.#state = initialState(subkey, n[4]!, n[5]!);
  }

  #refill(): void {
    const s = this.#state;
    for (let b = 0; b < BATCH_BLOCKS; b++) {
      salsa20(s, this.#ks, b * BLOCK_WORDS, true);
      // A 64-bit block counter: low word, then carry into the high word.
      s[8] = (s[8]! + 1) >>> 0;
      if (s[8] === 0) s[9] = (s[9]! + 1) >>> 0;
    }
    this.#used = 0;
  }

  /** XORs the next `data.byteLength` keystream bytes into `data` itself and returns it. */
  xor(data: Uint8Array): Uint8Array {
    const len = data.byteLength;
    const ks = this.#ks;
    const ks8 = this.#ks8;
    // Socket reads come in any length, so the keystream position rarely stays word-aligned with the
    // data; the data is XORed a word at a time from its first aligned byte anyway, each keystream
    // word then being stitched from two neighbours when the positions differ.
    const head = (4 - (data.byteOffset & 3)) & 3;
    const words = LITTLE_ENDIAN && len >= head + 4
      ? new Uint32Array(data.buffer, data.byteOffset + head, (len - head) >>> 2)
      : undefined;
    let i = 0;
    while (i < len) {
      if (this.#used === BATCH_BYTES) this.#refill();
      let used = this.#used;
      const end = Math.min(len, i + BATCH_BYTES - used);
      if (words !== undefined) {
        for (; i < end && (i < head || ((i - head) & 3) !== 0); i++, used++) data[i] = data[i]! ^ ks8[used]!;
        const shift = used & 3;
        let w = (i - head) >>> 2;
        let k = used >>> 2;
        // Stop before the data's tail and, when stitching, before the batch's last word.
        const wEnd = w + ((end - i) >>> 2) - (shift === 0 ? 0 : 1);
        if (shift === 0) {
          for (; w < wEnd; w++, k++) words[w] = words[w]! ^ ks[k]!;
        } else {
          const lo = 8 * shift;
          const hi = 32 - lo;
          for (; w < wEnd; w++, k++) words[w] = words[w]! ^ ((ks[k]! >>> lo) | (ks[k + 1]! << hi));
        }
        if (w > (i - head) >>> 2) {
          used += 4 * (w - ((i - head) >>> 2));
          i = head + 4 * w;
        }
      }
      for (; i < end; i++, used++) data[i] = data[i]! ^ ks8[used]!;
      this.#used = used;
    }
    return data;
  }

  /** A copy of `data` XORed with the next keystream bytes; `data` is left as it was. */
  update(data: Uint8Array): Uint8Array {
    // slice() gives a fresh, word-aligned buffer, so the copy takes the word path.
    return this.xor(data.slice());
  }
}
