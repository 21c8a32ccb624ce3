/**
 * The native baseline for the CPU benchmark: builds wasm/src/cpu.c with `gcc -O2` (once per
 * process, into a temp folder) and reports the seconds the program measured itself, so the harness
 * compares like with like against the wasm build's self-reported time (start-up excluded on both).
 *
 * @example
 * const native = await nativeCpuSeconds(64); // seconds to hash 64 MiB natively
 * await disposeNativeCpu();                  // or let process exit remove the temp folder
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const source = fileURLToPath(new URL("../../wasm/src/cpu.c", import.meta.url));

/** What one run of the cpu program reports (the same line from its wasm and native builds). */
export interface CpuReport {
  sha256: string;
  mib: number;
  seconds: number;
}

let built: Promise<{ dir: string; binary: string }> | undefined;

function build(): Promise<{ dir: string; binary: string }> {
  if (!built) {
    const attempt = (async () => {
      const dir = await mkdtemp(join(tmpdir(), "cpu-native-"));
      const removeAtExit = () => rmSync(dir, { recursive: true, force: true });
      process.once("exit", removeAtExit);
      const binary = join(dir, "cpu");
      try {
        await run("gcc", ["-O2", "-o", binary, source]);
      } catch (err) {
        process.off("exit", removeAtExit);
        removeAtExit();
        throw err;
      }
      return { dir, binary };
    })();
    built = attempt;
    // A failed build is not cached, so a later call can retry.
    attempt.catch(() => { if (built === attempt) built = undefined; });
  }
  return built;
}

/** Parses the program's `sha256=<hex> mib=<n> seconds=<s>` line. */
export function parseCpuReport(stdout: string): CpuReport {
  const match = /sha256=([0-9a-f]{64}) mib=(\d+) seconds=([0-9.]+)/.exec(stdout);
  if (!match) throw new Error(`cpu benchmark printed no report: ${JSON.stringify(stdout.slice(0, 200))}`);
  return { sha256: match[1], mib: Number(match[2]), seconds: Number(match[3]) };
}

/** Runs the native build over `n` MiB and returns its full report. */
export async function nativeCpuRun(n: number): Promise<CpuReport> {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`n must be a positive integer, got ${n}`);
  const { binary } = await build();
  const { stdout } = await run(binary, [String(n)]);
  return parseCpuReport(stdout);
}

/** Runs the native build over `n` MiB and returns the time it reports, in seconds. */
export async function nativeCpuSeconds(n: number): Promise<number> {
  return (await nativeCpuRun(n)).seconds;
}

/** Removes the compiled binary now rather than at process exit; a later call rebuilds it. */
export async function disposeNativeCpu(): Promise<void> {
  const current = built;
  built = undefined;
  if (!current) return;
  const { dir } = await current.catch(() => ({ dir: "" }));
  if (dir) await rm(dir, { recursive: true, force: true });
}
