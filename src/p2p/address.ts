/**
 * Choosing the address a node prints for others to connect to: like Bacalhau's pickP2pAddress, a
 * non-loopback IPv4 TCP address first, since that is the one another machine can dial.
 */
import { multiaddr } from "@multiformats/multiaddr";
import type { Multiaddr } from "@multiformats/multiaddr";

function rank(ma: Multiaddr): number {
  const names = ma.getComponents().map((c) => c.name).filter((n) => n !== "p2p");
  const ip = ma.getComponents()[0]?.value ?? "";
  const plainTcp = names.length === 2 && names[1] === "tcp";
  if (names[0] === "ip4" && plainTcp) return ip.startsWith("127.") ? 1 : 0;
  if (plainTcp) return 2;
  return 3;
}

/** The best address to print, as a string, or undefined when there is none. Stable among equals. */
export function pickAddress(addrs: ReadonlyArray<Multiaddr | string>): string | undefined {
  const parsed = addrs.map((a) => (typeof a === "string" ? multiaddr(a) : a));
  let best: Multiaddr | undefined;
  for (const ma of parsed) if (best === undefined || rank(ma) < rank(best)) best = ma;
  return best?.toString();
}

/** Whether a multiaddr is a WebSockets one (the transport browsers and some proxies need). */
export function isWebSocketAddress(ma: Multiaddr): boolean {
  return ma.getComponents().some((c) => c.name === "ws" || c.name === "wss");
}
