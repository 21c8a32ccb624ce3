/**
 * The user's path: `bacalhau serve` as its own process, then the CLI as separate processes against
 * it; and the durability promise: `kill -9` of the node loses no accepted job.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Execution, Job } from "../../src/models/types.ts";
import { getJSON, submit, waitTerminal, wasmJob } from "../helpers/jobs.ts";
import { tempDir } from "../helpers/node.ts";
import { runCli, startServe, stopGracefully, type ServeProcess } from "../helpers/spawn.ts";
import { until } from "../helpers/network.ts";

const serveArgs = (dataDir: string, port = 0) => [
  "--orchestrator", "--compute", "--no-p2p", "--api-host", "127.0.0.1", "--api-port", String(port),
  "--data-dir", dataDir, "--local-publisher-port", "0",
  "-c", "Compute.Heartbeat.Interval=200ms", "-c", "Orchestrator.Scheduler.HousekeepingInterval=200ms",
];

async function stopServe(s: ServeProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | string> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill(signal);
  return await s.exited;
}

test("bacalhau CLI against a served node", async (suite) => {
  await suite.test("serve, wasm run, describe, logs, get, list, then a clean stop", async (t) => {
    const dataDir = tempDir(t);
    const serve = await startServe(serveArgs(dataDir));
    t.after(() => stopServe(serve, "SIGKILL"));
    const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(serve.port) };
    assert.equal(readFileSync(join(dataDir, "bacalhau.run"), "utf8"),
      `export BACALHAU_API_HOST=127.0.0.1\nexport BACALHAU_API_PORT=${serve.port}\n`);

    const run = await runCli(["wasm", "run", "wasm/hello.wasm", "-p", "local", "--", "Alice"], env);
    assert.equal(run.code, 0, run.stderr);
    const id = /Job ID: (j-[0-9a-f-]+)/.exec(run.stdout)?.[1];
    assert.ok(id, run.stdout);
    assert.match(run.stdout, /To download the results, execute:/);

    const describeJob = await runCli(["job", "describe", id, "--output", "json"], env);
    assert.equal(describeJob.code, 0, describeJob.stderr);
    const described = JSON.parse(describeJob.stdout);
    assert.equal(described.Job.State.StateType, "Completed");
    assert.equal(described.Executions.Items[0].RunOutput.Stdout, "Hello, Alice!\n");

    const logs = await runCli(["job", "logs", id], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, "Hello, Alice!\n");

    const out = join(dataDir, "got");
    const get = await runCli(["job", "get", id, "--output-dir", out], env);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(join(out, "stdout"), "utf8"), "Hello, Alice!\n");
    assert.equal(readFileSync(join(out, "exitCode"), "utf8"), "0");

    const list = await runCli(["job", "list", "--output", "json"], env);
    assert.deepEqual(JSON.parse(list.stdout).map((j: Job) => j.ID), [id]);

    await stopGracefully(serve);
    assert.ok(!existsSync(join(dataDir, "bacalhau.run")), "bacalhau.run is removed on shutdown");
  });

  await suite.test("a failing job makes wasm run exit 1 with the cause, and bad input gives Error: and exit 1", async (t) => {
    const dataDir = tempDir(t);
    const serve = await startServe(serveArgs(dataDir));
    t.after(() => stopServe(serve, "SIGKILL"));
    const env = { BACALHAU_API_HOST: "127.0.0.1", BACALHAU_API_PORT: String(serve.port) };

    const failed = await runCli(["wasm", "run", "wasm/exit_code.wasm", "-e", "EXIT_CODE=x"], env);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Error: .*unreachable/s);

    const bad = await runCli(["wasm", "run", "wasm/hello.wasm", "--memory", "lots"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^\nError: .*Memory/m);
  });

  await suite.test("kill -9 loses no accepted job: after a restart every job completes", async (t) => {
    const dataDir = tempDir(t);
    mkdirSync(dataDir, { recursive: true });
    const first = await startServe(serveArgs(dataDir));
    t.after(() => stopServe(first, "SIGKILL"));
    const api = `http://127.0.0.1:${first.port}`;
    const accepted: string[] = [];
    // A long job that is surely running at the kill, and quick ones in every other state.
    accepted.push((await submit(api, wasmJob("cpu", { args: ["64"] }))).JobID);
    for (let i = 0; i < 10; i++) accepted.push((await submit(api, wasmJob("hello", { args: [`n${i}`] }))).JobID);
    assert.equal(await stopServe(first, "SIGKILL"), "SIGKILL");

    const second = await startServe(serveArgs(dataDir, first.port));
    t.after(() => stopServe(second, "SIGKILL"));
    for (const id of accepted) {
      const job = await waitTerminal(api, id);
      assert.equal(job.State.StateType, "Completed", `${id}: ${job.State.Message}`);
    }
    const execs = await getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${accepted[0]}/executions`);
    assert.ok(execs.Items.some((e) => e.ComputeState.StateType === 9));
    await stopGracefully(second);
  });

  await suite.test("SIGTERM with a job running: the cancellation is recorded and the job finishes after the restart", async (t) => {
    const dataDir = tempDir(t);
    const first = await startServe(serveArgs(dataDir));
    t.after(() => stopServe(first, "SIGKILL"));
    const api = `http://127.0.0.1:${first.port}`;
    const { JobID } = await submit(api, wasmJob("cpu", { args: ["256"] }));
    await until("the job running", () => getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${JobID}/executions`),
      (r) => r.Items.some((e) => e.ComputeState.StateType === 6));
    await stopGracefully(first);

    const second = await startServe(serveArgs(dataDir, first.port));
    t.after(() => stopServe(second, "SIGKILL"));
    const job = await waitTerminal(api, JobID);
    assert.equal(job.State.StateType, "Completed", job.State.Message);
    const execs = await getJSON<{ Items: Execution[] }>(`${api}/api/v1/orchestrator/jobs/${JobID}/executions`);
    const cancelled = execs.Items.find((e) => e.ComputeState.StateType === 10);
    assert.match(cancelled?.ComputeState.Message ?? "", /cancelled: node shutting down/);
    assert.ok(execs.Items.some((e) => e.ComputeState.StateType === 9));
    await stopGracefully(second);
  });
});
