/**
 * Enforces a job's memory limit on wasm modules: every memory a module defines gets a maximum of at
 * most the job's page count, written into the binary before it is compiled. Engines cannot limit
 * linear memory any other way that works on both Node and Deno.
 */

export const WASM_PAGE_BYTES = 65536;
export const MAX_WASM_PAGES = 65536;
const IMPORT_SECTION = 2;
const TABLE_SECTION = 4;
const MEMORY_SECTION = 5;
const EXPORT_SECTION = 7;
/** Sections that must come after the export section (start, element, data count, code, data). */
const AFTER_EXPORTS = new Set([8, 9, 12, 10, 11]);
/** What one table element is reckoned to cost the engine, to turn a memory limit into elements. */
export const TABLE_ELEMENT_BYTES = 16;
/** Export names under which the rewrite exposes a module's own tables to the host. */
export const TABLE_EXPORT_PREFIX = "bacalhau:table:";

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

/** Elements a job limited to `memoryBytes` may hold in each table. */
export function tableLimitFor(memoryBytes: number): number {
  return Math.max(1, Math.floor(memoryBytes / TABLE_ELEMENT_BYTES));
}

/** Skips a value or reference type (typed references carry a heap type after their byte). */
function skipValType(b: Uint8Array, at: number): number {
  const t = b[at++];
  if (t === 0x63 || t === 0x64) return readLeb(b, at)[1];
  return at;
}

function skipName(b: Uint8Array, at: number): number {
  const [len, next] = readLeb(b, at);
  return next + len;
}

/** Reads limits at `at`: [flags, min, max, next]. */
function readLimits(b: Uint8Array, at: number): [number, number, number | undefined, number] {
  const flags = b[at++];
  let min: number;
  let max: number | undefined;
  [min, at] = readLeb(b, at);
  if (flags & 1) [max, at] = readLeb(b, at);
  return [flags, min, max, at];
}

/** How many tables the import section brings in: the module's own tables are numbered after them. */
function importedTables(payload: Uint8Array): number {
  let [count, at] = readLeb(payload, 0);
  let tables = 0;
  while (count-- > 0) {
    at = skipName(payload, skipName(payload, at));
    const kind = payload[at++];
    if (kind === 0) at = readLeb(payload, at)[1];
    else if (kind === 1) {
      tables++;
      at = readLimits(payload, skipValType(payload, at))[3];
    } else if (kind === 2) at = readLimits(payload, at)[3];
    else if (kind === 3) at = skipValType(payload, at) + 1;
    else if (kind === 4) at = readLeb(payload, at + 1)[1];
    else throw new Error(`unknown import kind ${kind}`);
  }
  return tables;
}

/** Caps every table's maximum at `maxElements`; returns the new section body and the table count. */
function rewriteTableSection(payload: Uint8Array, maxElements: number): [number[], number] {
  let [count, at] = readLeb(payload, 0);
  const tables = count;
  const out = leb(count);
  while (count-- > 0) {
    const start = at;
    const withInit = payload[at] === 0x40;
    if (withInit) at += 2;
    const typeEnd = skipValType(payload, at);
    out.push(...payload.subarray(start, typeEnd));
    const [flags, min, max, next] = readLimits(payload, typeEnd);
    at = next;
    if (min > maxElements) {
      throw new Error(`the module needs ${min} table elements but the job's limit is ${maxElements} elements`);
    }
    out.push(flags | 1, ...leb(min), ...leb(Math.min(max ?? maxElements, maxElements)));
    if (withInit) {
      // Constant initializers a table may have: ref.null, ref.func, global.get, then end.
      const exprStart = at;
      for (;;) {
        const op = payload[at++];
        if (op === 0x0b) break;
        if (op === 0xd0) at = readLeb(payload, at)[1];
        else if (op === 0xd2 || op === 0x23) at = readLeb(payload, at)[1];
        else throw new Error(`unsupported table initializer (opcode 0x${op.toString(16)})`);
      }
      out.push(...payload.subarray(exprStart, at));
    }
  }
  return [out, tables];
}

function exportEntries(first: number, count: number): number[] {
  const out: number[] = [];
  for (let i = first; i < first + count; i++) {
    const name = new TextEncoder().encode(`${TABLE_EXPORT_PREFIX}${i}`);
    out.push(...leb(name.length), ...name, 0x01, ...leb(i));
  }
  return out;
}

/**
 * Returns the module with every defined memory's maximum capped at `maxPages`, and, when
 * `maxElements` is given, every defined table's at `maxElements` (a refused table.grow answers -1).
 * The module's own tables are also exported under TABLE_EXPORT_PREFIX names, so the host can tell
 * a job that stopped at its table limit.
 */
export function limitMemory(module: Uint8Array, maxPages: number, maxElements?: number): Uint8Array {
  if (module.length < 8) throw new Error("not a wasm module");
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  let at = 8;
  let tableBase = 0;
  let ownTables = 0;
  let exported = maxElements === undefined;
  const exportSection = (body: number[]) => Uint8Array.from([EXPORT_SECTION, ...leb(body.length), ...body]);
  while (at < module.length) {
    const id = module[at];
    const [size, start] = readLeb(module, at + 1);
    const end = start + size;
    if (end > module.length) throw new Error("truncated module");
    const payload = module.subarray(start, end);
    if (!exported && AFTER_EXPORTS.has(id)) {
      if (ownTables > 0) parts.push(exportSection([...leb(ownTables), ...exportEntries(tableBase, ownTables)]));
      exported = true;
    }
    if (id === MEMORY_SECTION) {
      const body = rewriteMemorySection(payload, maxPages);
      parts.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else if (id === IMPORT_SECTION && maxElements !== undefined) {
      tableBase = importedTables(payload);
      parts.push(module.subarray(at, end));
    } else if (id === TABLE_SECTION && maxElements !== undefined) {
      const [body, count] = rewriteTableSection(payload, maxElements);
      ownTables = count;
      parts.push(Uint8Array.from([id, ...leb(body.length), ...body]));
    } else if (id === EXPORT_SECTION && !exported) {
      const [count, next] = readLeb(payload, 0);
      parts.push(exportSection([...leb(count + ownTables), ...payload.subarray(next), ...exportEntries(tableBase, ownTables)]));
      exported = true;
    } else {
      parts.push(module.subarray(at, end));
    }
    at = end;
  }
  if (!exported && ownTables > 0) parts.push(exportSection([...leb(ownTables), ...exportEntries(tableBase, ownTables)]));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
