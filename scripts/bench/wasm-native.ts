/**
 * WASM vs native speed on the same C program (wasm/src/cpu.c, SHA-256 over N MiB): the wasm build
 * runs as a real job on the node, the native one as a gcc -O2 binary, and both report the time they
 * measured inside the program, so runtime and process start-up are left out on both sides.
 */
import type { BenchNode } from "./bench-node.ts";
import { nativeCpuRun, parseCpuReport, type CpuReport } from "./cpu-native.ts";
import { runOneJob } from "./latency.ts";
import { completedStdout, wasmJobBody } from "./jobs.ts";
import { median } from "./stats.ts";

export interface WasmNativeResult {
  mib: number;
  native_s: number;
  wasm_s: number;
  ratio: number;
}

/** Native seconds wanted per run: wasm runs ~1.0–1.5x slower, so both land in 0.5–1 s. */
const NATIVE_TARGET_S = 0.6;
const PROBE_MIB = 8;

/** Picks N so the native run takes about NATIVE_TARGET_S; small probes under-estimate the speed, so re-measure. */
async function calibrate(): Promise<number> {
  let mib = PROBE_MIB;
  for (let attempt = 0; attempt < 4; attempt++) {
    const { seconds } = await nativeCpuRun(mib);
    if (seconds >= NATIVE_TARGET_S * 0.8 && seconds <= NATIVE_TARGET_S * 1.4) return mib;
    mib = Math.max(1, Math.round((mib * NATIVE_TARGET_S) / Math.max(seconds, 1e-3)));
  }
  return mib;
}

async function wasmRun(node: BenchNode, mib: number): Promise<CpuReport> {
  const { jobID } = await runOneJob(node, wasmJobBody("cpu", [String(mib)]));
  return parseCpuReport(await completedStdout(node.apiURL, jobID));
}

export async function measureWasmNative(node: BenchNode, opts: { runs: number }): Promise<WasmNativeResult> {
  const mib = await calibrate();
  const native: CpuReport[] = [];
  const wasm: CpuReport[] = [];
  // Interleaved, so a slow spell on the machine hits both sides alike.
  for (let i = 0; i < opts.runs; i++) {
    native.push(await nativeCpuRun(mib));
    wasm.push(await wasmRun(node, mib));
  }
  const expected = native[0].sha256;
  const wrong = [...native, ...wasm].find((r) => r.sha256 !== expected);
  if (wrong) throw new Error(`wasm and native builds disagree on the checksum: ${expected} vs ${wrong.sha256}`);
  const nativeS = median(native.map((r) => r.seconds));
  const wasmS = median(wasm.map((r) => r.seconds));
  return { mib, native_s: round3(nativeS), wasm_s: round3(wasmS), ratio: Math.round((wasmS / nativeS) * 100) / 100 };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
