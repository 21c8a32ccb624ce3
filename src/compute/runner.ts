/**
 * Runs one accepted execution from start to end: prepares its inputs, runs the engine, writes the
 * results folder (`stdout`, `stderr`, `exitCode` and one folder per ResultPath), publishes it, and
 * reports the outcome to the orchestrator. Failures of the job itself are reported, never thrown.
 */
import { closeSync, open, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Executor, PreparedVolume } from "../executor/executor.ts";
import { BacalhauError } from "../models/errors.ts";
import { parseResources } from "../models/resources.ts";
import {
  ExecutionStateType,
  NetworkType,
  type Execution,
  type Job,
  type ResourcesConfig,
  type RunCommandResult,
  type SpecConfig,
} from "../models/types.ts";
import type { Publisher } from "../publisher/publisher.ts";
import type { StorageSource } from "../storage/source.ts";
import type { ToOrchestrator } from "../transport/messages.ts";
import { executionEnv } from "./env.ts";
import type { LogManager } from "./logs.ts";
import { OutputHead } from "./output-head.ts";
import { assertResultBound } from "./results.ts";
import { inputDirOf, resultsDirOf } from "./workspace.ts";

/** Bacalhau keeps this much of stdout and stderr in RunOutput. */
export const RUN_OUTPUT_LIMIT = 2048;

export interface RunnerDeps {
  executors: Map<string, Executor>;
  storages: Map<string, StorageSource>;
  publishers: Map<string, Publisher>;
  logs: LogManager;
  executionsDir: string;
  envAllowList: string[];
  jobDefaults?: ResourcesConfig;
  /** Result bytes a job may publish when its Disk resource is unset (Compute.MaxResultBytes); 0/undefined = none. */
  maxResultBytes?: number;
  report: (msg: ToOrchestrator) => Promise<void>;
  /**
   * Takes work that may finish after the execution has (removing its inputs): the execution's
   * slot is free once its outcome is reported, and the owner waits for these before it stops.
   */
  background: (work: Promise<void>) => void;
}

// Creating a file waits on the disk (a journaling file system), so it goes through the thread
// pool; every such await costs a turn of a busy event loop, so the files are created together.
// Writes to descriptors already open are cheap and stay synchronous.
const openFd = promisify(open);

/**
 * Runs the execution in the folders `staged` made (see workspace.ts) and reports its outcome;
 * resolves once the outcome is delivered. A failure to set up its files is thrown.
 */
