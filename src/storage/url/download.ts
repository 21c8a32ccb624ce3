/**
 * One HTTP(S) download with Bacalhau's retry rules: a final status ≥ 400 or a transport error is
 * retried (with exponential backoff) up to `maxRetries` times; each attempt has its own timeout;
 * the body streams to disk. A body shorter than its Content-Length is a transport error (retried); a
 * refused address, a bad redirect or a file over the size cap ends the download at once.
 */
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import { httpGet } from "../../runtime/http-get.ts";
import type { HttpGetResponse } from "../../runtime/http-get.ts";
import { guardedResolver } from "./address-guard.ts";
import type { HostLookup } from "./address-guard.ts";
import { downloadFileName } from "./file-name.ts";

export interface DownloadOptions {
  /** Retries after the first attempt. Default 3 (Bacalhau's InputSources.MaxRetryCount). */
  maxRetries?: number;
  /** Per-attempt timeout, covering the whole body. Default 5 minutes (InputSources.ReadTimeout). */
  requestTimeoutMs?: number;
  /** First backoff delay; doubles per retry, capped at 30 s. Default 1 s. */
  retryBackoffMs?: number;
  /** Largest file accepted, in bytes. Default 10 GiB (InputSources.MaxDownloadBytes). */
  maxBytes?: number;
  /** Allow link-local and cloud-metadata addresses (InputSources.AllowLinkLocal). Default false. */
  allowLinkLocal?: boolean;
  /** Resolves host names; the system resolver by default. */
  lookup?: HostLookup;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 ** 3;

const COMPONENT = "URLDownload";
const MAX_BACKOFF_MS = 30_000;

/** A failure worth another attempt; anything else ends the download at once. */
class RetryableError extends Error {}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Downloads `url` into `folder`; returns the path of the file written. */
export async function downloadToFolder(
  url: string,
  folder: string,
  signal: AbortSignal,
  opts: DownloadOptions = {},
): Promise<string> {
  const maxRetries = opts.maxRetries ?? 3;
  const backoff = opts.retryBackoffMs ?? 1000;
  let lastError = "";
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    if (attempt > 0) await abortableDelay(Math.min(backoff * 2 ** (attempt - 1), MAX_BACKOFF_MS), signal);
    signal.throwIfAborted();
    try {
      return await attemptDownload(url, folder, signal, opts);
    } catch (err) {
      signal.throwIfAborted();
      if (!(err instanceof RetryableError)) throw err;
      lastError = err.message;
    }
  }
  throw new BacalhauError(`failed to download ${url} after ${maxRetries + 1} attempts: ${lastError}`, {
    code: ErrorCode.BadRequest,
    component: COMPONENT,
    failsExecution: true,
    hint: "check that the URL is reachable from the compute node and returns the file with a 2xx status",
  });
}

async function attemptDownload(url: string, folder: string, outer: AbortSignal, opts: DownloadOptions): Promise<string> {
  const timeoutMs = opts.requestTimeoutMs ?? 300_000;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`request timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener("abort", onAbort, { once: true });
  let path: string | undefined;
  try {
    let res: HttpGetResponse;
    try {
      res = await httpGet(new URL(url), {
        signal: controller.signal,
        resolve: guardedResolver({ allowLinkLocal: opts.allowLinkLocal ?? false, ...(opts.lookup ? { lookup: opts.lookup } : {}) }),
      });
    } catch (err) {
      if (err instanceof BacalhauError || outer.aborted) throw err;
      throw new RetryableError(timedOut ? `request timed out after ${timeoutMs} ms` : transportMessage(err));
    }
    if (res.status >= 400) {
      res.cancel();
      throw new RetryableError(`server answered ${res.status} ${res.statusText}`.trim());
    }
    if (res.status < 200 || res.status >= 300) {
      res.cancel();
      throw new BacalhauError(`download of ${url} ended with status ${res.status}; a 2xx status is required`, {
        code: ErrorCode.BadRequest,
        component: COMPONENT,
        failsExecution: true,
      });
    }
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    if (res.contentLength !== undefined && res.contentLength > maxBytes) {
      res.cancel();
      throw tooLarge(url, `its Content-Length is ${res.contentLength} bytes`, maxBytes);
    }
    path = join(folder, downloadFileName(res.url, res.redirected, res.header("content-disposition") ?? null));
    await streamToFile(res, path, url, maxBytes);
    return path;
  } catch (err) {
    if (path) await rm(path, { force: true });
    if (err instanceof RetryableError || err instanceof BacalhauError || outer.aborted) throw err;
    if (timedOut) throw new RetryableError(`request timed out after ${timeoutMs} ms`);
    // Local file-system errors (disk full, permissions) will not get better by asking again.
    if (typeof (err as { syscall?: unknown }).syscall === "string" && !isNetworkError(err)) throw err;
    throw new RetryableError(transportMessage(err));
  } finally {
    clearTimeout(timer);
    outer.removeEventListener("abort", onAbort);
  }
}

/** Socket errors carry a syscall too (read, connect); they are the server's fault, worth a retry. */
function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code);
}

function tooLarge(url: string, why: string, maxBytes: number): BacalhauError {
  return new BacalhauError(`download of ${url} is larger than this node accepts (${maxBytes} bytes): ${why}`, {
    code: ErrorCode.BadRequest,
    component: COMPONENT,
    failsExecution: true,
    hint: "use a smaller input, or ask the operator to raise InputSources.MaxDownloadBytes",
  });
}

function transportMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : typeof code === "string" && !err.message.includes(code) ? ` (${code})` : "";
  return `${err.message}${cause}`;
}

async function streamToFile(res: HttpGetResponse, path: string, url: string, maxBytes: number): Promise<void> {
  const fh = await open(path, "wx");
  let written = 0;
  try {
    for await (const chunk of res.body) {
      written += chunk.length;
      if (written > maxBytes) throw tooLarge(url, "its body grew past that", maxBytes);
      // Awaiting the write before reading on is the backpressure: the socket waits for the disk.
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
}
