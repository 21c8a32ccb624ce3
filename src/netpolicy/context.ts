/**
 * What one job's proxy knows while it serves a request: the job, its allow-list, how names are
 * resolved and which addresses may be dialled, and the two rate limiters (each way) shared by all
 * of the job's connections. Also the one place that turns a target into a dialable address.
 */
import { isIP } from "node:net";
import type { AllowList } from "./allow-list.ts";
import type { AddressGuard, Resolver } from "./resolve.ts";
import type { TokenBucket } from "./token-bucket.ts";

export interface ProxyContext {
  jobID: string;
  allow: AllowList;
  resolve: Resolver;
  isAddressAllowed: AddressGuard;
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

/** Checks `host` against the allow-list and resolves it to an address the proxy may dial. */
export async function resolveTarget(ctx: ProxyContext, host: string): Promise<Target> {
  if (!ctx.allow.allows(host)) {
    return { ok: false, status: 403, reason: `host ${host} is not in the job's network allow-list` };
  }
  const literal = isIP(host) !== 0;
  let addresses: string[];
  try {
    addresses = literal ? [host] : await ctx.resolve(host);
  } catch (err) {
    return { ok: false, status: 502, reason: `cannot resolve ${host}: ${(err as Error).message}` };
  }
  // An IP the allow-list names itself is the operator's or user's explicit choice.
  const usable = literal ? addresses : addresses.filter((a) => ctx.isAddressAllowed(a));
  if (usable.length === 0) {
    return { ok: false, status: 403, reason: `host ${host} resolves only to addresses the proxy refuses` };
  }
  return { ok: true, address: usable[0] };
}
