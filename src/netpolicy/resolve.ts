/**
 * How the egress proxy turns an allowed host into addresses it may connect to. The name is
 * resolved by the proxy (never by the job); every address found then goes through the address
 * policy (address-policy.ts) and, when given, an extra guard.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Resolves a hostname to one or more IP addresses. */
export type Resolver = (host: string) => Promise<string[]>;

/** An extra, narrower say on which resolved addresses the proxy may dial (on top of the address policy). */
export type AddressGuard = (address: string) => boolean;

export const systemResolver: Resolver = async (host) => {
  if (isIP(host)) return [host];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
};

export const allowAnyAddress: AddressGuard = () => true;
