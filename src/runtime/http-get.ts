/**
 * An HTTP(S) GET client for bodies the node or the CLI streams from servers it does not control.
 *
 * The global `fetch` of Node 24 (its bundled undici) throws an uncatchable assertion, killing the
 * process, when a close-delimited body (HTTP/1.0 style, e.g. `python3 -m http.server`) ends while
 * the reader is applying backpressure. So this goes through `node:http`/`node:https`, which Deno
 * also provides; their `lookup` hook lets a caller pin the connection to an address it has already
 * checked, which `fetch` cannot do on either runtime.
 *
 * @example
 * ```ts
 * const res = await httpGet(new URL("http://127.0.0.1:8000/file.txt"), { signal });
 * for await (const chunk of res.body) sink.write(chunk);
 * ```
 */
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { BacalhauError } from "../models/errors.ts";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface HttpGetOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Redirects followed (http and https only). Default 10, Go's http.Client limit. */
  maxRedirects?: number;
  /**
   * The address to connect to for a host name, called once per request (so once per redirect hop).
   * The connection goes to exactly this address, so a second DNS answer cannot replace it.
   */
  resolve?: (host: string) => Promise<ResolvedAddress>;
  /** For https: a PEM to trust (a node's own or private CA certificate), or no verification at all. */
  tls?: { ca?: string; insecure?: boolean };
}

export interface HttpGetResponse {
  status: number;
  statusText: string;
  /** The URL that answered, after redirects. */
  url: string;
  redirected: boolean;
  /** Lower-cased header names. */
  header(name: string): string | undefined;
  /** The declared body length, when the server sent a valid Content-Length. */
  contentLength: number | undefined;
  /** The body, with backpressure: the socket is not read while the consumer is busy. */
  body: AsyncIterable<Uint8Array>;
  /** Drops the body and its connection. */
  cancel(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A policy refusal (bad scheme, too many redirects): asking again will not help. */
export class HttpPolicyError extends BacalhauError {}

export async function httpGet(url: URL, opts: HttpGetOptions = {}): Promise<HttpGetResponse> {
  const maxRedirects = opts.maxRedirects ?? 10;
  let current = url;
  let headers = opts.headers ?? {};
  for (let hop = 0; ; hop++) {
    checkScheme(current);
    const answer = await requestOnce(current, { ...opts, headers });
    const res = answer.res;
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return wrap(answer, current, hop > 0);
    res.destroy();
    if (hop >= maxRedirects) {
      throw new HttpPolicyError(`stopped after ${maxRedirects} redirects (last: ${current.href})`, {
        code: "BadRequest",
        component: "HTTPClient",
        failsExecution: true,
      });
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new HttpPolicyError(`${current.href} redirected to an invalid URL: ${location}`, {
        code: "BadRequest",
        component: "HTTPClient",
        failsExecution: true,
      });
    }
    // Credentials meant for one origin are not handed to another (as fetch does).
    if (next.origin !== current.origin) headers = withoutCredentials(headers);
    current = next;
  }
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)));
}

function checkScheme(url: URL): void {
  if (url.protocol === "http:" || url.protocol === "https:") return;
  throw new HttpPolicyError(`refusing to fetch ${url.href}: only http and https URLs are followed`, {
    code: "BadRequest",
    component: "HTTPClient",
    failsExecution: true,
  });
}

interface Answer {
  res: IncomingMessage;
  /** A socket error that came after the response started (e.g. a reset ending a close-delimited body). */
  lateError(): Error | undefined;
}

async function requestOnce(url: URL, opts: HttpGetOptions): Promise<Answer> {
  opts.signal?.throwIfAborted();
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // The resolver also sees IP literals, so it can refuse them; only names need pinning.
  const pinned = opts.resolve ? await opts.resolve(host) : undefined;
  opts.signal?.throwIfAborted();
  let lookup: LookupFunction | undefined;
  if (pinned && isIP(host) === 0) {
    lookup = (_name, options, cb) => {
      if (options.all) (cb as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else cb(null, pinned.address, pinned.family);
    };
  }
  const mod = url.protocol === "https:" ? https : http;
  let late: Error | undefined;
  return await new Promise<Answer>((resolve, reject) => {
    const req = mod.get(url, {
      // One connection per request: a download must not inherit a pooled socket's state.
      agent: false,
      headers: { ...opts.headers, connection: "close" },
      ...(lookup ? { lookup } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
      ...(opts.tls?.insecure ? { rejectUnauthorized: false } : {}),
    });
    req.once("response", (res) => resolve({ res, lateError: () => late }));
    // Stays attached for the life of the request: late socket errors must land here, not crash.
    req.on("error", (err) => {
      late ??= err;
      reject(err);
    });
  });
}

function wrap({ res, lateError }: Answer, url: URL, redirected: boolean): HttpGetResponse {
  const raw = res.headers["content-length"];
  const declared = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? "",
    url: url.href,
    redirected,
    header(name) {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    contentLength: declared,
    body: bodyOf(res, declared, lateError),
    cancel: () => res.destroy(),
  };
}

/**
 * The body's chunks; fails when the connection ends before the declared length arrived. A body
 * without a length or chunked framing ends when the connection does, so there any socket error
 * (Node's parser calls such a body complete even when a reset ended it) means it may be cut.
 * Bytes after a framed body are not part of it and are ignored.
 */
async function* bodyOf(res: IncomingMessage, declared: number | undefined, lateError: () => Error | undefined): AsyncGenerator<Uint8Array> {
  const closeDelimited = declared === undefined && !/chunked/i.test(String(res.headers["transfer-encoding"] ?? ""));
  let received = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (declared !== undefined && received < declared) throw shortBody(declared, err);
    throw err;
  } finally {
    res.destroy();
  }
  if (declared !== undefined && received < declared) throw shortBody(declared, lateError());
  if (!res.complete) throw new Error(`connection closed before the body was complete (${received} bytes)`);
  const err = closeDelimited ? lateError() : undefined;
  if (err) throw new Error(`connection failed after ${received} bytes: ${err.message}`, { cause: err });
}

function shortBody(declared: number, cause: unknown): Error {
  const msg = `connection closed before the ${declared} bytes announced by Content-Length arrived`;
  return new Error(msg, cause === undefined ? undefined : { cause });
}

/** The whole body as text (small answers: JSON, error bodies); past `maxBytes` it fails instead. */
export async function bodyText(res: HttpGetResponse, maxBytes = 16 * 1024 * 1024): Promise<string> {
  if (res.contentLength !== undefined && res.contentLength > maxBytes) {
    res.cancel();
    throw new Error(`answer of ${res.contentLength} bytes is over the ${maxBytes} bytes expected at most`);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) {
      res.cancel();
      throw new Error(`answer is over the ${maxBytes} bytes expected at most`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The body as a web stream, for consumers written against ReadableStream. */
export function bodyStream(res: HttpGetResponse): ReadableStream<Uint8Array> {
  return Readable.toWeb(Readable.from(res.body)) as ReadableStream<Uint8Array>;
}
