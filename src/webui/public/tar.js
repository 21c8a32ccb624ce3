// Gzipped tar in the browser, as the node's IPFS API speaks it: packing files to add, and reading
// what a CID holds. Gzip comes from the browser's (De)CompressionStream.

const BLOCK = 512;
const enc = new TextEncoder();
const dec = new TextDecoder();

function header(name, size, type) {
  const b = new Uint8Array(BLOCK);
  const put = (s, off, len) => b.set(enc.encode(s).subarray(0, len), off);
  const octal = (n, off, len) => put(n.toString(8).padStart(len - 1, "0"), off, len - 1);
  put(name, 0, 100);
  octal(type === "5" ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(Date.now() / 1000), 136, 12);
  b.fill(32, 148, 156); // checksum counted as spaces
  put(type, 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const x of b) sum += x;
  put(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8);
  return b;
}

const pad = (n) => new Uint8Array((BLOCK - (n % BLOCK)) % BLOCK);

/** A pax record "<len> path=<name>\n", whose length counts its own digits. */
function paxPath(name) {
  const body = ` path=${name}\n`;
  let len = enc.encode(body).length + 1;
  while (String(len).length + enc.encode(body).length !== len) len++;
  return enc.encode(`${len}${body}`);
}

/** entries: [{ name, file }] (a File or Blob). Returns a gzipped tar Blob. */
export async function packTarGz(entries) {
  const parts = [];
  for (const { name, file } of entries) {
    if (enc.encode(name).length > 100) {
      const rec = paxPath(name);
      parts.push(header("PaxHeader", rec.length, "x"), rec, pad(rec.length));
    }
    parts.push(header(name.slice(0, 100), file.size, "0"), file, pad(file.size));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return new Response(new Blob(parts).stream().pipeThrough(new CompressionStream("gzip"))).blob();
}

/** The entries of a gzipped tar: [{ name, size, type: "file"|"dir"|"other", data? }]. */
export async function readTarGz(blob, keepBytes = 64 * 1024) {
  const buf = new Uint8Array(await new Response(blob.stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const out = [];
  let pax = null;
  let longName = null;
  for (let off = 0; off + BLOCK <= buf.length;) {
    const hd = buf.subarray(off, off + BLOCK);
    if (hd.every((x) => x === 0)) break;
    const str = (o, l) => dec.decode(hd.subarray(o, o + l)).replace(/\0.*$/s, "");
    const size = parseInt(str(124, 12).trim() || "0", 8);
    const type = str(156, 1) || "0";
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(dec.decode(data));
      pax = m ? m[1] : null;
      continue;
    }
    if (type === "L") {
      longName = dec.decode(data).replace(/\0.*$/s, "");
      continue;
    }
    if (type === "g") continue;
    const prefix = str(345, 155);
    const name = (pax ?? longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100))).replace(/\/+$/, "");
    pax = longName = null;
    const kind = type === "0" || type === "7" ? "file" : type === "5" ? "dir" : "other";
    out.push({ name, size, type: kind, data: kind === "file" && size <= keepBytes ? data.slice() : undefined });
  }
  return out;
}
