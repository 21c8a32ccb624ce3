/**
 * A compute node's published results, read back for the requester: the archive the `local`
 * publisher wrote for an execution, streamed in chunks so a big result never sits in memory.
 */
import { open } from "node:fs/promises";
import { hasResultFiles } from "../publisher/local/index.ts";
import type { Publisher } from "../publisher/publisher.ts";
import { noResult } from "../transport/result-reader.ts";

const CHUNK = 256 * 1024;

export async function* readPublishedResult(
  publishers: Iterable<Publisher>,
  executionID: string,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let path: string | undefined;
  for (const p of publishers) {
    if (hasResultFiles(p)) path ??= await p.resultFile(executionID);
  }
  if (path === undefined) throw noResult(executionID);
  const fh = await open(path, "r");
  try {
    while (!signal.aborted) {
      // A fresh buffer per chunk: the consumer may hold on to what it was given.
      const buf = new Uint8Array(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
