/**
 * The `bacalhau` command line: finds the command named by the arguments, parses its flags, runs
 * it, and turns any error into Bacalhau's `Error: <msg>` / `Hint: <hint>` on stderr with exit 1.
 *
 * @example
 * ```sh
 * node src/cli/main.ts wasm run ./hello.wasm --wait
 * deno run -A src/cli/main.ts job list --output json
 * ```
 */
import process from "node:process";
import { BacalhauError } from "../models/errors.ts";
import { enableCompileCache } from "../runtime/compile-cache.ts";
import type { CliIO } from "./command.ts";

export { PROGRAM } from "./program.ts";

const FAST_PATHS: Array<{ path: string[]; run: (args: string[]) => Promise<number> }> = [
  { path: ["serve"], run: async (a) => (await import("./serve.ts")).serveCommand(a) },
  { path: ["wasm", "exec"], run: async (a) => (await import("./wasm-exec.ts")).wasmExecCommand(a) },
  { path: ["devstack"], run: async (a) => (await import("./devstack.ts")).devstackCommand(a) },
];

/** Runs the CLI on `args` (without the program name) and returns the exit code. */
export async function main(args: string[], io: CliIO = processIO()): Promise<number> {
  // Before the command's modules load: on Node they are then read from the cache, not re-stripped.
  enableCompileCache();
  try {
    // Long-running commands skip loading the whole command tree: it is most of a cold start.
    const fast = FAST_PATHS.find((f) => f.path.every((p, i) => args[i] === p));
    if (fast) return await fast.run(args.slice(fast.path.length));
    const { dispatch } = await import("./dispatch.ts");
    return await dispatch(args, io);
  } catch (err) {
    printError(io, err);
    return 1;
  }
}

export function printError(io: CliIO, err: unknown): void {
  const e = BacalhauError.from(err, "CLI");
  io.err(`\nError: ${e.message}\n`);
  if (e.hint) io.err(`Hint: ${e.hint}\n`);
}

export function processIO(): CliIO {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    readStdin: async () => {
      const chunks: Uint8Array[] = [];
      for await (const c of process.stdin) chunks.push(typeof c === "string" ? new TextEncoder().encode(c) : c);
      return new TextDecoder().decode(Buffer.concat(chunks));
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

if (import.meta.main) {
  // Exit explicitly: on Deno a libp2p host that has listened keeps the process alive after it stops.
  // No top-level await: the single executable is built from a CommonJS bundle of this module.
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
