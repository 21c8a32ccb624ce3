/**
 * Serving a Hono app over HTTP (and WebSocket) on either runtime.
 *
 * Node uses `@hono/node-server` plus the `ws` package for upgrades; Deno uses `Deno.serve` and
 * `Deno.upgradeWebSocket`. Route code stays runtime-neutral by using the `upgradeWebSocket` helper
 * exported here. `close()` frees the port and ends every open connection, WebSockets included.
 *
 * @example
 * ```ts
 * const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
import type { Hono } from "hono";
import type { Context } from "hono";
import { defineWebSocketHelper, WSContext } from "hono/ws";
import type { WSEvents } from "hono/ws";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket as NodeWs, WebSocketServer } from "ws";
import { registerOwnListener } from "../netpolicy/own-listeners.ts";

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** PEM certificate chain and key: serve HTTPS (and WSS) instead of HTTP. */
  tls?: { cert: string; key: string };
}

export interface RunningHttpServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Any Hono app, whatever its env/schema generics. */
// deno-lint-ignore no-explicit-any
type AnyHono = Hono<any, any, any>;

/** The subset of the Deno namespace used here (typed locally so `tsc` with Node types accepts it). */
interface DenoWebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}
interface DenoLike {
  serve(
    options: {
      hostname: string;
      port: number;
      signal?: AbortSignal;
      onListen?: (addr: { port: number; hostname: string }) => void;
      cert?: string;
      key?: string;
    },
    handler: (req: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void>; addr: { port: number } };
  upgradeWebSocket(req: Request, options?: { protocol?: string }): {
    response: Response;
    socket: DenoWebSocketLike;
  };
}

function denoGlobal(): DenoLike | undefined {
  return (globalThis as unknown as { Deno?: DenoLike }).Deno;
}

/**
 * Key under which the Node upgrade path offers an "accept" callback in the Hono env. Its absence
 * on Node means the request did not come through our upgrade listener, so there is nothing to
 * upgrade.
 */
const NODE_WS_ACCEPT = "__bacalhauEdgeWsAccept";
type NodeAccept = (events: WSEvents<unknown>) => void;

/** Env key holding a server's open Deno sockets, so close() can end them. */
const DENO_SOCKETS = "__bacalhauEdgeDenoSockets";
/** Env key holding the peer address Deno.serve reports for the request. */
const DENO_REMOTE = "__bacalhauEdgeRemoteAddr";

/**
 * The address of the peer that opened the connection (never a forwarded header): what the API's
 * loopback rules trust. Undefined when the app was called without a server (e.g. `app.request`).
 */
export function remoteAddress(c: Context): string | undefined {
  const env = c.env as Record<string, unknown> | undefined;
  const deno = env?.[DENO_REMOTE];
  if (typeof deno === "string") return deno;
  const incoming = env?.incoming as IncomingMessage | undefined;
  return incoming?.socket?.remoteAddress;
}

/**
 * Runtime-correct WebSocket upgrade middleware/helper, same call shape as Hono's adapters:
 * `app.get("/ws", upgradeWebSocket((c) => ({ onOpen(_e, ws) { ws.send("hi") } })))`.
 */
export const upgradeWebSocket = defineWebSocketHelper<unknown, undefined>(
  (c: Context, events: WSEvents<unknown>) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const deno = denoGlobal();
    if (deno) return denoUpgrade(deno, c, events);
    const env = c.env as Record<string, unknown> | undefined;
    const accept = env?.[NODE_WS_ACCEPT] as NodeAccept | undefined;
    if (!accept) return;
    accept(events);
    // The Node upgrade listener completes the handshake itself; this response is never written.
    return new Response(null, { status: 200 });
  },
);

function denoUpgrade(deno: DenoLike, c: Context, events: WSEvents<unknown>): Response {
  const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
  const { response, socket } = deno.upgradeWebSocket(c.req.raw, protocol ? { protocol } : {});
  const env = c.env as Record<string, unknown> | undefined;
  const tracked = env?.[DENO_SOCKETS] as Set<DenoWebSocketLike> | undefined;
  tracked?.add(socket);
  const ctx = new WSContext<unknown>({
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    raw: socket,
    get readyState() {
      return socket.readyState as 0 | 1 | 2 | 3;
    },
    url: new URL(c.req.url),
    protocol: socket.protocol,
  });
  socket.onopen = (e) => events.onOpen?.(e, ctx);
  socket.onmessage = (e) => events.onMessage?.(e, ctx);
  socket.onclose = (e) => {
    tracked?.delete(socket);
    events.onClose?.(e, ctx);
  };
  socket.onerror = (e) => events.onError?.(e, ctx);
  return response;
}

