/**
 * The executor interface: one engine (wasm, docker, noop) that runs one prepared execution.
 *
 * The compute runner prepares everything before calling `run`: inputs are already on the host
 * (each a file or folder at `hostPath`), the results folder exists, and one sub-folder per
 * ResultPath exists at `<resultsDir>/<Name>`. The executor streams stdout/stderr through `logs`
 * and returns the exit code; the runner writes the `stdout`, `stderr` and `exitCode` files.
 *
 * Contract every implementation honours (test/conformance/executor.suite.ts checks it):
 * - `run` never throws for a failure of the job itself (trap, bad module, OOM, timeout): it returns
 *   `{ exitCode, errorMsg }`, and a non-empty `errorMsg` fails the execution.
 * - aborting `signal` stops the job promptly and resolves with `errorMsg` set.
 * - nothing the job does can reach host files outside its mounts or change an input mounted read-only.
 */
import type { NetworkConfig, ResultPath, Resources, SpecConfig } from "../models/types.ts";

export interface PreparedVolume {
  /** Path inside the job, e.g. `/inputs` or `main.wasm`; a leading `/` is optional. */
  target: string;
  /** File or folder on the host holding the input's content. */
  hostPath: string;
  readOnly: boolean;
}

export interface LogSink {
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
}

export interface ExecutionRequest {
  jobID: string;
  executionID: string;
  jobType: string;
  partitionIndex: number;
  partitionCount: number;
  engine: SpecConfig;
  /** Task.Env (already resolved) merged with the BACALHAU_* system variables. */
  env: Record<string, string>;
  inputs: PreparedVolume[];
  outputs: ResultPath[];
  /** Host folder; outputs live in `<resultsDir>/<Name>`. */
  resultsDir: string;
  resources: Resources;
  network: NetworkConfig;
  logs: LogSink;
  /** Aborted on cancel and on the execution timeout (reason is an Error saying which). */
  signal: AbortSignal;
}

export interface ExecutorResult {
  exitCode: number;
  /** Non-empty when the execution failed (trap, load error, OOM, timeout, cancel). */
  errorMsg?: string;
}

export interface Executor {
  readonly type: string;
  /** Whether this engine can run here (e.g. a Docker engine is reachable). */
  isInstalled(): Promise<boolean>;
  /** Engine-specific admission check; returns a reason to refuse the job, or undefined. */
  checkBid?(engine: SpecConfig): Promise<string | undefined>;
  run(req: ExecutionRequest): Promise<ExecutorResult>;
  /** Releases warm workers, connections and the like. */
  close(): Promise<void>;
}
