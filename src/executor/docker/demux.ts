/**
 * Splits Docker's multiplexed attach/log stream (non-TTY containers) into stdout and stderr as
 * bytes arrive. Each frame is an 8-byte header — stream id (1 stdout, 2 stderr), three zero bytes,
 * a big-endian u32 length — followed by that many bytes; frames may be cut anywhere by the socket.
 */
import type { LogSink } from "../executor.ts";

export class DockerStreamDemuxer {
  readonly #sink: LogSink;
  #buf: Uint8Array = new Uint8Array(0);

  constructor(sink: LogSink) {
    this.#sink = sink;
  }

  push(chunk: Uint8Array): void {
    let buf = this.#buf.length === 0 ? chunk : concat(this.#buf, chunk);
    while (buf.length >= 8) {
      const size = new DataView(buf.buffer, buf.byteOffset, 8).getUint32(4);
      if (buf.length < 8 + size) break;
      const payload = buf.slice(8, 8 + size);
      if (buf[0] === 2) this.#sink.stderr(payload);
      else this.#sink.stdout(payload); // 0 (stdin echo) and 1 both read as stdout
      buf = buf.subarray(8 + size);
    }
    this.#buf = buf.slice();
  }

  /** Bytes of an incomplete frame left when the stream ended (a truncated stream). */
  get pending(): number {
    return this.#buf.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
