/**
 * Runs one RunnerJob inside a runner process and maps the outcome to Bacalhau's exit rules:
 * proc_exit(n) → n; a plain return → -1; a trap → 1 with the trap as the error; a load or link
 * failure → -1 with `failed to load entry module <p>: <reason>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { httpHostModules, type SyncHttpClient } from "../http/host-module.ts";
import { buildJobPreopen, jobModuleSource } from "../job-fs.ts";
import { runModule } from "../run-module.ts";
import { HostStop } from "../wasi/errors.ts";
import { WasiHost } from "../wasi/host.ts";
import { nodeFsBackend } from "../wasi/node-backend.ts";
import { WriteQuota } from "../wasi/quota.ts";
import type { Preopen } from "../wasi/vfs.ts";
import type { RunnerJob, RunnerResult } from "./protocol.ts";

export interface JobOutput {
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
}

/** What a job run borrows from its runner process. */
export interface RunJobDeps {
  /** Shared by the runner's jobs so its worker thread starts once. */
  http: SyncHttpClient;
}

/** Counts output against the job's cap and stops the guest once it is passed. */
function cappedOutput(out: JobOutput, limit: number): JobOutput {
  let total = 0;
  const take = (chunk: Uint8Array, sink: (c: Uint8Array) => void) => {
    const room = limit - total;
    if (chunk.length > room) {
      if (room > 0) sink(chunk.subarray(0, room));
      total = limit;
      throw new HostStop(`output limit exceeded: the job wrote more than ${limit} bytes to stdout and stderr`);
    }
    total += chunk.length;
    sink(chunk);
  };
  return {
    stdout: (c) => take(c, out.stdout),
    stderr: (c) => take(c, out.stderr),
  };
}

/** Bytes of the files below `p` by their sizes (symlinks not followed); 0 when it does not exist. */
function storedBytes(p: string): bigint {
  let st: fs.BigIntStats;
  try {
    st = fs.lstatSync(p, { bigint: true });
  } catch {
    return 0n;
  }
  if (!st.isDirectory()) return st.size;
  let sum = 0n;
  for (const name of fs.readdirSync(p)) sum += storedBytes(path.join(p, name));
  return sum;
}

export function runJob(job: RunnerJob, output: JobOutput, deps: RunJobDeps): RunnerResult {
  const fs = nodeFsBackend();
  let preopen: Preopen;
  try {
    preopen = buildJobPreopen(fs, job.mounts);
  } catch (err) {
    return { exitCode: -1, errorMsg: (err as Error).message };
  }
  const out = cappedOutput(output, job.outputLimit);
  const quota = job.resultLimit === undefined
    ? undefined
    : new WriteQuota(job.resultLimit, job.mounts.filter((m) => !m.readOnly).reduce((n, m) => n + storedBytes(m.hostPath), 0n));
  const wasi = new WasiHost({
    args: ["", ...job.parameters],
    env: job.env,
    preopens: [preopen],
    fs,
    stdout: out.stdout,
    stderr: out.stderr,
    quota,
  });
  const http = httpHostModules(
    { network: job.network, domains: job.domains, rejectNetworkedJobs: job.rejectNetworkedJobs,
      addresses: job.addresses, hosts: job.hosts },
    deps.http,
    { timeoutMs: job.httpTimeoutMs },
  );
  try {
    const outcome = runModule({
      entryModule: job.entryModule,
      entrypoint: job.entrypoint,
      importModules: job.importModules,
      wasi,
      source: jobModuleSource(fs, preopen),
      maxPages: job.maxPages,
      maxTableElements: job.maxTableElements,
      hostModules: http.hostModules,
      unavailable: http.unavailable,
    });
    switch (outcome.kind) {
      case "exit": return { exitCode: outcome.code };
      case "returned": return { exitCode: -1 };
      case "trap": return { exitCode: 1, errorMsg: outcome.message, spent: true };
      case "load-error":
        return { exitCode: -1, errorMsg: `failed to load entry module ${job.entryModule}: ${outcome.message}` };
      case "no-entrypoint":
        return { exitCode: -1, errorMsg: outcome.message };
      case "stopped":
        return { exitCode: -1, errorMsg: outcome.message, spent: true };
    }
  } finally {
    wasi.close();
  }
}
