/**
 * Turns a host file or folder into UnixFS blocks. Files are streamed from disk, never read whole.
 * Symlinks are skipped rather than followed, so a results folder cannot publish a file it only
 * points at (e.g. a link to a host secret). Modes and mtimes are left out: the same bytes always
 * give the same CID.
 */
import { createReadStream } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { UnixFS } from "@helia/unixfs";
import type { CID } from "multiformats/cid";
import { BacalhauError } from "../models/errors.ts";

type ImportCandidates = Parameters<UnixFS["addAll"]>[0];
type Candidate = { path: string; content?: AsyncIterable<Uint8Array> };

/** Every file and folder under `root`, as importer candidates with paths relative to `root`. */
async function* candidates(root: string, rel = ""): AsyncGenerator<Candidate> {
  const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      // Folders are named explicitly so empty ones survive the round trip.
      yield { path: r };
      yield* candidates(root, r);
    } else if (e.isFile()) {
      yield { path: r, content: createReadStream(join(root, r)) };
    }
  }
}

export interface ImportOptions {
  signal?: AbortSignal;
}

/** Adds `path` (a file or a folder) and returns the root CID: the file's, or the folder's itself. */
export async function importPath(fs: UnixFS, path: string, opts: ImportOptions = {}): Promise<CID> {
  const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    throw BacalhauError.badRequest(`cannot add ${path}: ${err.code === "ENOENT" ? "no such file or folder" : err.message}`, {
      component: "IPFS",
      cause: err,
    });
  });
  if (info.isFile()) return fs.addByteStream(createReadStream(path), { signal: opts.signal });
  if (!info.isDirectory()) {
    throw BacalhauError.badRequest(`cannot add ${path}: only files and folders can be added`, { component: "IPFS" });
  }
  let root: CID | undefined;
  const source = candidates(path) as ImportCandidates;
  for await (const entry of fs.addAll(source, { wrapWithDirectory: true, signal: opts.signal })) {
    // The wrapping folder comes last, with an empty path.
    if (entry.path === "") root = entry.cid;
  }
  return root ?? fs.addDirectory({}, { signal: opts.signal });
}
