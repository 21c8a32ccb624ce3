/**
 * One job's egress proxy: an HTTP proxy server (plain forward + CONNECT) that lets the job reach
 * only its allow-listed hosts, adds `X-Bacalhau-Job-ID` to plain requests, and limits the job's
 * traffic each way with a token bucket. The Docker executor starts one per HTTP-networked
 * execution, listening where only that job's containers can reach it, and closes it afterwards.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BacalhauError } from "../models/errors.ts";
import { addressCheck, currentAddressPolicy, parseAllowedCIDRs } from "./address-policy.ts";
import { AllowList } from "./allow-list.ts";
import { tunnel } from "./connect-tunnel.ts";
import type { ProxyContext } from "./context.ts";
import { forwardHttp, refuse } from "./http-forward.ts";
import { registerOwnListener } from "./own-listeners.ts";
import { type AddressGuard, allowAnyAddress, type Resolver, systemResolver } from "./resolve.ts";
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
  /**
   * Ranges the operator lets jobs reach although the address policy refuses them by default
   * (private, loopback, link-local); see address-policy.ts. Default none.
   */
  allowedCIDRs?: readonly string[];
  /** Ports CONNECT may open besides 443. Default none. */
  connectPorts?: readonly number[];
  /** A further say on which resolved addresses may be dialled (never widens the policy). Default: any. */
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

/** The operator's extra CONNECT ports (numbers, or strings from flags and env) as port numbers. */
export function parseConnectPorts(list: readonly (number | string)[]): number[] {
  return list.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new BacalhauError(`JobNetworking.ConnectPorts: ${p} is not a TCP port`, {
        code: "ValidationError", component: "Config", hint: "list port numbers from 1 to 65535, e.g. 8443",
      });
    }
    return n;
  });
}

export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const rate = opts.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND;
  const sockets = new Set<{ destroy(): void }>();
  const allowedCIDRs = [...(opts.allowedCIDRs ?? [])];
  parseAllowedCIDRs(allowedCIDRs); // a bad entry fails here, not on the job's first request
  const ctx: ProxyContext = {
    jobID: opts.jobID,
    allow: new AllowList(opts.domains),
    resolve: opts.resolve ?? systemResolver,
    isAddressAllowed: opts.isAddressAllowed ?? allowAnyAddress,
    addressCheck: () => addressCheck(currentAddressPolicy(allowedCIDRs)),
    connectPorts: new Set([443, ...parseConnectPorts(opts.connectPorts ?? [])]),
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
  // A job must not reach its own proxy (or another job's) as an upstream.
  const unregister = registerOwnListener(port);
  const urlHost = listenHost.includes(":") ? `[${listenHost}]` : listenHost;
  let closing: Promise<void> | undefined;
  return {
    host: listenHost,
    port,
    url: `http://${urlHost}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          unregister();
          resolve();
        });
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
