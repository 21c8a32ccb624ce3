/** A raw libp2p stream carrying a file's bytes: the private swarm's ceiling, without IPFS on top. */
import { createReadStream, createWriteStream } from "node:fs";
import type { Stream } from "@libp2p/interface";

export const BLAST_PROTOCOL = "/bacalhau-edge/bench/blast/1.0.0";

export async function blast(stream: Stream, file: string): Promise<void> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    if (!stream.send(chunk as Uint8Array)) await stream.onDrain();
  }
  await stream.close();
}

/** Writes everything the stream carries to `dest`; resolves with the byte count. */
export async function receive(stream: Stream, dest: string): Promise<number> {
  const out = createWriteStream(dest);
  let bytes = 0;
  for await (const chunk of stream) {
    const data = chunk.subarray();
    bytes += data.length;
    if (!out.write(data)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return bytes;
}
