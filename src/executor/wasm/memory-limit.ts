/**
 * Enforces a job's memory limit on wasm modules: every memory a module defines gets a maximum of at
 * most the job's page count, written into the binary before it is compiled. Engines cannot limit
 * linear memory any other way that works on both Node and Deno.
 */

export const WASM_PAGE_BYTES = 65536;
export const MAX_WASM_PAGES = 65536;
const MEMORY_SECTION = 5;

/** Pages allowed for `memoryBytes` (0 = no limit); throws when the request is beyond 4 GiB. */
export function pageLimitFor(memoryBytes: number): number | undefined {
  if (!(memoryBytes > 0)) return undefined;
  const pages = Math.ceil(memoryBytes / WASM_PAGE_BYTES);
  if (pages > MAX_WASM_PAGES) {
    const gb = (n: number) => (n / 1024 ** 3).toFixed(2);
    throw new Error(
      `requested memory exceeds the wasm limit - ${gb(memoryBytes)} GB > ${gb(MAX_WASM_PAGES * WASM_PAGE_BYTES)} GB`,
    );
  }
  return pages;
}

/** Old-space room a runner needs for its own code and data, beyond what its job may use. */
export const RUNNER_HEAP_BASE_MB = 64;

/**
 * The V8 old-space limit (MiB) of a runner for a job limited to `memoryBytes`, so GC objects
 * (wasm GC structs and arrays, which linear-memory caps cannot see) are bounded too. Rounded up to
 * a power of two: runners are pooled per class, and few classes keep the pool warm.
 */
export function heapMbFor(memoryBytes: number): number | undefined {
  if (!(memoryBytes > 0)) return undefined;
  const mb = Math.ceil(memoryBytes / 2 ** 20);
  return RUNNER_HEAP_BASE_MB + 2 ** Math.ceil(Math.log2(mb));
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new Error("truncated module");
    const b = bytes[at++];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, at];
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

function rewriteMemorySection(payload: Uint8Array, maxPages: number): number[] {
  let [count, at] = readLeb(payload, 0);
  const out = leb(count);
  while (count-- > 0) {
    const flags = payload[at++];
    let min: number;
    let max: number | undefined;
    [min, at] = readLeb(payload, at);
    if (flags & 1) [max, at] = readLeb(payload, at);
    if (min > maxPages) {
      throw new Error(`the module needs ${min} memory pages but the job's limit is ${maxPages} pages`);
    }
    out.push(flags | 1, ...leb(min), ...leb(Math.min(max ?? maxPages, maxPages)));
  }
  return out;
}

/** Returns the module with every defined memory's maximum capped at `maxPages`. */
export function limitMemory(module: Uint8Array, maxPages: number): Uint8Array {
  if (module.length < 8) throw new Error("not a wasm module");
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  let at = 8;
  while (at < module.length) {
    const id = module[at];
    const [size, start] = readLeb(module, at + 1);
    const end = start + size;
    if (end > module.length) throw new Error("truncated module");
    if (id === MEMORY_SECTION) {
      const body = rewriteMemorySection(module.subarray(start, end), maxPages);
      parts.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else {
      parts.push(module.subarray(at, end));
    }
    at = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
