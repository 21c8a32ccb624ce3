/**
 * A WASI preview1 host of our own, built for running untrusted jobs: the guest sees only the
 * preopened trees it is given (see vfs.ts), read-only mounts stay unchanged, and stdout/stderr go
 * to callbacks. It relies on nothing but an FsBackend, the Web Crypto API and `performance`, so it
 * can run wherever those exist.
 *
 * @example
 * ```ts
 * const host = new WasiHost({ args: ["", "world"], env: [], preopens, fs: nodeFsBackend(),
 *   stdout: (b) => out.push(b), stderr: (b) => err.push(b) });
 * let memory: WebAssembly.Memory | undefined;
 * const instance = new WebAssembly.Instance(module,
 *   { wasi_snapshot_preview1: host.imports(() => memory) });
 * memory = instance.exports.memory as WebAssembly.Memory;
 * ```
 */
import { Errno, RIGHTS } from "./constants.ts";
import { withPreciseTimes } from "./precise-times.ts";
import type { WasiContext, WasiFunction, WasiOptions } from "./context.ts";
import { errnoOf, WasiErrno } from "./errors.ts";
import { fdFunctions } from "./fd-ops.ts";
import { FdTable } from "./fd-table.ts";
import { GuestMemory } from "./memory.ts";
import { miscFunctions } from "./misc-ops.ts";
import { pathFunctions } from "./path-ops.ts";

export type { WasiOptions } from "./context.ts";
export const WASI_MODULE = "wasi_snapshot_preview1";

function isPosixError(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" &&
    err.code.startsWith("E");
}

/** Turns a host function's result or failure into the errno the guest expects. */
function guard(fn: WasiFunction): (...args: never[]) => number {
  return (...args: never[]): number => {
    try {
      const result = fn(...args);
      return typeof result === "number" ? result : Errno.SUCCESS;
    } catch (err) {
      if (err instanceof WasiErrno || isPosixError(err)) return errnoOf(err);
      if (err instanceof RangeError && !/call stack/i.test(err.message)) return Errno.FAULT;
      throw err; // proc_exit, a host stop, or a bug: unwind the guest
    }
  };
}

export class WasiHost {
  readonly #ctx: WasiContext;

  constructor(opts: WasiOptions) {
    const fds = new FdTable();
    for (const stream of [0, 1, 2] as const) fds.add({ kind: "stdio", stream, rightsBase: RIGHTS.STDIO, fdflags: 0 });
    for (const preopen of opts.preopens) {
      fds.add({
        kind: "dir", preopen, path: [], isPreopen: true,
        rightsBase: RIGHTS.DIR_BASE, rightsInheriting: RIGHTS.DIR_INHERITING, fdflags: 0,
      });
    }
    this.#ctx = { opts, fs: withPreciseTimes(opts.fs), fds };
  }

  /** The `wasi_snapshot_preview1` imports for one instance, reading and writing `memory()`. */
  imports(memory: () => WebAssembly.Memory | undefined): Record<string, (...args: never[]) => number> {
    const mem = new GuestMemory(memory);
    const all = {
      ...miscFunctions(this.#ctx, mem),
      ...fdFunctions(this.#ctx, mem),
      ...pathFunctions(this.#ctx, mem),
    };
    return Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, guard(fn)]));
  }

  /** Closes every host file the guest left open. */
  close(): void {
    for (const [, entry] of this.#ctx.fds.entries()) {
      if (entry.kind === "file") {
        try {
          this.#ctx.fs.close(entry.hostFd);
        } catch { /* already gone */ }
      }
    }
  }
}
