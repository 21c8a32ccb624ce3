/**
 * How the egress proxy turns an allowed host into addresses it may connect to. The name is
 * resolved by the proxy (never by the job), and by default addresses that would reach the compute
 * host itself or cloud metadata services (loopback, unspecified, link-local) are refused even when
 * the name is allowed, unless the allow-list names that IP literally.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Resolves a hostname to one or more IP addresses. */
export type Resolver = (host: string) => Promise<string[]>;

/** Decides whether the proxy may open a connection to a resolved address. */
export type AddressGuard = (address: string) => boolean;

export const systemResolver: Resolver = async (host) => {
  if (isIP(host)) return [host];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
};

function v4Octets(ip: string): number[] | undefined {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  return m ? m.slice(1).map(Number) : undefined;
}

/** Refuses loopback, unspecified and link-local addresses (v4, v6 and v4-mapped v6). */
export const refuseHostLocal: AddressGuard = (address) => {
  const o = v4Octets(address);
  if (o) return !(o[0] === 127 || o[0] === 0 || (o[0] === 169 && o[1] === 254));
  const a = address.toLowerCase();
  if (a === "::1" || a === "::") return false;
  return !/^fe[89ab]/.test(a);
};

export const allowAnyAddress: AddressGuard = () => true;
