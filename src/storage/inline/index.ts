/**
 * The `inline` storage source: input data carried inside the job as a data URL. A plain payload
 * becomes one file mounted at the Target; an `application/gzip` payload is a tar.gz extracted
 * (safely, 10 MiB cap) into a folder mounted at the Target.
 *
 * @example
 * ```ts
 * const inline = createInlineSource();
 * const vol = await inline.prepare(
 *   { Source: { Type: "inline", Params: { URL: "data:text/plain;base64,aGk=" } }, Target: "/hi.txt" },
 *   { jobID, executionID, workDir, signal },
 * );
 * ```
 */
import { closeSync, open, writeSync } from "node:fs";
import { join, posix } from "node:path";
import { promisify } from "node:util";
import type { PreparedVolume } from "../../executor/executor.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { InputSource } from "../../models/types.ts";
import type { PrepareContext, StorageSource } from "../source.ts";
import { DEFAULT_MAX_EXTRACT_BYTES, extractTarGz } from "../../codec/tar/index.ts";
import { decodeDataURL, decodedSize, GZIP_MIME_TYPES, parseDataURL } from "./data-url.ts";
import type { DataURL } from "./data-url.ts";

export interface InlineSourceOptions {
  /** Cap on the extracted size of a gzipped payload. Default 10 MiB, as in Bacalhau. */
  maxExtractBytes?: number;
}

const COMPONENT = "InlineStorage";

function param(params: Record<string, unknown> | undefined, key: string): unknown {
  if (!params) return undefined;
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function parse(input: InputSource): DataURL | string {
  const url = param(input.Source.Params, "URL");
  if (typeof url !== "string" || url === "") {
    return 'inline input needs Params.URL, a data URL such as "data:text/plain;base64,aGVsbG8="';
  }
  return parseDataURL(url);
}

/** A file name for the payload on the host: the Target's last segment, when it is a usable one. */
function fileNameFor(target: string): string {
  const base = posix.basename(target);
  return base && base !== "." && base !== ".." ? base : "data";
}

const openFd = promisify(open);

/**
 * Creating the file waits on the disk, so it goes through the thread pool; the payload is already
 * in memory (it came inside the job), so writing it to the open file is a copy and stays synchronous,
 * one turn of the event loop instead of three.
 */
async function writeNewFile(path: string, data: Uint8Array): Promise<void> {
  const fd = await openFd(path, "w");
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
}

export function createInlineSource(opts: InlineSourceOptions = {}): StorageSource {
  const maxExtractBytes = opts.maxExtractBytes ?? DEFAULT_MAX_EXTRACT_BYTES;
  return {
    type: "inline",
    isInstalled: () => Promise.resolve(true),
    validate(input) {
      const parsed = parse(input);
      return typeof parsed === "string" ? parsed : undefined;
    },
    size(input) {
      const parsed = parse(input);
      if (typeof parsed === "string" || GZIP_MIME_TYPES.has(parsed.mime)) return Promise.resolve(undefined);
      return Promise.resolve(decodedSize(parsed));
    },
    async prepare(input: InputSource, ctx: PrepareContext): Promise<PreparedVolume> {
      ctx.signal.throwIfAborted();
      const parsed = parse(input);
      if (typeof parsed === "string") throw BacalhauError.badRequest(parsed, { component: COMPONENT });
      const data = decodeDataURL(parsed);
      // The work dir is this input's own fresh folder: the payload goes straight into it.
      if (GZIP_MIME_TYPES.has(parsed.mime)) {
        await extractTarGz(data, ctx.workDir, { maxBytes: maxExtractBytes, signal: ctx.signal });
        return { target: input.Target, hostPath: ctx.workDir, readOnly: true };
      }
      const file = join(ctx.workDir, fileNameFor(input.Target));
      await writeNewFile(file, data);
      return { target: input.Target, hostPath: file, readOnly: true };
    },
  };
}
