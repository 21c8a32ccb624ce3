/**
 * Performs one guest HTTP request on the HTTP worker's event loop. Redirects are followed here,
 * one hop at a time, so every target host is checked against the job's allow-list before any
 * connection is made to it. Names are resolved here, each address is checked against the address
 * policy (the node's own ports, loopback, private ranges…) and the allowed ones are tried in turn,
 * so a host that resolves to both IPv6 and IPv4 works the same on Node and Deno.
 */
import { lookup } from "node:dns/promises";
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import { addressCheck, type AddressCheck, hostAddresses } from "../../../netpolicy/address-policy.ts";
import { HttpCode, MAX_REDIRECTS } from "./constants.ts";
import { formatResponseHeaders } from "./headers.ts";
import { httpAccess } from "./policy.ts";
import type { HttpCall, HttpReply } from "./wire.ts";

interface Response {
  status: number;
  rawHeaders: string[];
  location?: string;
  body: Uint8Array;
}

type Failure = { failed: HttpReply["code"]; detail: string };

// Set by the client from the URL and the body; a guest's own values would only contradict them.
const OWN_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection"]);
// Not carried to another host on a redirect, as Go's client does.
const SENSITIVE_HEADERS = new Set(["authorization", "www-authenticate", "cookie", "cookie2"]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRY_NEXT_ADDRESS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "EAFNOSUPPORT"]);

export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

function failure(code: HttpReply["code"], detail: string): Failure {
  return { failed: code, detail };
}

async function addressesOf(host: string, hosts: HttpCall["access"]["hosts"]): Promise<string[] | Failure> {
  if (isIP(host)) return [host];
  // `name.` is the same name spelled fully qualified; resolvers differ on whether they take it.
  const name = host.toLowerCase().replace(/\.$/, "");
  const fixed = hosts?.[name];
  if (fixed) return [...fixed];
  try {
    const found = await lookup(name, { all: true, verbatim: true });
    return found.map((a) => a.address);
  } catch (err) {
    return failure(HttpCode.NetworkError, `cannot resolve ${host}: ${(err as Error).message}`);
  }
}

function outgoingHeaders(url: URL, pairs: Array<[string, string]>, body: Uint8Array | undefined): http.OutgoingHttpHeaders {
  const out: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (OWN_HEADERS.has(key)) continue;
    (out[name] ??= []).push(value);
  }
  const headers: http.OutgoingHttpHeaders = { ...out, host: url.host, connection: "close" };
  if (body) headers["content-length"] = String(body.length);
  return headers;
}

