/**
 * One HTTP(S) download with Bacalhau's retry rules: a final status ≥ 400 or a transport error is
 * retried (with exponential backoff) up to `maxRetries` times; each attempt has its own timeout;
 * the body streams to disk.
 */
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { BacalhauError, ErrorCode } from "../../models/errors.ts";
import { downloadFileName } from "./file-name.ts";

export interface DownloadOptions {
  /** Retries after the first attempt. Default 3 (Bacalhau's InputSources.MaxRetryCount). */
  maxRetries?: number;
  /** Per-attempt timeout, covering the whole body. Default 5 minutes (InputSources.ReadTimeout). */
  requestTimeoutMs?: number;
  /** First backoff delay; doubles per retry, capped at 30 s. Default 1 s. */
  retryBackoffMs?: number;
}

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
      return await attemptDownload(url, folder, signal, opts.requestTimeoutMs ?? 300_000);
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

async function attemptDownload(url: string, folder: string, outer: AbortSignal, timeoutMs: number): Promise<string> {
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
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: "follow" });
    } catch (err) {
      throw new RetryableError(timedOut ? `request timed out after ${timeoutMs} ms` : transportMessage(err));
    }
    if (res.status >= 400) {
      await res.body?.cancel();
      throw new RetryableError(`server answered ${res.status} ${res.statusText}`.trim());
    }
    if (res.status < 200 || res.status >= 300) {
      await res.body?.cancel();
      throw new BacalhauError(`download of ${url} ended with status ${res.status}; a 2xx status is required`, {
        code: ErrorCode.BadRequest,
        component: COMPONENT,
        failsExecution: true,
      });
    }
    path = join(folder, downloadFileName(res.url || url, res.redirected, res.headers.get("content-disposition")));
    await streamToFile(res, path);
    return path;
  } catch (err) {
    if (path) await rm(path, { force: true });
    if (err instanceof RetryableError || err instanceof BacalhauError || outer.aborted) throw err;
    if (timedOut) throw new RetryableError(`request timed out after ${timeoutMs} ms`);
    // Local file-system errors (disk full, permissions) will not get better by asking again.
    if (typeof (err as { syscall?: unknown }).syscall === "string") throw err;
    throw new RetryableError(transportMessage(err));
  } finally {
    clearTimeout(timer);
    outer.removeEventListener("abort", onAbort);
  }
}

function transportMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

async function streamToFile(res: Response, path: string): Promise<void> {
  const fh = await open(path, "wx");
  try {
    if (!res.body) return;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await fh.write(value);
    }
  } finally {
    await fh.close();
  }
}
