/** One newline-terminated line from a libp2p stream: the small request/answer protocols of the embedded IPFS. */
import { Buffer } from "node:buffer";
import type { Stream } from "@libp2p/interface";

/**
 * Reads until the first newline (the end of the stream alone is not waited for) and returns the
 * line without it. Fails when more than `maxBytes` arrive first or the stream ends mid-line.
 */
/** How long a peer that opened a request stream has to send its request line. */
export const REQUEST_TIMEOUT_MS = 10_000;

export async function readLine(stream: Stream, maxBytes: number, timeoutMs?: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A peer that opens a stream and never finishes its line does not hold it (and its buffer) open.
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stream.abort(new Error("no message in time")), timeoutMs);
  try {
    for await (const chunk of stream) {
      const bytes = chunk.subarray();
      size += bytes.length;
      if (size > maxBytes) throw new Error(`message larger than ${maxBytes} bytes`);
      chunks.push(bytes);
      if (bytes.includes(0x0a)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  const end = text.indexOf("\n");
  if (end < 0) throw new Error("the stream ended before a full message");
  return text.slice(0, end);
}
