// A runner never outlives its node: not when the node is killed with SIGKILL while the runner spins
// in a module, and a runner that ends first leaves no guard process behind. Idle surplus runners
// are stopped after a quiet period.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import process from "node:process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { RunnerPool } from "../../src/executor/wasm/runner/pool.ts";
import { RunnerProcess } from "../../src/executor/wasm/runner/process.ts";
import { runtimeArgv } from "../helpers/spawn.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/spinning-node.ts", import.meta.url));
const GONE_WITHIN_MS = 10_000;

/** Alive and not a zombie (a killed orphan may linger as one until its new parent reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** An orphan's end is no event this process can wait on: look until it is gone or time is up. */
async function gone(pid: number): Promise<boolean> {
  const deadline = performance.now() + GONE_WITHIN_MS;
  while (running(pid)) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** The guard processes watching `runnerPid` (found by their command line). */
function guardsOf(runnerPid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmdline.startsWith("/bin/sh\0-c\0") && cmdline.includes(`kill -9 ${runnerPid} `)) out.push(Number(name));
  }
  return out;
}

test("runner guard", async (t) => {
  await t.test("SIGKILL of the node kills its runner even while it spins in a module", async (t) => {
    const [cmd, args] = runtimeArgv(FIXTURE, []);
    const node = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<void>((resolve) => node.once("exit", () => resolve()));
    const pids: number[] = [];
    let resultsDir = "";
    t.after(async () => {
      if (node.exitCode === null && node.signalCode === null) node.kill("SIGKILL");
      await exited;
      for (const pid of pids) killQuietly(pid);
      if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
    });
    let line = "";
    for await (const chunk of node.stdout!) {
      line += chunk;
      if (line.includes("\n")) break;
    }
    const report = JSON.parse(line) as { resultsDir: string; children: Array<{ pid: number; comm: string }> };
    resultsDir = report.resultsDir;
    pids.push(...report.children.map((c) => c.pid));
    const guard = report.children.find((c) => c.comm === "sh");
    const runner = report.children.find((c) => c.comm !== "sh");
    assert.ok(guard && runner, `a runner and its guard: ${line}`);
    assert.ok(running(runner.pid), "the runner is spinning");

    node.kill("SIGKILL");
    await exited;
    assert.ok(await gone(runner.pid), "the runner died with its node");
    assert.ok(await gone(guard.pid), "the guard left after killing it");
  });

  await t.test("a runner that stops first takes its guard with it", async () => {
    const runner = new RunnerProcess();
    try {
      await runner.ready;
      const guards = guardsOf(runner.pid!);
      assert.equal(guards.length, 1);
      await runner.stop();
      assert.ok(!running(guards[0]!), "the guard has left once the runner has exited");
    } finally {
      runner.kill();
      await runner.exited;
    }
  });

  await t.test("a killed runner's guard leaves too", async () => {
    const runner = new RunnerProcess();
    try {
      await runner.ready;
      const guards = guardsOf(runner.pid!);
      runner.kill();
      await runner.exited;
      assert.ok(!running(guards[0]!));
    } finally {
      runner.kill();
      await runner.exited;
    }
  });
});

test("idle runners beyond the spare are stopped after a quiet period", async (t) => {
  const pool = new RunnerPool({ spare: 1, max: 2, idleTrimMs: 50 });
  t.after(() => pool.close());
  const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
  assert.equal(pool.size, 2);
  pool.release(a);
  pool.release(b);
  assert.equal(pool.size, 2, "both are kept while the pool is busy");
  // The trim runs on a timer: there is no event to await.
  const deadline = performance.now() + GONE_WITHIN_MS;
  while (pool.size > 1 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(pool.size, 1, "the spare stays warm");
  const again = await pool.acquire();
  assert.ok(again.isReady, "the spare is handed out ready");
  pool.release(again);
});
