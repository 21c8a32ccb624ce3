/**
 * One job's egress proxy: an HTTP proxy server (plain forward + CONNECT) that lets the job reach
 * only its allow-listed hosts, adds `X-Bacalhau-Job-ID` to plain requests, and limits the job's
 * traffic each way with a token bucket. The Docker executor starts one per HTTP-networked
 * execution, listening where only that job's containers can reach it, and closes it afterwards.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { AllowList } from "./allow-list.ts";
import { tunnel } from "./connect-tunnel.ts";
import type { ProxyContext } from "./context.ts";
import { forwardHttp, refuse } from "./http-forward.ts";
import { type AddressGuard, refuseHostLocal, type Resolver, systemResolver } from "./resolve.ts";
import { DEFAULT_BYTES_PER_SECOND, TokenBucket } from "./token-bucket.ts";

export interface EgressProxyOptions {
  jobID: string;
  /** The job's `Network.Domains`. An empty list refuses everything. */
  domains: readonly string[];
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Each way, per job. Default 10 Mbit/s. */
  bytesPerSecond?: number;
  /** How allowed names become addresses. Default: the system resolver. */
  resolve?: Resolver;
  /** Which resolved addresses may be dialled. Default: not loopback, unspecified or link-local. */
  isAddressAllowed?: AddressGuard;
  /** Told about each refused request. */
  onRefused?: (host: string, reason: string) => void;
}

export interface EgressProxy {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, the value for `http_proxy` / `https_proxy`. */
  readonly url: string;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const rate = opts.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND;
  const sockets = new Set<{ destroy(): void }>();
  const ctx: ProxyContext = {
    jobID: opts.jobID,
    allow: new AllowList(opts.domains),
    resolve: opts.resolve ?? systemResolver,
    isAddressAllowed: opts.isAddressAllowed ?? refuseHostLocal,
    up: new TokenBucket(rate),
    down: new TokenBucket(rate),
    track(socket) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    },
    onRefused: opts.onRefused,
  };
  const server = http.createServer((req, res) => {
    forwardHttp(ctx, req, res).catch((err: Error) => refuse(res, 502, err.message));
  });
  // A client may send its request and then half-close (`printf … | nc`, HTTP/1.0 tools); finish
  // its response instead of aborting the request at the client's FIN.
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  server.on("connect", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    ctx.track(socket);
    tunnel(ctx, req, socket, head).catch(() => socket.destroy());
  });
  server.on("connection", (socket: Socket) => ctx.track(socket));
  server.on("clientError", (_err, socket) => socket.destroy());

  const listenHost = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, listenHost, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = listenHost.includes(":") ? `[${listenHost}]` : listenHost;
  let closing: Promise<void> | undefined;
  return {
    host: listenHost,
    port,
    url: `http://${urlHost}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
