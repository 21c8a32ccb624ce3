/** Reading the caller's credentials from the Authorization header: `Bearer <API key>` or `Basic <base64 user:pass>`. */
export type Credentials =
  | { kind: "bearer"; token: string }
  | { kind: "basic"; username: string; password: string }
  | { kind: "unsupported"; scheme: string }
  | { kind: "malformed" };

export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const m = /^\s*(\S+)\s+(\S.*?)\s*$/.exec(header);
  if (!m) return { kind: "malformed" };
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === "bearer") return { kind: "bearer", token: value };
  if (scheme !== "basic") return { kind: "unsupported", scheme: m[1]! };
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
  } catch {
    return { kind: "malformed" };
  }
  const i = decoded.indexOf(":");
  if (i < 0) return { kind: "malformed" };
  return { kind: "basic", username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false;
  const a = addr.toLowerCase().replace(/^::ffff:/, "");
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
