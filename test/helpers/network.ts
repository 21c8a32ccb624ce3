/**
 * A private network of real `bacalhau serve` processes on 127.0.0.1: one requester and compute
 * nodes that join it with the command the requester prints. Everything is killed after the test.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";
import type { NodeState } from "../../src/models/types.ts";
import { getJSON } from "./jobs.ts";
import { tempDir } from "./node.ts";
import { CLI, ROOT, startServe, whenServing, type ServeProcess } from "./spawn.ts";

type Cleanup = TestContext | { after(fn: () => unknown): void };

export interface Requester extends ServeProcess {
  api: string;
  dataDir: string;
  peer: string;
  swarmKey: string;
  swarmPort: number;
}

const FAST = [
  "-c", "Orchestrator.NodeManager.DisconnectTimeout=2s",
  "-c", "Orchestrator.NodeManager.ReconnectGrace=3s",
  "-c", "Orchestrator.Scheduler.HousekeepingInterval=200ms",
  "-c", "Orchestrator.Scheduler.QueueBackoff=300ms",
];

export async function kill(s: ServeProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
  await s.exited;
}

export async function startRequester(t: Cleanup, opts: { dataDir?: string; swarmPort?: number; args?: string[] } = {}): Promise<Requester> {
  const dataDir = opts.dataDir ?? tempDir(t as TestContext, "bacalhau-req-");
  const s = await startServe([
    "--node-type", "requester", "--host", "127.0.0.1", "--api-port", "0",
    "--swarm-port", String(opts.swarmPort ?? 0), "--data-dir", dataDir, ...FAST, ...(opts.args ?? []),
  ]);
  t.after(() => kill(s));
  const m = /--peer (\S+) --swarm-key (\S+)/.exec(s.output());
  if (!m) throw new Error(`no connect command printed:\n${s.output()}`);
  return {
    ...s,
    api: `http://127.0.0.1:${s.port}`,
    dataDir,
    peer: m[1],
    swarmKey: m[2],
    swarmPort: Number(/\/tcp\/(\d+)\//.exec(m[1])![1]),
  };
}

export interface ComputeOptions {
  peer?: string;
  swarmKey?: string;
  args?: string[];
  /** Run the compute node on the other runtime (Node ↔ Deno). */
  otherRuntime?: boolean;
  dataDir?: string;
}

export async function startCompute(t: Cleanup, req: Requester, opts: ComputeOptions = {}): Promise<ServeProcess> {
  const dataDir = opts.dataDir ?? tempDir(t as TestContext, "bacalhau-compute-");
  const args = [
    "--node-type", "compute", "--peer", opts.peer ?? req.peer, "--swarm-key", opts.swarmKey ?? req.swarmKey,
    "--host", "127.0.0.1", "--api-port", "0", "--swarm-port", "0", "--local-publisher-port", "0",
    "--data-dir", dataDir, "-c", "Compute.Heartbeat.Interval=300ms", ...(opts.args ?? []),
  ];
  const s = opts.otherRuntime ? await startOtherRuntime(args) : await startServe(args);
  t.after(() => kill(s));
  return s;
}

/** `serve` on the runtime the tests are NOT running on. */
function startOtherRuntime(args: string[]): Promise<ServeProcess> {
  const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
  const [cmd, argv] = "Deno" in globalThis
    ? [bin("node"), [CLI, "serve", ...args]]
    : [bin("deno"), ["run", "-A", CLI, "serve", ...args]];
  return whenServing(spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }));
}

/**
 * Polls the requester's API (the way any client must: the nodes are other processes) until `check`
 * holds, failing after `timeoutMs` with the last answer.
 */
export async function until<T>(what: string, get: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
}

export const nodes = (api: string) =>
  getJSON<{ Nodes: NodeState[] }>(`${api}/api/v1/orchestrator/nodes`).then((r) => r.Nodes);

export const connected = (list: NodeState[]) => list.filter((n) => n.Connection === "CONNECTED");

/** A TCP port free on 127.0.0.1 right now (for a node that must come back on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
