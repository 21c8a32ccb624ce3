/** Shared pieces of the executor tests: temp folders, the committed modules, WAT fixtures, requests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ExecutionRequest, PreparedVolume } from "../../src/executor/executor.ts";
import type { NetworkConfig, ResultPath } from "../../src/models/types.ts";

export interface Cleanup {
  after(fn: () => unknown): void;
}

export function tempDir(t: Cleanup, prefix = "wasm-exec-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A committed module from wasm/, e.g. `moduleFile("hello")`. */
export function moduleFile(name: string): string {
  return fileURLToPath(new URL(`../../wasm/${name}.wasm`, import.meta.url));
}


export interface WasmJob {
  /** Host path of the entry module, mounted read-only at `main.wasm`. Omit to mount nothing. */
  module?: string;
  params?: Record<string, unknown>;
  args?: string[];
  env?: Record<string, string>;
  inputs?: PreparedVolume[];
  outputs?: ResultPath[];
  resultsDir?: string;
  memory?: number;
  network?: NetworkConfig;
  signal?: AbortSignal;
}

export interface RunCapture {
  req: ExecutionRequest;
  stdout(): string;
  stderr(): string;
  /** Number of stdout/stderr chunks delivered. */
  chunks(): number;
  firstStdout: Promise<void>;
}

export function wasmRequest(t: Cleanup, job: WasmJob): RunCapture {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const { promise: firstStdout, resolve } = Promise.withResolvers<void>();
  const inputs = [
    ...(job.module ? [{ target: "main.wasm", hostPath: job.module, readOnly: true }] : []),
    ...(job.inputs ?? []),
  ];
  const req: ExecutionRequest = {
    jobID: "j-test", executionID: "e-test", jobType: "batch", partitionIndex: 0, partitionCount: 1,
    engine: {
      Type: "wasm",
      Params: job.params ?? { EntryModule: "main.wasm", Entrypoint: "_start", Parameters: job.args ?? [] },
    },
    env: job.env ?? {},
    inputs,
    outputs: job.outputs ?? [],
    resultsDir: job.resultsDir ?? tempDir(t, "wasm-results-"),
    resources: { CPU: 0, Memory: job.memory ?? 0, Disk: 0, GPU: 0 },
    network: job.network ?? { Type: "None" },
    logs: {
      stdout: (c) => {
        out.push(c);
        resolve();
      },
      stderr: (c) => void err.push(c),
    },
    signal: job.signal ?? new AbortController().signal,
  };
  const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));
  return { req, stdout: () => text(out), stderr: () => text(err), chunks: () => out.length + err.length, firstStdout };
}
