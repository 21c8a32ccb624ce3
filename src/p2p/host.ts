/**
 * Builds a node's libp2p host: a TCP listener on the swarm port (and optionally WebSockets on its own
 * port), noise, yamux, identify and ping, and nothing that finds or calls strangers: no peer
 * discovery, no bootstrap list. With a swarm key, only peers holding the same key can connect.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { identify } from "@libp2p/identify";
import type { Identify } from "@libp2p/identify";
import type { Libp2p, PrivateKey } from "@libp2p/interface";
import { ping } from "@libp2p/ping";
import type { Ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import type { Multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { BacalhauError } from "../models/errors.ts";
import { isWebSocketAddress, pickAddress } from "./address.ts";
import { loadOrCreatePeerKey } from "./identity.ts";
import { dialOnlyWebSockets } from "./lazy-websockets.ts";
import { privateSwarm } from "./protector.ts";

export const DEFAULT_SWARM_PORT = 1235;
export const DEFAULT_LISTEN_HOST = "0.0.0.0";

export interface P2PHostOptions {
  /** TCP swarm port; 0 picks a free one. Default 1235. */
  swarmPort?: number;
  /** WebSockets listener port (0 = free); no WebSockets listener when absent. */
  webSocketPort?: number;
  /** The interface to listen on. Default 0.0.0.0 (every IPv4 interface). */
  listenHost?: string;
  /** The identity. When absent it is loaded from (or created in) `keyDir`. */
  privateKey?: PrivateKey;
  /** Folder holding `private_key.<swarmPort>`; required when `privateKey` is absent. */
  keyDir?: string;
  /** The 32-byte private swarm key; when absent the host talks to any libp2p peer. */
  swarmKey?: Uint8Array;
}

export type P2PServices = { identify: Identify; ping: Ping };

export interface P2PHost {
  readonly libp2p: Libp2p<P2PServices>;
  /** The base58 PeerID. */
  readonly peerId: string;
  /** Every listen address, each ending in /p2p/<PeerID>. */
  addresses(): Multiaddr[];
  /** The address to print for other nodes (a non-loopback IPv4 TCP one when there is one). */
  printableAddress(): string | undefined;
  /** The TCP swarm port actually bound (useful with swarmPort 0). */
  tcpPort(): number | undefined;
  /** The WebSockets port actually bound, if there is a WebSockets listener. */
  webSocketPort(): number | undefined;
  stop(): Promise<void>;
}

function ipProtocol(host: string): "ip4" | "ip6" {
  return host.includes(":") ? "ip6" : "ip4";
}

function portOf(ma: Multiaddr): number | undefined {
  const tcpPart = ma.getComponents().find((c) => c.name === "tcp");
  return tcpPart?.value === undefined ? undefined : Number(tcpPart.value);
}

/** Creates and starts a host. Stop it with `host.stop()`. */
export async function createP2PHost(opts: P2PHostOptions = {}): Promise<P2PHost> {
  const swarmPort = opts.swarmPort ?? DEFAULT_SWARM_PORT;
  const listenHost = opts.listenHost ?? DEFAULT_LISTEN_HOST;
  let privateKey = opts.privateKey;
  if (privateKey === undefined) {
    if (opts.keyDir === undefined) {
      throw BacalhauError.internal("a libp2p host needs a privateKey or a keyDir", { component: "P2P" });
    }
    privateKey = await loadOrCreatePeerKey(opts.keyDir, swarmPort);
  }
  const ip = ipProtocol(listenHost);
  const listen = [`/${ip}/${listenHost}/tcp/${swarmPort}`];
  if (opts.webSocketPort !== undefined) listen.push(`/${ip}/${listenHost}/tcp/${opts.webSocketPort}/ws`);

  // WebSockets is always there for dialing; the full transport is loaded up front only to listen.
  const ws = opts.webSocketPort === undefined
    ? dialOnlyWebSockets()
    : (await import("@libp2p/websockets")).webSockets();
  let libp2p: Libp2p<P2PServices>;
  try {
    libp2p = await createLibp2p({
      privateKey,
      addresses: { listen },
      transports: [tcp(), ws],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      ...(opts.swarmKey === undefined ? {} : { connectionProtector: privateSwarm(opts.swarmKey) }),
      peerDiscovery: [],
      nodeInfo: { userAgent: "bacalhau-edge" },
      services: { identify: identify(), ping: ping() },
    });
  } catch (err) {
    throw new BacalhauError(`cannot start the libp2p host on ${listen.join(", ")}: ${(err as Error).message}`, {
      code: "ServiceUnavailable",
      component: "P2P",
      hint: "is another process using the swarm port? pick another with --swarm-port",
      cause: err,
    });
  }
  const peerId = libp2p.peerId.toString();
  const addresses = () => libp2p.getMultiaddrs();
  return {
    libp2p,
    peerId,
    addresses,
    printableAddress: () => pickAddress(addresses()),
    tcpPort: () => {
      const ma = addresses().find((a) => !isWebSocketAddress(a));
      return ma === undefined ? undefined : portOf(ma);
    },
    webSocketPort: () => {
      const ma = addresses().find(isWebSocketAddress);
      return ma === undefined ? undefined : portOf(ma);
    },
    stop: async () => {
      await libp2p.stop();
    },
  };
}
