/** Shared pieces of the netpolicy tests: a local origin server and a tiny proxy-aware HTTP client. */
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import type { Cleanup } from "../executor/helpers.ts";

export interface Origin {
  port: number;
  /** Headers of every request the origin saw, in order. */
  seen: http.IncomingHttpHeaders[];
}

/**
 * Where test upstreams listen: a loopback address that is not the node's own 127.0.0.1 (Linux
 * routes all of 127/8 to lo), reachable by jobs only because the tests allow it as an operator.
 */
export const UPSTREAM_HOST = "127.0.0.2";
export const UPSTREAM_CIDRS = [`${UPSTREAM_HOST}/32`];

/** A server on 127.0.0.1 (the node's own loopback address) that counts what reaches it. */
export async function loopbackServer(t: Cleanup): Promise<{ port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end("reached\n");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, hits };
}

/**
 * An HTTP server on 127.0.0.2: `/headers` echoes the request headers as JSON, `/redirect?to=URL`
 * answers 302, `/bytes?n=N` sends N bytes, `POST /sink` counts the body and answers the count.
 */
export async function startOrigin(t: Cleanup, host = UPSTREAM_HOST): Promise<Origin> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = new URL(req.url ?? "/", "http://origin");
    if (url.pathname === "/redirect") {
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/" }).end();
    } else if (url.pathname === "/bytes") {
      const n = Number(url.searchParams.get("n"));
      res.writeHead(200, { "content-length": n });
      const chunk = Buffer.alloc(64 * 1024, 120);
      let left = n;
      const pump = () => {
        while (left > 0) {
          const part = chunk.subarray(0, Math.min(left, chunk.length));
          left -= part.length;
          if (!res.write(part)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    } else if (url.pathname === "/sink") {
      let n = 0;
      req.on("data", (c: Buffer) => (n += c.length));
      req.on("end", () => res.end(String(n)));
    } else {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(req.headers));
    }
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request through the proxy in absolute form. */
export function viaProxy(
  proxyPort: number,
  url: string,
  init: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Uint8Array } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: proxyPort, path: url, method: init.method ?? "GET", headers: init.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

/** GET through the proxy, following up to 5 redirects the way a client does (each one a new request). */
export async function getFollowing(proxyPort: number, url: string): Promise<{ reply: Reply; urls: string[] }> {
  const urls = [url];
  let reply = await viaProxy(proxyPort, url);
  while (reply.status >= 300 && reply.status < 400 && reply.headers.location && urls.length < 6) {
    const next = new URL(reply.headers.location, urls[urls.length - 1]).href;
    urls.push(next);
    reply = await viaProxy(proxyPort, next);
  }
  return { reply, urls };
}

/** Opens a CONNECT tunnel; resolves with the proxy's status line and the socket (caller ends it). */
export function connectTunnel(proxyPort: number, authority: string): Promise<{ status: number; socket: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, "127.0.0.1");
    let buf = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.pause();
      const status = Number(buf.subarray(0, end).toString().split(" ")[1]);
      resolve({ status, socket, rest: buf.subarray(end + 4) });
    };
    socket.on("data", onData);
    socket.on("error", reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

/** Reads a socket to its end. */
export function readAll(socket: net.Socket, first: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks = [first];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
    socket.resume();
  });
}
