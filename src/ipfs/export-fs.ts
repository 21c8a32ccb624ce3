/**
 * Writes a UnixFS file or folder to disk, streaming each file. Names come from a DAG that another
 * peer built, so each one is checked before it becomes a path: no "..", no separators, no NUL.
 */
import { createWriteStream } from "node:fs";
import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { UnixFS } from "@helia/unixfs";
import type { CID } from "multiformats/cid";
import { BacalhauError } from "../models/errors.ts";
import { RAW_CODEC } from "./local-dag.ts";

export interface ExportOptions {
  signal?: AbortSignal;
  /** Blocks fetched at once while writing a folder; many small files are dominated by round trips. Default 64. */
  concurrency?: number;
}

export type ExportedKind = "file" | "directory";

function safeName(name: string, cid: CID): string {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw BacalhauError.validation(`IPFS folder ${cid} holds an entry with an unsafe name ${JSON.stringify(name)}`, {
      component: "IPFS",
      failsExecution: true,
    });
  }
  return name;
}

async function writeFile(fs: UnixFS, cid: CID, dest: string, signal?: AbortSignal): Promise<void> {
  await pipeline(Readable.from(fs.cat(cid, { signal })), createWriteStream(dest), { signal });
}

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** At most `n` calls of the returned wrapper run at once, across the whole export. */
function limiter(n: number): Limit {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}


interface Export {
  fs: UnixFS;
  limit: Limit;
  signal?: AbortSignal;
  /** CID → where it was first written. Concurrent wants of one block are slow in bitswap, so a
   *  file or folder that appears twice is fetched once and copied on disk. */
  written: Map<string, Promise<string>>;
}

async function writeEntry(x: Export, cid: CID, dest: string): Promise<void> {
  const key = cid.toString();
  const first = x.written.get(key);
  if (first) {
    await cp(await first, dest, { recursive: true });
    return;
  }
  const done = (async () => {
    // Raw leaves are files; anything else needs its root block to tell a file from a folder.
    const isDir = cid.code !== RAW_CODEC && (await x.limit(() => x.fs.stat(cid, { signal: x.signal }))).type === "directory";
    if (isDir) await writeDirectory(x, cid, dest);
    else await x.limit(() => writeFile(x.fs, cid, dest, x.signal));
    return dest;
  })();
  x.written.set(key, done);
  await done;
}

async function writeDirectory(x: Export, cid: CID, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const entries: Array<{ cid: CID; path: string }> = [];
  for await (const entry of x.fs.ls(cid, { signal: x.signal })) {
    entries.push({ cid: entry.cid, path: join(dest, safeName(entry.name, cid)) });
  }
  await Promise.all(entries.map((e) => writeEntry(x, e.cid, e.path)));
}

/** Writes the file or folder behind `cid` at `dest` (which must not exist yet) and says which it was. */
export async function exportCid(fs: UnixFS, cid: CID, dest: string, opts: ExportOptions = {}): Promise<ExportedKind> {
  const stat = await fs.stat(cid, { signal: opts.signal });
  if (stat.type === "directory") {
    const x: Export = { fs, limit: limiter(opts.concurrency ?? 64), signal: opts.signal, written: new Map() };
    await writeDirectory(x, cid, dest);
    return "directory";
  }
  await writeFile(fs, cid, dest, opts.signal);
  return "file";
}
