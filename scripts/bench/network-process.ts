/**
 * The processes of a private benchmark network on 127.0.0.1, started the way a user starts them:
 * a requester (`serve --node-type requester`), whose stdout prints the `--peer … --swarm-key …`
 * command, and compute nodes that join with it. Each runs on the runtime running the benchmark, in
 * a fresh data dir; its stop (SIGTERM, SIGKILL if it hangs), the kill of any runner it leaves
 * behind and the removal of its dir are registered with the run's Cleanup.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Cleanup } from "./cleanup.ts";
import { descendants } from "./proc.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const STOP_GRACE_MS = 10_000;
const START_TIMEOUT_MS = 120_000;

export interface NetworkProcess {
  pid: number;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
  /** Resolves once its output matches `re` (with the match); rejects if it exits first or times out. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Throws (with its output) if it has exited: a node of the benchmark must not die mid-run. */
  assertRunning(): void;
  /** Stops it now (idempotent); also run by the Cleanup if the caller never gets there. */
  stop(): Promise<void>;
}

export interface RequesterProcess extends NetworkProcess {
  apiURL: string;
  peer: string;
  swarmKey: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function serveCommand(args: string[]): [string, string[]] {
  if ("Deno" in globalThis) return [process.execPath, ["run", "-A", "src/cli/main.ts", "serve", ...args]];
  return [process.execPath, ["src/cli/main.ts", "serve", ...args]];
}

function spawnServe(cleanup: Cleanup, label: string, args: (dataDir: string) => string[]): NetworkProcess {
  const dataDir = mkdtempSync(join(tmpdir(), `bacalhau-bench-${label}-`));
  const removeDir = cleanup.defer(`temp dir ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  const [cmd, argv] = serveCommand(args(dataDir));
  const child = spawn(cmd, argv, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });

  // The whole stdout is kept until the start-up lines are read; only the tail is kept afterwards.
  let output = "";
  const listeners = new Set<() => void>();
  const keep = (chunk: Uint8Array) => {
    output += new TextDecoder().decode(chunk);
    if (output.length > 16_000) output = output.slice(-8_000);
    for (const l of listeners) l();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    resolve();
    for (const l of listeners) l();
  }));
  child.once("error", (err) => { output += `\nspawn error: ${err.message}`; });

  const stopProcess = cleanup.defer(`${label} process ${child.pid}`, async () => {
    // Runners are recorded while the node lives: once it exits they are re-parented and lost from view.
    const runners = !exited && child.pid ? descendants(child.pid) : [];
    if (!exited) child.kill("SIGTERM");
    const timer = setTimeout(() => { if (!exited) child.kill("SIGKILL"); }, STOP_GRACE_MS);
    await exit;
    clearTimeout(timer);
    for (const pid of runners) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone: the node stopped it, as it should.
      }
    }
  });

  const waitFor = (re: RegExp, timeoutMs = START_TIMEOUT_MS) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = re.exec(output);
      if (m) done(() => resolve(m));
      else if (exited) done(() => reject(new Error(`${label} exited before printing ${re}:\n${output.slice(-3000)}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`${label} did not print ${re} in ${timeoutMs} ms:\n${output.slice(-3000)}`))), timeoutMs);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      listeners.delete(check);
      settle();
    };
    listeners.add(check);
    check();
  });

  return {
    pid: child.pid ?? -1,
    output: () => output,
    waitFor,
    assertRunning: () => {
      if (exited) throw new Error(`${label} process ${child.pid} exited:\n${output.slice(-3000)}`);
    },
    stop: async () => {
      await stopProcess();
      await removeDir();
    },
  };
}

/** Starts a requester on a free API port and resolves once it has printed the connect command. */
export async function startRequester(cleanup: Cleanup): Promise<RequesterProcess> {
  const port = await freePort();
  const p = spawnServe(cleanup, "requester", (dir) => [
    "--node-type", "requester", "--host", "127.0.0.1", "--api-port", String(port), "--swarm-port", "0", "--data-dir", dir,
  ]);
  try {
    const m = await p.waitFor(/--peer (\S+) --swarm-key (\S+)/);
    return { ...p, apiURL: `http://127.0.0.1:${port}`, peer: m[1], swarmKey: m[2] };
  } catch (err) {
    await p.stop();
    throw err;
  }
}

/**
 * Starts a compute-only node that joins `req`. It returns at once: whether the node has joined is
 * the requester's to say (see waitForComputes), and a caller starting many wants them in parallel.
 */
export function startCompute(cleanup: Cleanup, req: RequesterProcess): NetworkProcess {
  return spawnServe(cleanup, "compute", (dir) => [
    "--node-type", "compute", "--peer", req.peer, "--swarm-key", req.swarmKey,
    "--host", "127.0.0.1", "--api-port", "0", "--swarm-port", "0", "--local-publisher-port", "0", "--data-dir", dir,
  ]);
}

/** Stops the compute nodes together, then the requester (computes first so none waits on a gone peer). */
export async function stopNetwork(req: NetworkProcess | undefined, computes: NetworkProcess[]): Promise<void> {
  await Promise.allSettled(computes.map((c) => c.stop()));
  await req?.stop();
}
