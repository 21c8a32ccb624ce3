/**
 * A compute node's published results, read back for the requester: the archive the `local`
 * publisher wrote for an execution, streamed in chunks so a big result never sits in memory.
 */
import { lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
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

/** The files every execution's results hold beside its ResultPath folders (MaxOutputBytes bounds them). */
const LOG_FILES = new Set(["stdout", "stderr", "exitCode"]);

/** Bytes of a job's result files by their sizes (sparse files count whole; symlinks not followed). */
export async function resultFolderBytes(resultsDir: string): Promise<number> {
  const size = async (p: string): Promise<number> => {
    const st = await lstat(p);
    if (!st.isDirectory()) return st.size;
    let sum = 0;
    for (const name of await readdir(p)) sum += await size(join(p, name));
    return sum;
  };
  let sum = 0;
  for (const name of await readdir(resultsDir)) if (!LOG_FILES.has(name)) sum += await size(join(resultsDir, name));
  return sum;
}

/** Refuses to publish results beyond `bound` bytes (the job's Disk resource, else the node's default). */
export async function assertResultBound(resultsDir: string, bound: number | undefined): Promise<void> {
  if (!(bound !== undefined && bound > 0)) return;
  const bytes = await resultFolderBytes(resultsDir);
  if (bytes > bound) {
    throw new Error(`the results hold ${bytes} bytes, more than the ${bound} bytes allowed ` +
      "(the job's Disk resource, else Compute.MaxResultBytes)");
  }
}
