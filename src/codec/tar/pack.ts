/**
 * Packing a file or folder into a gzipped tar, as a stream: content is read in chunks, so a large
 * results folder never sits in memory.
 */
import { createWriteStream } from "node:fs";
import { lstat, open, readdir, readlink, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { concatBytes } from "../frames.ts";
import { BLOCK, encodeEntryHeader, padded } from "./header.ts";
import type { EntryHeader } from "./header.ts";

export interface PackOptions {
  signal?: AbortSignal;
}

const READ_CHUNK = 64 * 1024;

/** The raw (uncompressed) tar stream of `hostPath`, chunk by chunk. */
export async function* tarChunks(hostPath: string, opts: PackOptions = {}): AsyncGenerator<Uint8Array> {
  // The root itself is what the caller named, so following a symlink there is intended.
  const info = await stat(hostPath);
  if (info.isDirectory()) {
    yield* walkDir(hostPath, "", opts);
  } else if (info.isFile()) {
    yield* fileEntry(hostPath, basename(hostPath), info.size, info.mode, info.mtimeMs, opts);
  } else {
    throw new Error(`cannot pack ${hostPath}: not a file or folder`);
  }
  yield new Uint8Array(BLOCK * 2);
}

async function* walkDir(dir: string, rel: string, opts: PackOptions): AsyncGenerator<Uint8Array> {
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    opts.signal?.throwIfAborted();
    const full = join(dir, name);
    const entryName = rel ? `${rel}/${name}` : name;
    // lstat: a symlink inside the folder is stored as a link, never followed, so a job cannot
    // make the packer read host files outside its results folder.
    const info = await lstat(full);
    const mtime = info.mtimeMs / 1000;
    if (info.isDirectory()) {
      yield header({ name: entryName + "/", type: "dir", size: 0, mode: info.mode, mtime });
      yield* walkDir(full, entryName, opts);
    } else if (info.isFile()) {
      yield* fileEntry(full, entryName, info.size, info.mode, info.mtimeMs, opts);
    } else if (info.isSymbolicLink()) {
      const linkname = await readlink(full);
      yield header({ name: entryName, type: "symlink", size: 0, mode: info.mode, mtime, linkname });
    }
    // Sockets, fifos and devices have no content worth carrying; they are left out.
  }
}

function header(h: EntryHeader): Uint8Array {
  return encodeEntryHeader(h);
}

async function* fileEntry(
  path: string,
  name: string,
  size: number,
  mode: number,
  mtimeMs: number,
  opts: PackOptions,
): AsyncGenerator<Uint8Array> {
  yield header({ name, type: "file", size, mode, mtime: mtimeMs / 1000 });
  const fh = await open(path, "r");
  try {
    let left = size;
    while (left > 0) {
      opts.signal?.throwIfAborted();
      const buf = new Uint8Array(Math.min(READ_CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, size - left);
      // A file that shrank while being read is padded with zeros so the archive stays well-formed.
      if (bytesRead === 0) {
        yield new Uint8Array(left);
        left = 0;
        break;
      }
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      left -= bytesRead;
    }
  } finally {
    await fh.close();
  }
  const pad = padded(size) - size;
  if (pad > 0) yield new Uint8Array(pad);
}

/** A gzipped tar of `hostPath` as a Node stream. */
function tarGzReadable(hostPath: string, opts: PackOptions): Readable {
  const gzip = createGzip({ chunkSize: 64 * 1024 });
  const source = Readable.from(tarChunks(hostPath, opts), { objectMode: false });
  source.on("error", (err) => gzip.destroy(err));
  return source.pipe(gzip);
}

/**
 * A gzipped tar of a file (one entry named after it) or a folder (its contents, recursively), held
 * in memory. Meant for small things such as inline inputs; use {@link packPathToTarGzFile} for
 * results.
 */
export async function packPathToTarGz(hostPath: string, opts: PackOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of tarGzReadable(hostPath, opts)) parts.push(chunk as Uint8Array);
  return concatBytes(parts);
}

/** A gzipped tar of `hostPath` as a web stream. */
export function packPathToTarGzStream(hostPath: string, opts: PackOptions = {}): ReadableStream<Uint8Array> {
  const gz = tarGzReadable(hostPath, opts);
  const it = gz[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value as Uint8Array);
    },
    cancel(reason) {
      gz.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

/**
 * Streams a gzipped tar of `hostPath` into `destFile`. The archive is written beside its final
 * name and renamed at the end, so a reader never sees a half-written file.
 */
export async function packPathToTarGzFile(
  hostPath: string,
  destFile: string,
  opts: PackOptions = {},
): Promise<{ bytes: number }> {
  const tmp = `${destFile}.partial-${crypto.randomUUID()}`;
  try {
    const source = Readable.from(tarChunks(hostPath, opts), { objectMode: false });
    await pipeline(source, createGzip({ chunkSize: 64 * 1024 }), createWriteStream(tmp), opts.signal ? { signal: opts.signal } : {});
    await rename(tmp, destFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { bytes: (await stat(destFile)).size };
}
