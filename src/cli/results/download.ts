/**
 * Fetching a job's published results (`urlDownload` tar.gz files, served by the requester for the
 * `local` publisher) into a folder: raw archives, or extracted and merged into one results tree.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { BacalhauError } from "../../models/errors.ts";
import type { SpecConfig } from "../../models/types.ts";
import { extractTarGz } from "../../storage/tar/index.ts";
import { mergeResults } from "./merge.ts";

export interface DownloadOptions {
  outputDir: string;
  raw: boolean;
  timeoutSecs: number;
  /** Told about results that cannot be fetched here (e.g. IPFS CIDs). */
  warn: (msg: string) => void;
}

/** Returns how many results were written. */
export async function downloadResults(results: SpecConfig[], opts: DownloadOptions): Promise<number> {
  await mkdir(opts.outputDir, { recursive: true });
  let written = 0;
  for (const [i, result] of results.entries()) {
    const url = result.Params?.URL ?? result.Params?.url;
    if (result.Type !== "urlDownload" || typeof url !== "string") {
      opts.warn(`cannot download a result of type '${result.Type}' (${JSON.stringify(result.Params ?? {})}); skipping it`);
      continue;
    }
    const bytes = await fetchBytes(url, opts.timeoutSecs);
    if (opts.raw) {
      await writeFile(join(opts.outputDir, basename(new URL(url).pathname) || `result-${i}.tar.gz`), bytes);
    } else {
      const tmp = await mkdtemp(join(opts.outputDir, ".download-"));
      try {
        // Results can be large: the inline-input cap does not apply here.
        await extractTarGz(bytes, tmp, { maxBytes: Number.MAX_SAFE_INTEGER });
        await mergeResults(tmp, opts.outputDir);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    written++;
  }
  return written;
}

async function fetchBytes(url: string, timeoutSecs: number): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutSecs * 1000) });
  } catch (err) {
    throw new BacalhauError(`failed to download ${url}: ${(err as Error).message}`, {
      component: "ResultsDownloader",
      hint: "check that the requester (and the compute node that ran the job) is reachable, or raise --download-timeout-secs",
      cause: err,
    });
  }
  if (!res.ok) {
    // A requester serving the result explains a failure (e.g. the compute node is offline) in an APIError body.
    const body = await res.text().catch(() => "");
    let why = "";
    try {
      const message = (JSON.parse(body) as { Message?: unknown }).Message;
      if (typeof message === "string" && message) why = `: ${message}`;
    } catch { /* not an APIError */ }
    throw new BacalhauError(`failed to download ${url}: HTTP ${res.status}${why}`, { component: "ResultsDownloader" });
  }
  return new Uint8Array(await res.arrayBuffer());
}
