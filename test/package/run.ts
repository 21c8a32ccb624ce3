/** Runs a built or installed bacalhau (any command line) as a user would: own processes, own directory. */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { completion, whenServing, type CliResult, type ServeProcess } from "../helpers/spawn.ts";

export interface Program {
  cmd: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

export function run(p: Program, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return completion(spawn(p.cmd, [...p.args, ...args], { cwd: p.cwd, env: { ...p.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
}

export function serve(p: Program, dataDir: string, extra: string[] = []): Promise<ServeProcess> {
  const args = ["serve", "--orchestrator", "--compute", "--api-host", "127.0.0.1", "--api-port", "0",
    "--swarm-port", "0", "--data-dir", dataDir, "--local-publisher-port", "0", ...extra];
  return whenServing(spawn(p.cmd, [...p.args, ...args], { cwd: p.cwd, env: p.env, stdio: ["ignore", "pipe", "pipe"] }));
}

export async function stop(s: ServeProcess): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGTERM");
  await s.exited;
}

/** Runs a command of the project's build (npm, node) to completion, failing with its output. */
export async function mustRun(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await run({ cmd, args, cwd, env: process.env }, []);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes on disk under `dir`, as `du` counts them (allocated blocks). */
export function diskUsage(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += diskUsage(path);
    else total += lstatSync(path).blocks * 512;
  }
  return total;
}

/** The job ID `wasm run` / `docker run` printed. */
export function jobId(stdout: string): string {
  const id = /Job ID: (j-[0-9a-f-]+)/.exec(stdout)?.[1];
  if (!id) throw new Error(`no job ID in:\n${stdout}`);
  return id;
}

/**
 * An endpoint on 127.0.0.1 to point DOCKER_HOST at: it answers the engine's ping (so the node sets up
 * its Docker executor), says every image is missing, and records each Docker API call it receives.
 */
export async function dockerEndpoint(t: { after(fn: () => unknown): void }): Promise<{ host: string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    if (req.url === "/_ping") res.end("OK");
    else res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "No such image" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { host: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`, calls };
}

/** Whether the calls include the image inspection the Docker executor makes before running `local/busybox:1`. */
export const INSPECTED_IMAGE = /^GET \/(v[\d.]+\/)?images\/local(\/|%2F)busybox(:|%3A)1\/json$/;