function exchange(
  url: URL, address: string, method: string, headers: http.OutgoingHttpHeaders,
  body: Uint8Array | undefined, maxBytes: number, signal: AbortSignal,
): Promise<Response | Failure & { code?: string }> {
  const { promise, resolve } = Promise.withResolvers<Response | Failure & { code?: string }>();
  const secure = url.protocol === "https:";
  const host = bareHost(url);
  const options: https.RequestOptions = {
    host: address,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    method,
    path: `${url.pathname}${url.search}`,
    headers,
    agent: false,
    setHost: false,
    signal,
    ...(secure && !isIP(host) ? { servername: host } : {}),
  };
  const req = (secure ? https : http).request(options, (res) => {
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      res.resume(); // a redirect's own body is never handed to the guest
      resolve({ status, rawHeaders: res.rawHeaders, location, body: new Uint8Array(0) });
      return;
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    res.on("data", (chunk: Uint8Array) => {
      total += chunk.length;
      if (total > maxBytes) {
        resolve(failure(HttpCode.TooLarge, `response body is larger than ${maxBytes} bytes`));
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    res.once("end", () => {
      // A fresh buffer of its own, so it can be transferred to the job's thread.
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      resolve({ status, rawHeaders: res.rawHeaders, body: bytes });
    });
    res.once("error", (err) => resolve(networkFailure(err, signal)));
  });
  req.once("error", (err) => resolve(networkFailure(err, signal)));
  req.end(body ? Buffer.from(body.buffer, body.byteOffset, body.length) : undefined);
  return promise;
}

function networkFailure(err: Error, signal: AbortSignal): Failure & { code?: string } {
  if (signal.aborted) return failure(HttpCode.Timeout, "request timeout");
  const code = (err as { code?: string }).code;
  return { ...failure(HttpCode.NetworkError, err.message), code };
}

async function send(
  url: URL, method: string, headers: http.OutgoingHttpHeaders, body: Uint8Array | undefined,
  maxBytes: number, signal: AbortSignal, check: AddressCheck, hosts: HttpCall["access"]["hosts"],
): Promise<Response | Failure> {
  const found = await addressesOf(bareHost(url), hosts);
  if ("failed" in found) return found;
  // Checked after resolution, and the connection goes to the very address that passed.
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const refusals = found.map((a) => check(a, port));
  const addresses = found.filter((_, i) => refusals[i] === undefined);
  if (addresses.length === 0) {
    return failure(HttpCode.NotAllowed, `host ${url.hostname} is refused: ${refusals.find((r) => r) ?? "no address"}`);
  }
  let last: Failure = failure(HttpCode.NetworkError, `no address for ${url.hostname}`);
  for (const address of addresses) {
    const got = await exchange(url, address, method, headers, body, maxBytes, signal);
    if (!("failed" in got)) return got;
    last = got;
    if (!(got.code && RETRY_NEXT_ADDRESS.has(got.code))) break;
  }
  return last;
}

/** Runs the call to its end: a reply with the final response, or the code of what went wrong. */
export async function perform(call: HttpCall): Promise<HttpReply> {
  const access = httpAccess(call.access);
  const given = call.access.addresses;
  const check = addressCheck({
    allowedCIDRs: given?.allowedCIDRs ?? [],
    nodePorts: given?.nodePorts ?? [],
    // This process runs on the same host, so it can see the addresses for itself too.
    hostAddresses: [...(given?.hostAddresses ?? []), ...hostAddresses()],
  });
  const signal = AbortSignal.timeout(call.timeoutMs);
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    return { id: call.id, code: HttpCode.InvalidUrl, detail: "invalid URL" };
  }
  let method = call.method;
  let body = call.body;
  let pairs = call.headers;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { id: call.id, code: hop === 0 ? HttpCode.InvalidUrl : HttpCode.NetworkError, detail: `unsupported scheme ${url.protocol}` };
    }
    if (!access.linked || !access.allows(bareHost(url))) {
      return { id: call.id, code: HttpCode.NotAllowed, detail: `host ${url.hostname} is not allowed` };
    }
    const got = await send(url, method, outgoingHeaders(url, pairs, body), body, call.maxBodyBytes, signal, check,
      call.access.hosts);
    if ("failed" in got) return { id: call.id, code: got.failed, detail: got.detail };
    if (got.location === undefined) {
      return {
        id: call.id, code: HttpCode.Ok, status: got.status,
        headers: formatResponseHeaders(got.rawHeaders), body: got.body,
      };
    }
    if (hop >= MAX_REDIRECTS) {
      return { id: call.id, code: HttpCode.NetworkError, detail: `stopped after ${MAX_REDIRECTS} redirects` };
    }
    let next: URL;
    try {
      next = new URL(got.location, url);
    } catch {
      return { id: call.id, code: HttpCode.NetworkError, detail: `bad redirect location ${got.location}` };
    }
    if (got.status !== 307 && got.status !== 308 && method !== "HEAD") {
      // 301/302/303 turn into a GET without a body, as browsers and Go do.
      method = "GET";
      body = undefined;
    }
    if (next.host !== url.host) pairs = pairs.filter(([k]) => !SENSITIVE_HEADERS.has(k.toLowerCase()));
    url = next;
  }
}
