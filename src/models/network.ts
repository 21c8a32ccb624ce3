/**
 * Network types and the HTTP allow-list domain rules of Bacalhau's job spec.
 *
 * @example
 * ```ts
 * canonicalNetworkType("http");            // "HTTP"
 * validateDomain("api.example.org");       // ok
 * compactDomains(["y.foo.com", ".foo.com"]); // [".foo.com"]
 * ```
 */
import { BacalhauError } from "./errors.ts";
import { NetworkType } from "./types.ts";
import type { NetworkTypeName } from "./types.ts";

const BY_LOWER = new Map<string, NetworkTypeName>(
  Object.values(NetworkType).map((t) => [t.toLowerCase(), t]),
);

/** Case-insensitive; "" means Default. Throws a 400 naming `path` for anything else. */
export function canonicalNetworkType(value: string, path = "Network.Type"): NetworkTypeName {
  const v = value.trim();
  if (v === "") return NetworkType.Default;
  const t = BY_LOWER.get(v.toLowerCase());
  if (!t) {
    throw BacalhauError.badRequest(`invalid network type '${value}'`, {
      component: "JobValidator",
      hint: `use one of ${Object.values(NetworkType).join(", ")}`,
      details: { field: path },
    });
  }
  return t;
}

// An entry must contain a domain somewhere (unanchored), as Bacalhau checks it.
const DOMAIN_RE = /([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}/;
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIP(s: string): boolean {
  const m = IPV4_RE.exec(s);
  if (m) return m.slice(1).every((p) => Number(p) <= 255);
  // IPv6: hex groups and colons, at most one "::".
  return s.includes(":") && /^[0-9a-f:.]+$/.test(s) && (s.match(/::/g)?.length ?? 0) <= 1;
}

export const normalizeDomain = (d: string): string => d.trim().toLowerCase();

/** True when the (normalised) entry is an acceptable allow-list entry. */
export function isValidDomain(entry: string): boolean {
  const d = normalizeDomain(entry);
  return d !== "" && (DOMAIN_RE.test(d) || isIP(d));
}

/**
 * Sorts, de-duplicates and drops entries covered by a leading-dot wildcard:
 * `.foo.com` covers `foo.com` and every subdomain.
 */
export function compactDomains(domains: string[]): string[] {
  const all = [...new Set(domains.map(normalizeDomain).filter((d) => d !== ""))];
  const wildcards = all.filter((d) => d.startsWith("."));
  const covered = (d: string) =>
    wildcards.some((w) => w !== d && (d === w.slice(1) || d.endsWith(w)));
  return all.filter((d) => !covered(d)).sort();
}

/** Whether `host` is allowed by the allow-list (exact, or under a leading-dot wildcard). */
export function domainAllowed(host: string, domains: string[]): boolean {
  const h = normalizeDomain(host);
  return domains.map(normalizeDomain).some((d) =>
    d.startsWith(".") ? h === d.slice(1) || h.endsWith(d) : h === d
  );
}
