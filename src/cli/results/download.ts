/**
 * Fetching a job's published results into a folder: `urlDownload` tar.gz files (the `local`
 * publisher, served by the requester) and `ipfs` CIDs (through the requester's API or straight from
 * the swarm). By default each result is extracted and merged into one results tree; with `raw`,
 * each is kept apart: the archive as downloaded, or the CID's folder named after the CID.
 */
import { createWriteStream } from "node:fs";
import { copyFile, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BacalhauError } from "../../models/errors.ts";
import type { SpecConfig } from "../../models/types.ts";
import { extractTarGz } from "../../codec/tar/index.ts";
import type { IpfsFetcher } from "./ipfs-fetchers.ts";
import { mergeResults } from "./merge.ts";
import { openUrl } from "./url-result.ts";

export interface DownloadOptions {
  outputDir: string;
  raw: boolean;
  timeoutSecs: number;
  /** Told about results that cannot be fetched here (unknown types). */
  warn: (msg: string) => void;
  /** How `ipfs` results are fetched; made on first use and closed at the end. */
  ipfs?: () => IpfsFetcher;
}

const COMPONENT = "ResultsDownloader";

function param(result: SpecConfig, key: string): unknown {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(result.Params ?? {})) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Returns how many results were written. */
export async function downloadResults(results: SpecConfig[], opts: DownloadOptions): Promise<number> {
  await mkdir(opts.outputDir, { recursive: true });
  let ipfs: IpfsFetcher | undefined;
  let written = 0;
  try {
    for (const [i, result] of results.entries()) {
      const type = result.Type.toLowerCase();
      const url = param(result, "URL");
      const cid = param(result, "CID");
      const signal = AbortSignal.timeout(opts.timeoutSecs * 1000);
      const what = type === "ipfs" ? `ipfs://${String(cid)}` : String(url);
      try {
        if (type === "urldownload" && typeof url === "string") {
          await fetchUrlResult(url, i, opts, signal);
        } else if (type === "ipfs" && typeof cid === "string" && opts.ipfs) {
          ipfs ??= opts.ipfs();
          await fetchIpfsResult(ipfs, cid, opts, signal);
        } else {
          opts.warn(`cannot download a result of type '${result.Type}' (${JSON.stringify(result.Params ?? {})}); skipping it`);
          continue;
        }
      } catch (err) {
        if (signal.aborted) {
          throw new BacalhauError(`downloading ${what} took longer than ${opts.timeoutSecs}s`, {
            code: "TimeOutError",
            component: COMPONENT,
            hint: "raise --download-timeout-secs, or check that the node holding the result is online",
            cause: err,
          });
        }
        throw err;
      }
      written++;
    }
  } finally {
    await ipfs?.close();
  }
  return written;
}

async function fetchUrlResult(url: string, i: number, opts: DownloadOptions, signal: AbortSignal): Promise<void> {
  const body = await openUrl(url, signal);
  if (opts.raw) {
    const dest = join(opts.outputDir, basename(new URL(url).pathname) || `result-${i}.tar.gz`);
    await pipeline(Readable.from(body), createWriteStream(dest), { signal });
    return;
  }
  await withStaging(opts.outputDir, async (tmp) => {
    // Results can be large: the inline-input caps do not apply here.
    await extractTarGz(body, tmp, { maxBytes: Number.MAX_SAFE_INTEGER, maxEntries: Number.MAX_SAFE_INTEGER, signal });
    await mergeResults(tmp, opts.outputDir);
  });
}

async function fetchIpfsResult(ipfs: IpfsFetcher, cid: string, opts: DownloadOptions, signal: AbortSignal): Promise<void> {
  if (opts.raw) {
    const dest = join(opts.outputDir, cid);
    // Same CID, same bytes: two executions that published identical results share one folder.
    if (await exists(dest)) return;
    await withStaging(opts.outputDir, async (tmp) => {
      await ipfs.fetch(cid, join(tmp, cid), signal);
      await rename(join(tmp, cid), dest);
    });
    return;
  }
  await withStaging(opts.outputDir, async (tmp) => {
    const fetched = join(tmp, cid);
    await ipfs.fetch(cid, fetched, signal);
    // A publisher always publishes a folder; a bare file CID is kept under its CID.
    if ((await stat(fetched)).isDirectory()) await mergeResults(fetched, opts.outputDir);
    else await copyFile(fetched, join(opts.outputDir, cid));
  });
}

/** Runs `fn` with a fresh folder inside `outputDir` (same filesystem, so renames work), removed after. */
async function withStaging(outputDir: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const tmp = await mkdtemp(join(outputDir, ".download-"));
  try {
    await fn(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
