/**
 * WebSockets for dialing only, loaded on the first WebSockets dial. A node without a WebSockets
 * listener still reaches peers at …/ws addresses, but @libp2p/websockets (its HTTPS server and the
 * `ws` package) costs some 40 ms and 4–7 MB at start, and most nodes never dial one.
 */
import { serviceCapabilities, transportSymbol } from "@libp2p/interface";
import type { Connection, CreateListenerOptions, DialTransportOptions, Listener, Transport } from "@libp2p/interface";
import type { WebSocketsComponents } from "@libp2p/websockets";
import type { Multiaddr } from "@multiformats/multiaddr";

const HOSTS = new Set(["ip4", "ip6", "dns", "dns4", "dns6", "dnsaddr"]);
const WS_TAILS = new Set(["ws", "wss", "tls/ws", "tls/sni/ws"]);

/** The addresses @libp2p/websockets dials: <host>/tcp/<port>/ws or a secure form, then maybe /p2p/<id>. */
export function isWebSocketsDialable(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name);
  if (names.at(-1) === "p2p") names.pop();
  return HOSTS.has(names[0] ?? "") && names[1] === "tcp" && WS_TAILS.has(names.slice(2).join("/"));
}

class DialOnlyWebSockets implements Transport {
  readonly [transportSymbol] = true as const;
  readonly [Symbol.toStringTag] = "@libp2p/websockets";
  readonly [serviceCapabilities] = ["@libp2p/transport"];
  readonly #components: WebSocketsComponents;
  #real: Promise<Transport> | undefined;

  constructor(components: WebSocketsComponents) {
    this.#components = components;
  }

  async dial(ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    this.#real ??= import("@libp2p/websockets").then(({ webSockets }) => webSockets()(this.#components));
    return (await this.#real).dial(ma, options);
  }

  createListener(_options: CreateListenerOptions): Listener {
    // Unreachable: listenFilter claims no address.
    throw new Error("this WebSockets transport only dials; give the host a webSocketPort to listen");
  }

  // Listening stays with the real transport, which the host loads when it has a WebSockets port.
  listenFilter = (_multiaddrs: Multiaddr[]): Multiaddr[] => [];

  dialFilter = (multiaddrs: Multiaddr[]): Multiaddr[] => multiaddrs.filter(isWebSocketsDialable);
}

/** A libp2p transport factory, like `webSockets()`, that dials …/ws and …/wss but never listens. */
export function dialOnlyWebSockets(): (components: WebSocketsComponents) => Transport {
  return (components) => new DialOnlyWebSockets(components);
}