export async function runExecution(deps: RunnerDeps, exec: Execution & { Job: Job }, signal: AbortSignal,
  staged: Promise<void>): Promise<void> {
  const job = exec.Job;
  const task = job.Tasks[0];
  const resultsDir = resultsDirOf(deps.executionsDir, exec.ID);
  const inputDirs = (task.InputSources ?? []).map((_, i) => inputDirOf(deps.executionsDir, exec.ID, i));
  const ids = { executionID: exec.ID, jobID: job.ID };
  // Reports leave in the order they are made (both transports keep a sender's messages in order),
  // and only the outcome is waited for: progress never holds the execution's slot for a round trip,
  // and reports made together can be stored together.
  const progress = (topic: string, message: string, newState?: Execution["ComputeState"]["StateType"]) =>
    void deps.report({ type: "ExecutionEvent", ...ids, topic, message, newState });

  try {
    await staged;
  } catch (err) {
    // A job whose names would leave its folder fails here, before any input or engine sees them.
    if (!(err instanceof BacalhauError && err.failsExecution)) throw err;
    const runOutput: RunCommandResult = { Stdout: "", StdoutTruncated: false, stderr: "", StderrTruncated: false, ExitCode: -1, ErrorMsg: err.message };
    await deps.report({ type: "ComputeError", ...ids, message: err.message, runOutput });
    return;
  }
  const [outFd, errFd, exitFd, logFd] = await Promise.all([
    // Owner-only: a job's output and logs are its submitter's, not the host's other users'.
    openFd(join(resultsDir, "stdout"), "w", 0o600),
    openFd(join(resultsDir, "stderr"), "w", 0o600),
    openFd(join(resultsDir, "exitCode"), "w", 0o600),
    openFd(deps.logs.fileOf(exec.ID), "a", 0o600),
  ]);
  deps.logs.open(exec.ID, logFd);
  const heads = [new OutputHead(RUN_OUTPUT_LIMIT), new OutputHead(RUN_OUTPUT_LIMIT)] as const;
  let exitCode = -1;
  let errorMsg = "";
  let logsClosed = false;
  try {
    progress("Running Execution", "Running", ExecutionStateType.Running);
    const executor = deps.executors.get(task.Engine.Type.toLowerCase());
    if (!executor) throw new Error(`engine ${task.Engine.Type} is not available on this node`);

    const inputs: PreparedVolume[] = [];
    if (inputDirs.length > 0) progress("Downloading Inputs", "Preparing inputs");
    for (const [i, input] of (task.InputSources ?? []).entries()) {
      const source = deps.storages.get(input.Source.Type.toLowerCase());
      if (!source) throw new Error(`input type ${input.Source.Type} is not available on this node`);
      try {
        inputs.push(await source.prepare(input, { ...ids, workDir: inputDirs[i]!, signal }));
      } catch (err) {
        // A stop while downloading is the stop's story, not the download's.
        if (signal.aborted) throw signal.reason;
        throw new Error(`failed to prepare input ${input.Alias || input.Target}: ${(err as Error).message}`);
      }
    }
    if (signal.aborted) throw signal.reason;

    const result = await executor.run({
      ...ids,
      jobType: job.Type,
      partitionIndex: exec.PartitionIndex ?? 0,
      partitionCount: job.Count,
      engine: task.Engine,
      env: executionEnv(job, exec, deps.envAllowList),
      inputs,
      outputs: task.ResultPaths ?? [],
      resultsDir,
      resources: parseResources(task.Resources, deps.jobDefaults),
      network: task.Network ?? { Type: NetworkType.Default },
      logs: {
        stdout: (chunk) => {
          // A stopped run's last output can arrive after the files are closed (and their fds reused).
          if (logsClosed) return;
          writeSync(outFd, chunk);
          heads[0].add(chunk);
          deps.logs.write(exec.ID, 1, chunk);
        },
        stderr: (chunk) => {
          if (logsClosed) return;
          writeSync(errFd, chunk);
          heads[1].add(chunk);
          deps.logs.write(exec.ID, 2, chunk);
        },
      },
      signal,
    });
    exitCode = result.exitCode;
    errorMsg = result.errorMsg ?? "";
  } catch (err) {
    errorMsg = err instanceof Error ? err.message : String(err);
  } finally {
    logsClosed = true;
    closeSync(outFd);
    closeSync(errFd);
    deps.logs.close(exec.ID);
    try {
      writeSync(exitFd, String(exitCode));
    } finally {
      closeSync(exitFd);
    }
    if (inputDirs.length > 0) {
      // A failure here is logged by the owner; the outcome does not depend on it.
      deps.background(Promise.all(inputDirs.map((dir) => rm(dir, { recursive: true, force: true }))).then(() => {}));
    }
  }
  const [out, err] = [heads[0].result(), heads[1].result()];
  const output: RunCommandResult = {
    Stdout: out.text,
    StdoutTruncated: out.truncated,
    stderr: err.text,
    StderrTruncated: err.truncated,
    ExitCode: exitCode,
    ErrorMsg: errorMsg,
  };
  const disk = parseResources(task.Resources, deps.jobDefaults).Disk;
  const resultBound = disk > 0 ? disk : deps.maxResultBytes;
  await finishExecution(deps, task.Publisher, { ...ids, resultsDir, signal, progress, resultBound }, output);
}

interface Finishing {
  executionID: string;
  jobID: string;
  resultsDir: string;
  /** Most result bytes this job may publish. */
  resultBound?: number;
  signal: AbortSignal;
  /** Reports progress without waiting for its delivery. */
  progress: (topic: string, message: string, newState?: Execution["ComputeState"]["StateType"]) => void;
}

/** Publishes the results folder when the task asks for it and reports the outcome. */
async function finishExecution(deps: RunnerDeps, pubSpec: SpecConfig | undefined, f: Finishing,
  output: RunCommandResult): Promise<void> {
  const { executionID, jobID, resultsDir, signal, progress } = f;
  const ids = { executionID, jobID };
  const errorMsg = output.ErrorMsg;
  if (errorMsg) {
    await deps.report({ type: "ComputeError", ...ids, message: errorMsg, runOutput: output });
    return;
  }

  let published: SpecConfig = { Type: "" };
  if (pubSpec?.Type) {
    try {
      progress("Publishing Results", "Publishing results", ExecutionStateType.Publishing);
      const publisher = deps.publishers.get(pubSpec.Type.toLowerCase());
      if (!publisher) throw new Error(`publisher ${pubSpec.Type} is not available on this node`);
      await assertResultBound(resultsDir, f.resultBound);
      published = await publisher.publish({ ...ids, resultsDir, publisher: pubSpec, signal });
    } catch (err) {
      const message = `failed to publish results: ${(err as Error).message}`;
      await deps.report({ type: "ComputeError", ...ids, message, runOutput: { ...output, ErrorMsg: message } });
      return;
    }
  }
  await deps.report({ type: "RunResult", ...ids, publishedResult: published, runOutput: output });
}