/** Starts serving `app`; resolves once the port is bound. */
export async function startHttpServer(
  app: AnyHono,
  opts: HttpServerOptions,
): Promise<RunningHttpServer> {
  const deno = denoGlobal();
  const server = await (deno ? startDeno(deno, app, opts) : startNode(app, opts));
  // Jobs' HTTP traffic must never reach a port the node serves on (see netpolicy/own-listeners.ts).
  const forget = registerOwnListener(server.port);
  const close = server.close.bind(server);
  return { ...server, close: () => close().finally(forget) };
}

function urlFor(host: string, port: number, tls: boolean): string {
  const h = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return `${tls ? "https" : "http"}://${h}:${port}`;
}

async function startDeno(deno: DenoLike, app: AnyHono, opts: HttpServerOptions): Promise<RunningHttpServer> {
  const controller = new AbortController();
  const sockets = new Set<DenoWebSocketLike>();
  const env = { [DENO_SOCKETS]: sockets };
  const listening = Promise.withResolvers<number>();
  const server = deno.serve(
    {
      hostname: opts.host,
      port: opts.port,
      signal: controller.signal,
      onListen: (addr) => listening.resolve(addr.port),
      ...(opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
    },
    (req, info) => app.fetch(req, { ...env, [DENO_REMOTE]: info.remoteAddr.hostname }),
  );
  const port = await listening.promise;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: urlFor(opts.host, port, !!opts.tls),
    close() {
      closed ??= (async () => {
        for (const s of sockets) {
          try {
            s.close(1001, "server shutting down");
          } catch { /* already closing */ }
        }
        controller.abort();
        await server.finished;
      })();
      return closed;
    },
  };
}

async function startNode(app: AnyHono, opts: HttpServerOptions): Promise<RunningHttpServer> {
  const { createAdaptorServer } = await import("@hono/node-server");
  const { WebSocketServer } = await import("ws");
  const tls = opts.tls
    ? { createServer: (await import("node:https")).createServer, serverOptions: { cert: opts.tls.cert, key: opts.tls.key } }
    : {};
  const server = createAdaptorServer({ fetch: app.fetch, hostname: opts.host, ...tls }) as Server;
  const wss: WebSocketServer = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void handleNodeUpgrade(app, wss, req, socket, head).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: urlFor(opts.host, port, !!opts.tls),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Runs the upgrade request through the app; if a route accepted it, completes the handshake. */
async function handleNodeUpgrade(
  app: AnyHono,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const scheme = "encrypted" in req.socket && req.socket.encrypted ? "https" : "http";
  const url = new URL(req.url ?? "/", `${scheme}://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  let accepted: WSEvents<unknown> | undefined;
  const env = {
    incoming: req,
    outgoing: undefined,
    [NODE_WS_ACCEPT]: ((events) => {
      accepted = events;
    }) satisfies NodeAccept,
  };
  const res = await app.fetch(new Request(url, { method: req.method ?? "GET", headers }), env);
  if (!accepted) {
    // Not a WebSocket route (or refused): answer over the raw socket as plain HTTP.
    const body = Buffer.from(await res.arrayBuffer());
    let head = `HTTP/1.1 ${res.status} ${res.statusText || "Error"}\r\n`;
    res.headers.forEach((v, k) => {
      if (k !== "content-length" && k !== "connection") head += `${k}: ${v}\r\n`;
    });
    head += `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head), body]));
    return;
  }
  const events = accepted;
  wss.handleUpgrade(req, socket, head, (ws: NodeWs) => wireNodeSocket(ws, url, events));
}

function wireNodeSocket(ws: NodeWs, url: URL, events: WSEvents<unknown>): void {
  const ctx = new WSContext<unknown>({
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    raw: ws,
    get readyState() {
      return ws.readyState as 0 | 1 | 2 | 3;
    },
    url,
    protocol: ws.protocol,
  });
  ws.on("message", (data, isBinary) => {
    const payload = isBinary
      ? (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).buffer
      : data.toString();
    events.onMessage?.(new MessageEvent("message", { data: payload }), ctx);
  });
  ws.on("close", (code, reason) => {
    events.onClose?.(new CloseEvent("close", { code, reason: reason.toString() }), ctx);
  });
  ws.on("error", () => events.onError?.(new Event("error"), ctx));
  events.onOpen?.(new Event("open"), ctx);
}
