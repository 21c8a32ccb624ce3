/**
 * Safe extraction of a gzipped tar into a folder. Archives come from users (inline inputs) and
 * from other nodes (published results), so nothing in one may write outside the destination.
 */
import { createReadStream } from "node:fs";
import { chmod, copyFile, lstat, mkdir, open, realpath, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import { ChunkReader, TruncatedArchiveError } from "./chunk-reader.ts";
import { BLOCK, cString, decodeHeader, isZeroBlock, padded, parsePaxRecords } from "./header.ts";
import type { RawHeader } from "./header.ts";
import { isWithin, safeRelativePath, symlinkTargetKind, UnsafeEntryError } from "./safe-path.ts";

/** Bacalhau's cap for an inline tar.gz input. */
export const DEFAULT_MAX_EXTRACT_BYTES = 10 * 1024 * 1024;

export interface ExtractOptions {
  /** Cap on the total size of the files extracted. Default 10 MiB. */
  maxBytes?: number;
  /** Cap on the number of entries. Default 100 000. */
  maxEntries?: number;
  signal?: AbortSignal;
}

export interface ExtractSummary {
  files: number;
  bytes: number;
  /** Entries deliberately not created (devices, links that climb with `..`), by name. */
  skipped: string[];
}

/** A gzipped tar as bytes, a web stream, any async iterable of chunks, or a file path. */
export type TarGzSource = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string;

/** Pax and GNU long-name payloads are metadata: anything bigger is hostile. */
const MAX_META_BYTES = 1024 * 1024;
const COMPONENT = "TarExtract";

function refuse(message: string, code: "BadRequest" | "ResourceExhausted" = ErrorCode.BadRequest): BacalhauError {
  return new BacalhauError(message, { code, component: COMPONENT, failsExecution: true });
}

function toReadable(src: TarGzSource): Readable {
  if (typeof src === "string") return createReadStream(src);
  if (src instanceof Uint8Array) return Readable.from([src], { objectMode: false });
  if (src instanceof ReadableStream) return Readable.from(iterateWeb(src), { objectMode: false });
  return Readable.from(src, { objectMode: false });
}

async function* iterateWeb(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Extracts `src` into `destDir` (created if missing). Refuses entries with absolute or `..` paths,
 * symlinks pointing outside, hardlinks to anything but an earlier file of the same archive, and
 * archives over the size or entry caps. Symlinks whose relative target has no `..` are created;
 * other in-archive symlinks are skipped, since a chain of them could still climb out.
 */
export async function extractTarGz(
  src: TarGzSource,
  destDir: string,
  opts: ExtractOptions = {},
): Promise<ExtractSummary> {
  const signal = opts.signal;
  signal?.throwIfAborted();
  await mkdir(destDir, { recursive: true });
  const root = await realpath(destDir);
  const input = toReadable(src);
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  input.on("error", (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  const onAbort = () => gunzip.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  signal?.addEventListener("abort", onAbort, { once: true });
  const reader = new ChunkReader(gunzip as AsyncIterable<Uint8Array>);
  const state: ExtractState = {
    root,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_EXTRACT_BYTES,
    maxEntries: opts.maxEntries ?? 100_000,
    entries: 0,
    summary: { files: 0, bytes: 0, skipped: [] },
    files: new Set(),
    dirModes: [],
    signal,
  };
  try {
    await readEntries(reader, state);
  } catch (err) {
    signal?.throwIfAborted();
    throw wrapError(err);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    input.destroy();
    gunzip.destroy();
  }
  // Folder modes last, deepest first, so a read-only folder does not block its own contents.
  for (const [path, mode] of state.dirModes.reverse()) await chmod(path, (mode & 0o777) | 0o700);
  return state.summary;
}

function wrapError(err: unknown): BacalhauError {
  if (err instanceof BacalhauError) return err;
  if (err instanceof UnsafeEntryError || err instanceof TruncatedArchiveError) return refuse(err.message);
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("Z_")) {
    return refuse(`not a valid gzip stream: ${(err as Error).message}`);
  }
  if (err instanceof Error && /checksum|numeric field|pax record/.test(err.message)) {
    return refuse(`not a valid tar archive: ${err.message}`);
  }
  return BacalhauError.from(err, COMPONENT);
}

interface ExtractState {
  root: string;
  maxBytes: number;
  maxEntries: number;
  entries: number;
  summary: ExtractSummary;
  /** Relative paths of regular files already written: the only valid hardlink targets. */
  files: Set<string>;
  dirModes: Array<[string, number]>;
  signal: AbortSignal | undefined;
}

interface PendingMeta {
  pax?: Map<string, string>;
  longName?: string;
  longLink?: string;
}

async function readEntries(reader: ChunkReader, state: ExtractState): Promise<void> {
  let meta: PendingMeta = {};
  for (;;) {
    state.signal?.throwIfAborted();
    const block = await reader.readExact(BLOCK);
    if (!block) return; // tolerate archives without the end-of-archive blocks
    if (isZeroBlock(block)) return;
    const h = decodeHeader(block);
    if (++state.entries > state.maxEntries) {
      throw refuse(`archive has more than ${state.maxEntries} entries`, ErrorCode.ResourceExhausted);
    }
    if (h.type === "pax" || h.type === "paxGlobal" || h.type === "gnuLongName" || h.type === "gnuLongLink") {
      if (h.size > MAX_META_BYTES) throw refuse(`archive metadata entry of ${h.size} bytes is too large`);
      const data = (await reader.readExact(padded(h.size)))?.subarray(0, h.size);
      if (!data) throw refuse("archive ends in the middle of an entry");
      if (h.type === "pax") meta.pax = parsePaxRecords(data);
      else if (h.type === "gnuLongName") meta.longName = cString(data);
      else if (h.type === "gnuLongLink") meta.longLink = cString(data);
      // Global pax headers only carry defaults (times, owners) that we do not apply.
      continue;
    }
    const entry = applyMeta(h, meta);
    meta = {};
    await writeEntry(reader, entry, state);
  }
}

function applyMeta(h: RawHeader, meta: PendingMeta): RawHeader {
  const out = { ...h };
  out.name = meta.pax?.get("path") ?? meta.longName ?? h.name;
  out.linkname = meta.pax?.get("linkpath") ?? meta.longLink ?? h.linkname;
  const paxSize = meta.pax?.get("size");
  if (paxSize !== undefined) {
    const size = Number(paxSize);
    if (!Number.isSafeInteger(size) || size < 0) throw refuse(`bad pax size "${paxSize}"`);
    out.size = size;
  }
  if (out.type === "file" && out.name.endsWith("/")) out.type = "dir";
  return out;
}

/** Makes the entry's parent folder and checks that, resolved, it is still inside the root. */
async function preparePath(state: ExtractState, rel: string): Promise<string> {
  const target = join(state.root, rel);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  if (!isWithin(state.root, await realpath(parent))) {
    throw refuse(`entry ${rel} resolves outside the destination`);
  }
  return target;
}

/** Removes a non-folder already at `target` (a later entry of the same name wins, as in tar). */
async function clearNonDir(target: string, rel: string): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  if (!existing) return;
  if (existing.isDirectory()) throw refuse(`entry ${rel} would replace a folder`);
  await rm(target, { force: true });
}

async function writeEntry(reader: ChunkReader, h: RawHeader, state: ExtractState): Promise<void> {
  const contentSize = h.type === "file" || h.type === "other" ? h.size : 0;
  if (h.type === "other") {
    state.summary.skipped.push(h.name);
    await reader.skip(padded(contentSize));
    return;
  }
  const rel = safeRelativePath(h.name);
  if (h.type === "dir") {
    if (rel === "") return;
    const target = await preparePath(state, rel);
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !existing.isDirectory()) await rm(target, { force: true });
    await mkdir(target, { recursive: true });
    state.dirModes.push([target, h.mode]);
    await reader.skip(padded(h.size));
    return;
  }
  if (rel === "") throw refuse(`entry "${h.name}" names the destination itself`);
  if (h.type === "file") {
    state.summary.bytes += h.size;
    if (state.summary.bytes > state.maxBytes) {
      throw refuse(`archive content exceeds the ${state.maxBytes}-byte limit`, ErrorCode.ResourceExhausted);
    }
    const target = await preparePath(state, rel);
    await clearNonDir(target, rel);
    await writeFile(reader, target, h, state.signal);
    state.files.add(rel);
    state.summary.files++;
    await reader.skip(padded(h.size) - h.size);
    return;
  }
  if (h.type === "symlink") {
    const kind = symlinkTargetKind(rel, h.linkname);
    if (kind === "outside") throw refuse(`symlink ${rel} points outside the destination (${h.linkname})`);
    if (kind === "inside") {
      state.summary.skipped.push(rel);
    } else {
      const target = await preparePath(state, rel);
      await clearNonDir(target, rel);
      await symlink(h.linkname, target);
    }
    await reader.skip(padded(h.size));
    return;
  }
  // Hardlink: copied from the earlier file it names, never linked to anything on the host.
  let linkRel: string;
  try {
    linkRel = safeRelativePath(h.linkname);
  } catch {
    throw refuse(`hardlink ${rel} points outside the destination (${h.linkname})`);
  }
  if (!state.files.has(linkRel)) {
    throw refuse(`hardlink ${rel} points to ${h.linkname}, which is not an earlier file in the archive`);
  }
  const target = await preparePath(state, rel);
  await clearNonDir(target, rel);
  await copyFile(join(state.root, linkRel), target);
  state.files.add(rel);
  state.summary.files++;
  await reader.skip(padded(h.size));
}

async function writeFile(reader: ChunkReader, target: string, h: RawHeader, signal?: AbortSignal): Promise<void> {
  const fh = await open(target, "wx", 0o600);
  try {
    for await (const chunk of reader.take(h.size)) {
      signal?.throwIfAborted();
      await fh.write(chunk);
    }
    await fh.chmod((h.mode & 0o777) | 0o600);
  } finally {
    await fh.close();
  }
}
