/**
 * Runs one accepted execution from start to end: prepares its inputs, runs the engine, writes the
 * results folder (`stdout`, `stderr`, `exitCode` and one folder per ResultPath), publishes it, and
 * reports the outcome to the orchestrator. Failures of the job itself are reported, never thrown.
 */
import { closeSync, open, openSync, readSync, writeSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Executor, PreparedVolume } from "../executor/executor.ts";
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
  report: (msg: ToOrchestrator) => Promise<void>;
}

export const executionDir = (executionsDir: string, id: string): string => join(executionsDir, id);

// Directory work goes through the thread pool: on a journaling file system creating and above all
// removing directories waits on the disk for milliseconds, which would stall every other job and
// request on the event loop. The job's own output is still written synchronously (see logs below).
const openFd = promisify(open);

function readHead(path: string, limit: number): { text: string; truncated: boolean } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { text: "", truncated: false };
  }
  try {
    const buf = new Uint8Array(limit + 1);
    const n = readSync(fd, buf, 0, limit + 1, 0);
    return { text: new TextDecoder().decode(buf.subarray(0, Math.min(n, limit))), truncated: n > limit };
  } finally {
    closeSync(fd);
  }
}

function runOutput(resultsDir: string, exitCode: number, errorMsg: string): RunCommandResult {
  const out = readHead(join(resultsDir, "stdout"), RUN_OUTPUT_LIMIT);
  const err = readHead(join(resultsDir, "stderr"), RUN_OUTPUT_LIMIT);
  return {
    Stdout: out.text,
    StdoutTruncated: out.truncated,
    stderr: err.text,
    StderrTruncated: err.truncated,
    ExitCode: exitCode,
    ErrorMsg: errorMsg,
  };
}

export const TIMES = new Map<string, number>();
export async function runExecution(deps: RunnerDeps, exec: Execution & { Job: Job }, signal: AbortSignal): Promise<void> {
  let __t = performance.now();
  const mark = (k: string) => { const n = performance.now(); TIMES.set(k, (TIMES.get(k) ?? 0) + n - __t); __t = n; };
  const job = exec.Job;
  const task = job.Tasks[0];
  const base = executionDir(deps.executionsDir, exec.ID);
  const workDir = join(base, "work");
  const resultsDir = join(base, "results");
  const ids = { executionID: exec.ID, jobID: job.ID };
  const progress = (topic: string, message: string, newState?: Execution["ComputeState"]["StateType"]) =>
    deps.report({ type: "ExecutionEvent", ...ids, topic, message, newState });

  await mkdir(workDir, { recursive: true });
  await mkdir(resultsDir, { recursive: true });
    mark("mkdirs");
  await Promise.all((task.ResultPaths ?? []).map((rp) => mkdir(join(resultsDir, rp.Name), { recursive: true })));
  const [outFd, errFd] = await Promise.all([openFd(join(resultsDir, "stdout"), "w"), openFd(join(resultsDir, "stderr"), "w")]);
    mark("openfds");
  deps.logs.open(exec.ID);
  let exitCode = -1;
  let errorMsg = "";
  let removeWork: Promise<void> | undefined;
  try {
    await progress("Running Execution", "Running", ExecutionStateType.Running);
    mark("report-running");
    const executor = deps.executors.get(task.Engine.Type.toLowerCase());
    if (!executor) throw new Error(`engine ${task.Engine.Type} is not available on this node`);

    const inputs: PreparedVolume[] = [];
    if ((task.InputSources ?? []).length > 0) await progress("Downloading Inputs", "Preparing inputs");
    mark("report-inputs");
    for (const [i, input] of (task.InputSources ?? []).entries()) {
      const source = deps.storages.get(input.Source.Type.toLowerCase());
      if (!source) throw new Error(`input type ${input.Source.Type} is not available on this node`);
      const dir = join(workDir, `input-${i}`);
      await mkdir(dir, { recursive: true });
    mark("mkdir-input");
      try {
        inputs.push(await source.prepare(input, { ...ids, workDir: dir, signal }));
      } catch (err) {
        // A stop while downloading is the stop's story, not the download's.
        if (signal.aborted) throw signal.reason;
        throw new Error(`failed to prepare input ${input.Alias || input.Target}: ${(err as Error).message}`);
      }
    }
    if (signal.aborted) throw signal.reason;
    mark("prepare");

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
          writeSync(outFd, chunk);
          deps.logs.write(exec.ID, 1, chunk);
        },
        stderr: (chunk) => {
          writeSync(errFd, chunk);
          deps.logs.write(exec.ID, 2, chunk);
        },
      },
      signal,
    });
    exitCode = result.exitCode;
    errorMsg = result.errorMsg ?? "";
    mark("executor");
  } catch (err) {
    errorMsg = err instanceof Error ? err.message : String(err);
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    deps.logs.close(exec.ID);
    // Removed while the outcome is reported; awaited before this execution counts as finished.
    removeWork = rm(workDir, { recursive: true, force: true }).catch(() => {});
    mark("close");
  }
  try {
    await writeFile(join(resultsDir, "exitCode"), String(exitCode));
    mark("exitcode");
    await finishExecution(deps, task.Publisher, { ...ids, resultsDir, signal, progress },
      runOutput(resultsDir, exitCode, errorMsg));
    mark("finish");
  } finally {
    await removeWork;
    mark("rm");
  }
}

interface Finishing {
  executionID: string;
  jobID: string;
  resultsDir: string;
  signal: AbortSignal;
  progress: (topic: string, message: string, newState?: Execution["ComputeState"]["StateType"]) => Promise<void>;
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
      await progress("Publishing Results", "Publishing results", ExecutionStateType.Publishing);
      const publisher = deps.publishers.get(pubSpec.Type.toLowerCase());
      if (!publisher) throw new Error(`publisher ${pubSpec.Type} is not available on this node`);
      published = await publisher.publish({ ...ids, resultsDir, publisher: pubSpec, signal });
    } catch (err) {
      const message = `failed to publish results: ${(err as Error).message}`;
      await deps.report({ type: "ComputeError", ...ids, message, runOutput: { ...output, ErrorMsg: message } });
      return;
    }
  }
  await deps.report({ type: "RunResult", ...ids, publishedResult: published, runOutput: output });
}
