/**
 * Loads, links and runs one wasm program on a WasiHost, the way Bacalhau's wasm engine does:
 * ImportModules are instantiated first under their exact path string; then each import
 * module-name of the entry is WASI, a host module, an already-instantiated module, or a path in
 * the job's filesystem (auto-linking); the entrypoint is called explicitly. Runs synchronously:
 * call it only where blocking is fine (a runner process, the `wasm exec` command).
 */
import type { ModuleSource } from "./job-fs.ts";
import { limitMemory, TABLE_EXPORT_PREFIX, WASM_PAGE_BYTES } from "./memory-limit.ts";
import { HostStop, ProcExit } from "./wasi/errors.ts";
import { WASI_MODULE, type WasiHost } from "./wasi/host.ts";

/** Gives the imports of a host-provided module (e.g. `wasi:http/requests`) for one instance. */
export type HostModuleFactory = (memory: () => WebAssembly.Memory | undefined) => WebAssembly.ModuleImports;

export interface RunModuleOptions {
  entryModule: string;
  entrypoint: string;
  importModules: string[];
  wasi: WasiHost;
  source: ModuleSource;
  /** Page cap applied to every memory a module defines; undefined = no cap. */
  maxPages?: number;
  /** Element cap applied to every table a module defines (with maxPages only); undefined = no cap. */
  maxTableElements?: number;
  hostModules?: ReadonlyMap<string, HostModuleFactory>;
  /** Why a module name is not available here (e.g. no network), added to "unknown module". */
  unavailable?: ReadonlyMap<string, string>;
}

export type RunOutcome =
  | { kind: "exit"; code: number }
  | { kind: "returned" }
  | { kind: "trap"; message: string }
  | { kind: "load-error"; message: string }
  | { kind: "no-entrypoint"; message: string }
  | { kind: "stopped"; message: string };

class LoadError extends Error {}

function isProgramStop(err: unknown): err is ProcExit | HostStop {
  return err instanceof ProcExit || err instanceof HostStop;
}

/** What the job's limits saw when it failed: its memory and its own tables. */
interface Limits {
  memory: WebAssembly.Memory | undefined;
  maxPages?: number;
  tables: WebAssembly.Table[];
  maxTableElements?: number;
}

function failure(err: unknown, { memory, maxPages, tables, maxTableElements }: Limits): RunOutcome {
  if (err instanceof ProcExit) return { kind: "exit", code: err.code };
  if (err instanceof HostStop) return { kind: "stopped", message: err.message };
  const text = err instanceof Error ? err.message : String(err);
  let message = err instanceof RangeError && /call stack/i.test(text)
    ? "wasm error: stack overflow"
    : `wasm error: ${text}`;
  if (maxPages !== undefined && memory) {
    // Compilers batch memory.grow calls, so a refused grow can leave a few pages unused.
    const used = memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (maxPages - used <= Math.max(64, maxPages / 20)) {
      message += ` (memory limit exceeded: ${used} of ${maxPages} pages in use)`;
    }
  }
  // A refused table.grow answers -1, so a table over half its cap is the likely cause of the trap.
  const full = maxTableElements === undefined ? undefined : tables.find((t) => t.length > maxTableElements / 2);
  if (full && maxTableElements !== undefined) {
    message += ` (memory limit exceeded: a table holds ${full.length} of ${maxTableElements} elements allowed)`;
  }
  return { kind: "trap", message };
}

export function runModule(opts: RunModuleOptions): RunOutcome {
  const registry = new Map<string, WebAssembly.Exports>();
  const loading = new Set<string>();
  let entryMemory: WebAssembly.Memory | undefined;
  const tables: WebAssembly.Table[] = [];
  const limits = (): Limits => ({ memory: entryMemory, maxPages: opts.maxPages, tables,
    maxTableElements: opts.maxTableElements });

  const compile = (name: string, bytes: Uint8Array): WebAssembly.Module => {
    try {
      const code = opts.maxPages === undefined ? bytes : limitMemory(bytes, opts.maxPages, opts.maxTableElements);
      return new WebAssembly.Module(code as Uint8Array<ArrayBuffer>);
    } catch (err) {
      throw new LoadError(`module "${name}": ${(err as Error).message}`);
    }
  };

  const instantiate = (name: string, bytes: Uint8Array, isEntry: boolean): WebAssembly.Exports => {
    const module = compile(name, bytes);
    let memory: WebAssembly.Memory | undefined;
    const getMemory = () => memory;
    const imports: WebAssembly.Imports = {};
    loading.add(name);
    for (const imp of WebAssembly.Module.imports(module)) {
      if (!(imp.module in imports)) imports[imp.module] = resolve(imp.module, getMemory);
      if (imp.kind === "memory") {
        const m = imports[imp.module][imp.name];
        if (m instanceof WebAssembly.Memory) memory = m;
      }
    }
    loading.delete(name);
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (err) {
      if (err instanceof WebAssembly.LinkError) throw new LoadError(err.message);
      throw err; // a trap or proc_exit in a start function is the program's own outcome
    } finally {
      if (isEntry) entryMemory = memory;
    }
    for (const [key, value] of Object.entries(instance.exports)) {
      if (key.startsWith(TABLE_EXPORT_PREFIX) && value instanceof WebAssembly.Table) tables.push(value);
    }
    const exported = instance.exports.memory;
    if (exported instanceof WebAssembly.Memory) memory = exported;
    if (isEntry) entryMemory = memory;
    registry.set(name, instance.exports);
    return instance.exports;
  };

  const resolve = (name: string, memory: () => WebAssembly.Memory | undefined): WebAssembly.ModuleImports => {
    if (name === WASI_MODULE) return opts.wasi.imports(memory);
    const host = opts.hostModules?.get(name);
    if (host) return host(memory);
    const known = registry.get(name);
    if (known) return known;
    const why = opts.unavailable?.get(name);
    if (why) throw new LoadError(`unknown module "${name}" (${why})`);
    if (loading.has(name)) throw new LoadError(`import cycle through module "${name}"`);
    const bytes = read(name);
    if (!bytes) throw new LoadError(`unknown module "${name}"`);
    return instantiate(name, bytes, false);
  };

  const read = (path: string): Uint8Array | undefined => {
    try {
      return opts.source.read(path);
    } catch (err) {
      throw new LoadError((err as Error).message);
    }
  };

  let entry: WebAssembly.Exports;
  try {
    for (const path of opts.importModules) {
      if (registry.has(path)) continue;
      const bytes = read(path);
      if (!bytes) throw new LoadError(`import module "${path}" not found`);
      instantiate(path, bytes, false);
    }
    const bytes = read(opts.entryModule);
    if (!bytes) throw new LoadError("no such file or directory");
    entry = instantiate(opts.entryModule, bytes, true);
  } catch (err) {
    if (err instanceof LoadError) return { kind: "load-error", message: err.message };
    if (isProgramStop(err) || err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
      return failure(err, limits());
    }
    return { kind: "load-error", message: (err as Error).message };
  }

  const fn = entry[opts.entrypoint];
  if (opts.entrypoint === "" || typeof fn !== "function") {
    return { kind: "no-entrypoint", message: `unable to find the entrypoint '${opts.entrypoint}' in the WASM module` };
  }
  try {
    (fn as () => unknown)();
    return { kind: "returned" };
  } catch (err) {
    return failure(err, limits());
  }
}
