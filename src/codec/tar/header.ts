/**
 * Encoding and decoding of one tar header block (POSIX ustar), plus the pax extended records and
 * GNU long-name entries that carry what a 512-byte block cannot (long paths, sizes over 8 GiB).
 */

export const BLOCK = 512;

export type EntryType = "file" | "dir" | "symlink" | "hardlink";

/** What the writer knows about one entry before it streams the entry's content. */
export interface EntryHeader {
  name: string;
  type: EntryType;
  size: number;
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
}

/** Type flags as they appear in the header; "other" covers devices and fifos, which we never write. */
export type RawType = EntryType | "pax" | "paxGlobal" | "gnuLongName" | "gnuLongLink" | "other";

export interface RawHeader {
  name: string;
  linkname: string;
  size: number;
  mode: number;
  mtime: number;
  type: RawType;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Rounds a content size up to whole blocks. */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(enc.encode(value).subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  // length-1 digits and a NUL terminator, as most readers expect.
  writeString(block, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

/** Splits a long path into ustar's prefix (≤155 bytes) and name (≤100 bytes), when possible. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  const bytes = enc.encode(name);
  if (bytes.length <= 100) return { prefix: "", name };
  for (let i = name.indexOf("/"); i !== -1; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(rest).length <= 100 && rest.length > 0) {
      return { prefix, name: rest };
    }
  }
  return undefined;
}

const TYPE_FLAGS: Record<EntryType, string> = { file: "0", hardlink: "1", symlink: "2", dir: "5" };
const MAX_OCTAL_SIZE = 0o77777777777;

function ustarBlock(
  h: { name: string; prefix: string; linkname: string; size: number; mode: number; mtime: number },
  flag: string,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, h.name);
  writeOctal(block, 100, 8, h.mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, h.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(h.mtime)) % 0o100000000000);
  block.fill(0x20, 148, 156);
  writeString(block, 156, 1, flag);
  writeString(block, 157, 100, h.linkname);
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  writeString(block, 345, 155, h.prefix);
  writeChecksum(block);
  return block;
}

function writeChecksum(block: Uint8Array): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeString(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
}

/** One pax record: `<len> <key>=<value>\n`, where len counts the whole record including itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = enc.encode(body).length;
  const digits = String(bodyLen).length;
  let len = bodyLen + digits;
  if (String(len).length > digits) len += 1;
  return `${len}${body}`;
}

/**
 * The block(s) announcing one entry: a ustar header, preceded by a pax header when the path, link
 * target or size does not fit the ustar fields.
 */
export function encodeEntryHeader(h: EntryHeader): Uint8Array {
  const records: string[] = [];
  let split = splitUstarName(h.name);
  if (!split) {
    records.push(paxRecord("path", h.name));
    split = { prefix: "", name: truncateUtf8(h.name, 100) };
  }
  let linkname = h.linkname ?? "";
  if (enc.encode(linkname).length > 100) {
    records.push(paxRecord("linkpath", linkname));
    linkname = truncateUtf8(linkname, 100);
  }
  let size = h.size;
  if (size > MAX_OCTAL_SIZE) {
    records.push(paxRecord("size", String(size)));
    size = 0;
  }
  const main = ustarBlock({ ...split, linkname, size, mode: h.mode, mtime: h.mtime }, TYPE_FLAGS[h.type]);
  if (records.length === 0) return main;
  const data = enc.encode(records.join(""));
  const paxName = truncateUtf8("PaxHeader/" + (h.name.split("/").filter(Boolean).pop() ?? "entry"), 100);
  const pax = ustarBlock(
    { name: paxName, prefix: "", linkname: "", size: data.length, mode: 0o644, mtime: h.mtime },
    "x",
  );
  const out = new Uint8Array(BLOCK + padded(data.length) + BLOCK);
  out.set(pax, 0);
  out.set(data, BLOCK);
  out.set(main, BLOCK + padded(data.length));
  return out;
}

function truncateUtf8(s: string, maxBytes: number): string {
  let out = s;
  while (enc.encode(out).length > maxBytes) out = out.slice(0, -1);
  return out;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return dec.decode(nul === -1 ? field : field.subarray(0, nul));
}

/** Octal text, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(block: Uint8Array, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  const value = parseInt(text, 8);
  if (!Number.isFinite(value) || !/^[0-7]+$/.test(text)) throw new Error(`bad numeric field "${text}"`);
  return value;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function rawType(flag: string): RawType {
  switch (flag) {
    case "0":
    case "":
    case "7":
      return "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "dir";
    case "x":
      return "pax";
    case "g":
      return "paxGlobal";
    case "L":
      return "gnuLongName";
    case "K":
      return "gnuLongLink";
    default:
      return "other";
  }
}

/** Decodes one non-zero header block; throws on a bad checksum (not a tar, or corrupt). */
export function decodeHeader(block: Uint8Array): RawHeader {
  if (!checksumMatches(block)) throw new Error("tar header checksum mismatch (corrupt or not a tar archive)");
  const magic = readString(block, 257, 6);
  const version = readString(block, 263, 2);
  let name = readString(block, 0, 100);
  // GNU tar ("ustar  ") uses the prefix area for other fields, so only POSIX ustar has a prefix.
  if (magic === "ustar" && version === "00") {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    linkname: readString(block, 157, 100),
    size: readNumber(block, 124, 12),
    mode: readNumber(block, 100, 8),
    mtime: readNumber(block, 136, 12),
    type: rawType(readString(block, 156, 1)),
  };
}

/** Parses pax records into a key → value map; throws on malformed records. */
export function parsePaxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw new Error("malformed pax record");
    const len = parseInt(dec.decode(data.subarray(pos, space)), 10);
    if (!Number.isInteger(len) || len <= space - pos || pos + len > data.length) {
      throw new Error("malformed pax record length");
    }
    const record = dec.decode(data.subarray(space + 1, pos + len - 1));
    const eq = record.indexOf("=");
    if (eq === -1) throw new Error("malformed pax record");
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/** A NUL-terminated string from a GNU long-name entry's content. */
export function cString(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return dec.decode(nul === -1 ? data : data.subarray(0, nul));
}
