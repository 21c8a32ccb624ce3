/**
 * The fixed facts of Bacalhau's wasm HTTP host function: its module and function names, method
 * numbers, return codes and limits. Guests compiled against Bacalhau depend on every number here.
 */

export const HTTP_MODULE = "wasi:http/requests";
export const HTTP_FUNCTION = "http_request";

/** Index = the method number a guest passes; anything else means GET. */
export const METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"] as const;

export function methodName(n: number): string {
  return METHODS[n] ?? "GET";
}

export const HttpCode = {
  Ok: 0,
  InvalidUrl: 1,
  NetworkError: 2,
  Timeout: 3,
  NotAllowed: 4,
  TooLarge: 5,
  BadInput: 6,
  MemoryError: 7,
} as const;
export type HttpCodeValue = (typeof HttpCode)[keyof typeof HttpCode];

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
export const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
export const MIN_RESPONSE_BYTES = 64 * 1024;
const MEMORY_SHARE = 0.8;
/** Go's client gives up after 10 redirects; so do we. */
export const MAX_REDIRECTS = 10;

/** The most response body bytes read for a guest whose memory is `memoryBytes` large. */
export function responseCap(memoryBytes: number): number {
  const share = Math.floor(memoryBytes * MEMORY_SHARE);
  return Math.max(MIN_RESPONSE_BYTES, Math.min(MAX_RESPONSE_BYTES, share));
}
