/**
 * What one job's proxy knows while it serves a request: the job, its allow-list, how names are
 * resolved and which addresses may be dialled, and the two rate limiters (each way) shared by all
 * of the job's connections. Also the one place that turns a target into a dialable address.
 */
import type { AddressCheck } from "./address-policy.ts";
import type { AllowList } from "./allow-list.ts";
import { parseIP } from "./ip.ts";
import type { AddressGuard, Resolver } from "./resolve.ts";
import type { TokenBucket } from "./token-bucket.ts";

export interface ProxyContext {
  jobID: string;
  allow: AllowList;
  resolve: Resolver;
  isAddressAllowed: AddressGuard;
  /** The address policy as of now (the node's listeners change while the proxy runs). */
  addressCheck(): AddressCheck;
  /** Ports CONNECT may open (443 and the operator's). */
  connectPorts: ReadonlySet<number>;
  /** Job → internet. */
  up: TokenBucket;
  /** Internet → job. */
  down: TokenBucket;
  /** Registers a socket so closing the proxy closes it too. */
  track(socket: { destroy(): void; once(ev: "close", fn: () => void): unknown }): void;
  /** Called for each refused request (for logs and counters). */
  onRefused?(host: string, reason: string): void;
}

export type Target = { ok: true; address: string } | { ok: false; status: number; reason: string };

/**
 * Checks `host` against the allow-list, resolves it and keeps the first address the address
 * policy lets the job reach on `port`. The caller connects to that address itself, never to the
 * name again, so a second DNS answer cannot change where the connection goes.
 */
export async function resolveTarget(ctx: ProxyContext, host: string, port: number): Promise<Target> {
  if (!ctx.allow.allows(host)) {
    return { ok: false, status: 403, reason: `host ${host} is not in the job's network allow-list` };
  }
  let addresses: string[];
  try {
    // `name.` is the same name spelled fully qualified; resolvers differ on whether they take it.
    addresses = parseIP(host) ? [host] : await ctx.resolve(host.replace(/\.$/, ""));
  } catch (err) {
    return { ok: false, status: 502, reason: `cannot resolve ${host}: ${(err as Error).message}` };
  }
  const check = ctx.addressCheck();
  let why = `no address for ${host}`;
  for (const address of addresses) {
    const refused = check(address, port) ?? (ctx.isAddressAllowed(address) ? undefined : `${address} is refused`);
    if (refused === undefined) return { ok: true, address };
    why = refused;
  }
  return { ok: false, status: 403, reason: `host ${host} is refused: ${why}` };
}
