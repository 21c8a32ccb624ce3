/**
 * Which resolved addresses a job's HTTP traffic may be sent to, whatever its domain list says.
 * A job names hosts; this decides by the address the connection will actually go to, after DNS,
 * so `localhost`, `127.1`, a name that resolves to 10.0.0.5 or a redirect to `[::ffff:127.0.0.1]`
 * all meet the same rules:
 * - never: unspecified, multicast and reserved addresses, cloud metadata endpoints, and the node's
 *   own listening ports on any of the host's own addresses (loopback or its interfaces);
 * - only when the operator lists a CIDR covering them (`JobNetworking.AllowedCIDRs`): loopback,
 *   link-local, private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and the host's own
 *   interface addresses (these only by an entry naming that one address, /32 or /128);
 * - every other (public) address is fine.
 * An IPv6 form that carries an IPv4 address (mapped, compatible, NAT64) is judged as that IPv4.
 */
import { networkInterfaces } from "node:os";
import { BacalhauError } from "../models/errors.ts";
import { type CIDR, embeddedV4, formatIP, inCIDR, type IPAddress, parseCIDR, parseIP } from "./ip.ts";
import { ownListenerPorts } from "./own-listeners.ts";

/** The operator setting that lets jobs reach otherwise refused ranges. */
export const ALLOWED_CIDRS_KEY = "JobNetworking.AllowedCIDRs";

/** Plain data, so it can travel to a runner process with the job. */
export interface AddressPolicyConfig {
  /** The operator's allowed CIDRs (e.g. `10.1.0.0/16`, `127.0.0.2/32`). */
  allowedCIDRs: readonly string[];
  /** Ports the node listens on. */
  nodePorts: readonly number[];
  /** The host's own interface addresses. */
  hostAddresses: readonly string[];
}

/** Why `address:port` may not be dialled, or undefined when it may. */
export type AddressCheck = (address: string, port: number) => string | undefined;

const ranges = (list: string[]) => list.map((c) => parseCIDR(c));

const UNSPECIFIED = ranges(["0.0.0.0/8", "::/128"]);
const NEVER = ranges(["224.0.0.0/4", "240.0.0.0/4", "ff00::/8"]);
const METADATA = ranges([
  "169.254.169.254/32", // AWS, GCP, Azure, OpenStack, DigitalOcean, …
  "169.254.170.2/32", // AWS ECS task metadata
  "fd00:ec2::254/128", // AWS over IPv6
  "100.100.100.200/32", // Alibaba Cloud
  "168.63.129.16/32", // Azure host agent
]);
const LOOPBACK = ranges(["127.0.0.0/8", "::1/128"]);
const LINK_LOCAL = ranges(["169.254.0.0/16", "fe80::/10"]);
const PRIVATE = ranges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]);

const within = (ip: IPAddress, list: CIDR[]) => list.some((r) => inCIDR(ip, r));

/**
 * Whether an address is link-local or a cloud metadata service (in any spelling, IPv4-mapped and
 * NAT64 forms included): what no fetch a job chooses should reach by default, URL inputs included.
 */
export function isLinkLocalOrMetadata(address: string): boolean {
  const parsed = parseIP(address);
  if (!parsed) return false;
  const ip = embeddedV4(parsed) ?? parsed;
  return within(ip, METADATA) || within(ip, LINK_LOCAL);
}

/** Parses the operator's list, naming the setting and the bad entry when one is wrong. */
export function parseAllowedCIDRs(list: readonly string[]): CIDR[] {
  return list.map((entry) => {
    try {
      return parseCIDR(entry);
    } catch (err) {
      throw new BacalhauError(`${ALLOWED_CIDRS_KEY}: ${(err as Error).message}`, {
        code: "ValidationError",
        component: "Config",
        hint: `list ranges such as 10.0.0.0/8, 127.0.0.2/32 or fd00::/8 in ${ALLOWED_CIDRS_KEY}`,
      });
    }
  });
}

/** The host's own interface addresses, as the OS reports them now. */
export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) out.push(a.address);
  }
  return out;
}

/** A snapshot of what the check needs: the operator's list plus this process's ports and addresses. */
export function currentAddressPolicy(allowedCIDRs: readonly string[] = []): AddressPolicyConfig {
  return { allowedCIDRs: [...allowedCIDRs], nodePorts: ownListenerPorts(), hostAddresses: hostAddresses() };
}

export function addressCheck(cfg: AddressPolicyConfig): AddressCheck {
  const allowed = parseAllowedCIDRs(cfg.allowedCIDRs);
  const nodePorts = new Set(cfg.nodePorts);
  const own = cfg.hostAddresses.map((a) => parseIP(a)).filter((a): a is IPAddress => a !== undefined);
  const isOwn = (ip: IPAddress) => own.some((o) => o.version === ip.version && o.value === ip.value);
  const listed = (ip: IPAddress, exact: boolean) =>
    allowed.some((r) => inCIDR(ip, r) && (!exact || r.bits === (ip.version === 4 ? 32 : 128)));

  return (address, port) => {
    const parsed = parseIP(address);
    if (!parsed) return `${address} is not an IP address`;
    const ip = embeddedV4(parsed) ?? parsed;
    const shown = formatIP(parsed) === formatIP(ip) ? formatIP(ip) : `${formatIP(parsed)} (${formatIP(ip)})`;
    const forbid = (what: string) => `${shown} is ${what}; jobs may never connect to it`;
    const needs = (what: string, how = "a range covering it") =>
      `${shown} is ${what}; jobs may reach it only if the operator lists ${how} in ${ALLOWED_CIDRS_KEY}`;

    if (within(ip, UNSPECIFIED)) return forbid("an unspecified address (this host)");
    if (within(ip, NEVER)) return forbid("a multicast or reserved address");
    if (within(ip, METADATA)) return forbid("a cloud metadata address");
    const local = within(ip, LOOPBACK) || isOwn(ip);
    if (local && nodePorts.has(port)) {
      return `${shown} port ${port} is this host, on a port the node itself listens on; jobs may never connect to it`;
    }
    const ok = (exact: boolean) => listed(ip, exact) || (ip !== parsed && listed(parsed, exact));
    if (within(ip, LOOPBACK)) return ok(false) ? undefined : needs("a loopback address");
    if (isOwn(ip) && !ok(true)) return needs("one of this host's own addresses", "that exact address");
    if (within(ip, LINK_LOCAL) && !ok(false)) return needs("a link-local address");
    if (within(ip, PRIVATE) && !ok(false)) return needs("a private address");
    return undefined;
  };
}
