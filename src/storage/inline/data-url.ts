/**
 * Parsing of `data:[<mime>][;param=value…][;base64],<data>` URLs (RFC 2397), the payload of an
 * inline input.
 */

export interface DataURL {
  /** Lower-cased media type without parameters; "text/plain" when absent, as the RFC says. */
  mime: string;
  base64: boolean;
  /** The raw text after the comma, still encoded. */
  payload: string;
}

/** The parsed URL, or a string saying what is wrong with it. */
export function parseDataURL(url: string): DataURL | string {
  if (!/^data:/i.test(url)) return `inline URL must start with "data:", got "${url.slice(0, 30)}"`;
  const comma = url.indexOf(",");
  if (comma === -1) return 'inline URL has no "," between its media type and its data';
  const meta = url.slice(5, comma).split(";").map((s) => s.trim());
  const base64 = meta.length > 1 && meta[meta.length - 1]!.toLowerCase() === "base64";
  if (base64) meta.pop();
  const mime = (meta[0] ?? "").toLowerCase() || "text/plain";
  const payload = url.slice(comma + 1);
  if (base64 && !/^[A-Za-z0-9+/\-_\s]*={0,2}\s*$/.test(payload)) return "inline URL data is not valid base64";
  return { mime, base64, payload };
}

/** The decoded bytes of a parsed data URL. */
export function decodeDataURL(d: DataURL): Uint8Array {
  if (d.base64) return new Uint8Array(Buffer.from(d.payload.replace(/\s+/g, ""), "base64"));
  return percentDecode(d.payload);
}

/** Percent-decoding to bytes (not to text, so binary payloads survive). */
function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      out.push(...enc.encode(String.fromCodePoint(cp)));
    }
  }
  return new Uint8Array(out);
}

/** The decoded size without decoding (an upper bound for percent-encoded payloads). */
export function decodedSize(d: DataURL): number {
  if (!d.base64) return d.payload.length;
  const clean = d.payload.replace(/\s+/g, "").replace(/=+$/, "");
  return Math.floor((clean.length * 3) / 4);
}

export const GZIP_MIME_TYPES: ReadonlySet<string> = new Set(["application/gzip", "application/x-gzip"]);
