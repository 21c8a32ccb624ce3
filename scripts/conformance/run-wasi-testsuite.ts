/**
 * Runs a folder of WebAssembly/wasi-testsuite preview1 tests through `bacalhau wasm exec` and
 * reports each test's result and the pass count. The suite is not part of this repository: build
 * its C tests with `clang --target=wasm32-wasi`, its AssemblyScript tests with `asc` (using the
 * `@assemblyscript/wasi-shim` config the suite pins) or its Rust tests with `--target wasm32-wasi`,
 * into a folder together with their `.json` specs and fixture folders (e.g. `fs-tests.dir`), then
 * point this runner at that folder.
 *
 * Every test runs in its own child process, exactly as a user would run the CLI, so a test that
 * crashes or hangs cannot take the runner with it.
 *
 * @example
 * ```sh
 * node scripts/conformance/run-wasi-testsuite.ts /path/to/testsuite [--json results.json] [--only lseek]
 * ```
 */
import { spawn } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { checkOutput, readSpec, type WasiTestOutput } from "./wasi-spec.ts";

const cliMain = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const isDeno = "Deno" in globalThis;

export interface WasiTestResult {
  name: string;
  passed: boolean;
  failures: string[];
  output: WasiTestOutput;
  command: string[];
}

/** The `wasm exec` arguments for one test: its dirs become preopens named as in the spec. */
export function execArgs(suiteDir: string, wasmPath: string): string[] {
  const spec = readSpec(wasmPath);
  const args = ["wasm", "exec"];
  if (spec.root !== undefined) args.push("--dir", `${join(suiteDir, spec.root)}:/`);
  for (const dir of spec.dirs) args.push("--dir", `${join(suiteDir, dir)}:${dir}`);
  for (const [k, v] of Object.entries(spec.env)) args.push("--env", `${k}=${v}`);
  args.push(wasmPath, ...spec.args);
  return args;
}

function runCli(args: string[], cwd: string, timeoutMs: number): Promise<WasiTestOutput> {
  const runtimeArgs = isDeno ? ["run", "-A", cliMain, ...args] : [cliMain, ...args];
  return new Promise((done) => {
    const child = spawn(process.execPath, runtimeArgs, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result: WasiTestOutput = {
        exitCode: code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      };
      if (timedOut) result.error = `timed out after ${timeoutMs} ms`;
      else if (signal) result.error = `killed by ${signal}`;
      done(result);
    });
  });
}

/** Files the suite marks as test output (`*.cleanup`) are removed before each run, as upstream does. */
function removeCleanupFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.name.endsWith(".cleanup")) rmSync(p, { recursive: true, force: true });
    else if (entry.isDirectory()) removeCleanupFiles(p);
  }
}

/** Runs every `*.wasm` in `suiteDir` (or only those named in `only`) and returns the results. */
export async function runSuite(suiteDir: string, opts: { only?: string[]; timeoutMs?: number } = {}): Promise<WasiTestResult[]> {
  const dir = resolve(suiteDir);
  const tests = readdirSync(dir).filter((f) => f.endsWith(".wasm")).sort();
  const results: WasiTestResult[] = [];
  for (const file of tests) {
    const name = basename(file, ".wasm");
    if (opts.only?.length && !opts.only.includes(name)) continue;
    removeCleanupFiles(dir);
    const wasmPath = join(dir, file);
    const spec = readSpec(wasmPath);
    const command = execArgs(dir, wasmPath);
    const output = await runCli(command, dir, opts.timeoutMs ?? 30_000);
    const failures = checkOutput(spec, output);
    results.push({ name, passed: failures.length === 0, failures, output, command });
  }
  removeCleanupFiles(dir);
  return results;
}

async function cli(argv: string[]): Promise<number> {
  let suiteDir: string | undefined;
  let jsonOut: string | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--json") jsonOut = argv[++i];
    else if (argv[i] === "--only") only.push(argv[++i]);
    else suiteDir = argv[i];
  }
  if (!suiteDir) {
    process.stderr.write("Usage: run-wasi-testsuite.ts SUITE_DIR [--only NAME]... [--json OUT]\n");
    return 2;
  }
  const results = await runSuite(suiteDir, { only });
  for (const r of results) {
    process.stdout.write(r.passed ? `PASS ${r.name}\n` : `FAIL ${r.name}: ${r.failures.join("; ")}\n`);
    const stderr = r.output.stderr.trim();
    if (!r.passed && stderr) process.stdout.write(`     stderr: ${stderr.split("\n").slice(-3).join(" | ")}\n`);
  }
  const passed = results.filter((r) => r.passed).length;
  process.stdout.write(`\n${passed}/${results.length} passed, ${results.length - passed} failed\n`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  return passed === results.length ? 0 : 1;
}

const invokedDirectly = (import.meta as { main?: boolean }).main ?? process.argv[1] === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await cli(process.argv.slice(2));
