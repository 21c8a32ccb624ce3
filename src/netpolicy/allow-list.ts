/**
 * Matching a request's target host against a job's HTTP allow-list (`Network.Domains`).
 *
 * An entry is one of: an exact host (`api.example.org`), a leading-dot domain (`.example.org`
 * covers `example.org` and every subdomain, as squid's `dstdomain` does), a glob where `*` stands
 * for part of one label (`*.example.org`, `api.*`, `api.*.com`; a `*` never crosses a dot, so a
 * glob covers exactly the depth it spells), or an IP address (matched as an address, so
 * `::1` and `[0:0::1]` are the same entry).
 * The host is always the one taken from the URL or CONNECT target, never a Host header.
 */
import { isIP } from "node:net";
import { normalizeDomain } from "../models/network.ts";

/** Strips a port and IPv6 brackets: `[::1]:80` → `::1`, `a.com:443` → `a.com`. */
export function hostOnly(hostPort: string): string {
  const h = hostPort.trim();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(1, end) : h;
  }
  const colons = h.split(":").length - 1;
  if (colons === 1) return h.slice(0, h.indexOf(":"));
  return h; // no port, or a bare IPv6 address
}

function canonicalIP(ip: string): string {
  if (isIP(ip) === 6) {
    // The URL parser writes IPv6 in its one canonical short form.
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  }
  return ip;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join("[^.]*")}$`);
}

type Rule = (host: string) => boolean;

function ruleFor(entry: string): Rule | undefined {
  const d = hostOnly(normalizeDomain(entry)).replace(/\.$/, "");
  if (d === "") return undefined;
  if (isIP(d)) {
    const ip = canonicalIP(d);
    return (host) => isIP(host) !== 0 && canonicalIP(host) === ip;
  }
  if (d.includes("*")) {
    const re = globToRegExp(d);
    return (host) => isIP(host) === 0 && re.test(host);
  }
  if (d.startsWith(".")) {
    const base = d.slice(1);
    return (host) => isIP(host) === 0 && (host === base || host.endsWith(d));
  }
  return (host) => isIP(host) === 0 && host === d;
}

/** A compiled allow-list; build it once per job and ask it for every request and redirect. */
export class AllowList {
  readonly #rules: Rule[];
  readonly entries: readonly string[];

  constructor(domains: readonly string[]) {
    this.entries = [...domains];
    this.#rules = domains.map(ruleFor).filter((r): r is Rule => r !== undefined);
  }

  /** Whether `host` (a hostname or IP, with or without a port) may be reached. */
  allows(host: string): boolean {
    const h = hostOnly(host.toLowerCase()).replace(/\.$/, "");
    if (h === "") return false;
    return this.#rules.some((rule) => rule(h));
  }
}

/** One-off form of `new AllowList(domains).allows(host)`. */
export function hostAllowed(host: string, domains: readonly string[]): boolean {
  return new AllowList(domains).allows(host);
}
