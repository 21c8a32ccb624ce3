/**
 * Turns on Node's on-disk compile cache for the modules loaded after the call. Node strips the
 * types of every `.ts` file and compiles it again at each start, and loads its TypeScript
 * stripper (a wasm module of some 30 MB) to do so; with the cache, a process whose sources have
 * not changed does neither, which is most of a cold start's CPU and resident memory. The cache
 * is keyed by file content and Node version, so edited sources are simply compiled again.
 * Deno keeps its own cache and has no such switch: there this does nothing.
 *
 * `NODE_COMPILE_CACHE` chooses the directory (default: the OS temp dir) and
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for any Node program.
 */
import module from "node:module";
import { isDeno } from "./which.ts";

type WithCache = {
  enableCompileCache?: (dir?: string) => unknown;
  getCompileCacheDir?: () => string | undefined;
};

export function enableCompileCache(): void {
  if (isDeno()) return;
  try {
    (module as unknown as WithCache).enableCompileCache?.();
  } catch {
    // A cache that cannot be written (read-only temp dir) only costs speed.
  }
}

/**
 * The environment a child Node process needs to use the same cache from its very first module
 * (its entry file is loaded before it could turn the cache on itself); empty when there is none.
 */
export function compileCacheEnv(): Record<string, string> {
  if (isDeno()) return {};
  const dir = (module as unknown as WithCache).getCompileCacheDir?.();
  return dir ? { NODE_COMPILE_CACHE: dir } : {};
}

/** The environment that points a child's compile cache at `dir` (its own, when it runs as another user). */
export function childCacheEnv(dir: string): Record<string, string> {
  return isDeno() ? { DENO_DIR: `${dir}/deno` } : { NODE_COMPILE_CACHE: `${dir}/node` };
}
