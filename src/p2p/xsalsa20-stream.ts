/**
 * A running XSalsa20 keystream: each `update` XORs the next bytes of the stream, however the data is
 * chunked. Built on @noble/ciphers' stateless xsalsa20 (block counter + offset), replacing the
 * xsalsa20 package inside @libp2p/pnet whose wasm memory grows until every private connection drops.
 */
import { xsalsa20 } from "@noble/ciphers/salsa.js";

const BLOCK = 64;

export class XSalsa20Stream {
  readonly #key: Uint8Array;
  readonly #nonce: Uint8Array;
  /** Bytes of keystream consumed so far. */
  #position = 0;

  constructor(nonce: Uint8Array, key: Uint8Array) {
    if (nonce.byteLength !== 24) throw new RangeError("XSalsa20 nonce must be 24 bytes");
    if (key.byteLength !== 32) throw new RangeError("XSalsa20 key must be 32 bytes");
    this.#nonce = nonce.slice();
    this.#key = key.slice();
  }

  update(data: Uint8Array): Uint8Array {
    if (data.byteLength === 0) return new Uint8Array(0);
    const counter = Math.floor(this.#position / BLOCK);
    const offset = this.#position % BLOCK;
    this.#position += data.byteLength;
    if (offset === 0) return xsalsa20(this.#key, this.#nonce, data, undefined, counter);
    // Mid-block: pad the front so the keystream lines up, then drop the padding.
    const padded = new Uint8Array(offset + data.byteLength);
    padded.set(data, offset);
    return xsalsa20(this.#key, this.#nonce, padded, undefined, counter).subarray(offset);
  }
}
