/**
 * Runs WebAssembly/wasi-testsuite preview1 tests through `bacalhau wasm exec` and reports each
 * test's result and the pass count. The suite is not part of this repository. Point the runner at
 * a folder of built tests (`*.wasm` with their `.json` specs and fixture folders such as
 * `fs-tests.dir`), or at the suite's `tests/` root, where every `<lang>/testsuite/wasm32-wasip1`
 * folder below is run and each test is named `<lang>/<test>`. Each test folder is copied to a
 * temporary folder first: tests write into their fixtures, and the suite may be read-only.
 *
 * Every test runs in its own child process, exactly as a user would run the CLI, so a test that
 * crashes or hangs cannot take the runner with it. `--expect N` makes the exit code say whether
 * at least N tests passed (the count CI pins), instead of whether all did.
 *
 * @example
 * ```sh
 * node scripts/conformance/run-wasi-testsuite.ts /path/to/wasi-testsuite/tests [--expect 72] [--json results.json] [--only c/lseek]
 * ```
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
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
export async function runSuite(
  suiteDir: string,
  opts: { only?: string[]; timeoutMs?: number; prefix?: string } = {},
): Promise<WasiTestResult[]> {
  const dir = resolve(suiteDir);
  const tests = readdirSync(dir).filter((f) => f.endsWith(".wasm")).sort();
  const results: WasiTestResult[] = [];
  for (const file of tests) {
    const name = (opts.prefix ?? "") + basename(file, ".wasm");
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

/** The folders under `root` that hold tests: `root` itself, or each `<lang>/testsuite/wasm32-wasip1`. */
export function testFolders(root: string): string[] {
  const dir = resolve(root);
  if (readdirSync(dir).some((f) => f.endsWith(".wasm"))) return [dir];
  const found: string[] = [];
  for (const lang of readdirSync(dir).sort()) {
    const folder = join(dir, lang, "testsuite", "wasm32-wasip1");
    if (existsSync(folder) && statSync(folder).isDirectory()) found.push(folder);
  }
  return found;
}

/** Runs every test folder under `root`, each from a temporary copy that is removed afterwards. */
export async function runAll(root: string, opts: { only?: string[]; timeoutMs?: number } = {}): Promise<WasiTestResult[]> {
  const folders = testFolders(root);
  const results: WasiTestResult[] = [];
  for (const folder of folders) {
    const lang = folders.length > 1 || folder !== resolve(root) ? relative(resolve(root), folder).split("/")[0] : "";
    const copy = mkdtempSync(join(tmpdir(), "wasi-testsuite-"));
    try {
      cpSync(folder, copy, { recursive: true });
      results.push(...await runSuite(copy, { ...opts, prefix: lang ? `${lang}/` : "" }));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
  return results;
}

async function cli(argv: string[]): Promise<number> {
  let suiteDir: string | undefined;
  let jsonOut: string | undefined;
  let expect: number | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--json") jsonOut = argv[++i];
    else if (argv[i] === "--only") only.push(argv[++i]);
    else if (argv[i] === "--expect") expect = Number(argv[++i]);
    else suiteDir = argv[i];
  }
  if (!suiteDir) {
    process.stderr.write("Usage: run-wasi-testsuite.ts SUITE_DIR [--only NAME]... [--json OUT] [--expect N]\n");
    return 2;
  }
  const results = await runAll(suiteDir, { only });
  for (const r of results) {
    process.stdout.write(r.passed ? `PASS ${r.name}\n` : `FAIL ${r.name}: ${r.failures.join("; ")}\n`);
    const stderr = r.output.stderr.trim();
    if (!r.passed && stderr) process.stdout.write(`     stderr: ${stderr.split("\n").slice(-3).join(" | ")}\n`);
  }
  const passed = results.filter((r) => r.passed).length;
  process.stdout.write(`\n${passed}/${results.length} passed, ${results.length - passed} failed\n`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
  if (expect !== undefined) {
    if (passed < expect) process.stdout.write(`conformance regressed: ${passed} passed, ${expect} expected\n`);
    else if (passed > expect) process.stdout.write(`${passed} passed, more than the ${expect} pinned: raise the pin\n`);
    return passed >= expect ? 0 : 1;
  }
  return passed === results.length ? 0 : 1;
}

const invokedDirectly = (import.meta as { main?: boolean }).main ?? process.argv[1] === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await cli(process.argv.slice(2));
