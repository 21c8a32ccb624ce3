/**
 * Where the program's own entry points (the runner process, the worker threads) are, however it
 * runs: from its TypeScript sources (each entry a sibling `.ts` file), from the bundled build
 * (each entry a `<name>.js` file in the same folder as every chunk), or as a single executable,
 * which carries its entries inside itself and registers them here before anything else loads.
 */
import { fileURLToPath } from "node:url";

export interface EmbeddedEntries {
  /** What a runner's command line names instead of a script: the executable starts a runner on seeing it. */
  runnerArg: string;
  /** The CommonJS source of the worker entry `name`, run as an eval worker. */
  workerSource(name: string): string;
}

const EMBEDDED = Symbol.for("bacalhau-edge.embedded-entries");

export function registerEmbeddedEntries(entries: EmbeddedEntries): void {
  (globalThis as Record<symbol, unknown>)[EMBEDDED] = entries;
}

function embedded(): EmbeddedEntries | undefined {
  return (globalThis as Record<symbol, unknown>)[EMBEDDED] as EmbeddedEntries | undefined;
}

/** The built file of an entry: a `.ts` module names its source, anything else is the build. */
function entryUrl(base: string, source: string, name: string): URL {
  return new URL(base.endsWith(".ts") ? source : `./${name}.js`, base);
}

/**
 * The script argument that starts the process entry `name` (source `source`, relative to `base`,
 * the caller's `import.meta.url`) with the running executable.
 */
export function processEntry(base: string, source: string, name: string): string {
  const inside = embedded();
  return inside ? inside.runnerArg : fileURLToPath(entryUrl(base, source, name));
}

/** The first argument and the options `new Worker` needs to start the worker entry `name`. */
export function workerEntry(base: string, source: string, name: string): [URL | string, { eval?: boolean }] {
  const inside = embedded();
  return inside ? [inside.workerSource(name), { eval: true }] : [entryUrl(base, source, name), {}];
}
