/**
 * `bacalhau wasm exec`: runs a wasm module on this machine with the same WASI host the wasm
 * executor uses, for trying modules and checking WASI behaviour. Each `--dir HOST:GUEST` becomes
 * its own writable preopen named GUEST; stdio passes through; the result is the module's exit code
 * (a plain return counts as 0 here, a trap as 1).
 *
 * @example
 * ```ts
 * const code = await wasmExecCommand(["--dir", "./data:data", "--env", "A=1", "cat.wasm", "data/x.txt"]);
 * ```
 */
import * as path from "node:path";
import { runModule } from "../executor/wasm/run-module.ts";
import { readSomeSync, writeAllSync } from "../executor/wasm/sync-io.ts";
import { WasiHost } from "../executor/wasm/wasi/host.ts";
import { nodeFsBackend } from "../executor/wasm/wasi/node-backend.ts";
import { hostMount, type Preopen } from "../executor/wasm/wasi/vfs.ts";
import type { ModuleSource } from "../executor/wasm/job-fs.ts";

const USAGE = `Usage: bacalhau wasm exec [--dir HOST:GUEST]... [--env K=V]... [--entry-point F] MODULE [ARGS...]

Runs a WebAssembly (WASI preview1) module locally.

Flags:
  --dir HOST:GUEST     expose host folder HOST to the module as preopen GUEST (writable); repeatable
  --env K=V            set an environment variable; repeatable
  --entry-point F      exported function to call (default "_start")
  -h, --help           show this help
`;

interface ExecArgs {
  dirs: Array<{ host: string; guest: string }>;
  env: Array<[string, string]>;
  entrypoint: string;
  module: string;
  args: string[];
}

function parse(argv: string[]): ExecArgs | string {
  const out: ExecArgs = { dirs: [], env: [], entrypoint: "_start", module: "", args: [] };
  let i = 0;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    if (i + 1 >= argv.length) throw new Error(`flag ${flag} needs a value`);
    return argv[++i];
  };
  try {
    for (; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === "--") {
        i++;
        break;
      }
      if (!arg.startsWith("-") || arg === "-") break;
      const eq = arg.indexOf("=");
      const flag = eq > 0 ? arg.slice(0, eq) : arg;
      const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (flag === "-h" || flag === "--help") return "help";
      if (flag === "--dir") {
        const spec = value(flag, inline);
        const colon = spec.lastIndexOf(":");
        out.dirs.push(colon > 0 ? { host: spec.slice(0, colon), guest: spec.slice(colon + 1) } : { host: spec, guest: spec });
      } else if (flag === "--env") {
        const kv = value(flag, inline);
        const at = kv.indexOf("=");
        if (at <= 0) throw new Error(`--env wants K=V, got "${kv}"`);
        out.env.push([kv.slice(0, at), kv.slice(at + 1)]);
      } else if (flag === "--entry-point" || flag === "--entrypoint") {
        out.entrypoint = value(flag, inline);
      } else {
        throw new Error(`unknown flag ${flag}`);
      }
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (i >= argv.length) return "a MODULE to run is required";
  out.module = argv[i];
  out.args = argv.slice(i + 1);
  return out;
}

/** Entry module from the host path given; imports by name from the module's own folder. */
function hostModuleSource(fs: ReturnType<typeof nodeFsBackend>, modulePath: string): ModuleSource {
  const dir = path.dirname(modulePath);
  return {
    read(name: string): Uint8Array | undefined {
      const p = name === modulePath ? modulePath : path.join(dir, name);
      try {
        return fs.readFile(p);
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      }
    },
  };
}

const say = (fd: number, text: string) => writeAllSync(fd, new TextEncoder().encode(text));

export async function wasmExecCommand(argv: string[]): Promise<number> {
  const parsed = parse(argv);
  if (parsed === "help") {
    say(1, USAGE);
    return 0;
  }
  if (typeof parsed === "string") {
    say(2, `Error: ${parsed}\n\n${USAGE}`);
    return 1;
  }
  const fs = nodeFsBackend();
  let preopens: Preopen[];
  try {
    preopens = parsed.dirs.map((d) => ({ name: d.guest, root: hostMount(fs, d.host, false), dotdotAtRoot: "deny" }));
  } catch (err) {
    say(2, `Error: cannot open --dir: ${(err as Error).message}\n`);
    return 1;
  }
  const wasi = new WasiHost({
    args: [parsed.module, ...parsed.args],
    env: parsed.env,
    preopens,
    fs,
    stdout: (b) => writeAllSync(1, b),
    stderr: (b) => writeAllSync(2, b),
    stdin: (b) => readSomeSync(0, b),
    allowSymlinks: true,
  });
  try {
    const outcome = runModule({
      entryModule: parsed.module,
      entrypoint: parsed.entrypoint,
      importModules: [],
      wasi,
      source: hostModuleSource(fs, parsed.module),
    });
    switch (outcome.kind) {
      case "exit":
        return outcome.code;
      case "returned":
        return 0;
      case "load-error":
        say(2, `Error: failed to load module ${parsed.module}: ${outcome.message}\n`);
        return 1;
      default:
        say(2, `Error: ${outcome.message}\n`);
        return 1;
    }
  } finally {
    wasi.close();
  }
}
