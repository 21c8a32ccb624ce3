/** Runs project scripts as child processes of the runtime the tests run on (Node or Deno). */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;

/** argv to run a .ts file with the current runtime. */
export function runtimeArgv(file: string, args: string[]): [string, string[]] {
  return deno ? [deno.execPath(), ["run", "-A", file, ...args]] : [process.execPath, [file, ...args]];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bacalhau …` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const [cmd, argv] = runtimeArgv(CLI, args);
  return completion(spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

/** A child process's exit code and everything it printed, once it has ended. */
export function completion(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Resolves once a started `serve` child prints its API address; rejects if it exits first. */
export function whenServing(child: ChildProcess, what = "serve"): Promise<ServeProcess> {
  let out = "";
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, sig) => resolve(code ?? sig ?? -1)));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const m = /API: http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out, exited });
    });
    child.stderr!.on("data", (d) => (out += d));
    exited.then((code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${out}`)));
  });
}

/** Starts `bacalhau serve …` and resolves once it prints its API address. */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const [cmd, argv] = runtimeArgv(CLI, ["serve", ...args]);
  return whenServing(spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

/** A graceful stop: SIGTERM, then the node says it stopped and exits 0. */
export async function stopGracefully(s: ServeProcess): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGTERM");
  const code = await s.exited;
  assert.match(s.output(), /received SIGTERM, shutting down\nnode stopped\n/);
  // Deno's child_process reports the signal it sent as the exit reason even when the child exits
  // with 0 by itself, so only Node's report of the exit code can be checked here.
  if (!("Deno" in globalThis)) assert.equal(code, 0, s.output());
}
