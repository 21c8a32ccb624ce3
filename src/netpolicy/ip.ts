/**
 * IP addresses as numbers, so that every spelling of one address compares equal and CIDR ranges
 * can be tested exactly. Only the strict dotted-quad and RFC 4291 forms are read here: the odd
 * spellings a URL or a resolver would accept (`0x7f.1`, `2130706433`, `127.1`) are turned into
 * dotted quads by the URL parser or the resolver before an address ever gets this far, and
 * anything else is not an address at all.
 */
import { isIP } from "node:net";

export interface IPAddress {
  version: 4 | 6;
  /** 32 bits for v4, 128 bits for v6. */
  value: bigint;
}

export interface CIDR {
  version: 4 | 6;
  base: bigint;
  bits: number;
}

function v4Value(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = (value << 8n) | BigInt(Number(p));
  }
  return value;
}

function v6Value(text: string): bigint | undefined {
  let s = text;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    // A trailing dotted quad (`::ffff:127.0.0.1`) spells the last two groups.
    const v4 = v4Value(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + rest.length > 7) return undefined;
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  let value = 0n;
  for (const g of [...head, ...Array<string>(fill).fill("0"), ...rest]) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

/** Reads an address (brackets, a zone such as `%eth0`, a trailing dot and case are ignored). */
export function parseIP(text: string): IPAddress | undefined {
  let s = text.trim().toLowerCase();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  s = s.replace(/%.*$/, "").replace(/\.$/, "");
  if (isIP(s) === 4) {
    const value = v4Value(s);
    return value === undefined ? undefined : { version: 4, value };
  }
  if (isIP(s) === 6) {
    const value = v6Value(s);
    return value === undefined ? undefined : { version: 6, value };
  }
  return undefined;
}

const MAPPED_PREFIXES: Array<[bigint, number]> = [
  [0xffffn << 32n, 96], // ::ffff:a.b.c.d, IPv4-mapped
  [0n, 96], // ::a.b.c.d, the deprecated IPv4-compatible form
  [0x64ff9bn << 96n, 96], // 64:ff9b::a.b.c.d, NAT64
];

/**
 * The IPv4 address an IPv6 address stands for when the stack or a NAT64 gateway would deliver it
 * to that IPv4 address; undefined when it stands for none. `::` and `::1` are themselves.
 */
export function embeddedV4(ip: IPAddress): IPAddress | undefined {
  if (ip.version !== 6 || ip.value <= 1n) return undefined;
  for (const [base, bits] of MAPPED_PREFIXES) {
    if (ip.value >> BigInt(128 - bits) === base >> BigInt(128 - bits)) {
      return { version: 4, value: ip.value & 0xffffffffn };
    }
  }
  return undefined;
}

/** `10.0.0.0/8`, `fc00::/7`, or a bare address (a /32 or /128). Throws on anything else. */
export function parseCIDR(text: string): CIDR {
  const [addr, len, extra] = text.trim().split("/");
  const ip = parseIP(addr ?? "");
  const max = ip?.version === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!ip || extra !== undefined || !(bits >= 0 && bits <= max)) {
    throw new RangeError(`${text} is not a CIDR range (like 10.0.0.0/8 or fd00::/8)`);
  }
  const shift = BigInt(max - bits);
  return { version: ip.version, base: (ip.value >> shift) << shift, bits };
}

export function inCIDR(ip: IPAddress, range: CIDR): boolean {
  if (ip.version !== range.version) return false;
  const shift = BigInt((range.version === 4 ? 32 : 128) - range.bits);
  return ip.value >> shift === range.base >> shift;
}

export function formatIP(ip: IPAddress): string {
  if (ip.version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // The URL parser writes the one canonical short form.
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}
