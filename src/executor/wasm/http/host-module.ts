/**
 * Bacalhau's HTTP host function for wasm jobs: module `wasi:http/requests`, function
 * `http_request(method, url_ptr, url_len, headers_ptr, headers_len, body_ptr, body_len,
 * resp_headers_ptr, resp_headers_len_ptr, resp_body_ptr, resp_body_len_ptr, status_ptr) -> u32`.
 * The two length pointers hold buffer capacities (u32 LE) on the way in and the lengths written
 * on the way out; data that does not fit is truncated. Returns 0 ok, 1 invalid URL, 2 network
 * error, 3 timeout, 4 host not allowed, 5 response too large, 6 bad input, 7 memory error.
 * Offered only to jobs with network (see policy.ts); each call blocks the guest until done.
 *
 * @example
 * ```ts
 * const http = new SyncHttpClient();
 * const hostModules = httpHostModules({ network: "HTTP", domains: [".example.org"], rejectNetworkedJobs: false }, http);
 * runModule({ ...opts, ...hostModules });
 * await http.close();
 * ```
 */
import type { HostModuleFactory } from "../run-module.ts";
import { bareHost } from "./client.ts";
import { DEFAULT_HTTP_TIMEOUT_MS, HTTP_FUNCTION, HTTP_MODULE, HttpCode, type HttpCodeValue, methodName,
  responseCap } from "./constants.ts";
import { GuestMemory } from "./guest-memory.ts";
import { parseHeaderLines } from "./headers.ts";
import { type HttpAccess, type HttpAccessConfig, httpAccess } from "./policy.ts";
import type { SyncHttpClient } from "./sync-client.ts";

export { HTTP_MODULE } from "./constants.ts";
export type { HttpAccessConfig } from "./policy.ts";
export { SyncHttpClient } from "./sync-client.ts";

export interface HttpHostOptions {
  /** Per request, redirects included. Default 30 s. */
  timeoutMs?: number;
}

/** What runModule needs: the host module when the job may use it, or why it may not. */
export interface HttpHostModules {
  hostModules: Map<string, HostModuleFactory>;
  unavailable: Map<string, string>;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

interface CallContext {
  access: Extract<HttpAccess, { linked: true }>;
  cfg: HttpAccessConfig;
  client: SyncHttpClient;
  timeoutMs: number;
}

/** One http_request call; `a` holds the twelve arguments as unsigned numbers, in order. */
function httpRequest(g: GuestMemory, a: number[], ctx: CallContext): HttpCodeValue {
  const [method, urlPtr, urlLen, hdrPtr, hdrLen, bodyPtr, bodyLen, outHdrPtr, outHdrLenPtr, outBodyPtr,
    outBodyLenPtr, statusPtr] = a;
  if (outHdrPtr === 0 || outHdrLenPtr === 0 || outBodyPtr === 0 || outBodyLenPtr === 0) return HttpCode.BadInput;
  const urlBytes = g.read(urlPtr, urlLen);
  if (!urlBytes) return HttpCode.InvalidUrl;
  let url: URL;
  try {
    url = new URL(utf8.decode(urlBytes));
  } catch {
    return HttpCode.InvalidUrl;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") return HttpCode.InvalidUrl;
  // Checked here as well as in the worker, so a refused host costs no thread hop at all.
  if (!ctx.access.allows(bareHost(url))) return HttpCode.NotAllowed;
  let headers: Array<[string, string]> = [];
  if (hdrPtr !== 0 && hdrLen > 0) {
    const bytes = g.read(hdrPtr, hdrLen);
    if (!bytes) return HttpCode.BadInput;
    headers = parseHeaderLines(utf8.decode(bytes));
  }
  let body: Uint8Array | undefined;
  if (bodyPtr !== 0 && bodyLen > 0) {
    body = g.read(bodyPtr, bodyLen);
    if (!body) return HttpCode.BadInput;
  }
  const hdrCap = g.readU32(outHdrLenPtr);
  const bodyCap = g.readU32(outBodyLenPtr);
  if (hdrCap === undefined || bodyCap === undefined) return HttpCode.MemoryError;

  const reply = ctx.client.request({
    method: methodName(method), url: url.href, headers, body,
    maxBodyBytes: responseCap(g.size), timeoutMs: ctx.timeoutMs, access: ctx.cfg,
  });
  if (reply.code !== HttpCode.Ok) return reply.code;

  const outHeaders = encoder.encode(reply.headers ?? "").subarray(0, hdrCap);
  const outBody = (reply.body ?? new Uint8Array(0)).subarray(0, bodyCap);
  if (statusPtr !== 0 && !g.writeU32(statusPtr, reply.status ?? 0)) return HttpCode.MemoryError;
  if (!g.writeU32(outHdrLenPtr, outHeaders.length) || !g.writeU32(outBodyLenPtr, outBody.length)) {
    return HttpCode.MemoryError;
  }
  if (!g.write(outHdrPtr, outHeaders) || !g.write(outBodyPtr, outBody)) return HttpCode.MemoryError;
  return HttpCode.Ok;
}

export function httpHostModules(cfg: HttpAccessConfig, client: SyncHttpClient, opts: HttpHostOptions = {}): HttpHostModules {
  const access = httpAccess(cfg);
  if (!access.linked) return { hostModules: new Map(), unavailable: new Map([[HTTP_MODULE, access.why]]) };
  const ctx: CallContext = { access, cfg, client, timeoutMs: opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS };
  const factory: HostModuleFactory = (memory) => {
    client.warm(); // the module imports http_request, so it will most likely call it
    return {
      [HTTP_FUNCTION]: (...args: number[]): number => {
        const mem = memory();
        if (!mem) return HttpCode.MemoryError;
        // i32 arguments arrive signed; pointers and lengths are unsigned.
        return httpRequest(new GuestMemory(mem), args.map((x) => x >>> 0), ctx);
      },
    };
  };
  return { hostModules: new Map([[HTTP_MODULE, factory]]), unavailable: new Map() };
}
