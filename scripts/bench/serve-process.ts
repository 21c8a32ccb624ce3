/**
 * A `bacalhau serve --orchestrator --compute` child process started the way a user starts it, with
 * the runtime running the benchmark: on Node the package's executable (`npx bacalhau serve` runs
 * `node bin/bacalhau.mjs serve`), on Deno `deno run -A src/cli/main.ts serve` (`deno task bacalhau`).
 * It gets a free API port, and a fresh data dir unless one is given (a restart reuses its
 * identity). Its stop (SIGTERM, then SIGKILL if it hangs), the kill of any runner it leaves behind
 * and the removal of a dir it made are registered with the run's Cleanup.
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
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 5;

export interface ServeProcess {
  pid: number;
  apiURL: string;
  /** Spawn to the first 200 from /api/v1/agent/alive. */
  readyMs: number;
  stop(): Promise<void>;
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
  if ("Deno" in globalThis) return [process.execPath, ["run", "-A", "src/cli/main.ts", ...args]];
  return [process.execPath, ["bin/bacalhau.mjs", ...args]];
}

/** A data dir removed with the run's Cleanup, for starts that should share one. */
export function benchDataDir(cleanup: Cleanup): string {
  const dataDir = mkdtempSync(join(tmpdir(), "bacalhau-bench-serve-"));
  cleanup.defer(`temp dir ${dataDir}`, () => rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServe(cleanup: Cleanup, dataDir = benchDataDir(cleanup)): Promise<ServeProcess> {
  const port = await freePort();
  const [cmd, args] = serveCommand([
    "serve", "--orchestrator", "--compute",
    "--host", "127.0.0.1", "--swarm-port", "0", "--api-port", String(port),
    "--local-publisher-port", "0",
    "--data-dir", dataDir,
  ]);

  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Uint8Array) => { output = (output + new TextDecoder().decode(chunk)).slice(-4000); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));
  child.once("error", (err) => { output += `\nspawn error: ${err.message}`; });

  // Runners the node started; recorded while it lives, because they are re-parented once it exits.
  let runners: number[] = [];
  const stop = cleanup.defer(`serve process ${child.pid}`, async () => {
    if (!exited && child.pid) runners = descendants(child.pid);
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

  const apiURL = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`serve exited before it was ready:\n${output}`);
    if (performance.now() - t0 > READY_TIMEOUT_MS) throw new Error(`serve not ready after ${READY_TIMEOUT_MS} ms:\n${output}`);
    try {
      const res = await fetch(`${apiURL}/api/v1/agent/alive`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await pause(POLL_MS);
  }
  const readyMs = performance.now() - t0;
  return { pid: child.pid!, apiURL, readyMs, stop };
}
