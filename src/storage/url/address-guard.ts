/**
 * Which addresses a URL input may reach. A job's author picks the URL and the compute node fetches
 * it, so by default the node refuses link-local and cloud-metadata addresses (instance credentials
 * live there). Loopback and private ranges stay allowed: users feed jobs from servers on their LAN.
 * Names are resolved here and the connection is pinned to the address checked, so a second DNS
 * answer (rebinding) cannot swap it.
 *
 * @example
 * ```ts
 * const resolve = guardedResolver({ allowLinkLocal: false });
 * await resolve("169.254.169.254"); // throws: link-local / cloud metadata
 * ```
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isLinkLocalOrMetadata } from "../../netpolicy/address-policy.ts";
import { BacalhauError } from "../../models/errors.ts";
import type { ResolvedAddress } from "../../runtime/http-get.ts";

/** Turns a host name into its addresses (the system resolver unless a caller brings its own). */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

export interface GuardOptions {
  /** Let URL inputs reach link-local and metadata addresses (`InputSources.AllowLinkLocal`). */
  allowLinkLocal?: boolean;
  lookup?: HostLookup;
}


/** Names of metadata services, refused even before they resolve (some only resolve inside a cloud). */
const FORBIDDEN_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

/** The same ranges the egress policy never lets a job's own requests reach without the operator. */
export const isForbiddenAddress = isLinkLocalOrMetadata;

const systemLookup: HostLookup = async (host) => {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

function refused(host: string, address: string | undefined): BacalhauError {
  const what = address && address !== host ? `${host} (${address})` : host;
  return new BacalhauError(`refusing to download from ${what}: link-local and cloud metadata addresses are not allowed`, {
    code: "Forbidden",
    component: "URLDownload",
    failsExecution: true,
    hint: "serve the file from another address; an operator can allow these with InputSources.AllowLinkLocal=true",
  });
}

/** The address to connect to for `host`, or a refusal. Every answer must be allowed, not just one. */
export function guardedResolver(opts: GuardOptions = {}): (host: string) => Promise<ResolvedAddress> {
  const find = opts.lookup ?? systemLookup;
  return async (host) => {
    const name = host.toLowerCase().replace(/\.$/, "");
    if (!opts.allowLinkLocal && FORBIDDEN_NAMES.has(name)) throw refused(host, undefined);
    const family = isIP(host);
    const addresses = family === 0 ? await find(host) : [{ address: host, family: family as 4 | 6 }];
    if (addresses.length === 0) throw new Error(`${host} has no addresses`);
    if (!opts.allowLinkLocal) {
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) throw refused(host, bad.address);
    }
    return addresses[0]!;
  };
}
